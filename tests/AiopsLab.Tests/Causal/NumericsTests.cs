using AiopsLab.Causal;
using AiopsLab.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace AiopsLab.Tests.Causal;

public class CausalNumericsTests
{
    [Fact]
    public void Ols_fits_an_exact_linear_relation_and_drops_a_collinear_regressor()
    {
        var rng = new Rng(2);
        var x1 = Enumerable.Range(0, 50).Select(_ => rng.NextNormal()).ToArray();
        var x2 = Enumerable.Range(0, 50).Select(_ => rng.NextNormal()).ToArray();
        var x3 = x1.Select((v, i) => 2 * v - x2[i]).ToArray(); // in the span of x1, x2
        var y = x1.Select((v, i) => 1 + 2 * v - 3 * x2[i]).ToArray();
        var fit = Ols.Fit([x1, x2, x3], y);
        Assert.Equal(1, fit.Intercept, 9);
        Assert.Equal(2, fit.Coefficients[0], 9);
        Assert.Equal(-3, fit.Coefficients[1], 9);
        Assert.False(fit.Used[2]);
        Assert.Equal(3, fit.Rank);
        Assert.True(fit.Rss < 1e-18);
    }

    [Fact]
    public void Ols_residual_sum_of_squares_matches_a_QR_solution()
    {
        var rng = new Rng(5);
        int n = 80;
        var xs = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, n).Select(_ => rng.NextNormal() * 1e6).ToArray()).ToArray();
        var y = Enumerable.Range(0, n).Select(i => 0.5 * xs[0][i] - 1e-3 * xs[2][i] + rng.NextNormal()).ToArray();
        var a = Matrix<double>.Build.Dense(n, 4, (i, c) => c == 0 ? 1 : xs[c - 1][i]);
        var v = Vector<double>.Build.DenseOfArray(y);
        var r = v - a * a.QR().Solve(v);
        Assert.Equal(r.DotProduct(r), Ols.Fit(xs, y).Rss, 6);
    }

    [Fact]
    public void Every_point_of_the_LARS_lasso_path_satisfies_the_lasso_optimality_conditions()
    {
        // At a path point with penalty λ = max|c|: active coefficients have |cⱼ| = λ and sign(cⱼ) = sign(βⱼ), inactive
        // ones |cⱼ| ≤ λ, where c = Xᵀ(y − Xβ) (Efron et al. 2004, Lemma 1 / the lasso KKT conditions).
        var rng = new Rng(11);
        int n = 200, p = 6;
        var x = Enumerable.Range(0, p).Select(_ => Enumerable.Range(0, n).Select(_ => rng.NextNormal()).ToArray()).ToArray();
        for (int t = 0; t < n; t++) x[3][t] += 0.8 * x[1][t]; // some correlation
        var y = Enumerable.Range(0, n).Select(t => 2 * x[0][t] - x[1][t] + 0.5 * x[3][t] + rng.NextNormal()).ToArray();
        foreach (var c in x.Append(y)) { double m = c.Average(); for (int t = 0; t < n; t++) c[t] -= m; }
        var path = LassoLars.Path(x, y);
        Assert.True(path.Count >= p);
        foreach (var beta in path.Skip(1))
        {
            var c = new double[p];
            for (int j = 0; j < p; j++)
            {
                double s = 0;
                for (int t = 0; t < n; t++)
                {
                    double r = y[t];
                    for (int k = 0; k < p; k++) r -= beta[k] * x[k][t];
                    s += x[j][t] * r;
                }
                c[j] = s;
            }
            double lambda = c.Max(Math.Abs);
            for (int j = 0; j < p; j++)
            {
                if (beta[j] != 0)
                {
                    Assert.Equal(lambda, Math.Abs(c[j]), 6);
                    Assert.True(lambda < 1e-6 || Math.Sign(c[j]) == Math.Sign(beta[j]));
                }
                else Assert.True(Math.Abs(c[j]) <= lambda + 1e-6);
            }
        }
        // The last point is the least-squares fit.
        var ols = Ols.Fit(x, y, intercept: false);
        for (int j = 0; j < p; j++) Assert.Equal(ols.Coefficients[j], path[^1][j], 6);
    }

    [Fact]
    public void Kmeans_binning_separates_clear_clusters_and_keeps_a_constant_column_in_one_bin()
    {
        var rng = new Rng(3);
        var v = Enumerable.Range(0, 300).Select(i => (i % 3) * 100.0 + rng.NextNormal()).ToArray();
        var codes = KMeansDiscretizer.Bin(v, 3);
        for (int i = 0; i < v.Length; i++) Assert.Equal(i % 3, codes[i]);
        Assert.All(KMeansDiscretizer.Bin(Enumerable.Repeat(4.2, 20).ToArray(), 5), c => Assert.Equal(0, c));
        Assert.True(KMeansDiscretizer.Bin(v, 5).Max() <= 4);
    }

    [Fact]
    public void Shd_and_f1_on_hand_made_graphs()
    {
        string[] n = ["a", "b", "c", "d"];
        // Truth a → b → c, a → d.
        var truth = CausalGraph.FromArrows(n, [(0, 1), (1, 2), (0, 3)]);
        // Estimate: a → b (right), c → b (reversed), a − d (undirected), b − d (extra, undirected).
        var est = CausalGraph.FromArrows(n, [(0, 1), (2, 1), (0, 3), (3, 0), (1, 3), (3, 1)]);
        var m = GraphMetrics.Compare(truth, est);
        // SHD: reversed b–c (1) + undirected a–d (1) + extra b–d (1) = 3.
        Assert.Equal(3, m.Shd);
        // Skeleton: 3 of 4 estimated pairs are true, all 3 true pairs found.
        Assert.Equal(0.75, m.SkeletonPrecision, 12);
        Assert.Equal(1.0, m.SkeletonRecall, 12);
        // Arrows: estimated {a→b, c→b, a→d, d→a, b→d, d→b}; right: a→b, a→d → precision 2/6, recall 2/3.
        Assert.Equal(2.0 / 6, m.ArrowPrecision, 12);
        Assert.Equal(2.0 / 3, m.ArrowRecall, 12);
        Assert.Equal(2 * (1.0 / 3) * (2.0 / 3) / (1.0 / 3 + 2.0 / 3), m.ArrowF1, 12);
        // Identical graphs: SHD 0, F1 1; an empty estimate: SHD = number of true edges, F1 0.
        Assert.Equal(0, GraphMetrics.Compare(truth, truth).Shd);
        Assert.Equal(1, GraphMetrics.Compare(truth, truth).ArrowF1);
        var empty = new CausalGraph(n, new bool[4, 4]);
        Assert.Equal(3, GraphMetrics.Compare(truth, empty).Shd);
        Assert.Equal(0, GraphMetrics.Compare(truth, empty).SkeletonF1);
    }
}
