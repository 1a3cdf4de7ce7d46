using System.Numerics.Tensors;
using AiopsLab.Detection;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>
/// The speed paths of EXPoSE, NAB's Bayesian change point and SPOT's GPD refit against straightforward computations of the same
/// formulas, bit for bit (issue 14, item 5: a speed change must not change any output). The references are written out here
/// step by step, one array operation at a time, as the detectors computed them before the fast paths.
/// </summary>
public class FastPathIdentityTests
{
    /// <summary>Integer-valued random walk: many repeats (EXPoSE's cache hits) and well over 64 distinct values (evictions).</summary>
    private static double[] RepeatingWalk(int n, ulong seed)
    {
        var r = Rng.For(seed, "fast-path");
        var x = new double[n];
        double level = 0;
        for (int i = 0; i < n; i++)
        {
            level += Math.Round(3 * r.NextNormal());
            x[i] = i % 7 == 0 ? Math.Round(200 * r.NextDouble()) : level;
        }
        return x;
    }

    [Theory]
    [InlineData(512)]
    [InlineData(1001)]   // not a multiple of the vector width: the scalar tail runs too
    public void Expose_equals_the_plain_feature_map_mean_and_dot_product(int d)
    {
        var x = RepeatingWalk(3000, 1);
        var o = new Expose.Options { Components = d };
        var fast = new Expose(o).Score(x);
        // Reference: φ = √2/√D · cos(w·x + b) from numpy's stream (D normals, then D uniforms), μ = η·φ + (1 − η)·μ, s = 1 − ⟨φ, μ⟩.
        var rng = new Mt19937((uint)o.Seed);
        var w = new double[d]; var b = new double[d];
        for (int j = 0; j < d; j++) w[j] = Math.Sqrt(2 * o.Gamma) * rng.NextGaussian();
        for (int j = 0; j < d; j++) b[j] = 2 * Math.PI * rng.NextDouble();
        var phi = new double[d]; var tmp = new double[d]; var mu = new double[d];
        double scale = Math.Sqrt(2.0) / Math.Sqrt(d);
        for (int t = 0; t < x.Length; t++)
        {
            TensorPrimitives.Multiply(w, x[t], phi);
            TensorPrimitives.Add(phi, b, phi);
            TensorPrimitives.Cos(phi, phi);
            TensorPrimitives.Multiply(phi, scale, phi);
            if (t == 0) phi.CopyTo(mu, 0);
            else
            {
                TensorPrimitives.Multiply(phi, o.Decay, tmp);
                TensorPrimitives.Multiply(mu, 1 - o.Decay, mu);
                TensorPrimitives.Add(tmp, mu, mu);
            }
            double expected = (1 - TensorPrimitives.Dot(phi, mu) + 0.02) / 1.04;
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(fast[t]), $"point {t}: {fast[t]:R} vs {expected:R}");
        }
        Assert.True(x.Distinct().Count() > 2 * Expose.CachedValues, "the data must evict cache entries");
    }

    [Fact]
    public void Bayes_changepoint_equals_the_full_run_length_recursion()
    {
        // Level shifts of 10⁶ make the old runs' probabilities underflow to exactly 0, which the fast path skips.
        var r = Rng.For(3, "fast-path-bocpd");
        var x = Enumerable.Range(0, 2500).Select(i => (i / 400 % 2 == 0 ? 0.0 : 1e6) + r.NextNormal()).ToArray();
        var o = new BayesChangePoint.Options();
        var fast = new BayesChangePoint(o).Score(x);
        var expected = ReferenceBocpd(x, o);
        for (int t = 0; t < x.Length; t++)
            Assert.True(BitConverter.DoubleToInt64Bits(expected[t]) == BitConverter.DoubleToInt64Bits(fast[t]), $"point {t}: {fast[t]:R} vs {expected[t]:R}");
        Assert.True(fast.Count(s => s > 0.9) >= 5, "the level shifts must be detected");
    }

    /// <summary>Adams &amp; MacKay's Algorithm 1 with NAB's truncation and score, every run length on every step.</summary>
    private static double[] ReferenceBocpd(double[] x, BayesChangePoint.Options o)
    {
        int m = o.MaxRunLength + 1;
        var mu = new double[m]; var kappa = new double[m]; var alpha = new double[m]; var beta = new double[m];
        var prev = new double[m + 1]; var next = new double[m + 1];
        next[0] = 1; mu[0] = o.Mu; kappa[0] = o.Kappa; alpha[0] = o.Alpha; beta[0] = o.Beta;
        double h = 1 / o.Lambda;
        int prevMax = 1, sets = 1;
        var score = new double[x.Length];
        for (int t = 0; t < x.Length; t++)
        {
            (prev, next) = (next, prev);
            Array.Clear(next);
            double change = 0;
            for (int rl = 0; rl <= Math.Min(t, o.MaxRunLength); rl++)
            {
                double nu = 2 * alpha[rl];
                double nu0 = 2 * (o.Alpha + 0.5 * rl);   // the Student-t normaliser of run length rl, from α₀ + rl/2
                double logNorm = MathNet.Numerics.SpecialFunctions.GammaLn((nu0 + 1) / 2) - MathNet.Numerics.SpecialFunctions.GammaLn(nu0 / 2) - 0.5 * Math.Log(nu0 * Math.PI);
                double sc = Math.Sqrt(beta[rl] * (kappa[rl] + 1) / (alpha[rl] * kappa[rl]));
                double z = (x[t] - mu[rl]) / sc;
                double p = prev[rl] * (Math.Exp(logNorm - (nu + 1) / 2 * Math.Log(1 + z * z / nu)) / sc);
                next[rl + 1] = p * (1 - h);
                change += p * h;
            }
            next[0] = change;
            double total = 0;
            foreach (var v in next) total += v;
            int best = 0;
            for (int rl = 0; rl < next.Length; rl++) { next[rl] /= total; if (next[rl] > next[best]) best = rl; }
            for (int rl = Math.Min(sets, m - 1); rl >= 1; rl--)
            {
                double k = kappa[rl - 1], d = x[t] - mu[rl - 1];
                mu[rl] = (k * mu[rl - 1] + x[t]) / (k + 1);
                kappa[rl] = k + 1;
                alpha[rl] = alpha[rl - 1] + 0.5;
                beta[rl] = beta[rl - 1] + k * (d * d) / (2 * (k + 1));
            }
            mu[0] = o.Mu; kappa[0] = o.Kappa; alpha[0] = o.Alpha; beta[0] = o.Beta;
            sets = Math.Min(sets + 1, m);
            score[t] = best < prevMax ? 1 - (double)best / prevMax : 0;
            prevMax = best;
        }
        return score;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(1003)]
    public void Gpd_one_pass_sums_equal_separate_multiply_add_and_reciprocal(int n)
    {
        var r = Rng.For((ulong)n, "fast-path-gpd");
        var y = Enumerable.Range(0, n).Select(_ => -Math.Log(1 - r.NextDouble()) * 3.7).ToArray();
        foreach (var x in new[] { -0.2, 1e-7, 0.37, 12.5 })
        {
            var a = new double[n]; var b = new double[n];
            Gpd.OnePlusScaled(y, x, a, b);
            var ea = new double[n]; var eb = new double[n];
            TensorPrimitives.Multiply(y, x, ea);
            TensorPrimitives.Add(ea, 1.0, ea);
            TensorPrimitives.Reciprocal(ea, eb);
            Assert.Equal(ea.Select(BitConverter.DoubleToInt64Bits), a.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(eb.Select(BitConverter.DoubleToInt64Bits), b.Select(BitConverter.DoubleToInt64Bits));
        }
    }
}
