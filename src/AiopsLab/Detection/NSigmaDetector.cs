using AiopsLab.Methods;

namespace AiopsLab.Detection;

/// <summary>
/// The n-sigma (three-sigma) rule as a streaming detector: the score of x_t is |x_t − μ| / σ, with μ and σ (population) the mean
/// and standard deviation of the past values — all of them (<see cref="Options.Window"/> = 0, Welford's update) or the last
/// <see cref="Options.Window"/>. A point alarms when its score exceeds <see cref="Options.N"/> (Shewhart's control limits,
/// "Economic Control of Quality of Manufactured Product", 1931; Pukelsheim, "The three sigma rule", Am. Stat. 48(2), 1994).
/// The point is scored before it joins the history. Fewer than <see cref="Options.MinHistory"/> past values score 0; a σ of 0
/// is floored at 10⁻⁹·max(1, |μ|), so a departure from a constant history gets a large finite score.
/// </summary>
/// <remarks>Not the RCA localizer <c>nsigma</c>, which scores a whole post-anomaly window against a pre-anomaly one.</remarks>
[Method("n-sigma", Summary = "Streaming n-sigma rule: |x − mean| / std of the past (expanding or sliding window); alarm above n.", Citation = "Shewhart 1931; Pukelsheim, The American Statistician 1994")]
public sealed class NSigmaDetector : StreamingDetector, IAlarmThreshold, IGradedScore, IWarmup
{
    public sealed record Options
    {
        /// <summary>Past values in the reference window; 0 = all past values.</summary>
        public int Window { get; set; }
        /// <summary>The n of the n-sigma rule: the alarm threshold on the score.</summary>
        public double N { get; set; } = 3;
        /// <summary>Past values needed before a point is scored (at least 2).</summary>
        public int MinHistory { get; set; } = 10;
    }

    private readonly Options _o;

    public NSigmaDetector() : this(new Options()) { }

    public NSigmaDetector(Options options)
    {
        DetectorOptions.Require(options.Window >= 0, Name, "window", "must be ≥ 0 (0 = all past values)");
        DetectorOptions.Require(options.N > 0, Name, "n", "must be > 0");
        DetectorOptions.Require(options.MinHistory >= 2, Name, "min-history", "must be ≥ 2");
        DetectorOptions.Require(options.Window == 0 || options.Window >= options.MinHistory, Name, "window", "must be ≥ min-history");
        _o = options;
    }

    public override string Name => "n-sigma";

    public double AlarmThreshold => _o.N;

    public int Warmup => _o.MinHistory;

    /// <summary>z/(1 + z) of the z-score, ordered as its two-sided normal confidence 1 − 2Q(z) (<see cref="Grades"/>).</summary>
    public double Grade(double score) => Grades.FromZ(score);

    public override IDetectorState Start() => _o.Window == 0 ? new Expanding(_o.MinHistory) : new Sliding(_o.Window, _o.MinHistory);

    private static double Z(double x, double mean, double var) =>
        Math.Abs(x - mean) / DetectorOptions.ScaleFloor(Math.Sqrt(Math.Max(var, 0)), mean);

    /// <summary>Welford's running mean and sum of squared deviations.</summary>
    private sealed class Expanding(int minHistory) : IDetectorState
    {
        private long _n;
        private double _mean, _m2;

        public double Update(double x)
        {
            double s = _n >= minHistory ? Z(x, _mean, _m2 / _n) : 0;
            _n++;
            double d = x - _mean;
            _mean += d / _n;
            _m2 += d * (x - _mean);
            return s;
        }
    }

    /// <summary>Sums over a ring buffer, shifted by the first value against cancellation and recomputed every window to stop drift.</summary>
    private sealed class Sliding(int window, int minHistory) : IDetectorState
    {
        private readonly double[] _buf = new double[window];
        private int _count, _head, _sinceRefresh;
        private double _shift = double.NaN, _s1, _s2;

        public double Update(double x)
        {
            if (double.IsNaN(_shift)) _shift = x;
            double s = 0;
            if (_count >= minHistory)
            {
                double m = _s1 / _count;
                s = Z(x, _shift + m, _s2 / _count - m * m);
            }
            double y = x - _shift;
            if (_count == window)
            {
                double old = _buf[_head];
                _s1 -= old; _s2 -= old * old;
            }
            else _count++;
            _buf[_head] = y;
            _head = (_head + 1) % window;
            _s1 += y; _s2 += y * y;
            if (++_sinceRefresh >= window)
            {
                _sinceRefresh = 0; _s1 = 0; _s2 = 0;
                for (int i = 0; i < _count; i++) { _s1 += _buf[i]; _s2 += _buf[i] * _buf[i]; }
            }
            return s;
        }
    }
}
