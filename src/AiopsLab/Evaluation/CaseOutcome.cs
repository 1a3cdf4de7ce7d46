using AiopsLab.Rca;
using AiopsLab.Methods;

namespace AiopsLab.Evaluation;

/// <summary>How one (case, method) run ended.</summary>
public enum RunStatus
{
    /// <summary>The method returned a ranking.</summary>
    Ok,
    /// <summary>Loading the case or running the method threw; <see cref="CaseOutcome.Error"/> says what.</summary>
    Failed,
    /// <summary>The method did not finish within the per-case timeout.</summary>
    Timeout,
}

/// <summary>
/// The result of one method on one case, label joined back in: the one record of a run. The runner makes it and scores
/// it (<see cref="Rank"/>, <see cref="MetricRank"/>); the run store writes it and reads it back as the same record
/// (ranks from the stored columns, never re-derived); <see cref="Summary"/> and the reports score groups of it. A failed
/// or timed-out run has no ranking and counts as a miss in every score; it is never replaced by a fallback ranking.
/// </summary>
public sealed record CaseOutcome
{
    public required string Dataset { get; init; }
    public required string CaseId { get; init; }
    public required string System { get; init; }
    public required string Fault { get; init; }
    public string? FaultClass { get; init; }
    public required string RootCause { get; init; }
    public string? RootCauseMetric { get; init; }
    /// <summary>Inner-service label (resource or code region inside <see cref="RootCause"/>, <see cref="Data.FaultLabel.InnerRootCause"/>), where the dataset has one.</summary>
    public string? InnerRootCause { get; init; }
    /// <summary>Canonical method spec (<see cref="Methods.MethodSpec.ToString"/>).</summary>
    public required string Method { get; init; }
    public required RunStatus Status { get; init; }
    /// <summary>Wall-clock seconds of the method call (not of loading the case).</summary>
    public double Seconds { get; init; }
    /// <summary>1-based service-level rank of the root cause; null if not ranked or not ok.</summary>
    public int? Rank { get; init; }
    /// <summary>1-based metric-level rank of the labelled root-cause metric, where the dataset labels one.</summary>
    public int? MetricRank { get; init; }
    /// <summary>1-based inner-service rank (<see cref="InnerServiceRank"/>, AIS@k), where the dataset labels one.</summary>
    public int? InnerRank { get; init; }
    /// <summary>Number of distinct services among the case's metrics: the candidates for chance-level scores.</summary>
    public int ServiceCount { get; init; }
    /// <summary>Anomaly time given to the method (Unix seconds).</summary>
    public long AnomalyTime { get; init; }
    /// <summary>Services, best first.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];
    /// <summary>The method's full metric ranking.</summary>
    public IReadOnlyList<RankedMetric> Ranking { get; init; } = [];
    public IReadOnlyDictionary<string, double> Diagnostics { get; init; } = new Dictionary<string, double>();
    /// <summary>Metrics kept by the method's reducers (<see cref="RcaResult.Kept"/>), frame order; null without a reducer.</summary>
    public IReadOnlyList<string>? Kept { get; init; }
    public string? Error { get; init; }
    /// <summary>The case's data could not be read (malformed or missing file), as opposed to a method failing.</summary>
    public bool DataError { get; init; }
    /// <summary>Delay (seconds) added to the inject time, and the seed the run used.</summary>
    public long Delay { get; init; }
    public long Seed { get; init; }
    /// <summary>Window length the method saw (<see cref="Experiments.Window"/>): <c>full</c> or seconds each side of the anomaly time.</summary>
    public string Window { get; init; } = "full";
    /// <summary>Detection mode that gave the anomaly time: <c>label</c> or a detector (end-to-end mode).</summary>
    public string Detection { get; init; } = Catalog.AnomalyTimeSources.Label;
    /// <summary>Wall-clock seconds spent loading the case and, in end-to-end mode, detecting the anomaly time.</summary>
    public double LoadSeconds { get; init; }
    /// <summary>Key of the dataset in its experiment (empty outside a run store).</summary>
    public string DatasetKey { get; init; } = "";
    /// <summary>Position of the case and of the method configuration in the experiment (as read back from a run store).</summary>
    public long CaseOrd { get; init; }
    public long ConfigOrd { get; init; }

    /// <summary>Reciprocal rank (0 for a miss, a failure or a timeout).</summary>
    public double Rr => Status == RunStatus.Ok && Rank is { } r ? 1.0 / r : 0;
}
