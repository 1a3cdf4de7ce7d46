namespace AiopsLab.Data;

/// <summary>
/// Ground truth of one fault injection. Only the runner and the scorers see it; localizers receive an
/// <see cref="Methods.RcaProblem"/>, which has no field for it.
/// </summary>
/// <param name="RootCause">Root-cause service (scored at service level).</param>
/// <param name="FaultType">Injected fault type as the dataset names it (<c>cpu</c>, <c>mem</c>, <c>network_delay</c>, …).</param>
/// <param name="InjectTime">Unix seconds of the injection (for datasets that do not record it, the documented stand-in).</param>
/// <param name="RootCauseMetric">Root-cause column where the dataset labels one, for metric-level scoring.</param>
/// <param name="FaultClass">Coarser class where the dataset has one (nezha: <c>resource</c> or <c>code</c>).</param>
/// <param name="InnerRootCause">Where inside the root-cause service the fault sits, where the dataset labels it (Nezha's
/// inner-service level: a resource such as <c>CpuUsageRate(%)</c>, or a code region as two log statements joined by
/// <c>_</c>); scored as the inner-service rank (AIS@k, <c>Evaluation.InnerServiceRank</c>).</param>
public sealed record FaultLabel(
    string RootCause,
    string FaultType,
    long InjectTime,
    string? RootCauseMetric = null,
    string? FaultClass = null,
    string? InnerRootCause = null);

/// <summary>One fault-injection case: metrics around the fault, its label and, where the dataset has one, the call graph.</summary>
/// <param name="Id">Unique within its dataset, stable across runs (e.g. <c>carts-cpu/1</c>).</param>
/// <param name="Dataset">Dataset name.</param>
/// <param name="System">The system under test (<c>sock-shop</c>, <c>online-boutique</c>, …).</param>
/// <param name="Metrics">Normal period followed by the anomalous period, on one time axis.</param>
/// <param name="Label">Ground truth.</param>
/// <param name="CallGraph">Service call graph (caller → callee), or null.</param>
/// <param name="Naming">How the columns map to entities and services.</param>
public sealed record FaultCase(
    string Id,
    string Dataset,
    string System,
    MetricFrame Metrics,
    FaultLabel Label,
    DirectedGraph? CallGraph,
    MetricNaming Naming)
{
    /// <summary>The true causal graph over metric columns (cause → effect), where it is known (synthetic data).</summary>
    public DirectedGraph? TrueCausalGraph { get; init; }

    /// <summary>Service-level indicator columns an operator would watch (front-end latency, success rate), chosen by the
    /// dataset without looking at the label. Empty where the dataset names none.</summary>
    public IReadOnlyList<string> Slis { get; init; } = [];

    /// <summary>Traces and logs of the case (loaded lazily), or null where the dataset has only metrics.</summary>
    public CaseTelemetry? Telemetry { get; init; }
}

/// <summary>
/// What a dataset knows about a case without loading its metrics: enough to list, count, filter and shard.
/// </summary>
public sealed record CaseDescriptor(
    string Id,
    string System,
    string FaultType,
    string RootCause,
    string? FaultClass = null)
{
    /// <summary>Why the case cannot be run as it is (e.g. its normal data is absent from this copy), or null.</summary>
    public string? Problem { get; init; }
}
