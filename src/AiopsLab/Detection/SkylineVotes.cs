using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>
/// The seven tests of Etsy's Skyline analyzer (Etsy, "Skyline", github.com/etsy/skyline, <c>src/analyzer/algorithms.py</c>,
/// 2013; as NAB runs them in <c>nab/detectors/skyline</c> and <c>nab/detectors/earthgecko_skyline</c>), each a vote on whether
/// the newest point is anomalous given the whole history up to it. "Tail" is the mean of the last three values
/// ((x₋₁ + x₋₂) + x₋₃)/3 (the last value while there are fewer than three); σ is the sample standard deviation (n − 1):
/// <list type="number">
/// <item><b>median absolute deviation</b>: |x₋₁ − median| / MAD &gt; 6 (no vote when MAD = 0);</item>
/// <item><b>first hour average</b>: |tail − mean| &gt; 3σ over the values one day ago, times in [t − 24 h, t − 23 h) (Etsy), or
/// over all values older than t − 23 h (earthgecko's variant);</item>
/// <item><b>stddev from average</b>: |tail − mean| &gt; 3σ over the whole history;</item>
/// <item><b>stddev from moving average</b>: |x₋₁ − EWMA| &gt; 3·EWMSD, exponential weights with centre of mass 50
/// (α = 1/51, adjusted weights (1 − α)ⁱ, unbiased weighted variance, as pandas' <c>ewm(com=50, adjust=True)</c>);</item>
/// <item><b>mean subtraction cumulation</b>: |x₋₁ − mean| &gt; 3σ, mean and σ over the history before x₋₁;</item>
/// <item><b>least squares</b>: with the residuals e of the ordinary least-squares line of value on time (seconds),
/// |ē₃| &gt; 3·sd(e) (population sd) where ē₃ is the mean of the last three residuals, and both round (half away from zero, as
/// Python 2's <c>round</c>) to a non-zero integer;</item>
/// <item><b>histogram bins</b>: the history in 15 equal bins over [min, max] (numpy's edges, the last bin closed; [v − ½, v + ½]
/// for a constant history); a vote when the tail falls in a bin i ≥ 1, eᵢ ≤ tail &lt; eᵢ₊₁, holding ≤ 20 values, or lies at or
/// below the minimum with ≤ 20 values in the first bin (the original's test, kept: a tail inside the first bin does not vote).</item>
/// </list>
/// With <c>floorTail</c> the tail is floored, as Python 2's <c>/</c> did on a series read as integers (NAB's published runs).
/// An undefined statistic (empty or one-point sample) votes no, as NaN comparisons do in the original. Python recomputes every
/// test from the whole history at every point (O(n²) per series); here the moments are updated online (Welford), EWM by its
/// recursion, the regression by running co-moments, and the median, MAD and bin counts come from an
/// <see cref="OrderStatisticTree"/>, so a point costs O(log² n). The first-hour window assumes non-decreasing times.
/// </summary>
internal sealed class SkylineVotes(bool dayOldPrefix, bool floorTail = false)
{
    public const int MedianAbsoluteDeviation = 1, FirstHourAverage = 2, StddevFromAverage = 4, StddevFromMovingAverage = 8,
        MeanSubtractionCumulation = 16, LeastSquares = 32, HistogramBins = 64, Count = 7;

    private const double Alpha = 1.0 / 51;                 // pandas ewm(com=50): α = 1/(1 + com)
    private readonly List<double> _v = [], _t = [];
    private readonly OrderStatisticTree _tree = new();
    private Moments _all, _before, _prefix;                // whole history; history before x₋₁; earthgecko's older-than-23-h prefix
    private double _min = double.PositiveInfinity, _max = double.NegativeInfinity;
    private double _ewMean, _ewCov, _sumWt, _sumWt2, _oldWt;
    private double _mx, _my, _cxx, _cxy, _cyy;             // running co-moments of (time, value)
    private int _lo, _hi;                                  // first-hour window [lo, hi) (or prefix [0, hi))
    private readonly double[] _edges = new double[16];

    /// <summary>Welford's running mean and sum of squared deviations.</summary>
    private struct Moments
    {
        public int N;
        public double Mean, M2;
        public void Add(double x) { N++; double d = x - Mean; Mean += d / N; M2 += d * (x - Mean); }
        public readonly double Sd => N > 1 ? Math.Sqrt(M2 / (N - 1)) : double.NaN;
    }

    /// <summary>Number of points seen.</summary>
    public int N => _v.Count;

