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
        private readonly double[] _mu, _kappa, _alpha, _beta, _logNorm;
        private double[] _prev, _next;
        private readonly double _h;
        private int _record, _prevMax = 1, _sets = 1;

        public State(Options o)
        {
            _o = o;
            _m = o.MaxRunLength + 1;
            _mu = new double[_m]; _kappa = new double[_m]; _alpha = new double[_m]; _beta = new double[_m]; _logNorm = new double[_m];
            _prev = new double[_m + 1]; _next = new double[_m + 1];
            _next[0] = 1.0;
            _mu[0] = o.Mu; _kappa[0] = o.Kappa; _alpha[0] = o.Alpha; _beta[0] = o.Beta;
            // α and κ of the set for run length r depend on r alone (α₀ + r/2, κ₀ + r): Student-t normalisers once.
            for (int r = 0; r < _m; r++)
            {
                double nu = 2 * (o.Alpha + 0.5 * r);
                _logNorm[r] = MathNet.Numerics.SpecialFunctions.GammaLn((nu + 1) / 2) - MathNet.Numerics.SpecialFunctions.GammaLn(nu / 2) - 0.5 * Math.Log(nu * Math.PI);
            }
            _h = 1.0 / o.Lambda;
        }

        public double Update(double x)
        {
            (_prev, _next) = (_next, _prev);
            Array.Clear(_next);
            int idx = Math.Min(_record, _o.MaxRunLength);
            double change = 0;
            // A run length whose probability has underflowed to 0 adds exactly 0 to every sum (its predictive is finite and
            // positive for finite x), so it is skipped: bit for bit the full loop, cheaper after a change has emptied old runs.
            bool skipZeros = double.IsFinite(x);
            for (int r = 0; r <= idx; r++)
            {
                if (skipZeros && _prev[r] == 0) continue;
                double nu = 2 * _alpha[r];
                double scale = Math.Sqrt(_beta[r] * (_kappa[r] + 1) / (_alpha[r] * _kappa[r]));
                double z = (x - _mu[r]) / scale;
                double pred = Math.Exp(_logNorm[r] - (nu + 1) / 2 * Math.Log(1 + z * z / nu)) / scale;
                double p = _prev[r] * pred;
                _next[r + 1] = p * (1 - _h);
                change += p * _h;
            }
            _next[0] = change;
            double total = 0;
            foreach (var v in _next) total += v;
            int best = 0;
            for (int r = 0; r < _next.Length; r++)
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

        /// <summary>The Normal–Gamma posterior update: set r+1 from set r and x, set 0 back to the prior (longest dropped).</summary>
        private void UpdateSets(double x)
        {
            int top = Math.Min(_sets, _m - 1);
            for (int r = top; r >= 1; r--)
            {
                double k = _kappa[r - 1], mu = _mu[r - 1], d = x - mu;
                _mu[r] = (k * mu + x) / (k + 1);
                _kappa[r] = k + 1;
                _alpha[r] = _alpha[r - 1] + 0.5;
                _beta[r] = _beta[r - 1] + k * (d * d) / (2 * (k + 1));
            }
            _mu[0] = _o.Mu; _kappa[0] = _o.Kappa; _alpha[0] = _o.Alpha; _beta[0] = _o.Beta;
            _sets = Math.Min(_sets + 1, _m);
        }
    }
}
