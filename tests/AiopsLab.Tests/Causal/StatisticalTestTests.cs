using AiopsLab.Causal;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Causal;

/// <summary>
/// Textbook values for the distribution helpers and the independence tests. Every expected number below was computed
/// by hand from its closed form (Python's math.erfc / math.log, shown in each comment), not by running this code.
/// </summary>
public class StatisticalTestTests
{
    [Fact]
    public void Distribution_tails_match_closed_forms()
    {
        // Φ(1.96) = 1 − ½·erfc(1.96/√2)
        Assert.Equal(0.9750021048517795, Distributions.NormalCdf(1.96), 12);
        Assert.Equal(1 - 0.9750021048517795, Distributions.NormalSf(1.96), 12);
        // χ²₂ upper tail is e^{−x/2}; χ²₁ upper tail is erfc(√(x/2)).
        Assert.Equal(0.22313016014842982, Distributions.ChiSquareSf(3, 2), 12);
        Assert.Equal(0.05, Distributions.ChiSquareSf(3.841458820694124, 1), 9);
        // F(2, d2) upper tail is (1 + 2f/d2)^(−d2/2): f = 4, d2 = 10.
        Assert.Equal(0.05292214940134464, Distributions.FSf(4.0, 2, 10), 12);
        Assert.Equal(1, Distributions.FSf(0, 3, 7));
    }

    [Fact]
    public void Partial_correlation_matches_the_recursion_formula()
    {
        // r12·3 = (r12 − r13·r23)/√((1 − r13²)(1 − r23²)) (Anderson, An Introduction to Multivariate Statistical Analysis, eq. 2.5.26).
        var r = new double[,] { { 1, 0.6, 0.3 }, { 0.6, 1, 0.5 }, { 0.3, 0.5, 1 } };
        double expected = (0.6 - 0.3 * 0.5) / Math.Sqrt((1 - 0.09) * (1 - 0.25));
        Assert.Equal(expected, Correlation.Partial(r, 0, 1, [2]), 12);
        // With two conditioning variables, against −P₀₁/√(P₀₀P₁₁) from an explicit inverse.
        var r4 = new double[,] { { 1, 0.5, 0.3, 0.2 }, { 0.5, 1, 0.4, 0.1 }, { 0.3, 0.4, 1, 0.25 }, { 0.2, 0.1, 0.25, 1 } };
        var p = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(r4).Inverse();
        Assert.Equal(-p[0, 1] / Math.Sqrt(p[0, 0] * p[1, 1]), Correlation.Partial(r4, 0, 1, [2, 3]), 12);
    }

    [Fact]
    public void Fisher_z_p_value_of_a_known_partial_correlation()
    {
        // r12 = r13 = r23 = 0.5 gives r12·3 = (0.5 − 0.25)/0.75 = 1/3. With n = 50 and |S| = 1:
        // z = ½·ln((1 + 1/3)/(1 − 1/3)) = ½·ln 2, statistic √46·z, p = erfc(statistic/√2) = 0.01874435653260924.
        var r = new double[,] { { 1, 0.5, 0.5 }, { 0.5, 1, 0.5 }, { 0.5, 0.5, 1 } };
        var test = new FisherZ(r, 50);
        Assert.Equal(0.01874435653260924, test.PValue(0, 1, [2]), 10);
        // r = 0.3, n = 100, |S| = 2: p = erfc(√95·atanh(0.3)/√2) = 0.0025543813509363925.
        Assert.Equal(0.0025543813509363925, FisherZ.PValueOf(0.3, 100, 2), 10);
        Assert.Equal(1, FisherZ.PValueOf(0.9, 5, 2)); // n − |S| − 3 = 0: no power
    }

