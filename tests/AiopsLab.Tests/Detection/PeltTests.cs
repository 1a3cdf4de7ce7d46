using AiopsLab.Detection;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using Xunit;
using AiopsLab.Catalog;

namespace AiopsLab.Tests.Detection;

/// <summary>PELT (Killick et al. 2012): exact optimality against brute force, and recovery of known change points.</summary>
public class PeltTests
{
    [Fact]
    public void Recovers_the_change_points_of_a_piecewise_constant_signal()
    {
        var rng = new Rng(1);
        var y = Enumerable.Range(0, 90).Select(i => (i < 30 ? 0.0 : i < 55 ? 5.0 : 2.0) + rng.NextNormal(0, 0.2)).ToArray();
        var cps = Pelt.ChangePoints(y, Pelt.PenaltyFor(y, PeltPenalty.Bic, 1));
        Assert.Equal([30, 55], cps);
    }

    /// <summary>Minimum penalised cost over every segmentation with segments of at least m points (exhaustive).</summary>
    private static double BruteForce(double[] y, double beta, int m)
    {
        int n = y.Length;
        double best = double.PositiveInfinity;
        // Each subset of the inner boundaries 1..n−1 is a segmentation.
        for (int mask = 0; mask < 1 << (n - 1); mask++)
        {
            var cps = new List<int>();
            for (int b = 1; b < n; b++) if ((mask >> (b - 1) & 1) == 1) cps.Add(b);
            int prev = 0; bool ok = true;
            foreach (var c in cps.Append(n)) { if (c - prev < m) { ok = false; break; } prev = c; }
            if (!ok) continue;
            best = Math.Min(best, Pelt.PenalisedCost(y, cps, beta));
        }
        return best;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Its_cost_equals_the_brute_force_optimum_on_small_inputs(int minSize)
    {
        var rng = new Rng(7 + (ulong)minSize);
        for (int trial = 0; trial < 60; trial++)
        {
            int n = rng.NextInt(2, 13);
            var y = Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextNormal(0, 2) + (rng.NextDouble() < 0.3 ? 4 : 0), 1)).ToArray();
            double beta = rng.Uniform(0, 6);
            var cps = Pelt.ChangePoints(y, beta, minSize);
            double cost = Pelt.PenalisedCost(y, cps, beta);
            if (n < 2 * minSize) { Assert.Empty(cps); continue; }
            Assert.Equal(BruteForce(y, beta, minSize), cost, 9);
            int prev = 0;
            foreach (var c in cps.Append(n)) { Assert.True(c - prev >= minSize); prev = c; }
        }
    }

    [Fact]
    public void As_a_detector_marks_change_points_and_skips_nan()
    {
        var det = MethodCatalog.CreateDetector("pelt");
        var y = Enumerable.Range(0, 60).Select(i => i < 30 ? 0.0 + 0.01 * (i % 3) : 4.0 + 0.01 * (i % 3)).ToArray();
        y[5] = double.NaN;
        var s = det.Score(y);
        Assert.Equal(y.Length, s.Length);
        // The score at the change point is the between-group sum of squares n₁n₂/n·δ² over the variance, computed here directly.
        var left = y.Take(30).Where(double.IsFinite).ToArray(); var right = y.Skip(30).ToArray(); var all = left.Concat(right).ToArray();
        double bss = left.Length * right.Length / (double)all.Length * Math.Pow(right.Average() - left.Average(), 2);
        double variance = all.Select(v => (v - all.Average()) * (v - all.Average())).Average();
        Assert.Equal(bss / variance, s[30], 9);
        Assert.Equal(s[30], s.Sum());
        Assert.Equal(0, s[5]);
        Assert.All(det.Score(new double[10]), v => Assert.Equal(0, v));
        Assert.All(det.Score([double.NaN, double.NaN]), v => Assert.Equal(0, v));
    }
}
