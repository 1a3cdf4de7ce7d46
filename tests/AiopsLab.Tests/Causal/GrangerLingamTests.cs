using AiopsLab.Causal;
using AiopsLab.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace AiopsLab.Tests.Causal;

public class GrangerLingamTests
{
    /// <summary>x is AR(1); y(t) = 0.6·x(t−1) + noise.</summary>
    private static (double[] X, double[] Y) Lagged(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new double[n];
        var y = new double[n];
        for (int t = 1; t < n; t++)
        {
            x[t] = 0.5 * x[t - 1] + rng.NextNormal();
            y[t] = 0.6 * x[t - 1] + rng.NextNormal();
        }
        return (x, y);
    }

    [Fact]
    public void Granger_detects_a_lagged_dependency_and_not_its_reverse()
    {
        var (x, y) = Lagged(500, 3);
        Assert.True(Granger.PValue(y, x, 1) < 1e-10);
        Assert.True(Granger.PValue(x, y, 1) > 0.05);
        var g = Granger.Run([x, y], ["x", "y"], new GrangerOptions { MaxLag = 3 });
        Assert.True(g.IsDirected(0, 1));
    }

    [Fact]
    public void The_Granger_F_statistic_matches_an_independent_least_squares_computation()
    {
        // Restricted and unrestricted regressions fitted here by MathNet's QR solver, then Hamilton's eq. 11.2.6.
        var (x, y) = Lagged(300, 9);
        int lag = 2, n = y.Length, rows = n - lag;
        Matrix<double> Design(bool withX) => Matrix<double>.Build.Dense(rows, withX ? 1 + 2 * lag : 1 + lag, (t, c) =>
            c == 0 ? 1 : c <= lag ? y[t + lag - c] : x[t + lag - (c - lag)]);
        var target = Vector<double>.Build.Dense(rows, t => y[t + lag]);
        double Rss(Matrix<double> a) { var b = a.QR().Solve(target); var r = target - a * b; return r.DotProduct(r); }
        double rssR = Rss(Design(false)), rssU = Rss(Design(true));
        int df2 = rows - (1 + 2 * lag);
        double f = (rssR - rssU) / lag / (rssU / df2);
        double expected = MathNet.Numerics.Distributions.FisherSnedecor.CDF(lag, df2, f);
        Assert.Equal(1 - expected, Granger.PValue(y, x, lag), 9);
    }

    [Fact]
    public void DirectLiNGAM_recovers_the_causal_order_of_a_non_gaussian_linear_model()
    {
        foreach (ulong seed in new ulong[] { 1, 2, 3 })
        {
            var d = SemSimulator.Linear(6, 0.5, 3000, new Rng(seed), SemNoise.Uniform, 0.6, 1.2);
            var r = DirectLingam.Run(d.Columns, d.Names);
            var position = new int[6];
            for (int k = 0; k < 6; k++) position[r.CausalOrder[k]] = k;
            // The estimated order is consistent with every true edge (a cause comes before its effect)...
            foreach (var (from, to) in d.Truth.Arrows) Assert.True(position[from] < position[to], $"seed {seed}: {d.Names[from]} -> {d.Names[to]} is against the order.");
            // ...and the pruned graph is the true DAG.
            Assert.Equal(d.Truth.Arrows, r.Graph.Arrows);
        }
    }

    [Fact]
    public void The_entropy_approximation_is_maximal_for_a_gaussian()
    {
        // The approximation equals the Gaussian entropy (1 + ln 2π)/2 = 1.4189385 for a Gaussian sample and is lower otherwise.
        var rng = new Rng(4);
        var gauss = Enumerable.Range(0, 200_000).Select(_ => rng.NextNormal()).ToArray();
        var uniform = Enumerable.Range(0, 200_000).Select(_ => rng.Uniform(-Math.Sqrt(3), Math.Sqrt(3))).ToArray();
        Assert.Equal((1 + Math.Log(2 * Math.PI)) / 2, DirectLingam.Entropy(gauss), 2);
        Assert.True(DirectLingam.Entropy(uniform) < DirectLingam.Entropy(gauss) - 0.01);
    }

    [Fact]
    public void One_and_two_threads_give_the_same_Granger_and_LiNGAM_graphs()
    {
        var d = SemSimulator.Linear(12, 0.3, 400, new Rng(6), SemNoise.Laplace);
        Assert.Equal(Granger.Run(d.Columns, d.Names, new GrangerOptions { Parallelism = 1 }).Arrows,
                     Granger.Run(d.Columns, d.Names, new GrangerOptions { Parallelism = 2 }).Arrows);
        var a = DirectLingam.Run(d.Columns, d.Names, new DirectLingamOptions { Parallelism = 1 });
        var b = DirectLingam.Run(d.Columns, d.Names, new DirectLingamOptions { Parallelism = 2 });
        Assert.Equal(a.CausalOrder, b.CausalOrder);
        Assert.Equal(a.Graph.Arrows, b.Graph.Arrows);
    }
}
