using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>
/// The EWMA control chart (Roberts, "Control chart tests based on geometric moving averages", Technometrics 1(3), 1959; Lucas &amp;
/// Saccucci, Technometrics 32(1), 1990; Montgomery, "Introduction to Statistical Quality Control", §9.2, Eqs. 9.22–9.24):
/// z_t = λ x_t + (1 − λ) z_{t−1}, z_0 = μ₀, with the exact control limits μ₀ ± L σ √(λ/(2 − λ) · (1 − (1 − λ)^{2t})). The score of
/// x_t is |z_t − μ₀| / (σ √(λ/(2 − λ)(1 − (1 − λ)^{2t}))), i.e. the distance to the centre line in units of the limit width, so a
/// point alarms exactly when the chart signals (score &gt; L). The in-control μ₀ and σ are the options <see cref="Options.Mean"/> and
/// <see cref="Options.Sigma"/> when given, else the mean and sample standard deviation of the first <see cref="Options.Warmup"/>
/// points (Phase I), which score 0; t counts from the first monitored point. <b>Graded score</b> (<see cref="IGradedScore"/>):
/// z/(1 + z) of the standardised statistic (z ~ N(0, 1) in control, Montgomery Eq. 9.24), ordered as the two-sided normal
/// confidence 1 − 2Q(z) (<see cref="Grades"/>). <b>Warm-up</b> (<see cref="IConfigurableWarmup"/>): the Phase-I length; NAB's probationary period is Phase I.
/// </summary>
[Method("ewma", Summary = "EWMA control chart: exponentially weighted mean against time-varying control limits; alarm above L.", Citation = "Roberts, Technometrics 1959; Lucas & Saccucci, Technometrics 1990")]
public sealed class EwmaDetector : StreamingDetector, IAlarmThreshold, IGradedScore, IConfigurableWarmup, IWarmup
{
    public sealed record Options
    {
        /// <summary>Smoothing weight λ in (0, 1] (Montgomery recommends 0.05–0.25; λ = 1 gives the Shewhart chart).</summary>
        public double Lambda { get; set; } = 0.2;
        /// <summary>Width of the control limits in σ units: the alarm threshold.</summary>
        public double L { get; set; } = 3;
        /// <summary>Phase-I points that estimate μ₀ and σ when they are not given.</summary>
        public int Warmup { get; set; } = 50;
        /// <summary>Known in-control mean μ₀ (NaN = estimate from the warm-up).</summary>
        public double Mean { get; set; } = double.NaN;
        /// <summary>Known in-control standard deviation σ (NaN = estimate from the warm-up).</summary>
        public double Sigma { get; set; } = double.NaN;
    }

    private readonly Options _o;

    public EwmaDetector() : this(new Options()) { }

    public EwmaDetector(Options options)
    {
        DetectorOptions.Require(options.Lambda > 0 && options.Lambda <= 1, Name, "lambda", "must be in (0, 1]");
        DetectorOptions.Require(options.L > 0, Name, "l", "must be > 0");
        bool known = !double.IsNaN(options.Mean) && !double.IsNaN(options.Sigma);
        DetectorOptions.Require(known || options.Warmup >= 2, Name, "warmup", "must be ≥ 2 unless both mean and sigma are given");
        DetectorOptions.Require(double.IsNaN(options.Sigma) || options.Sigma > 0, Name, "sigma", "must be > 0");
        _o = options;
    }

    public override string Name => "ewma";

    public double AlarmThreshold => _o.L;

    public int Warmup => !double.IsNaN(_o.Mean) && !double.IsNaN(_o.Sigma) ? 0 : _o.Warmup;

    public double Grade(double score) => Grades.FromZ(score);

    /// <summary>Phase I of the given length (a known μ₀ and σ are kept, and then nothing needs a warm-up).</summary>
    public IAnomalyDetector WithWarmup(int points) => new EwmaDetector(_o with { Warmup = Math.Max(2, points) });

    public override IDetectorState Start() => new State(_o);

    /// <summary>Half-width of the exact control limits at monitored step t (1-based), in units of σ: √(λ/(2−λ)(1 − (1−λ)^{2t})).</summary>
    public static double LimitFactor(double lambda, int t) => Math.Sqrt(lambda / (2 - lambda) * (1 - Math.Pow(1 - lambda, 2.0 * t)));

    private sealed class State : IDetectorState
    {
        private readonly Options _o;
        private readonly List<double>? _warm;
        private double _mu, _sigma, _z, _decay = 1;
        private bool _ready;

        public State(Options o)
        {
            _o = o;
            if (!double.IsNaN(o.Mean) && !double.IsNaN(o.Sigma)) Begin(o.Mean, o.Sigma);
            else _warm = new List<double>(o.Warmup);
        }

        private void Begin(double mu, double sigma)
        {
            _mu = double.IsNaN(_o.Mean) ? mu : _o.Mean;
            _sigma = DetectorOptions.ScaleFloor(double.IsNaN(_o.Sigma) ? sigma : _o.Sigma, _mu);
            _z = _mu;
            _ready = true;
        }

        public double Update(double x)
        {
            if (!_ready)
            {
                _warm!.Add(x);
                if (_warm.Count == _o.Warmup)
                {
                    var (m, s) = Stats.MeanStd(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_warm), ddof: 1);
                    Begin(m, s);
                }
                return 0;
            }
            double lam = _o.Lambda;
            _z += lam * (x - _z); // = λx + (1 − λ)z, and exactly z when x = z
            _decay *= (1 - lam) * (1 - lam);
            double width = _sigma * Math.Sqrt(lam / (2 - lam) * (1 - _decay));
            return Math.Abs(_z - _mu) / width;
        }
    }
}
