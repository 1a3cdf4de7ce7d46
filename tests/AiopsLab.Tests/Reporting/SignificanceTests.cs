using AiopsLab.Evaluation;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Reporting;

/// <summary>
/// Rank tests against published numbers: scipy's documentation example for the Wilcoxon test (Fisher's data on
/// cross- vs self-fertilised plants, scipy.stats.wilcoxon docstring, scipy 1.10), and the worked example of Demšar,
/// "Statistical comparisons of classifiers over multiple data sets", JMLR 7 (2006), Table 6 and §3.
/// </summary>
public class SignificanceTests
{
    private static readonly double[] Fisher = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];

    /// <summary>Demšar's Table 6: AUC of C4.5, C4.5+m, C4.5+cf, C4.5+m+cf on 14 data sets.</summary>
    private static readonly double[][] Demsar =
    [
        [0.763, 0.768, 0.771, 0.798], [0.599, 0.591, 0.590, 0.569], [0.954, 0.971, 0.968, 0.967], [0.628, 0.661, 0.654, 0.657],
        [0.882, 0.888, 0.886, 0.898], [0.936, 0.931, 0.916, 0.931], [0.661, 0.668, 0.609, 0.685], [0.583, 0.583, 0.563, 0.625],
        [0.775, 0.838, 0.866, 0.875], [1.000, 1.000, 1.000, 1.000], [0.940, 0.962, 0.965, 0.962], [0.619, 0.666, 0.614, 0.669],
        [0.972, 0.981, 0.975, 0.975], [0.957, 0.978, 0.946, 0.970],
    ];

    [Fact]
    public void Wilcoxon_matches_the_scipy_documentation_example()
    {
        var two = WilcoxonSignedRank.Test(Fisher);
        Assert.True(two.Exact);
        Assert.Equal(24.0, two.Statistic);
        Assert.Equal(0.041259765625, two.PValue, 12);
        var greater = WilcoxonSignedRank.Test(Fisher, alternative: Alternative.Greater);
        Assert.Equal(96.0, greater.Statistic);
        Assert.Equal(0.0206298828125, greater.PValue, 12);
        var approx = WilcoxonSignedRank.Test(Fisher, exact: false);
        Assert.Equal(0.04088813291185591, approx.PValue, 10);
    }

    [Fact]
    public void Wilcoxon_reproduces_Demsar_worked_example_and_scipy_on_its_zeros_and_ties()
    {
        var m = Demsar.Select(r => r[1]).ToArray();   // C4.5+m
        var c = Demsar.Select(r => r[0]).ToArray();   // C4.5
        // Demšar §3.1.3: with zero differences split, R+ = 93 and R- = 12 (T = 12 ≤ 21, the critical value for N = 14).
        var z = WilcoxonSignedRank.Test(m, c, WilcoxonZeros.ZSplit);
        Assert.Equal(93.0, z.RPlus);
        Assert.Equal(12.0, z.RMinus);
        Assert.Equal(12.0, z.Statistic);
        Assert.False(z.Exact); // a zero and ties: normal approximation
        // scipy 1.10.1, scipy.stats.wilcoxon(m, c, zero_method=..., method='approx'[, correction=True]):
        Assert.Equal(0.01096849656422473, z.PValue, 12);
        Assert.Equal(0.011994803418993165, WilcoxonSignedRank.Test(m, c, WilcoxonZeros.ZSplit, correction: true).PValue, 12);
        var pratt = WilcoxonSignedRank.Test(m, c, WilcoxonZeros.Pratt);
        Assert.Equal(10.5, pratt.Statistic);
        Assert.Equal(0.010791957881997143, pratt.PValue, 12);
        var wilcox = WilcoxonSignedRank.Test(m, c);
        Assert.Equal(6.5, wilcox.Statistic);
        Assert.Equal((12, 2), (wilcox.N, wilcox.Zeros)); // lung cancer and mushroom tie
        Assert.Equal(0.01075713311978963, wilcox.PValue, 12);
        Assert.Equal(0.012030358470209076, WilcoxonSignedRank.Test(m, c, correction: true).PValue, 12);
    }

    [Fact]
    public void The_exact_null_distribution_counts_subsets_of_ranks()
    {
        // n = 4: the 16 sign patterns give R+ = 0..10 with counts 1,1,1,2,2,2,2,2,1,1,1.
        var pmf = WilcoxonSignedRank.NullDistribution(4);
        Assert.Equal(new double[] { 1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1 }, pmf.Select(p => p * 16));
        Assert.Equal(1.0, WilcoxonSignedRank.NullDistribution(30).Sum(), 12);
        Assert.Throws<ArgumentException>(() => WilcoxonSignedRank.Test([0, 0, 0]));
    }

    [Fact]
    public void Friedman_and_Nemenyi_reproduce_Demsar_worked_example()
    {
        // Demšar ranks voting's C4.5+cf (2) above C4.5+m+cf (3): the printed 0.975/0.975 are rounded. Nudge to match.
        var table = Demsar.Select(r => r.ToArray()).ToArray();
        table[12][2] = 0.9751;
        var f = FriedmanNemenyi.Test(table, higherIsBetter: true, alpha: 0.05);
        Assert.Equal(new[] { 3.143, 2.000, 2.893, 1.964 }, f.AverageRanks.Select(r => Math.Round(r, 3)));
        Assert.Equal(9.28, Math.Round(f.ChiSquare, 2));
        Assert.Equal(3.69, Math.Round(f.FF, 2));
        Assert.True(f.FFPValue < 0.05); // F_F = 3.69 > F(3, 39) = 2.85: reject
        Assert.Equal(2.569, f.QAlpha, 3);
        Assert.Equal(1.25, Math.Round(f.CriticalDifference, 2));
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                Assert.False(f.Differ(i, j)); // "the data is not sufficient to conclude" at α = 0.05
        var f10 = FriedmanNemenyi.Test(table, alpha: 0.10);
        Assert.Equal(1.12, Math.Round(f10.CriticalDifference, 2));
        // At α = 0.10, C4.5 is worse than C4.5+m and C4.5+m+cf; C4.5+cf belongs to both groups.
        Assert.True(f10.Differ(0, 1));
        Assert.True(f10.Differ(0, 3));
        Assert.False(f10.Differ(0, 2));
        Assert.False(f10.Differ(2, 3));
        var cliques = FriedmanNemenyi.Cliques(f10).Select(c => string.Join(",", c)).ToArray();
        Assert.Equal(["3,1,2", "2,0"], cliques);
    }

    [Fact]
    public void Friedman_tie_correction_matches_scipy()
    {
        // scipy 1.10.1: friedmanchisquare(*columns of the printed Table 6) = 10.952380952380956, p = 0.011986176325417788.
        var f = FriedmanNemenyi.Test(Demsar);
        Assert.Equal(10.952380952380956, f.ChiSquareTieCorrected, 9);
        Assert.Equal(0.011986176325417788, f.ChiSquareTieCorrectedPValue, 9);
    }

    [Theory]
    [InlineData(0.05, new[] { 1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164 }, new[] { 1.95996, 2.3437, 2.56903, 2.72777, 2.84971, 2.94832, 3.03088, 3.10173, 3.16368 })]
    [InlineData(0.10, new[] { 1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920 }, new[] { 1.64485, 2.05229, 2.29134, 2.45952, 2.58852, 2.69273, 2.77988, 2.85461, 2.91989 })]
    public void Nemenyi_critical_values_match_Demsar_Table_5a_and_scipy(double alpha, double[] demsar, double[] scipy)
    {
        // Demšar's Table 5(a) is printed to three decimals, and a few entries are off in the third one (k = 3 at 0.05:
        // 2.343 for 2.3437; k = 7: 2.949 for 2.9483; k = 5 at 0.10: 2.459 for 2.4595); the exact quantiles, from
        // scipy 1.10.1 studentized_range.ppf(1 - alpha, k, inf) / sqrt(2), agree with ours to 1e-5.
        for (int k = 2; k <= 10; k++)
        {
            double q = StudentizedRange.NemenyiQ(k, alpha);
            Assert.InRange(q, demsar[k - 2] - 0.0011, demsar[k - 2] + 0.0011);
            Assert.InRange(q, scipy[k - 2] - 1e-5, scipy[k - 2] + 1e-5);
        }
    }

    [Fact]
    public void Holm_adjusts_step_down()
    {
        // m = 4: sorted 0.005, 0.01, 0.03, 0.04 -> 4x, 3x, 2x, 1x = 0.02, 0.03, 0.06, 0.04 -> running max 0.02, 0.03, 0.06, 0.06.
        Assert.Equal(new[] { 0.03, 0.06, 0.06, 0.02 }, Holm.Adjust([0.01, 0.04, 0.03, 0.005]).Select(p => Math.Round(p, 12)));
    }

    [Fact]
    public void Average_ranks_share_ties()
    {
        Assert.Equal(new[] { 2.5, 1, 2.5, 4 }, Ranks.Average([3, 1, 3, 9]));
        Assert.Equal(6.0, Ranks.TieSum([3, 1, 3, 9])); // one pair: 2³ − 2
    }
}
