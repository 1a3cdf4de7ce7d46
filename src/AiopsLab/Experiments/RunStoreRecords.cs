using AiopsLab.Evaluation;

namespace AiopsLab.Experiments;

/// <summary>How the results in a store were asked for: an experiment spec, or a <c>run --dataset</c>/<c>quickstart</c> shortcut.</summary>
public enum StoreKind { Experiment, Shortcut }

/// <summary>What a store's current experiment is.</summary>
public sealed record StoreMeta(string Experiment, StoreKind Kind, string SpecFile, string SpecText, string Identity,
    IReadOnlyList<long> Seeds, IReadOnlyList<long> Delays, double TimeoutSeconds);

/// <summary>What loading a case told about it (the label's fields and the case's columns).</summary>
public sealed record CaseInfo(string Fault, string? FaultClass, string RootCause, string? RootCauseMetric, int ServiceCount, MetricSet Metrics)
{
    /// <summary>Inner-service label, where the dataset has one (scored as AIS@k).</summary>
    public string? InnerRootCause { get; init; }
}

/// <summary>
/// A <see cref="CaseOutcome"/> as the store writes it: one method configuration with one seed and delay on one case,
/// the ranking encoded against the case's metric set (<see cref="ExperimentRunner"/> encodes; reading gives the
/// <see cref="CaseOutcome"/> back, ranks as scored by the runner).
/// </summary>
/// <remarks>
/// Why this second shape of a run stays (issue 11 asked for one record of a run): it is the write-side encoding, not a
/// second model. It holds nothing that is computed here — status, ranks, times and errors are copied from the
/// <see cref="CaseOutcome"/>, never re-derived — only the ranking changes form, from (name, score) pairs to indices
/// into the case's <see cref="MetricSet"/> plus scores (<see cref="RankingCodec"/>). That encoding is done by the worker
/// threads (<see cref="ExperimentRunner"/>'s <c>ToResult</c>), in parallel, so the single writer thread only binds
/// parameters; and the queue between them holds compact rows rather than every configuration's list of metric names
/// (a case's configurations share one name list, stored once per distinct list). Writing <see cref="CaseOutcome"/>s
/// directly would move that encoding onto the one writer thread. <c>RunStoreBenchmarks</c> measures Encode and Write
/// apart.
/// </remarks>
public sealed record RunRow(long ConfigRef, long Seed, long Delay, RunStatus Status, double Seconds, double LoadSeconds)
{
    public long? AnomalyTime { get; init; }
    public int? Rank { get; init; }
    public int? MetricRank { get; init; }
    /// <summary>Inner-service rank (AIS@k), where the case has an inner-service label.</summary>
    public int? InnerRank { get; init; }
    /// <summary>Encoded ranking (<see cref="RankingCodec"/>) over <see cref="Set"/>; null when not ok.</summary>
    public byte[]? Ranking { get; init; }
    public MetricSet? Set { get; init; }
    public string? Diagnostics { get; init; }
    /// <summary>Kept metrics of a reduced method (<see cref="RankingCodec.EncodeIndices"/> over the case's metric set); null without a reducer.</summary>
    public byte[]? Kept { get; init; }
    public string? Error { get; init; }
    public bool DataError { get; init; }
}

/// <summary>All rows of one case: written in one transaction, so a case is in the store completely or not at all.</summary>
public sealed record CaseResult(long CaseRef, CaseInfo? Info, IReadOnlyList<RunRow> Rows);
