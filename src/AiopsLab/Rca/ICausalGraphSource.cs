using AiopsLab.Data;
using AiopsLab.Rca;
using AiopsLab.Methods;

namespace AiopsLab.Rca;

/// <summary>
/// Supplies a causal graph over a problem's metric columns (edge = cause → effect): learned from the data (PC, Granger,
/// LiNGAM, …) or derived from the call graph. Graph-based localizers (CIRCA, PC-PageRank, …) take one of these, so the
/// graph and the scoring compose as in CIRCA's "graph factory × scorer" design.
/// </summary>
public interface ICausalGraphSource
{
    string Name { get; }

    /// <summary>A graph whose nodes are (a subset of) <c>problem.Metrics.Names</c>.</summary>
    DirectedGraph Build(RcaProblem problem, CancellationToken ct = default);
}
