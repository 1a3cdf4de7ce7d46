using AiopsLab.Causal;
using AiopsLab.Rca;
using Xunit;

namespace AiopsLab.Tests.Rca;

/// <summary>
/// <c>pc-pagerank(rcaeval=true)</c> reproduces RCAEval 0.1.6's <c>pc_pagerank</c> name pairing (issue 15): PageRank runs
/// on the non-isolated nodes only and its scores are zipped with all column names in order. Expected values are worked
/// out from that description (PageRank itself is checked against scikit-network's example in GraphRcaTests).
/// </summary>
public class RcaevalPairingTests
{
    [Fact]
    public void Scores_of_the_non_isolated_nodes_land_on_the_first_column_names()
    {
        // a isolated, b → c, d isolated, e → c: the non-isolated nodes are b, c, e (columns 1, 2, 4).
        string[] names = ["a", "b", "c", "d", "e"];
        var g = CausalGraph.FromArrows(names, [(1, 2), (4, 2)]);
        var sub = CausalGraph.FromArrows(["b", "c", "e"], [(0, 1), (2, 1)]);
        var pr = PageRank.Compute(sub.Reverse(), null, 0.85, 10, 1e-6, DanglingRule.ScikitNetwork);
        var s = PageRankHead.RcaevalPcPageRank(g);
        // b's score is reported for a, c's for b, e's for c; d and e are not ranked.
        Assert.Equal([pr[0], pr[1], pr[2]], s[..3]);
        Assert.True(double.IsNaN(s[3]) && double.IsNaN(s[4]));
        // The causes b and e outrank the effect c in the reversed graph, so the top metric reported is "a", isolated.
        Assert.True(pr[0] > pr[1] && pr[2] > pr[1]);
    }

    [Fact]
    public void Without_isolated_nodes_the_pairing_is_correct_and_without_edges_the_column_order_is_returned()
    {
        string[] names = ["a", "b", "c"];
        var g = CausalGraph.FromArrows(names, [(0, 1), (1, 2)]);
        Assert.Equal(PageRank.Compute(g.Reverse(), null, 0.85, 10, 1e-6, DanglingRule.ScikitNetwork), PageRankHead.RcaevalPcPageRank(g));
        var empty = PageRankHead.RcaevalPcPageRank(CausalGraph.FromArrows(names, []));
        Assert.Equal([3.0, 2.0, 1.0], empty);
    }

    [Fact]
    public void Only_pc_pagerank_in_rcaeval_mode_uses_the_misaligned_pairing()
    {
        string[] names = ["a", "b", "c", "d", "e"];
        var g = CausalGraph.FromArrows(names, [(1, 2), (4, 2)]);
        var correct = PageRank.Compute(g.Reverse(), null, 0.85, 10, 1e-6, DanglingRule.ScikitNetwork);
        var head = new PageRankHead(new PageRankHeadOptions { Rcaeval = true }, rcaevalPcPairing: false);
        Assert.Equal(correct, head.Score(g, null!));
        var pc = new PageRankHead(new PageRankHeadOptions { Rcaeval = true }, rcaevalPcPairing: true);
        Assert.Equal(PageRankHead.RcaevalPcPageRank(g), pc.Score(g, null!));
    }
}