    [Fact]
    public void Chi_square_and_G_square_on_a_hand_computed_table()
    {
        // O = [[10, 20], [30, 40]]: E = [[12, 18], [28, 42]], X² = 4/12 + 4/18 + 4/28 + 4/42 = 0.7936507936507936,
        // G² = 2·Σ O·ln(O/E) = 0.8043486460964835, df = 1, p = erfc(√(x/2)).
        var t = new long[1, 2, 2] { { { 10, 20 }, { 30, 40 } } };
        var chi = DiscreteIndependenceTest.FromTable(t, DiscreteStatistic.ChiSquare);
        Assert.Equal(0.7936507936507936, chi.Statistic, 12);
        Assert.Equal(1, chi.Df);
        Assert.Equal(0.37299848361348714, chi.PValue, 10);
        var g = DiscreteIndependenceTest.FromTable(t, DiscreteStatistic.GSquare);
        Assert.Equal(0.8043486460964835, g.Statistic, 12);
        Assert.Equal(0.36979636792989634, g.PValue, 10);
    }

    [Fact]
    public void Conditional_tables_sum_over_layers()
    {
        // Layer 2 = [[5, 0], [5, 10]] (E = [[2.5, 2.5], [7.5, 7.5]]): X² totals 7.46031746031746 over df 2,
        // p = e^{−x/2} = 0.023989027752305353; G² totals 9.43481081964991, p = 0.008938339817116909.
        var t = new long[2, 2, 2] { { { 10, 20 }, { 30, 40 } }, { { 5, 0 }, { 5, 10 } } };
        var chi = DiscreteIndependenceTest.FromTable(t, DiscreteStatistic.ChiSquare);
        Assert.Equal(7.46031746031746, chi.Statistic, 10);
        Assert.Equal(2, chi.Df);
        Assert.Equal(0.023989027752305353, chi.PValue, 10);
        var g = DiscreteIndependenceTest.FromTable(t, DiscreteStatistic.GSquare);
        Assert.Equal(9.43481081964991, g.Statistic, 10);
        Assert.Equal(0.008938339817116909, g.PValue, 10);
    }

    [Fact]
    public void Degrees_of_freedom_drop_for_values_absent_from_a_layer()
    {
        // 3×2 table whose layer lacks the third row value entirely: df = (3 − 1 − 1)·(2 − 1) = 1, not 2.
        var t = new long[1, 3, 2] { { { 10, 20 }, { 30, 40 }, { 0, 0 } } };
        Assert.Equal(1, DiscreteIndependenceTest.FromTable(t, DiscreteStatistic.ChiSquare).Df);
        // A layer where X takes one value only carries no information: df 0, p = 1.
        var flat = new long[1, 2, 2] { { { 10, 20 }, { 0, 0 } } };
        Assert.Equal(1, DiscreteIndependenceTest.FromTable(flat, DiscreteStatistic.ChiSquare).PValue);
    }

    [Fact]
    public void The_data_test_builds_the_same_table_as_the_counts()
    {
        // Samples reproducing the 2-layer table above (z = layer, x = row, y = column).
        var x = new List<int>(); var y = new List<int>(); var z = new List<int>();
        long[,,] t = { { { 10, 20 }, { 30, 40 } }, { { 5, 0 }, { 5, 10 } } };
        for (int w = 0; w < 2; w++) for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++)
            for (int k = 0; k < t[w, i, j]; k++) { x.Add(i); y.Add(j); z.Add(w * 7); } // codes need not be 0..k−1
        var test = new DiscreteIndependenceTest([x.ToArray(), y.ToArray(), z.ToArray()]);
        Assert.Equal(0.023989027752305353, test.PValue(0, 1, [2]), 10);
        // Unconditionally the layers add up to [[15, 20], [35, 50]].
        var marginal = DiscreteIndependenceTest.FromTable(new long[1, 2, 2] { { { 15, 20 }, { 35, 50 } } }, DiscreteStatistic.ChiSquare);
        Assert.Equal(marginal.PValue, test.PValue(0, 1, []), 12);
    }
}
