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
