namespace AiopsLab.Detection;

/// <summary>The running state of a streaming detector on one series.</summary>
public interface IDetectorState
{
    /// <summary>Consumes the next value and returns its anomaly score (computed before the value updates the state).</summary>
    double Update(double value);
}

/// <summary>
/// A detector whose score at time t depends only on the values up to t, so it can run online: one
/// <see cref="IDetectorState"/> per series, one <see cref="IDetectorState.Update"/> per point. Its batch
/// <see cref="IAnomalyDetector.Score"/> is exactly the sequence of streaming updates.
/// </summary>
public interface IStreamingDetector : IAnomalyDetector
{
    IDetectorState Start();
}

/// <summary>
/// Base of streaming detectors: <see cref="Score"/> runs a fresh state over the series. A NaN value is scored 0 and not
/// given to the state (a missing point neither raises an alarm nor moves the detector's statistics).
/// </summary>
public abstract class StreamingDetector : IStreamingDetector
{
    public abstract string Name { get; }

    public abstract IDetectorState Start();

    public double[] Score(ReadOnlySpan<double> series)
    {
        var state = Start();
        var scores = new double[series.Length];
        for (int i = 0; i < series.Length; i++)
            scores[i] = double.IsNaN(series[i]) ? 0 : state.Update(series[i]);
        return scores;
    }
}
