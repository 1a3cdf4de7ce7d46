using AiopsLab.Data;
using AiopsLab.Preparation;

namespace AiopsLab.Causal;

/// <summary>
/// A causal-discovery step over a prepared window: the common part of the learned graph sources (<c>Rca/GraphSources.cs</c>) and
/// of the graph-based localizers. Returns a graph over <see cref="PreparedWindow.Names"/> with arrows cause → effect.
/// </summary>
public interface IGraphDiscovery
{
    string Name { get; }
    CausalGraph Discover(PreparedWindow window, CancellationToken ct = default);
}

/// <summary>PC with Fisher-z tests (<see cref="Pc"/>, <see cref="FisherZ"/>).</summary>
public sealed class PcDiscovery(PcOptions? options = null) : IGraphDiscovery
{
    public PcOptions Options { get; } = options ?? new PcOptions();
    public string Name => "pc";

    public CausalGraph Discover(PreparedWindow window, CancellationToken ct = default) =>
        Pc.Run(new FisherZ(window.Columns) { FailLikeCausalLearn = Options.FailLikeCausalLearn }, window.Names, Options, null, ct).Graph;
}

/// <summary>Pairwise Granger causality (<see cref="Granger"/>).</summary>
public sealed class GrangerDiscovery(GrangerOptions? options = null) : IGraphDiscovery
{
    public GrangerOptions Options { get; } = options ?? new GrangerOptions();
    public string Name => "granger";

    public CausalGraph Discover(PreparedWindow window, CancellationToken ct = default) =>
        Granger.Run(window.Columns, window.Names, Options, ct);
}

/// <summary>DirectLiNGAM (<see cref="DirectLingam"/>).</summary>
public sealed class LingamDiscovery(DirectLingamOptions? options = null) : IGraphDiscovery
{
    public DirectLingamOptions Options { get; } = options ?? new DirectLingamOptions();
    public string Name => "lingam";

    public CausalGraph Discover(PreparedWindow window, CancellationToken ct = default) =>
        DirectLingam.Run(window.Columns, window.Names, Options, ct).Graph;
}

/// <summary>
/// CIRCA's structural graph (<see cref="StructuralGraph"/>, Li et al., KDD 2022, §4.1) over the window's columns, built
/// from the case's call graph rather than learned; fails with a clear error when the case has none.
/// </summary>
public sealed class StructuralDiscovery(Func<string, MetaType>? typeOf = null) : IGraphDiscovery
{
    public string Name => "structural";

    public CausalGraph Discover(PreparedWindow window, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var p = window.Problem;
        if (p.CallGraph is null) throw new AiopsLabException("the structural graph needs a call graph, and this case has none; use a learned graph (pc, granger, lingam).");
        return StructuralGraph.Build(window.Names, p.Naming, p.CallGraph, typeOf);
    }
}