    /// <summary>Adds the next point (time in seconds; non-decreasing) to the history.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Add(double value, double seconds)
    {
        _before = _all;
        _all.Add(value);
        _v.Add(value); _t.Add(seconds);
        _tree.Add(value);
        if (value < _min) _min = value;
        if (value > _max) _max = value;

        if (_v.Count == 1) { _ewMean = value; _ewCov = 0; _sumWt = _sumWt2 = _oldWt = 1; }
        else
        {
            const double f = 1 - Alpha;
            _sumWt *= f; _sumWt2 *= f * f; _oldWt *= f;
            double old = _ewMean;
            if (_ewMean != value) _ewMean = (_oldWt * old + value) / (_oldWt + 1);
            _ewCov = (_oldWt * (_ewCov + (old - _ewMean) * (old - _ewMean)) + (value - _ewMean) * (value - _ewMean)) / (_oldWt + 1);
            _sumWt += 1; _sumWt2 += 1; _oldWt += 1;
        }

        int n = _v.Count;
        double dx = seconds - _mx, dy = value - _my;
        _mx += dx / n; _my += dy / n;
        _cxx += dx * (seconds - _mx); _cxy += dx * (value - _my); _cyy += dy * (value - _my);

        double end = seconds - 82800;                      // t − 23 h
        while (_hi < n && _t[_hi] < end)
        {
            if (dayOldPrefix) _prefix.Add(_v[_hi]);
            _hi++;
        }
        double start = seconds - 86400;                    // t − 24 h
        while (_lo < _hi && _t[_lo] < start) _lo++;
    }

    /// <summary>The tests that vote for the newest point (a bit mask of the constants above).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int Votes(int mask = 127)
    {
        int n = _v.Count, votes = 0;
        if (n == 0) return 0;
        double last = _v[n - 1];
        double tail = n < 3 ? last : (_v[n - 1] + _v[n - 2] + _v[n - 3]) / 3;
        if (floorTail) tail = Math.Floor(tail);
        if ((mask & MedianAbsoluteDeviation) != 0)
        {
            double median = _tree.Median(), mad = _tree.MedianAbsoluteDeviation(median);
            if (mad != 0 && Math.Abs(last - median) / mad > 6) votes |= MedianAbsoluteDeviation;
        }
        if ((mask & FirstHourAverage) != 0 && FirstHour(tail)) votes |= FirstHourAverage;
        if ((mask & StddevFromAverage) != 0 && Math.Abs(tail - _all.Mean) > 3 * _all.Sd) votes |= StddevFromAverage;
        if ((mask & StddevFromMovingAverage) != 0)
        {
            double num = _sumWt * _sumWt, den = num - _sumWt2;
            double sd = den > 0 ? Math.Sqrt(Math.Max(0, num / den * _ewCov)) : double.NaN;
            if (Math.Abs(last - _ewMean) > 3 * sd) votes |= StddevFromMovingAverage;
        }
        if ((mask & MeanSubtractionCumulation) != 0 && _before.N > 0 && Math.Abs(last - _before.Mean) > 3 * _before.Sd)
            votes |= MeanSubtractionCumulation;
        if ((mask & LeastSquares) != 0 && LeastSquaresVote()) votes |= LeastSquares;
        if ((mask & HistogramBins) != 0 && HistogramVote(tail)) votes |= HistogramBins;
        return votes;
    }

    private bool FirstHour(double tail)
    {
        double mean, sd;
        if (dayOldPrefix) { mean = _prefix.Mean; sd = _prefix.Sd; }
        else
        {
            int k = _hi - _lo;                             // two passes over the hour, as pandas' mean and std
            if (k < 2) return false;
            double sum = 0;
            for (int i = _lo; i < _hi; i++) sum += _v[i];
            mean = sum / k;
            double ss = 0;
            for (int i = _lo; i < _hi; i++) ss += (_v[i] - mean) * (_v[i] - mean);
            sd = Math.Sqrt(ss / (k - 1));
        }
        return Math.Abs(tail - mean) > 3 * sd;
    }

    private bool LeastSquaresVote()
    {
        int n = _v.Count;
        if (n < 3 || !(_cxx > 0)) return false;
        double m = _cxy / _cxx;
        double Residual(int i) => (_v[i] - _my) - m * (_t[i] - _mx);
        double sd = Math.Sqrt(Math.Max(0, _cyy - m * _cxy) / n);
        double t = (Residual(n - 1) + Residual(n - 2) + Residual(n - 3)) / 3;
        return Math.Abs(t) > sd * 3 && Math.Round(sd, MidpointRounding.AwayFromZero) != 0 && Math.Round(t, MidpointRounding.AwayFromZero) != 0;
    }

    private bool HistogramVote(double tail)
    {
        int n = _v.Count;
        double first = _min, last = _max;
        if (first == last) { first -= 0.5; last += 0.5; }
        double step = (last - first) / 15;                 // numpy.linspace(first, last, 16): i·step + first, last edge exact
        for (int i = 0; i < 15; i++) _edges[i] = i * step + first;
        _edges[15] = last;
        int BinCount(int i) => (i == 14 ? n : _tree.CountBelow(_edges[i + 1])) - (i == 0 ? 0 : _tree.CountBelow(_edges[i]));
        if (tail <= _edges[0]) return BinCount(0) <= 20;
        for (int i = 1; i < 15; i++)
            if (tail >= _edges[i] && tail < _edges[i + 1]) return BinCount(i) <= 20;
        return false;
    }
}
