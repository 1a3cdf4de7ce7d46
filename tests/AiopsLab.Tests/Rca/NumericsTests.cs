using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Rca;

/// <summary>Numerics helpers used by the statistical RCA methods, against textbook values.</summary>
public class NumericsTests
{
    [Fact]
    public void Student_t_density_matches_textbook_values()
    {
        // ν = 1 is the Cauchy distribution: f(0) = 1/π, f(1) = 1/(2π).
        Assert.Equal(Math.Log(1 / Math.PI), StudentT.LogPdf(0, 1, 0, 1), 12);
        Assert.Equal(Math.Log(1 / (2 * Math.PI)), StudentT.LogPdf(1, 1, 0, 1), 12);
        // ν = 3 at 0: Γ(2)/(√(3π)·Γ(3/2)) = 2/(π√3) = 0.3675525969...
        Assert.Equal(0.36755259694786135, Math.Exp(StudentT.LogPdf(0, 3, 0, 1)), 12);
        // Location-scale: f(x | μ, σ²) = f((x−μ)/σ | 0, 1)/σ.
        Assert.Equal(StudentT.LogPdf(0.7, 5, 0, 1) - Math.Log(2), StudentT.LogPdf(3 + 2 * 0.7, 5, 3, 4), 12);
    }

    [Fact]
    public void Multivariate_t_density_matches_closed_forms()
    {
        // d = 2, Σ = I, ν = 2, at the mode: Γ(2)/(Γ(1)·2π) = 1/(2π).
        Assert.Equal(Math.Log(1 / (2 * Math.PI)), StudentT.LogPdfMultivariate(2, 2, 0, 0), 12);
        // d = 1 reduces to the univariate density (Σ = σ², δ = (x−μ)²/σ²).
        double x = 1.3, mu = 0.2, s2 = 2.5, nu = 4;
        Assert.Equal(StudentT.LogPdf(x, nu, mu, s2), StudentT.LogPdfMultivariate(1, nu, Math.Log(s2), (x - mu) * (x - mu) / s2), 12);
    }

    [Fact]
    public void Cholesky_rank_one_update_equals_refactoring()
    {
        var rng = new Rng(3);
        int d = 4;
        var b = new double[d * d];
        for (int i = 0; i < b.Length; i++) b[i] = rng.NextNormal();
        var a = new double[d * d]; // A = BBᵀ + I
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double s = i == j ? 1 : 0;
                for (int k = 0; k < d; k++) s += b[i * d + k] * b[j * d + k];
                a[i * d + j] = s;
            }
        var x = Enumerable.Range(0, d).Select(_ => rng.NextNormal()).ToArray();
        var l = (double[])a.Clone();
        Assert.True(Cholesky.Decompose(l, d));
        Cholesky.RankOneUpdate(l, d, (double[])x.Clone());
        var direct = new double[d * d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) direct[i * d + j] = a[i * d + j] + x[i] * x[j];
        Assert.True(Cholesky.Decompose(direct, d));
        for (int i = 0; i < l.Length; i++) Assert.Equal(direct[i], l[i], 10);
        // x ᵀ A⁻¹ x through the factor equals the value from solving with the refactored matrix.
        var w = new double[d];
        double q = Cholesky.SolveNormSquared(l, d, x, w);
        Assert.True(q > 0 && q < 1); // for A' = A + xxᵀ, xᵀA'⁻¹x = xᵀA⁻¹x/(1 + xᵀA⁻¹x) < 1 (Sherman–Morrison)
    }

    [Fact]
    public void Quantiles_follow_definition_7()
    {
        double[] s = [1, 2, 3, 4, 5];
        Assert.Equal(3, Stats.QuantileSorted(s, 0.5));
        Assert.Equal(2, Stats.IqrSorted(s));
        Assert.Equal(1.3, Stats.QuantileSorted(s, 0.075), 12); // h = 0.3
        Assert.Equal(2.5, Stats.Median([4, 1, double.NaN, 3, 2]));
        Assert.True(Stats.IsConstant([2, double.NaN, 2]));
        Assert.Equal([0, 1, 1, 3], Stats.ForwardFill([double.NaN, 1, double.NaN, 3]));
    }

    [Fact]
    public void Gaussian_kde_integrates_to_one_and_has_minima_between_clusters()
    {
        double[] pts = [10, 11, 12, 40, 41, 90];
        var grid = Enumerable.Range(0, 2001).Select(i => -50 + i * 0.1).ToArray();
        var f = Kde.Gaussian(pts, 2.5, grid);
        double integral = 0;
        for (int i = 1; i < f.Length; i++) integral += 0.5 * (f[i] + f[i - 1]) * 0.1;
        Assert.Equal(1.0, integral, 6);
        var coarse = Kde.Gaussian(pts, 2.5, Enumerable.Range(0, 100).Select(i => (double)i).ToArray());
        var mins = Kde.StrictLocalMinima(coarse);
        Assert.Equal(2, mins.Length);
        Assert.InRange(mins[0], 13, 39);
        Assert.InRange(mins[1], 42, 89);
    }
}
