using AiopsLab.Data;
using AiopsLab.Rca;

namespace AiopsLab.Causal;

/// <summary>
/// A causal-discovery step over a prepared window: the common part of the <see cref="ICausalGraphSource"/>s below and
/// of the graph-based localizers. Returns a graph over <see cref="GraphWindow.Names"/> with arrows cause → effect.
/// </summary>
public interface IGraphDiscovery
{
    string Name { get; }
    CausalGraph Discover(GraphWindow window, CancellationToken ct = default);
}

/// <summary>PC with Fisher-z tests (<see cref="Pc"/>, <see cref="FisherZ"/>).</summary>
public sealed class PcDiscovery(PcOptions? options = null) : IGraphDiscovery
{
    public PcOptions Options { get; } = options ?? new PcOptions();
    public string Name => "pc";

    public CausalGraph Discover(GraphWindow window, CancellationToken ct = default) =>
        Pc.Run(new FisherZ(window.Columns), window.Names, Options, null, ct).Graph;
}

/// <summary>Pairwise Granger causality (<see cref="Granger"/>).</summary>
public sealed class GrangerDiscovery(GrangerOptions? options = null) : IGraphDiscovery
{
    public GrangerOptions Options { get; } = options ?? new GrangerOptions();
    public string Name => "granger";

    public CausalGraph Discover(GraphWindow window, CancellationToken ct = default) =>
        Granger.Run(window.Columns, window.Names, Options, ct);
}

/// <summary>DirectLiNGAM (<see cref="DirectLingam"/>).</summary>
public sealed class LingamDiscovery(DirectLingamOptions? options = null) : IGraphDiscovery
{
    public DirectLingamOptions Options { get; } = options ?? new DirectLingamOptions();
    public string Name => "lingam";

    public CausalGraph Discover(GraphWindow window, CancellationToken ct = default) =>
        DirectLingam.Run(window.Columns, window.Names, Options, ct).Graph;
}

/// <summary>
/// An <see cref="ICausalGraphSource"/> that learns the graph from the problem's data: the window is prepared as
/// <see cref="GraphWindow"/> describes (RCAEval's preprocessing), then <paramref name="discovery"/> runs on it. The graph's
/// nodes are the kept columns; an undirected edge becomes two opposite edges.
/// </summary>
public sealed class LearnedGraphSource(IGraphDiscovery discovery, int window = 300, IReadOnlyCollection<string>? excludeKinds = null) : ICausalGraphSource
{
    public string Name => discovery.Name;

    public DirectedGraph Build(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var w = GraphWindow.Of(problem, window, excludeKinds);
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
