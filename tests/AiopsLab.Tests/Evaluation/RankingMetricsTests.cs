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
    public void Standard_error_of_one_random_draw_per_case_matches_hand_values_and_simulation()
    {
        // n = 5: per-case Avg@5 is 1, .8, .6, .4, .2 with probability 1/5 each: mean .6, E[v²] = 2.2/5 = .44, variance .08;
        // two such cases: SE = sqrt(.16)/2 = .2. n = 1: always rank 1, no variance.
        Assert.Equal(0.2, RankingMetrics.ChanceAvgAtStandardError([5, 5], 5), 12);
        Assert.Equal(0.0, RankingMetrics.ChanceAvgAtStandardError([1, 1, 1], 5), 12);
        // Independent check: the spread of simulated means of uniform ranks over 40 cases with 43 or 12 candidates.
        int[] counts = [.. Enumerable.Repeat(43, 30), .. Enumerable.Repeat(12, 10)];
        var rng = new AiopsLab.Numerics.Rng(7);
        var means = new double[4000];
        for (int t = 0; t < means.Length; t++)
            means[t] = RankingMetrics.AvgAt(counts.Select(n => (int?)(1 + (int)(rng.NextDouble() * n))).ToArray(), 5);
        double mu = means.Average(), sd = Math.Sqrt(means.Sum(x => (x - mu) * (x - mu)) / (means.Length - 1));
        Assert.Equal(RankingMetrics.ChanceAvgAt(counts, 5), mu, 2);
        Assert.InRange(sd / RankingMetrics.ChanceAvgAtStandardError(counts, 5), 0.95, 1.05);
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
