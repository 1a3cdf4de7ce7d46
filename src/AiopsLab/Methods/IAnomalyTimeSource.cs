using AiopsLab.Data;

namespace AiopsLab.Methods;

/// <summary>
/// Finds the anomaly time of a case without its label (end-to-end mode). Returns null when it raises no alarm.
/// Register one with <see cref="MethodAttribute"/> (kind <see cref="MethodKind.AnomalyTimeSource"/>); experiments name it
/// as a detection mode (<c>--anomaly-time NAME(option=value,...)</c>, see <c>Catalog.AnomalyTimeSources</c>).
/// </summary>
public interface IAnomalyTimeSource
{
    string Name { get; }
    long? Detect(MetricFrame metrics, MetricNaming naming, IReadOnlyList<string> slis, CancellationToken ct);
}
