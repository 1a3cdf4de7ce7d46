using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>How <see cref="Bocpd"/> rescales each series before detection.</summary>
public enum BocpdScaling
{
    /// <summary>(x − min)/(max − min) over the whole series, as BARO does before its multivariate BOCPD (offline: it
    /// uses the series' range, including later points). A constant series becomes 0.</summary>
    MinMax,
    /// <summary>No rescaling: the prior (mean 0, scale 1) must suit the data's units.</summary>
    None,
}

/// <summary>Options of <see cref="Bocpd"/>. Defaults are BARO's (Pham et al., FSE 2024; its code's <c>bocpd()</c>).</summary>
public sealed record BocpdOptions
{
    /// <summary>Expected run length λ of the constant hazard H = 1/λ (Adams &amp; MacKay §2.1), in rows (points), not
    /// seconds. BARO: 50, whatever the sampling interval.</summary>
    public double Lambda { get; set; } = 50;
    /// <summary>λ in seconds, for BARO's anomaly time only (<c>--anomaly-time bocpd(lambda-seconds=…)</c>): when &gt; 0 it
    /// replaces <see cref="Lambda"/> by seconds ÷ the case's sampling interval, read from its timestamps. The univariate
    /// detector (<see cref="Bocpd"/>) scores bare series without timestamps and refuses it.</summary>
    public double LambdaSeconds { get; set; }
    /// <summary>Prior pseudo-count κ₀ on the mean. BARO: 1.</summary>
    public double PriorKappa { get; set; } = 1;
    /// <summary>Prior degrees of freedom ν₀ of the inverse-Wishart; 0 means d + 1 (the smallest proper value; BARO's default).</summary>
    public double PriorDof { get; set; }
    /// <summary>Prior mean μ₀ of every dimension. BARO: 0.</summary>
    public double PriorMean { get; set; }
    /// <summary>Diagonal of the inverse-Wishart scale Ψ₀ = s·I. BARO: 1 (identity).</summary>
    public double PriorScale { get; set; } = 1;
    /// <summary>Run lengths whose posterior probability falls below this are dropped each step (truncation; see
    /// <see cref="Bocpd"/>). 0 keeps every run length (exact, O(T²)).</summary>
    public double PruneBelow { get; set; } = 1e-12;
    /// <summary>Keep at most this many run-length hypotheses (the most probable); 0 = no cap.</summary>
    public int MaxHypotheses { get; set; }
    /// <summary>Rescaling of each series before detection.</summary>
    public BocpdScaling Scaling { get; set; } = BocpdScaling.MinMax;
    /// <summary>Univariate detector score: the posterior probability that the current run is shorter than this many
    /// steps, P(r_t &lt; w | x₁..x_t). The first w points score 0 (warm-up).</summary>
    public int ShortRun { get; set; } = 5;
}

/// <summary>Output of one BOCPD pass over T time steps.</summary>
public sealed class BocpdResult
{
    internal BocpdResult(int[] map, double[] shortRun, int[] changePoints, double[][]? posteriors)
    {
        MapRunLength = map; ShortRunProbability = shortRun; ChangePoints = changePoints; Posteriors = posteriors;
    }

    /// <summary>MAP run length after observing rows 0..t (index t): 0 means row t starts a new run.</summary>
    public IReadOnlyList<int> MapRunLength { get; }

    /// <summary>P(r_t &lt; <see cref="BocpdOptions.ShortRun"/> | rows 0..t).</summary>
    public IReadOnlyList<double> ShortRunProbability { get; }

    /// <summary>
    /// Rows at which a new segment starts, ascending and distinct. A change is declared at step t when the MAP run length
    /// drops by more than one (BARO's <c>find_cps</c> rule, |MAP(t) − MAP(t−1)| &gt; 1, restricted to drops: a jump up
    /// means an earlier short-run hypothesis was abandoned, not a change); the change point is placed where that new run
    /// began, row t − MAP(t) + 1.
    /// </summary>
    public IReadOnlyList<int> ChangePoints { get; }

