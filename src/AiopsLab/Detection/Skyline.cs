using System.Numerics;
using AiopsLab.Methods;

namespace AiopsLab.Detection;

/// <summary>The running state of a timed streaming detector: one value and its time (seconds, non-decreasing) per call.</summary>
public interface ITimedDetectorState
{
    /// <summary>Consumes the next value observed at <paramref name="seconds"/> and returns its anomaly score.</summary>
    double Update(double value, double seconds);
}

/// <summary>
/// Base of streaming detectors that read time (<see cref="ITimedDetector"/>): a NaN value scores 0 and is not given to the
/// state. Without times — <see cref="Score(ReadOnlySpan{double})"/> and <see cref="Start"/> — point i is taken to be observed
/// at i·<see cref="IntervalSeconds"/>.
/// </summary>
public abstract class TimedStreamingDetector : IStreamingDetector, ITimedDetector
{
    public abstract string Name { get; }

    /// <summary>Spacing assumed between points when no times are given.</summary>
    protected abstract double IntervalSeconds { get; }

    /// <summary>A fresh state for one series; <paramref name="integerSeries"/>: every value of the series is a whole number
    /// (known to a batch score, not to an online state, which passes false).</summary>
    public abstract ITimedDetectorState StartTimed(bool integerSeries = false);

    public IDetectorState Start() => new Clocked(StartTimed(), IntervalSeconds);

    private static bool Integers(ReadOnlySpan<double> values)
    {
        foreach (var v in values)
            if (!double.IsNaN(v) && Math.Floor(v) != v) return false;
        return true;
    }

    public double[] Score(ReadOnlySpan<double> series)
    {
        var state = StartTimed(Integers(series));
        var scores = new double[series.Length];
        for (int i = 0; i < series.Length; i++)
            scores[i] = double.IsNaN(series[i]) ? 0 : state.Update(series[i], i * IntervalSeconds);
        return scores;
    }

    public double[] Score(ReadOnlySpan<double> values, ReadOnlySpan<DateTime> times)
    {
        if (times.Length != values.Length) throw new ArgumentException($"{Name}: {values.Length} values but {times.Length} times.");
        var state = StartTimed(Integers(values));
        var scores = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
            scores[i] = double.IsNaN(values[i]) ? 0 : state.Update(values[i], (times[i] - DateTime.UnixEpoch).TotalSeconds);
        return scores;
    }

    private sealed class Clocked(ITimedDetectorState state, double interval) : IDetectorState
    {
        private long _i;
        public double Update(double value) => state.Update(value, _i++ * interval);
    }
}

/// <summary>
/// Etsy's Skyline as NAB scores it (<c>nab/detectors/skyline</c>): the seven tests of <see cref="SkylineVotes"/> (Etsy,
/// "Skyline", github.com/etsy/skyline, 2013) run on the whole history at every point, and the score is the mean of their
/// binary votes, k/7 — NAB's change from Skyline's majority vote, which gives its threshold optimiser a graded score. (NAB's
/// current code divides by 8; its published results, which this reproduces, were written when it divided by 7: the ranking of
/// points, hence the NAB score, is the same.) Python's cost per point grows with the history (≈ 7,000 CPU-s over the corpus);
/// here a point costs O(log² n).
/// </summary>
[Method("skyline", Summary = "Etsy's Skyline as NAB runs it: mean vote of seven whole-history tests (MAD, first hour, σ, EWMA, cumulation, least squares, histogram).", Citation = "Etsy, Skyline (github.com/etsy/skyline, 2013); Lavin & Ahmad, Evaluating real-time anomaly detection algorithms - the Numenta Anomaly Benchmark, ICMLA 2015")]
public sealed class Skyline : TimedStreamingDetector, ICoarseScore
{
    public sealed record Options
    {
        /// <summary>Seconds between points when no times are given (NAB's series: mostly 300).</summary>
        public double Interval { get; set; } = 300;
        /// <summary>Floor the mean of the last three values on a series of whole numbers, as Python 2's <c>/</c> did in NAB's
        /// published runs (pandas reads such a column as integers; default, for parity); false: the true mean.</summary>
        public bool Python2Tail { get; set; } = true;
    }

    private readonly Options _o;

    public Skyline() : this(new Options()) { }

    public Skyline(Options options)
    {
        _o = options;
        DetectorOptions.Require(options.Interval > 0 && double.IsFinite(options.Interval), Name, "interval", "must be a positive number of seconds");
    }

    public override string Name => "skyline";

