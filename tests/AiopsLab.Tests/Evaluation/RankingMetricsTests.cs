using AiopsLab.Evaluation;
using Xunit;

namespace AiopsLab.Tests.Evaluation;

public class RankingMetricsTests
{
    [Fact]
    public void Ac_and_avg_at_k_match_hand_computed_values()
    {
        // Ranks 1, 3, miss, 2: AC@1 = 1/4, AC@2 = 2/4, AC@3 = 3/4, AC@4 = AC@5 = 3/4.
        int?[] ranks = [1, 3, null, 2];
        Assert.Equal(0.25, RankingMetrics.AcAt(ranks, 1));
        Assert.Equal(0.75, RankingMetrics.AcAt(ranks, 3));
        Assert.Equal((0.25 + 0.5 + 0.75 + 0.75 + 0.75) / 5, RankingMetrics.AvgAt(ranks, 5), 12);
        Assert.Equal((1 + 1.0 / 3 + 0 + 0.5) / 4, RankingMetrics.Mrr(ranks), 12);
    }

    [Fact]
    public void Chance_avg_at_5_follows_the_closed_form()
    {
        // (1/5) sum_{k=1..5} min(k, n)/n: n = 9 gives 15/45 = 1/3; n = 3 gives (1+2+3+3+3)/15 = 0.8; n = 1 gives 1.
        Assert.Equal(1.0 / 3, RankingMetrics.ChanceAvgAt(9, 5), 12);
        Assert.Equal(0.8, RankingMetrics.ChanceAvgAt(3, 5), 12);
        Assert.Equal(1.0, RankingMetrics.ChanceAvgAt(1, 5), 12);
        Assert.Equal((1 + 0.5 + 1.0 / 3) / 3, RankingMetrics.ChanceMrr(3), 12);
    }

    [Fact]
    public void Chance_avg_at_5_equals_the_mean_over_all_permutations()
    {
        // Independent check of the closed form: enumerate all positions of the root cause among n = 7 services.
        int n = 7;
        var ranks = Enumerable.Range(1, n).Select(r => (int?)r).ToArray();
        Assert.Equal(RankingMetrics.AvgAt(ranks, 5), RankingMetrics.ChanceAvgAt(n, 5), 12);
    }

    [Fact]
    public void Rank_of_is_one_based_and_null_when_absent()
    {
        Assert.Equal(2, RankingMetrics.RankOf(["a", "b"], "b"));
        Assert.Null(RankingMetrics.RankOf(["a", "b"], "c"));
    }
}