    /// <summary>When requested: the run-length posterior after each step, <c>Posteriors[t][r]</c> = P(r_t = r | rows 0..t)
    /// (pruned run lengths hold 0).</summary>
    public IReadOnlyList<double[]>? Posteriors { get; }
}

/// <summary>
/// Bayesian online change-point detection (Adams &amp; MacKay, "Bayesian Online Changepoint Detection", arXiv:0710.3742,
/// 2007, Algorithm 1) with a constant hazard H = 1/λ and a Gaussian observation model with unknown mean and covariance
/// under a Normal-inverse-Wishart prior, whose posterior predictive is the multivariate Student-t (Murphy 2007, eq. 232):
/// after n observations of a run, x ~ t_{ν_n−d+1}(μ_n, Ψ_n(κ_n+1)/(κ_n(ν_n−d+1))), with the one-step updates
/// κ ← κ+1, ν ← ν+1, μ ← (κμ + x)/(κ+1), Ψ ← Ψ + κ/(κ+1)(x−μ)(x−μ)ᵀ. The univariate case is d = 1.
/// This is the multivariate detector of BARO (Pham et al., FSE 2024, §3.2, eqs. 1–4), with BARO's defaults (λ = 50,
/// κ₀ = 1, ν₀ = d+1, μ₀ = 0, Ψ₀ = I, min-max scaled input).
/// </summary>
/// <remarks>
/// <para><b>Efficiency.</b> Each hypothesis keeps the Cholesky factor of Ψ and updates it by a rank-one update, so a
/// predictive density costs O(d²) (one triangular solve) and no matrix is ever inverted (BARO's code inverts every
/// d×d matrix twice per hypothesis per step). Log-space recursion; Γ-function terms are cached per degree of freedom.</para>
/// <para><b>Truncation.</b> After each step run lengths whose posterior probability is below
/// <see cref="BocpdOptions.PruneBelow"/> (default 10⁻¹²) are dropped and the rest renormalised (Adams &amp; MacKay §2.3
/// suggest exactly this pruning). The most probable hypothesis is never dropped. The dropped mass per step is at most
/// (number of hypotheses)×threshold, so the posterior is exact to ~10⁻⁹; with the default hazard this keeps the number
/// of hypotheses in the low hundreds instead of growing to T, making a pass O(T·R·d²) instead of O(T²·d²).
/// <see cref="BocpdOptions.MaxHypotheses"/> additionally caps R.</para>
/// <para><b>As an <see cref="IAnomalyDetector"/></b> (<c>bocpd</c>): the score of point t is P(r_t &lt; w | x₁..x_t)
/// (w = <see cref="BocpdOptions.ShortRun"/>), which is near 1 just after a change and near H·w otherwise (with a constant
/// hazard P(r_t = 0 | x₁..x_t) is exactly H at every step, so it cannot serve as a score). The first w points score 0.
/// NaN points do not update the state and score 0.</para>
/// </remarks>
[Method("bocpd", Summary = "Bayesian online change-point detection (Student-t predictive, constant hazard); score = P(run length < w).", Citation = "Adams & MacKay 2007, arXiv:0710.3742; multivariate form as in BARO (Pham et al., FSE 2024)")]
public sealed class Bocpd : IAnomalyDetector, IAlarmThreshold
{
    private readonly BocpdOptions _o;

    public Bocpd() : this(new BocpdOptions()) { }

    public Bocpd(BocpdOptions options)
    {
        Validate(options);
        _o = options;
    }

    public string Name => "bocpd";

    /// <summary>A point alarms when a recent change point (run length below short-run) is more likely than not.</summary>
    public double AlarmThreshold => 0.5;

    public BocpdOptions Options => _o;

