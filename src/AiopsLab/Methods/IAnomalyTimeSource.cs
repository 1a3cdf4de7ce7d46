using AiopsLab.Data;

namespace AiopsLab.Methods;

/// <summary>
/// Finds the anomaly time of a case without its label (end-to-end mode). Returns null when it raises no alarm.
/// Experiments name a source by its <see cref="Name"/> (see <see cref="AnomalyTimeSources"/>).
/// </summary>
public interface IAnomalyTimeSource
{
    string Name { get; }
    long? Detect(MetricFrame metrics, MetricNaming naming, IReadOnlyList<string> slis, CancellationToken ct);
}
