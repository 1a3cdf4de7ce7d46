namespace AiopsLab.Detection;

/// <summary>How much of a fault case a detector learns from before its alarms count (case-level detection, end-to-end mode).</summary>
public enum WarmupRule
{
    /// <summary>NAB's probationary period, min(⌊0.15·n⌋, 750) of the case's n points (Lavin &amp; Ahmad 2015): label-free, and inside
    /// the normal period of every case of rcd-sockshop, nezha and petshop (docs/detection.md, "Case-level detection").</summary>
    Probation,
    /// <summary>No warm-up beyond the detector's own minimum history: every point it scores may alarm.</summary>
    None,
}

/// <summary>
/// The warm-up of a detector on one series under a <see cref="WarmupRule"/>: a detector that takes a warm-up length
/// (<see cref="IConfigurableWarmup"/>: SPOT's and DSPOT's calibration n_init, EWMA's in-control estimate) calibrates on exactly those
/// points, NAB's reimplementations take them as their probationary period as NAB hands it to them, and every other detector keeps
/// learning from them through its own state; an alarm inside the warm-up is not counted (NAB never scores its probationary period).
/// The length depends only on the series' length, never on the label.
/// </summary>
public static class DetectorWarmup
{
    /// <summary>The warm-up length in points of a series of <paramref name="n"/> points.</summary>
    public static int Points(WarmupRule rule, int n) => rule == WarmupRule.Probation ? NabSeriesSetup.ProbationOf(n) : 0;

    /// <summary>The detector to run on a series whose first <paramref name="points"/> points are its warm-up.</summary>
    public static IAnomalyDetector Prepare(IAnomalyDetector detector, int points) =>
        points > 0 && detector is IConfigurableWarmup w ? w.WithWarmup(points) : detector;
}
