using AiopsLab.Data;

namespace AiopsLab.Detection;

/// <summary>
/// Options shared by the reimplementations of NAB's detectors. NAB (Lavin &amp; Ahmad 2015, <c>nab/detectors/base.py</c>) gives
/// every detector the minimum and maximum of the whole series and its probationary length, ⌊0.15·n⌋ capped at 750 points, before
/// the first record. The batch <see cref="IAnomalyDetector.Score"/> reads them from the series as NAB does unless they are set
/// here; an online state (<see cref="IStreamingDetector.Start"/>) needs them set, since a stream does not know its future range.
/// </summary>
public record NabDetectorOptions
{
    /// <summary>Smallest value the stream will take (NAB: the series minimum).</summary>
    public double? InputMin { get; set; }
    /// <summary>Largest value the stream will take (NAB: the series maximum).</summary>
    public double? InputMax { get; set; }
    /// <summary>Probationary (training) length in points (NAB: min(⌊0.15·n⌋, 750)).</summary>
    public int? Probation { get; set; }
}

/// <summary>What NAB tells a detector about a series before its first record: input range and probationary length.</summary>
public readonly record struct NabSeriesSetup(double InputMin, double InputMax, int Probation)
{
    /// <summary>NAB's probationary length for <paramref name="n"/> points: min(⌊0.15·n⌋, 0.15·5000).</summary>
    public static int ProbationOf(int n) => (int)Math.Min(Math.Floor(0.15 * n), 750);

    /// <summary>The setup NAB computes from a whole series (NaN points ignored for the range; none: range [0, 0]).</summary>
    public static NabSeriesSetup Of(ReadOnlySpan<double> series)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in series)
        {
            if (double.IsNaN(v)) continue;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (min > max) min = max = 0;
        return new NabSeriesSetup(min, max, ProbationOf(series.Length));
    }
}

/// <summary>
/// Base of NAB's detectors: the batch score fills in the <see cref="NabSeriesSetup"/> from the series (options override it)
/// and runs one state over it; NaN points score 0 and do not reach the state.
/// </summary>
public abstract class NabDetectorBase(NabDetectorOptions options) : IStreamingDetector
{
    public abstract string Name { get; }

    /// <summary>A state for a stream with the given setup.</summary>
    public abstract IDetectorState Start(NabSeriesSetup setup);

    /// <summary>A state from the options' range and probation, which must all be set.</summary>
    public IDetectorState Start()
    {
        if (options.InputMin is not { } min || options.InputMax is not { } max || options.Probation is not { } p)
            throw new AiopsLabException($"{Name}: an online state needs input-min, input-max and probation (NAB takes them from the whole series; the batch score does so too).");
        return Start(new NabSeriesSetup(min, max, p));
    }

    public double[] Score(ReadOnlySpan<double> series)
    {
        var auto = NabSeriesSetup.Of(series);
        var state = Start(new NabSeriesSetup(options.InputMin ?? auto.InputMin, options.InputMax ?? auto.InputMax, options.Probation ?? auto.Probation));
        var scores = new double[series.Length];
        for (int i = 0; i < series.Length; i++)
            scores[i] = double.IsNaN(series[i]) ? 0 : state.Update(series[i]);
        return scores;
    }

    /// <summary>Validates the shared options.</summary>
    protected void CheckShared()
    {
        DetectorOptions.Require(options.Probation is null or >= 1, Name, "probation", "must be ≥ 1");
        DetectorOptions.Require(options.InputMin is null || options.InputMax is null || options.InputMin <= options.InputMax, Name, "input-min", "must be ≤ input-max");
    }
}

/// <summary>A NAB detector with its own options record (derived from <see cref="NabDetectorOptions"/>): holds them and checks
/// the shared ones on construction.</summary>
public abstract class NabDetectorBase<TOptions> : NabDetectorBase where TOptions : NabDetectorOptions
{
    protected NabDetectorBase(TOptions options) : base(options)
    {
        O = options;
        CheckShared();
    }

    /// <summary>The detector's options.</summary>
    protected TOptions O { get; }
}

/// <summary>
/// A detector whose scores are coarse by its paper's construction — 0/1 decisions (relative entropy) or ranks among a small
/// calibration set (kNN-CAD's conformal score, 1 as soon as a point beats every calibration score) — so that an ordinary point
/// can tie with a planted anomaly at the top score. The conformance suite then asks that the planted anomaly reach the top
/// score and that the top score be rare in the normal stretch, instead of a strict inequality.
/// </summary>
public interface ICoarseScore;
