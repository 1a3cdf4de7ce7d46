using System.Runtime.Intrinsics;
using AiopsLab.Methods;

namespace AiopsLab.Detection;

/// <summary>
/// NAB's Bayesian change-point detector (<c>nab/detectors/bayes_changept</c>): Bayesian online change-point detection
/// (Adams &amp; MacKay, arXiv:0710.3742, 2007, Algorithm 1) with a constant hazard 1/λ and a Normal–Gamma model whose
/// predictive distribution is Student's t (ν = 2α, location μ, scale √(β(κ+1)/(ακ))), truncated to run lengths ≤
/// <see cref="Options.MaxRunLength"/>. NAB's own score (not in the paper): with r* the most probable run length after the
/// point and r*₋ the one before it, the score is 1 − r*/r*₋ when the run length drops (r* &lt; r*₋), else 0 — a change after
/// a long run counts more than after a short one. Run-length mass beyond the truncation is dropped, as in NAB, so a point
/// costs O(<see cref="Options.MaxRunLength"/>). Priors are NAB's (α₀ = 0.1, β₀ = 0.001, κ₀ = 1, μ₀ = 0), on raw values.
/// </summary>
[Method("bayes-changepoint", Summary = "NAB's Bayesian online change-point detector: drop of the most probable run length (Adams & MacKay 2007).", Citation = "Adams & MacKay, Bayesian Online Changepoint Detection, arXiv:0710.3742 (NAB's bayesChangePt)")]
public sealed class BayesChangePoint : NabDetectorBase<BayesChangePoint.Options>, IAlarmThreshold, IChangePointDetector
{
    public sealed record Options : NabDetectorOptions
    {
        /// <summary>Longest run length tracked (NAB: 500).</summary>
        public int MaxRunLength { get; set; } = 500;
        /// <summary>Expected run length λ of the constant hazard 1/λ (NAB: 250).</summary>
        public double Lambda { get; set; } = 250;
        public double Alpha { get; set; } = 0.1;
        public double Beta { get; set; } = 0.001;
        public double Kappa { get; set; } = 1.0;
        public double Mu { get; set; } = 0.0;
        /// <summary>Alarm threshold on the score for case-level detection: the run length falls to under half.</summary>
        public double Threshold { get; set; } = 0.5;
    }

    public BayesChangePoint() : this(new Options()) { }

    public BayesChangePoint(Options options) : base(options)
    {
        DetectorOptions.Require(options.MaxRunLength >= 1, Name, "max-run-length", "must be ≥ 1");
        DetectorOptions.Require(options.Lambda > 1, Name, "lambda", "must be > 1");
        DetectorOptions.Require(options.Alpha > 0 && options.Beta > 0 && options.Kappa > 0, Name, "alpha", "beta and kappa must be > 0");
    }

    public override string Name => "bayes-changepoint";

    public double AlarmThreshold => O.Threshold;

    public override IDetectorState Start(NabSeriesSetup setup) => new State(O);

    private sealed class State : IDetectorState
    {
        private readonly Options _o;
        private readonly int _m;                       // parameter sets kept: run lengths 0..MaxRunLength
        // μ and β of the set for run length r change with the data; α = α₀ + r/2 and κ = κ₀ + r depend on r alone, so they
        // and the terms built from them alone (ν = 2α, (ν + 1)/2, κ + 1, ακ, the Student-t normaliser) are tabled once, each
        // from the same chain of additions the posterior update performs (α₀ + 0.5 + 0.5 + …), so bit for bit the same values.
        private readonly double[] _mu, _beta, _nu, _halfNu1, _kappaP1, _alphaKappa, _kappa, _logNorm;
        private readonly double[] _scale, _arg;        // per-point scratch: Student-t scale and 1 + z²/ν per run length
        private double[] _prev, _next;
        private readonly double _h, _keep;
        private int _record, _prevMax = 1, _sets = 1;

        public State(Options o)
        {
            _o = o;
            _m = o.MaxRunLength + 1;
            _mu = new double[_m]; _beta = new double[_m];
            _nu = new double[_m]; _halfNu1 = new double[_m]; _kappaP1 = new double[_m]; _alphaKappa = new double[_m];
            _kappa = new double[_m]; _logNorm = new double[_m];
            _scale = new double[_m + Vector512<double>.Count]; _arg = new double[_m + Vector512<double>.Count];
            _prev = new double[_m + 1]; _next = new double[_m + 1];
            _next[0] = 1.0;
            _mu[0] = o.Mu; _beta[0] = o.Beta;
            double alpha = o.Alpha, kappa = o.Kappa;
            for (int r = 0; r < _m; r++)
            {
                if (r > 0) { alpha += 0.5; kappa += 1; }
                _kappa[r] = kappa;
                _nu[r] = 2 * alpha;
                _halfNu1[r] = (_nu[r] + 1) / 2;
                _kappaP1[r] = kappa + 1;
                _alphaKappa[r] = alpha * kappa;
                double nu = 2 * (o.Alpha + 0.5 * r);
                _logNorm[r] = MathNet.Numerics.SpecialFunctions.GammaLn((nu + 1) / 2) - MathNet.Numerics.SpecialFunctions.GammaLn(nu / 2) - 0.5 * Math.Log(nu * Math.PI);
            }
            _h = 1.0 / o.Lambda;
            _keep = 1 - _h;
        }