    protected override double IntervalSeconds => _o.Interval;

    public override ITimedDetectorState StartTimed(bool integerSeries = false) => new State(_o.Python2Tail && integerSeries);

    private sealed class State(bool floorTail) : ITimedDetectorState
    {
        private readonly SkylineVotes _votes = new(dayOldPrefix: false, floorTail);

        public double Update(double value, double seconds)
        {
            _votes.Add(value, seconds);
            return BitOperations.PopCount((uint)_votes.Votes()) / (double)SkylineVotes.Count;
        }
    }
}

/// <summary>
/// earthgecko Skyline as NAB runs it (<c>nab/detectors/earthgecko_skyline</c>; Gary Wilson's fork of Etsy's Skyline,
/// github.com/earthgecko/skyline): the same seven tests (<see cref="SkylineVotes"/>, with "first hour average" over every value
/// older than 23 hours) and Skyline's own rule, a consensus: a point scores 1 when at least <see cref="Options.Consensus"/> tests
/// vote for it, else 0. After a point scores 1, the points of the next <see cref="Options.Expiration"/> seconds are not
/// tested and score 0 (Skyline's expiry), though they still join the history. Deterministic, O(log² n) per point.
/// </summary>
[Method("earthgecko-skyline", Summary = "earthgecko Skyline as NAB runs it: 1 when 5 of 7 Skyline tests agree, then a 12-hour expiry.", Citation = "earthgecko Skyline (github.com/earthgecko/skyline); Lavin & Ahmad, ICMLA 2015 (NAB)")]
public sealed class EarthgeckoSkyline : TimedStreamingDetector, IAlarmThreshold, ICoarseScore
{
    public sealed record Options
    {
        /// <summary>Tests that must agree (NAB: 5 of the 7).</summary>
        public int Consensus { get; set; } = 5;
        /// <summary>Seconds after an alarm during which points are not tested (NAB: 43,200 = 12 h, "best NAB score").</summary>
        public double Expiration { get; set; } = 43200;
        /// <summary>Seconds between points when no times are given (NAB's series: mostly 300).</summary>
        public double Interval { get; set; } = 300;
        /// <summary>Floor the mean of the last three values on a series of whole numbers, as Python 2's <c>/</c> did in NAB's
        /// published runs (default, for parity); false: the true mean.</summary>
        public bool Python2Tail { get; set; } = true;
    }

    private const int Cheap = SkylineVotes.FirstHourAverage | SkylineVotes.StddevFromAverage | SkylineVotes.StddevFromMovingAverage
        | SkylineVotes.MeanSubtractionCumulation | SkylineVotes.LeastSquares;

    private readonly Options _o;

    public EarthgeckoSkyline() : this(new Options()) { }

    public EarthgeckoSkyline(Options options)
    {
        _o = options;
        DetectorOptions.Require(options.Consensus is >= 1 and <= SkylineVotes.Count, Name, "consensus", $"must be in 1..{SkylineVotes.Count}");
        DetectorOptions.Require(options.Expiration >= 0 && double.IsFinite(options.Expiration), Name, "expiration", "must be ≥ 0 seconds");
        DetectorOptions.Require(options.Interval > 0 && double.IsFinite(options.Interval), Name, "interval", "must be a positive number of seconds");
    }

    public override string Name => "earthgecko-skyline";

    /// <summary>Scores are 0/1: a point alarms when it scores 1.</summary>
    public double AlarmThreshold => 0.5;

    protected override double IntervalSeconds => _o.Interval;

    public override ITimedDetectorState StartTimed(bool integerSeries = false) => new State(_o, _o.Python2Tail && integerSeries);

    private sealed class State(Options o, bool floorTail) : ITimedDetectorState
    {
        private readonly SkylineVotes _votes = new(dayOldPrefix: true, floorTail);
        private double _lastAlarm = double.NegativeInfinity;

        public double Update(double value, double seconds)
        {
            _votes.Add(value, seconds);
            if (_lastAlarm > seconds - o.Expiration) return 0;
            // The cheap tests first; the order-statistic ones only when they can still decide (the result is the same).
            int k = BitOperations.PopCount((uint)_votes.Votes(Cheap));
            if (k < o.Consensus && k + SkylineVotes.Count - BitOperations.PopCount((uint)Cheap) >= o.Consensus)
                k += BitOperations.PopCount((uint)_votes.Votes(~Cheap & 127));
            if (k < o.Consensus) return 0;
            _lastAlarm = seconds;
            return 1;
        }
    }
}
