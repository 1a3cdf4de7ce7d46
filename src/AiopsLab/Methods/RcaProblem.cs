using AiopsLab.Data;

namespace AiopsLab.Methods;

/// <summary>
/// What a root-cause localizer is given: the metrics, the anomaly time and, where the dataset has it, the call graph.
/// It has no field for the label; the runner builds it from a <see cref="FaultCase"/> and keeps the label to itself.
/// </summary>
/// <param name="Metrics">The case's metrics: a normal period, then the anomalous period from <paramref name="AnomalyTime"/> on.</param>
/// <param name="AnomalyTime">Unix seconds at which the anomaly is taken to start (the label's inject time plus any delay,
/// or a detector's first alarm in end-to-end mode). Rows with time &lt; AnomalyTime are "normal".</param>
/// <param name="CallGraph">Service call graph (caller → callee) or null.</param>
/// <param name="Naming">Column → (entity, kind) → service map.</param>
public sealed record RcaProblem(MetricFrame Metrics, long AnomalyTime, DirectedGraph? CallGraph, MetricNaming Naming)
{
    /// <summary>Seed for any randomness the method uses, derived by the runner from (experiment seed, case id, method).</summary>
    public ulong Seed { get; init; }

    /// <summary>Service-level indicator columns named by the dataset (never chosen from the label). May be empty.</summary>
    public IReadOnlyList<string> Slis { get; init; } = [];

    /// <summary>Traces and logs (loaded on first use), or null where the case has only metrics. Carries no label.</summary>
    public CaseTelemetry? Telemetry { get; init; }

    /// <summary>Index of the first anomalous row.</summary>
    public int AnomalyRow => Metrics.RowAtOrAfter(AnomalyTime);

    /// <summary>The rows before the anomaly.</summary>
    public MetricFrame Normal => Metrics.SliceRows(0, AnomalyRow);

    /// <summary>The rows from the anomaly on.</summary>
    public MetricFrame Anomalous => Metrics.SliceRows(AnomalyRow, Metrics.RowCount - AnomalyRow);
}

/// <summary>One ranked metric: a column name and the method's score for it (higher = more likely root cause).</summary>
public readonly record struct RankedMetric(string Metric, double Score);

/// <summary>A localizer's answer: every metric it ranks, best first, plus optional diagnostics (named numbers).</summary>
public sealed class RcaResult
{
    public RcaResult(IReadOnlyList<RankedMetric> ranking, IReadOnlyDictionary<string, double>? diagnostics = null)
    {
        Ranking = ranking;
        Diagnostics = diagnostics ?? new Dictionary<string, double>();
    }

    /// <summary>Ranked metrics, most likely root cause first.</summary>
    public IReadOnlyList<RankedMetric> Ranking { get; }

    /// <summary>Named numbers a method reports about its run (e.g. <c>reduction_ratio</c>, <c>detected_time</c>).</summary>
    public IReadOnlyDictionary<string, double> Diagnostics { get; }

    /// <summary>The metric columns the localizer was given after metric reduction (<c>reducer+localizer</c>), in frame
    /// order; null when no reducer ran. Stored per run (the run store's <c>kept</c> column).</summary>
    public IReadOnlyList<string>? Kept { get; init; }

    /// <summary>
    /// Ranks <paramref name="names"/> by <paramref name="scores"/>, highest first. Ties are broken by name (ordinal) so the
    /// order never depends on input order; NaN scores go last. This is the one place that sorts scores into a ranking.
    /// </summary>
    public static RcaResult FromScores(IReadOnlyList<string> names, IReadOnlyList<double> scores, IReadOnlyDictionary<string, double>? diagnostics = null)
    {
        if (names.Count != scores.Count) throw new ArgumentException($"{names.Count} names but {scores.Count} scores.");
        var idx = Enumerable.Range(0, names.Count).ToArray();
        Array.Sort(idx, (a, b) =>
        {
            double x = scores[a], y = scores[b];
            bool nx = double.IsNaN(x), ny = double.IsNaN(y);
            if (nx != ny) return nx ? 1 : -1;
            if (!nx && x != y) return y.CompareTo(x);
            return string.CompareOrdinal(names[a], names[b]);
        });
        return new RcaResult(idx.Select(i => new RankedMetric(names[i], scores[i])).ToArray(), diagnostics);
    }

    /// <summary>Services in the order their first metric appears in the ranking.</summary>
    public IReadOnlyList<string> Services(MetricNaming naming) => naming.Services(Ranking.Select(r => r.Metric));
}

/// <summary>
/// A root-cause localizer. Implementations are stateless between calls, never modify the problem, draw randomness only
/// from <see cref="RcaProblem.Seed"/>, and check the cancellation token on entry and in long loops.
/// Register one with <see cref="Methods.MethodAttribute"/> so that the catalog, the CLI and the conformance suite find it.
/// </summary>
public interface IRootCauseLocalizer
{
    string Name { get; }
    RcaResult Localize(RcaProblem problem, CancellationToken ct = default);
}