    private static void Validate(BocpdOptions o)
    {
        if (!(o.Lambda > 1)) throw new ArgumentException("bocpd: lambda (expected run length) must be > 1.");
        if (o.LambdaSeconds != 0) throw new ArgumentException("bocpd: lambda-seconds is for BARO's anomaly time (--anomaly-time bocpd); the detector counts points: use lambda.");
        if (!(o.PriorKappa > 0)) throw new ArgumentException("bocpd: prior-kappa must be > 0.");
        if (!(o.PriorScale > 0)) throw new ArgumentException("bocpd: prior-scale must be > 0.");
        if (o.PriorDof < 0) throw new ArgumentException("bocpd: prior-dof must be ≥ 0 (0 = dimensions + 1).");
        if (o.PruneBelow is < 0 or >= 1) throw new ArgumentException("bocpd: prune-below must be in [0, 1).");
        if (o.MaxHypotheses < 0) throw new ArgumentException("bocpd: max-hypotheses must be ≥ 0.");
        if (o.ShortRun < 1) throw new ArgumentException("bocpd: short-run must be ≥ 1.");
    }

    /// <inheritdoc/>
    public double[] Score(ReadOnlySpan<double> series)
    {
        var score = new double[series.Length];
        // Run on the finite points only (NaN points neither update the state nor get a score).
        var idx = new List<int>(series.Length);
        for (int i = 0; i < series.Length; i++) if (double.IsFinite(series[i])) idx.Add(i);
        if (idx.Count == 0) return score;
        var x = new double[idx.Count];
        for (int k = 0; k < x.Length; k++) x[k] = series[idx[k]];
        var r = Run([x], _o, keepPosteriors: false);
        for (int k = 0; k < x.Length; k++)
            score[idx[k]] = k < _o.ShortRun ? 0 : r.ShortRunProbability[k];
        return score;
    }

