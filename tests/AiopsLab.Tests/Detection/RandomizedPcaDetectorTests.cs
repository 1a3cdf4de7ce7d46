using AiopsLab.Detection;
using AiopsLab.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>The ML.NET randomized-PCA detector against an exact PCA (MathNet SVD) and the property it is built on.</summary>
public class RandomizedPcaDetectorTests
{
    private static double[] Normal(int n, ulong seed) { var r = Rng.For(seed, "rpca-tests"); return Enumerable.Range(0, n).Select(_ => r.NextNormal()).ToArray(); }

    /// <summary>
    /// The residual of each (centred) row after projecting on the top-k right singular vectors of the centred data, by an exact
    /// SVD — independent of ML.NET. Returned as ‖residual‖ and ‖centred row‖.
    /// </summary>
    private static (double Residual, double Norm)[] ExactResiduals(double[][] rows, int k)
    {
        int n = rows.Length, d = rows[0].Length;
        var mean = Enumerable.Range(0, d).Select(q => rows.Average(r => r[q])).ToArray();
        var x = Matrix<double>.Build.Dense(n, d, (i, q) => rows[i][q] - mean[q]);
        var v = x.Svd(computeVectors: true).VT.SubMatrix(0, k, 0, d);   // k × d
        return Enumerable.Range(0, n).Select(i =>
        {
            var row = x.Row(i);
            var resid = row - v.TransposeThisAndMultiply(v * row);
            return (resid.L2Norm(), row.L2Norm());
        }).ToArray();
    }

    [Fact]
    public void Scores_order_rows_as_the_exact_pca_residual_does()
    {
        // Rows near a 2-dimensional subspace of R^12 (a strong spectral gap), plus a few rows pushed off it.
        int n = 300, d = 12;
        var rng = Rng.For(7, "rpca-rows");
        var b1 = Enumerable.Range(0, d).Select(q => Math.Sin(q * 0.5)).ToArray();
        var b2 = Enumerable.Range(0, d).Select(q => Math.Cos(q * 0.5)).ToArray();
        var rows = Enumerable.Range(0, n).Select(i =>
        {
            double a = 5 * rng.NextNormal(), b = 5 * rng.NextNormal();
            var r = Enumerable.Range(0, d).Select(q => a * b1[q] + b * b2[q] + 0.05 * rng.NextNormal()).ToArray();
            if (i % 50 == 7) r[i % d] += 3;
            return r;
        }).ToArray();
        var exact = ExactResiduals(rows, 2);
        var windows = rows.Select(r => new RandomizedPcaDetector.Window { Features = r.Select(v => (float)v).ToArray() }).ToList();
        var ml = RandomizedPcaDetector.ReconstructionScores(windows, d, new() { Rank = 2, Seed = 1 });
        // ML.NET's score is the residual relative to the centred row's norm, to float and randomization precision, on every row.
        for (int i = 0; i < n; i++)
        {
            double ratio = exact[i].Residual / exact[i].Norm;
            Assert.InRange(ml[i], ratio * 0.98 - 1e-4, ratio * 1.02 + 1e-4);
        }
        // The pushed rows are the top six by the exact residual.
        var topExact = Enumerable.Range(0, n).OrderByDescending(i => exact[i].Residual).Take(6).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 6).Select(j => j * 50 + 7).ToArray(), topExact);
    }

    [Fact]
    public void Absolute_scores_are_the_relative_scores_times_the_centred_window_norm()
    {
        var noise = Normal(400, 11);
        var x = Enumerable.Range(0, 400).Select(i => 5 + 2 * Math.Sin(2 * Math.PI * i / 20) + 0.05 * noise[i]).ToArray();
        x[250] += 1.5;
        const int w = 10;
        var abs = new RandomizedPcaDetector(new() { Window = w, Rank = 2, Seed = 2 }).Score(x);
        var rel = new RandomizedPcaDetector(new() { Window = w, Rank = 2, Seed = 2, Relative = true }).Score(x);
        var windows = Enumerable.Range(0, x.Length - w + 1).Select(r => x[r..(r + w)]).ToArray();
        var mean = Enumerable.Range(0, w).Select(q => windows.Average(r => r[q])).ToArray();
        for (int r = 0; r < windows.Length; r++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, w).Sum(q => (windows[r][q] - mean[q]) * (windows[r][q] - mean[q])));
            Assert.Equal(rel[r + w - 1] * norm, abs[r + w - 1], 4);
        }
        Assert.InRange(Array.IndexOf(abs, abs.Max()), 250, 250 + w - 1);
    }

    [Fact]
    public void A_spike_in_a_low_rank_periodic_series_scores_highest_and_the_seed_is_honoured()
    {
        var noise = Normal(800, 3);
        var x = Enumerable.Range(0, 800).Select(i => 10 + 3 * Math.Sin(2 * Math.PI * i / 24) + 0.05 * noise[i]).ToArray();
        x[500] += 2;
        var det = new RandomizedPcaDetector(new() { Window = 24, Rank = 2, Seed = 5 });
        var s = det.Score(x);
        int top = Array.IndexOf(s, s.Max());
        Assert.InRange(top, 500, 500 + 23);   // a window containing the spike
        Assert.All(s.Take(23), v => Assert.Equal(0, v));
        Assert.Equal(s, new RandomizedPcaDetector(new() { Window = 24, Rank = 2, Seed = 5 }).Score(x));
    }

    [Fact]
    public void Bad_options_are_rejected_by_name()
    {
        Assert.Contains("rank", Assert.ThrowsAny<Exception>(() => new RandomizedPcaDetector(new() { Rank = 0 })).Message);
        Assert.Contains("window", Assert.ThrowsAny<Exception>(() => new RandomizedPcaDetector(new() { Window = 1 })).Message);
    }
}
