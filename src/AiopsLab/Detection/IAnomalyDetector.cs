namespace AiopsLab.Detection;

/// <summary>
/// A univariate anomaly detector: one score per input point, higher = more anomalous. Same length as the input;
/// a point the detector cannot score yet (warm-up) gets 0. NaN input points are skipped by the detector's state and
/// scored 0. Implementations do not keep state between calls.
/// </summary>
public interface IAnomalyDetector
{
    string Name { get; }
    double[] Score(ReadOnlySpan<double> series);
}

/// <summary>
/// A detector whose method reads the time of each point, not only its order — calendar windows (Skyline's "one hour a day
/// ago"), a regression on time, an expiry in seconds. Given the times it scores as its method says; the plain
/// <see cref="IAnomalyDetector.Score"/> assumes points evenly spaced at the detector's stated interval.
/// </summary>
public interface ITimedDetector : IAnomalyDetector
{
    /// <summary>Scores <paramref name="values"/> observed at <paramref name="times"/> (same length, non-decreasing).</summary>
    double[] Score(ReadOnlySpan<double> values, ReadOnlySpan<DateTime> times);
}
