using AiopsLab.Catalog;
using AiopsLab.Causal;
using AiopsLab.Data;
using AiopsLab.Datasets.Synthetic;
using AiopsLab.Methods;
using AiopsLab.Preparation;
using AiopsLab.Rca;
using Xunit;

namespace AiopsLab.Tests.Rca;

/// <summary>
/// The six RCAEval graph baselines are presets of one composition, causal graph × scoring head: each preset gives the
/// same ranking, scores and diagnostics as <c>graph-rca</c> with the matching graph and head, in both modes.
/// </summary>
public class GraphCompositionTests
{
    private static RcaProblem ProblemOf(FaultCase c) =>
        new(c.Metrics, c.Label.InjectTime, c.CallGraph, c.Naming) { Seed = 5, Slis = c.Slis };

    [Theory]
    [InlineData("pc-pagerank", "graph=pc,head=pagerank")]
    [InlineData("pc-randomwalk", "graph=pc,head=randomwalk")]
    [InlineData("granger-pagerank", "graph=granger,head=pagerank")]
    [InlineData("granger-randomwalk", "graph=granger,head=randomwalk")]
    [InlineData("lingam-pagerank", "graph=lingam,head=pagerank")]
    [InlineData("lingam-randomwalk", "graph=lingam,head=randomwalk")]
    public void Each_preset_equals_its_composition(string preset, string composition)
    {
        foreach (var c in SyntheticBenchmark.EasyCases().Take(3))
            foreach (var rcaeval in new[] { "", ",rcaeval=true" })
            {
                var p = ProblemOf(c);
                var a = MethodCatalog.CreateLocalizer(preset + (rcaeval.Length > 0 ? "(rcaeval=true)" : "")).Localize(p);
                var b = MethodCatalog.CreateLocalizer($"graph-rca({composition}{rcaeval})").Localize(p);
                Assert.Equal(a.Ranking, b.Ranking);
                Assert.Equal(a.Diagnostics.OrderBy(d => d.Key, StringComparer.Ordinal), b.Diagnostics.OrderBy(d => d.Key, StringComparer.Ordinal));
                Assert.True(a.Ranking.Count > 0, $"{preset} ranked nothing on {c.Id}.");
            }
    }

    [Fact]
    public void The_default_composition_is_pc_pagerank_and_the_parts_are_visible()
    {
        var g = Assert.IsType<GraphRca>(MethodCatalog.CreateLocalizer("graph-rca"));
        Assert.Equal("pc", g.Discovery.Name);
        Assert.Equal("pagerank", g.Head.Name);
        var l = Assert.IsType<LingamRandomWalk>(MethodCatalog.CreateLocalizer("lingam-randomwalk"));
        Assert.Equal(("lingam", "randomwalk"), (l.Discovery.Name, l.Head.Name));
    }

    [Fact]
    public void The_structural_graph_scores_the_call_graphs_structure_and_needs_a_call_graph()
    {
        var c = SyntheticBenchmark.EasyCases()[0];
        var p = ProblemOf(c);
        Assert.NotNull(p.CallGraph);
        var r = MethodCatalog.CreateLocalizer("graph-rca(graph=structural,head=pagerank,rcaeval=true)").Localize(p);
        // The scored graph is CIRCA's structural graph over the window's kept columns: plain PageRank on it, reversed.
        var w = PreparedWindow.Of(p, WindowRecipe.Graph(300));
        var g = StructuralGraph.Build(w.Names, p.Naming, p.CallGraph!);
        Assert.Equal(g.ArrowCount, r.Diagnostics["graph_arrows"]);
        var expected = PageRank.Compute(g.Reverse(), null, 0.85, 10, 1e-6, DanglingRule.ScikitNetwork);
        foreach (var m in r.Ranking.Where(m => !double.IsNaN(m.Score)))
            Assert.Equal(expected[w.Names.ToList().IndexOf(m.Metric)], m.Score, 12);

        var without = p with { CallGraph = null };
        var e = Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateLocalizer("graph-rca(graph=structural)").Localize(without));
        Assert.Contains("call graph", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_composition_options_fail_clearly()
    {
        Assert.ThrowsAny<Exception>(() => MethodCatalog.CreateLocalizer("graph-rca(graph=ica)"));
        Assert.ThrowsAny<Exception>(() => MethodCatalog.CreateLocalizer("graph-rca(graph=granger,max-lag=0)"));
        Assert.ThrowsAny<Exception>(() => MethodCatalog.CreateLocalizer("graph-rca(alpha=1.5)"));
    }
}
