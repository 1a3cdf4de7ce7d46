using AiopsLab.Causal;
using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Preparation;

namespace AiopsLab.Rca;

/// <summary>
/// An <see cref="ICausalGraphSource"/> that learns the graph from the problem's data: the window is prepared as
/// <see cref="PreparedWindow"/> describes (<see cref="WindowRecipe.Graph"/>, RCAEval's preprocessing), then <paramref name="discovery"/> runs on it. The graph's
/// nodes are the kept columns; an undirected edge becomes two opposite edges.
/// </summary>
public sealed class LearnedGraphSource(IGraphDiscovery discovery, int window = 300, IReadOnlyCollection<string>? excludeKinds = null) : ICausalGraphSource
{
    public string Name => discovery.Name;

    public DirectedGraph Build(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var w = PreparedWindow.Of(problem, WindowRecipe.Graph(window, excludeKinds));
        return discovery.Discover(w, ct).ToDirectedGraph();
    }
}

/// <summary>
/// CIRCA's structural graph (<see cref="StructuralGraph"/>) as an <see cref="ICausalGraphSource"/>: built from the
/// problem's call graph over every metric column; fails with a clear error when the case has no call graph.
/// </summary>
public sealed class StructuralGraphSource(Func<string, MetaType>? typeOf = null) : ICausalGraphSource
{
    public string Name => "structural";

    public DirectedGraph Build(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        if (problem.CallGraph is null) throw new AiopsLabException("the structural graph needs a call graph, and this case has none.");
        return StructuralGraph.Build(problem.Metrics.Names, problem.Naming, problem.CallGraph, typeOf).ToDirectedGraph();
    }
}