    /// <summary>
    /// Runs BOCPD over <paramref name="columns"/> (d series of equal length T, treated as one d-dimensional series).
    /// NaN is carried forward from the previous value of its series (0 before the first), after scaling.
    /// </summary>
    public static BocpdResult Run(IReadOnlyList<double[]> columns, BocpdOptions options, bool keepPosteriors = false, CancellationToken ct = default)
    {
        Validate(options);
        int d = columns.Count;
        if (d == 0) throw new ArgumentException("bocpd: no series given.");
        int T = columns[0].Length;
        foreach (var c in columns)
            if (c.Length != T) throw new ArgumentException("bocpd: the series differ in length.");
        // Row-major T×d data after scaling and forward fill.
        var data = new double[T * d];
        for (int j = 0; j < d; j++)
        {
            var col = columns[j];
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            foreach (var v in col) if (double.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
            bool scale = options.Scaling == BocpdScaling.MinMax;
            double range = hi - lo;
            double last = 0;
            for (int t = 0; t < T; t++)
            {
                double v = col[t];
                if (double.IsFinite(v)) last = scale ? (range > 0 ? (v - lo) / range : 0) : v;
                data[t * d + j] = last;
            }
        }
        return new Engine(d, options).Run(data, T, keepPosteriors, ct);
    }

    /// <summary>The recursion of Adams &amp; MacKay's Algorithm 1 over pooled hypothesis arrays.</summary>
    private sealed class Engine
    {
        private readonly int _d;
        private readonly BocpdOptions _o;
        private readonly double _nu0;
        private readonly double _logH, _log1mH;
        // Hypotheses, index 0 = shortest run. Pooled arrays, grown on demand.
        private int _n;
        private int[] _run = new int[64];
        private double[] _logp = new double[64];
        private double[] _kappa = new double[64];
        private double[] _nu = new double[64];
        private double[] _mu = [];
        private double[] _chol = [];
        private double[] _logDetPsi = new double[64];
        private readonly Dictionary<double, double> _gammaTerm = [];

        public Engine(int d, BocpdOptions o)
        {
            _d = d; _o = o;
            _nu0 = o.PriorDof > 0 ? o.PriorDof : d + 1;
            if (_nu0 <= d - 1) throw new ArgumentException($"bocpd: prior-dof must exceed dimensions − 1 = {d - 1}.");
            double h = 1.0 / o.Lambda;
            _logH = Math.Log(h); _log1mH = double.LogP1(-h);
            _mu = new double[64 * d];
            _chol = new double[64 * d * d];
        }

        private void Ensure(int count)
        {
            if (count <= _run.Length) return;
            int cap = Math.Max(count, _run.Length * 2);
            Array.Resize(ref _run, cap); Array.Resize(ref _logp, cap); Array.Resize(ref _kappa, cap);
            Array.Resize(ref _nu, cap); Array.Resize(ref _logDetPsi, cap);
            Array.Resize(ref _mu, cap * _d); Array.Resize(ref _chol, cap * _d * _d);
        }

        private void SetPrior(int k)
        {
            int d = _d;
            _run[k] = 0; _kappa[k] = _o.PriorKappa; _nu[k] = _nu0;
            _mu.AsSpan(k * d, d).Fill(_o.PriorMean);
            var l = _chol.AsSpan(k * d * d, d * d);
            l.Clear();
            double s = Math.Sqrt(_o.PriorScale);
            for (int i = 0; i < d; i++) l[i * d + i] = s;
            _logDetPsi[k] = d * Math.Log(_o.PriorScale);
        }

        /// <summary>logΓ((ν'+d)/2) − logΓ(ν'/2) − (d/2)·log(ν'π) for the predictive's ν'.</summary>
        private double GammaTerm(double nuT)
        {
            if (_gammaTerm.TryGetValue(nuT, out var g)) return g;
            g = StudentT.LogPdfMultivariate(_d, nuT, 0, 0);
            _gammaTerm[nuT] = g;
            return g;
        }

        public BocpdResult Run(double[] data, int T, bool keep, CancellationToken ct)
        {
            int d = _d;
            var map = new int[T];
            var shortRun = new double[T];
            var cps = new List<int>();
            var post = keep ? new double[T][] : null;
            var pred = new double[64];
            var diff = new double[d];
            var work = new double[d];
            _n = 1;
            SetPrior(0);
            _logp[0] = 0;
            int prevMap = -1;
            for (int t = 0; t < T; t++)
            {
                if ((t & 63) == 0) ct.ThrowIfCancellationRequested();
                var x = data.AsSpan(t * d, d);
                if (pred.Length < _n) pred = new double[Math.Max(_n, pred.Length * 2)];
                // 1. predictive log density of x under each hypothesis.
                double cpMax = double.NegativeInfinity;
                for (int k = 0; k < _n; k++)
                {
                    double kap = _kappa[k], nuT = _nu[k] - d + 1;
                    double c = kap * nuT / (kap + 1); // Σ = Ψ / c
                    var mu = _mu.AsSpan(k * d, d);
                    for (int i = 0; i < d; i++) diff[i] = x[i] - mu[i];
                    double m2 = Cholesky.SolveNormSquared(_chol.AsSpan(k * d * d, d * d), d, diff, work) * c;
                    double logDetSigma = _logDetPsi[k] - d * Math.Log(c);
                    double lp = GammaTerm(nuT) - 0.5 * logDetSigma - (nuT + d) / 2 * double.LogP1(m2 / nuT);
                    pred[k] = _logp[k] + lp;
                    if (pred[k] > cpMax) cpMax = pred[k];
                }
                // 2-3. growth and change-point probabilities (log joint).
                double cpSum = 0;
                for (int k = 0; k < _n; k++) cpSum += Math.Exp(pred[k] - cpMax);
                double logCp = cpMax + Math.Log(cpSum) + _logH;
                // 4. parameter updates of every existing hypothesis with x (they become run length r+1).
                for (int k = 0; k < _n; k++)
                {
                    var mu = _mu.AsSpan(k * d, d);
                    double kap = _kappa[k];
                    double f = Math.Sqrt(kap / (kap + 1));
                    for (int i = 0; i < d; i++) diff[i] = (x[i] - mu[i]) * f;
                    var l = _chol.AsSpan(k * d * d, d * d);
                    Cholesky.RankOneUpdate(l, d, diff);
                    _logDetPsi[k] = Cholesky.LogDeterminant(l, d);
                    for (int i = 0; i < d; i++) mu[i] = (kap * mu[i] + x[i]) / (kap + 1);
                    _kappa[k] = kap + 1; _nu[k] += 1; _run[k] += 1;
                    _logp[k] = pred[k] + _log1mH;
                }
                // Prepend the new r = 0 hypothesis (prior parameters).
                Ensure(_n + 1);
                Shift(1);
                SetPrior(0);
                _logp[0] = logCp;
                _n++;
                // 5. normalise.
                double mx = double.NegativeInfinity;
                for (int k = 0; k < _n; k++) if (_logp[k] > mx) mx = _logp[k];
                double s = 0;
                for (int k = 0; k < _n; k++) s += Math.Exp(_logp[k] - mx);
                double logZ = mx + Math.Log(s);
                int best = 0;
                for (int k = 0; k < _n; k++)
                {
                    _logp[k] -= logZ;
                    if (_logp[k] > _logp[best]) best = k;
                }
                Prune(best);
                // Read-outs.
                int m = -1; double mp = double.NegativeInfinity, sr = 0;
                for (int k = 0; k < _n; k++)
                {
                    if (_logp[k] > mp || (_logp[k] == mp && _run[k] < m)) { mp = _logp[k]; m = _run[k]; }
                    if (_run[k] < _o.ShortRun) sr += Math.Exp(_logp[k]);
                }
                // MAP run length counts observations of the current run including row t (r = 0 before any).
                // A run that began at row s has seen t − s + 1 rows after row t.
                int mapRows = m;
                map[t] = mapRows;
                shortRun[t] = Math.Min(1, sr);
                if (t > 0 && prevMap >= 0 && mapRows + 1 < prevMap)
                {
                    int start = t - mapRows + 1;
                    if (start < 0) start = 0;
                    if (cps.Count == 0 || cps[^1] != start) cps.Add(start);
                }
                prevMap = mapRows;
                if (post is not null)
                {
                    int maxR = 0;
                    for (int k = 0; k < _n; k++) maxR = Math.Max(maxR, _run[k]);
                    var p = new double[maxR + 1];
                    for (int k = 0; k < _n; k++) p[_run[k]] += Math.Exp(_logp[k]);
                    post[t] = p;
                }
            }
            cps.Sort();
            return new BocpdResult(map, shortRun, cps.Distinct().ToArray(), post);
        }

        private void Shift(int by)
        {
            int d = _d;
            Array.Copy(_run, 0, _run, by, _n);
            Array.Copy(_logp, 0, _logp, by, _n);
            Array.Copy(_kappa, 0, _kappa, by, _n);
            Array.Copy(_nu, 0, _nu, by, _n);
            Array.Copy(_logDetPsi, 0, _logDetPsi, by, _n);
            Array.Copy(_mu, 0, _mu, by * d, _n * d);
            Array.Copy(_chol, 0, _chol, by * d * d, _n * d * d);
        }

        private void Prune(int best)
        {
            double logThr = _o.PruneBelow > 0 ? Math.Log(_o.PruneBelow) : double.NegativeInfinity;
            int cap = _o.MaxHypotheses;
            double capThr = double.NegativeInfinity;
            if (cap > 0 && _n > cap)
            {
                var lp = _logp.AsSpan(0, _n).ToArray();
                Array.Sort(lp);
                capThr = lp[_n - cap];
            }
            int d = _d, w = 0;
            bool dropped = false;
            for (int k = 0; k < _n; k++)
            {
                bool keep = k == best || (_logp[k] >= logThr && _logp[k] >= capThr);
                if (!keep) { dropped = true; continue; }
                if (w != k)
                {
                    _run[w] = _run[k]; _logp[w] = _logp[k]; _kappa[w] = _kappa[k]; _nu[w] = _nu[k]; _logDetPsi[w] = _logDetPsi[k];
                    Array.Copy(_mu, k * d, _mu, w * d, d);
                    Array.Copy(_chol, k * d * d, _chol, w * d * d, d * d);
                }
                w++;
            }
            _n = w;
            if (!dropped) return;
            double mx = double.NegativeInfinity;
            for (int k = 0; k < _n; k++) mx = Math.Max(mx, _logp[k]);
            double s = 0;
            for (int k = 0; k < _n; k++) s += Math.Exp(_logp[k] - mx);
            double logZ = mx + Math.Log(s);
            for (int k = 0; k < _n; k++) _logp[k] -= logZ;
        }
    }
}