        // Optimised at first call (all three): under tiering the first points of every process ran the Vector512 code unoptimised.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public double Update(double x)
        {
            (_prev, _next) = (_next, _prev);
            Array.Clear(_next);
            int idx = Math.Min(_record, _o.MaxRunLength);
            double change = 0;
            // Student-t scale √(β(κ+1)/(ακ)) and 1 + z²/ν, z = (x − μ)/scale, for every run length at once: IEEE-exact
            // elementwise operations in Vector512 lanes, the same roundings as the scalar formula.
            Predictive(x, idx + 1);
            // A run length whose probability has underflowed to 0 adds exactly 0 to every sum (its predictive is finite and
            // positive for finite x), so it is skipped: bit for bit the full loop, cheaper after a change has emptied old runs.
            bool skipZeros = double.IsFinite(x);
            for (int r = 0; r <= idx; r++)
            {
                if (skipZeros && _prev[r] == 0) continue;
                double pred = Math.Exp(_logNorm[r] - _halfNu1[r] * Math.Log(_arg[r])) / _scale[r];
                double p = _prev[r] * pred;
                _next[r + 1] = p * _keep;
                change += p * _h;
            }
            _next[0] = change;
            // Entries past idx + 1 are 0: they add nothing to the total and never beat the maximum.
            int used = idx + 2;
            double total = 0;
            for (int r = 0; r < used; r++) total += _next[r];
            int best = 0;
            for (int r = 0; r < used; r++)
            {
                _next[r] /= total;
                if (_next[r] > _next[best]) best = r;
            }
            UpdateSets(x);
            double score = best < _prevMax ? 1 - (double)best / _prevMax : 0.0;
            _record++;
            _prevMax = best;
            return score;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void Predictive(double x, int count)
        {
            int r = 0, c = Vector512<double>.Count;
            if (Vector512.IsHardwareAccelerated)
            {
                var vx = Vector512.Create(x); var one = Vector512<double>.One;
                for (; r <= count - c; r += c)
                {
                    var scale = Vector512.Sqrt(Load(_beta, r) * Load(_kappaP1, r) / Load(_alphaKappa, r));
                    var z = (vx - Load(_mu, r)) / scale;
                    scale.CopyTo(_scale.AsSpan(r, c));
                    (one + z * z / Load(_nu, r)).CopyTo(_arg.AsSpan(r, c));
                }
            }
            for (; r < count; r++)
            {
                double scale = Math.Sqrt(_beta[r] * _kappaP1[r] / _alphaKappa[r]);
                double z = (x - _mu[r]) / scale;
                _scale[r] = scale;
                _arg[r] = 1 + z * z / _nu[r];
            }
        }

        private static Vector512<double> Load(double[] a, int i) => Vector512.Create(a.AsSpan(i, Vector512<double>.Count));

        /// <summary>The Normal–Gamma posterior update: set r+1 from set r and x, set 0 back to the prior (longest dropped).
        /// Blocks of Vector512 lanes from the top down (each block loads before it stores, and the block below reads only
        /// below), elementwise the scalar formulas' roundings.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void UpdateSets(double x)
        {
            int top = Math.Min(_sets, _m - 1);
            int r = top, c = Vector512<double>.Count;
            if (Vector512.IsHardwareAccelerated)
            {
                var vx = Vector512.Create(x); var one = Vector512<double>.One; var two = Vector512.Create(2.0);
                for (; r - c + 1 >= 1; r -= c)
                {
                    int lo = r - c + 1;                     // new sets lo..r from old sets lo−1..r−1
                    var k = Load(_kappa, lo - 1); var mu = Load(_mu, lo - 1); var beta = Load(_beta, lo - 1);
                    var d = vx - mu;
                    var newMu = (k * mu + vx) / (k + one);
                    var newBeta = beta + k * (d * d) / (two * (k + one));
                    newMu.CopyTo(_mu.AsSpan(lo, c));
                    newBeta.CopyTo(_beta.AsSpan(lo, c));
                }
            }
            for (; r >= 1; r--)
            {
                double k = _kappa[r - 1], mu = _mu[r - 1], d = x - mu;
                _mu[r] = (k * mu + x) / (k + 1);
                _beta[r] = _beta[r - 1] + k * (d * d) / (2 * (k + 1));
            }
            _mu[0] = _o.Mu; _beta[0] = _o.Beta;
            _sets = Math.Min(_sets + 1, _m);
        }
    }
}
