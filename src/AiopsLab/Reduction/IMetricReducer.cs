using AiopsLab.Rca;
using AiopsLab.Methods;

namespace AiopsLab.Reduction;

/// <summary>
/// Removes metrics before localization (e.g. MetricSifter). Composes in front of any localizer as <c>reducer+localizer</c>.
/// Like a localizer it never sees the label.
/// </summary>
public interface IMetricReducer
{
    string Name { get; }

    /// <summary>The metric columns to keep, in their frame order.</summary>
    IReadOnlyList<string> Reduce(RcaProblem problem, CancellationToken ct = default);
}

/// <summary>Runs reducers in order, then a localizer on the kept columns. Reports <c>reduction_ratio</c> = 1 − kept/all and
/// the kept columns (<see cref="RcaResult.Kept"/>; all of them when a reducer kept none).</summary>
public sealed class ReducedLocalizer : IRootCauseLocalizer
{
    private readonly IReadOnlyList<IMetricReducer> _reducers;
    private readonly IRootCauseLocalizer _localizer;

    public ReducedLocalizer(IReadOnlyList<IMetricReducer> reducers, IRootCauseLocalizer localizer, string name)
    {
        _reducers = reducers;
        _localizer = localizer;
        Name = name;
    }

    public string Name { get; }

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        int before = problem.Metrics.ColumnCount;
        var p = problem;
        foreach (var r in _reducers)
        {
            ct.ThrowIfCancellationRequested();
            var keep = r.Reduce(p, ct);
            // A reducer that keeps nothing would leave the localizer nothing to rank: keep all and say so.
            p = keep.Count == 0 ? p : p with { Metrics = p.Metrics.Select(keep) };
        }
        var res = _localizer.Localize(p, ct);
        var diag = new Dictionary<string, double>(res.Diagnostics, StringComparer.Ordinal)
        {
            ["metrics_before"] = before,
            ["metrics_after"] = p.Metrics.ColumnCount,
            ["reduction_ratio"] = before == 0 ? 0 : 1.0 - (double)p.Metrics.ColumnCount / before,
        };
        return new RcaResult(res.Ranking, diag) { Kept = p.Metrics.Names };
    }
}
