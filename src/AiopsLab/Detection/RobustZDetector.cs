using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>How <see cref="RobustZDetector"/> estimates scale.</summary>
public enum RobustScale
{
    /// <summary>1.4826 · MAD (median absolute deviation): Iglewicz &amp; Hoaglin's modified z-score, 0.6745 (x − median) / MAD.</summary>
    Mad,
    /// <summary>IQR / 1.349 (numpy's linear-interpolation quartiles), the scale BARO's RobustScorer uses.</summary>
    Iqr,
}

/// <summary>
/// Robust z-score as a streaming detector: |x_t − median| / s over the last <see cref="Options.Window"/> past values, with s either
/// 1.4826·MAD — the modified z-score M = 0.6745 (x − x̃) / MAD of Iglewicz &amp; Hoaglin ("How to Detect and Handle Outliers",
/// ASQC Basic References in Quality Control 16, 1993, §3.3; alarm when |M| &gt; 3.5) — or IQR/1.349 (both consistent estimators of
/// σ for normal data; Rousseeuw &amp; Croux, JASA 1993). The window is kept sorted (binary insertion, O(w) per point) and the MAD is
/// found by merging the deviations on both sides of the median, O(w). When more than half the window equals its median the MAD is 0
/// (common on NAB's and on counter metrics' plateaus) and the scale falls back to √(π/2)·mean|x − x̃|, the mean absolute deviation's
/// consistent σ estimate (the fallback of the modified z-score in IBM SPSS Statistics' outlier rules). Fewer than <see cref="Options.MinHistory"/> past values score 0;
/// a zero scale is floored as in <see cref="NSigmaDetector"/>.
/// </summary>
[Method("robust-z", Summary = "Streaming robust z-score: |x − median| / (1.4826·MAD or IQR/1.349) of a sliding window; alarm above 3.5.", Citation = "Iglewicz & Hoaglin 1993; Rousseeuw & Croux, JASA 1993")]
public sealed class RobustZDetector : StreamingDetector, IAlarmThreshold, IGradedScore, IWarmup
{
    public sealed record Options
    {
        /// <summary>Past values in the reference window.</summary>
        public int Window { get; set; } = 100;
        /// <summary>Scale estimator.</summary>
        public RobustScale Scale { get; set; } = RobustScale.Mad;
        /// <summary>Alarm threshold on the score (Iglewicz &amp; Hoaglin recommend 3.5).</summary>
        public double Threshold { get; set; } = 3.5;
        /// <summary>Past values needed before a point is scored (at least 3).</summary>
        public int MinHistory { get; set; } = 10;
    }

    /// <summary>1/Φ⁻¹(0.75): makes the MAD a consistent estimator of σ for normal data.</summary>
    public const double MadToSigma = 1.482602218505602;
    /// <summary>Φ⁻¹(0.75) − Φ⁻¹(0.25): the IQR of a standard normal.</summary>
    public const double NormalIqr = 1.3489795003921634;

    private readonly Options _o;

    public RobustZDetector() : this(new Options()) { }

    public RobustZDetector(Options options)
    {
        DetectorOptions.Require(options.MinHistory >= 3, Name, "min-history", "must be ≥ 3");
        DetectorOptions.Require(options.Window >= options.MinHistory, Name, "window", "must be ≥ min-history");
        DetectorOptions.Require(options.Threshold > 0, Name, "threshold", "must be > 0");
        _o = options;
    }

    public override string Name => "robust-z";

    public double AlarmThreshold => _o.Threshold;

    public int Warmup => _o.MinHistory;

    /// <summary>z/(1 + z) of the robust z, ordered as its two-sided normal confidence 1 − 2Q(z) (the scales are consistent for σ).</summary>
    public double Grade(double score) => Grades.FromZ(score);

    public override IDetectorState Start() => new State(_o);

    /// <summary>The median and the scale estimate of a sorted sample.</summary>
    public static (double Median, double Scale) Estimate(ReadOnlySpan<double> sorted, RobustScale scale)
    {
        double med = Stats.QuantileSorted(sorted, 0.5);
        if (scale == RobustScale.Iqr) return (med, Stats.IqrSorted(sorted) / NormalIqr);
        double mad = MadSorted(sorted, med);
        if (mad > 0) return (med, MadToSigma * mad);
        // More than half the window equals the median: the MAD is 0 and says nothing about the other values' spread. Fall back
        // to the mean absolute deviation from the median, √(π/2)·mean|x − x̃| (also consistent for σ under normality).
        double sum = 0;
        foreach (var v in sorted) sum += Math.Abs(v - med);
        return (med, MeanAdToSigma * sum / sorted.Length);
    }

    /// <summary>√(π/2): makes the mean absolute deviation a consistent estimator of σ for normal data.</summary>
    public const double MeanAdToSigma = 1.2533141373155003;

    /// <summary>
    /// Median of |x_i − m| for a sorted sample and its median m, by merging the deviations to the left of m (increasing
    /// leftwards) with those to the right (increasing rightwards): O(n) and no allocation.
    /// </summary>
    public static double MadSorted(ReadOnlySpan<double> sorted, double median)
    {
        int n = sorted.Length;
        if (n == 0) return double.NaN;
        int right = LowerBound(sorted, median), left = right - 1;
        // Take the k-th and (k+1)-th smallest deviations (0-based) for the median of n values.
        int k1 = (n - 1) / 2, k2 = n / 2;
        double a = 0, b = 0;
        for (int k = 0; k <= k2; k++)
        {
            double dl = left >= 0 ? median - sorted[left] : double.PositiveInfinity;
            double dr = right < n ? sorted[right] - median : double.PositiveInfinity;
            double d;
            if (dl <= dr) { d = dl; left--; } else { d = dr; right++; }
            if (k == k1) a = d;
            if (k == k2) b = d;
        }
        return 0.5 * (a + b);
    }

    private static int LowerBound(ReadOnlySpan<double> sorted, double v)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (sorted[mid] < v) lo = mid + 1; else hi = mid; }
        return lo;
    }

    private sealed class State(Options o) : IDetectorState
    {
        private readonly double[] _ring = new double[o.Window];
        private readonly List<double> _sorted = new(o.Window);
        private int _head;

        public double Update(double x)
        {
            double s = 0;
            if (_sorted.Count >= o.MinHistory)
            {
                var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_sorted);
                var (med, scale) = Estimate(span, o.Scale);
                s = Math.Abs(x - med) / DetectorOptions.ScaleFloor(scale, med);
            }
            if (_sorted.Count == o.Window)
            {
                int at = _sorted.BinarySearch(_ring[_head]);
                _sorted.RemoveAt(at);
            }
            int ins = _sorted.BinarySearch(x);
            _sorted.Insert(ins < 0 ? ~ins : ins, x);
            _ring[_head] = x;
            _head = (_head + 1) % o.Window;
            return s;
        }
    }
}
