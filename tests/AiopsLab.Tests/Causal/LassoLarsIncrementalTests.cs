using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Causal;

/// <summary>
/// The LARS-lasso path with an updated Cholesky factor (<see cref="LassoLars.Path(double[,], double[], double)"/>) against
/// <see cref="ReferenceLassoLars"/> (G_A refactorised at every step), and <see cref="NestedOls"/> against
/// <see cref="Ols.Fit(IReadOnlyList{double[]}, double[], bool)"/> run on each prefix.
/// </summary>
public class LassoLarsIncrementalTests
{
    [Theory]
    [InlineData(8, 60, 0.0, 1UL)]
    [InlineData(30, 200, 0.9, 2UL)]  // strongly correlated columns
    [InlineData(60, 80, 0.95, 3UL)] // coefficients cross zero: columns leave the path
    [InlineData(40, 41, 0.5, 4UL)]   // barely more rows than columns
    public void The_path_equals_the_reference_path_point_for_point(int p, int n, double correlation, ulong seed)
    {
        var (x, y) = Problem(p, n, correlation, seed);
        var expected = ReferenceLassoLars.Path(x, y);
        var actual = LassoLars.Path(x, y);
        Assert.Equal(expected.Count, actual.Count);
        double scale = expected[^1].Max(Math.Abs);
        for (int s = 0; s < expected.Count; s++)
            for (int j = 0; j < p; j++)
            {
                Assert.True((expected[s][j] != 0) == (actual[s][j] != 0), $"point {s}, column {j}: {actual[s][j]} vs {expected[s][j]}");
                Assert.True(Math.Abs(expected[s][j] - actual[s][j]) <= 1e-9 * scale, $"point {s}, column {j}: {actual[s][j]} vs {expected[s][j]}");
            }
        if (correlation >= 0.95)
        {
            // The lasso modification was exercised: some point has fewer non-zero coefficients than the one before it.
            Assert.Contains(Enumerable.Range(1, expected.Count - 1), s => expected[s].Count(v => v != 0) < expected[s - 1].Count(v => v != 0));
        }
    }

    [Theory]
    [InlineData(30, 200, 0.9, 5UL)]
    [InlineData(60, 80, 0.95, 6UL)]
    public void The_BIC_point_equals_the_reference(int p, int n, double correlation, ulong seed)
    {
        var (x, y) = Problem(p, n, correlation, seed);
        var expected = ReferenceLassoLars.FitBic(x, y);
        var actual = LassoLars.FitBic(x, y);
        for (int j = 0; j < p; j++)
        {
            Assert.True((expected[j] != 0) == (actual[j] != 0), $"column {j}: {actual[j]} vs {expected[j]}");
            Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-9 * Math.Max(1, Math.Abs(expected[j])), $"column {j}");
        }
        Assert.Contains(expected, v => v != 0);
        Assert.Contains(expected, v => v == 0);
    }

    [Fact]
    public void Deleting_a_row_and_column_gives_the_factor_of_the_smaller_matrix()
    {
        // Independent check: L·Lᵀ after each deletion equals G with that row and column removed.
        var rng = new Rng(7);
        int m = 9;
        var a = Enumerable.Range(0, m).Select(_ => Enumerable.Range(0, 2 * m).Select(_ => rng.NextNormal()).ToArray()).ToArray();
        double G(int i, int j) => a[i].Zip(a[j], (u, v) => u * v).Sum();
        var chol = new UpdatableCholesky(m);
        var members = new List<int>();
        for (int i = 0; i < m; i++)
        {
            Assert.True(chol.Append(members.Select(j => G(i, j)).ToArray(), G(i, i)));
            members.Add(i);
        }
        foreach (int position in new[] { 3, 0, 5, 2 })
        {
            chol.Delete(position);
            members.RemoveAt(position);
            // Solve G·x = e_k for each k and check G·x = e_k: the factor reproduces the reduced matrix.
            for (int k = 0; k < members.Count; k++)
            {
                var e = new double[members.Count];
                e[k] = 1;
                var x = new double[members.Count];
                chol.Solve(e, x);
                for (int i = 0; i < members.Count; i++)
                {
                    double s = 0;
                    for (int j = 0; j < members.Count; j++) s += G(members[i], members[j]) * x[j];
                    Assert.Equal(i == k ? 1 : 0, s, 9);
                }
            }
        }
    }

    [Fact]
    public void Each_nested_fit_is_bit_for_bit_the_least_squares_fit_of_its_prefix()
    {
        var rng = new Rng(9);
        int n = 20, p = 35; // more columns than rows from the 20th on
        var columns = Enumerable.Range(0, p).Select(_ => Enumerable.Range(0, n).Select(_ => rng.NextNormal() * 3 + 1).ToArray()).ToList();
        columns[4] = (double[])columns[1].Clone();                          // duplicate
        columns[6] = Enumerable.Repeat(2.5, n).ToArray();                    // constant
        columns[9] = columns[2].Zip(columns[3], (u, v) => u - 2 * v).ToArray(); // linear combination
        var nested = new NestedOls(columns);
        for (int k = 1; k < p; k++)
        {
            var expected = Ols.Fit(columns.Take(k).ToArray(), columns[k]);
            var actual = nested.Fit(k);
            Assert.Equal(expected.Coefficients, actual.Coefficients);
            Assert.Equal(expected.Used, actual.Used);
            Assert.Equal(expected.Intercept, actual.Intercept);
            Assert.Equal(expected.Rss, actual.Rss);
            Assert.Equal(expected.Rank, actual.Rank);
        }
        Assert.False(nested.Fit(5).Used[4]);
        Assert.False(nested.Fit(7).Used[6]);
        Assert.False(nested.Fit(10).Used[9]);
    }

    private static (double[][] X, double[] Y) Problem(int p, int n, double correlation, ulong seed)
    {
        var rng = new Rng(seed);
        var common = Enumerable.Range(0, n).Select(_ => rng.NextNormal()).ToArray();
        var x = Enumerable.Range(0, p).Select(_ => Enumerable.Range(0, n).Select(t => correlation * common[t] + Math.Sqrt(1 - correlation * correlation) * rng.NextNormal()).ToArray()).ToArray();
        var y = Enumerable.Range(0, n).Select(t => Enumerable.Range(0, p).Sum(j => (j % 3 == 0 ? 1.0 / (1 + j) : 0) * x[j][t]) + 0.5 * rng.NextNormal()).ToArray();
        foreach (var c in x.Append(y)) { double m = c.Average(); for (int t = 0; t < n; t++) c[t] -= m; }
        return (x, y);
    }
}
