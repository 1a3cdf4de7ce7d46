using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
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
    [InlineData(512, 16)]
    [InlineData(1001, 16)]   // not a multiple of the vector width: the scalar tail runs too
    [InlineData(512, 8)]     // the Vector256 path (machines without AVX-512)
    [InlineData(1001, 8)]
    [InlineData(1001, 1)]    // the scalar loop
    public void Expose_is_within_its_single_precision_bound_of_the_double_precision_recursion(int d, int lanes)
    {
        var x = RepeatingWalk(3000, 1);
        // Large values too: beyond the half-turn limit (w·x + b formed as in the reference and reduced by π), and beyond the
        // reduction limit (.NET's exact vector cosine).
        for (int t = 2000; t < 2100; t++) x[t] = (t < 2040 ? 3e5 : t < 2070 ? 3e9 : 3e14) + 1e4 * (t % 13);
        var o = new Expose.Options { Components = d };
        var fast = new Expose(o) { Lanes = lanes }.Score(x);
        // Reference, all in double precision, one feature at a time: φ = √2/√D · cos(w·x + b) from numpy's stream (D normals,
        // then D uniforms), μ = η·φ + (1 − η)·μ, s = 1 − ⟨φ, μ⟩, score (s + 0.02)/1.04.
        var rng = new Mt19937((uint)o.Seed);
        var w = new double[d]; var b = new double[d];
        for (int j = 0; j < d; j++) w[j] = Math.Sqrt(2 * o.Gamma) * rng.NextGaussian();
        for (int j = 0; j < d; j++) b[j] = 2 * Math.PI * rng.NextDouble();
        var phi = new double[d]; var mu = new double[d];
        double scale = Math.Sqrt(2.0) / Math.Sqrt(d);
        double worst = 0;
        for (int t = 0; t < x.Length; t++)
        {
            double dot = 0;
            for (int j = 0; j < d; j++)
            {
                phi[j] = Math.Cos(w[j] * x[t] + b[j]) * scale;
                mu[j] = t == 0 ? phi[j] : o.Decay * phi[j] + (1 - o.Decay) * mu[j];
                dot += phi[j] * mu[j];
            }
            double expected = (1 - dot + 0.02) / 1.04;
            worst = Math.Max(worst, Math.Abs(expected - fast[t]));
        }
        double bound = ExposeBound(o.Decay);
        Assert.True(worst <= bound, $"max |fast − reference| = {worst:R} > {bound:R}");
        Assert.True(worst > 0, "the single-precision path must actually differ from the double reference (else this tests nothing)");
        Assert.True(x.Distinct().Count() > 2 * Expose.CachedValues, "the data must evict cache entries");
    }

    /// <summary>Unit roundoff of single precision, 2⁻²⁴.</summary>
    private const double U = 1.0 / (1 << 24);

    /// <summary>Bound on |φ̃ⱼ − φⱼ| / scale for a single-precision feature: the vector cosine's (tested below) and, looser
    /// than needed, the scalar tail's (float)(cos t · scaleₓ) (scale rounded to single precision, then the product: ≤ 1.5u).</summary>
    private const double PhiError = 4 * U;

    /// <summary>
    /// The derived bound on |Δscore| between <see cref="Expose"/> and the double-precision recursion. With s the exact scale,
    /// D·s² = 2, u = 2⁻²⁴ and |φ̃ − φ| ≤ ε_φ·s (ε_φ = <see cref="PhiError"/>):
    /// (1) μ̃ ← fl(μ̃ + η_f·fl(φ̃ − μ̃)) (one fused multiply-add) makes a local error ≤ u·|φ̃ − μ̃|·η + u·|μ̃| ≤ u·s·(1 + 2η);
    ///     the recursion damps old errors by (1 − η), so they add up to ≤ u·s·(1 + 2η)/η; the features' errors enter μ as a
    ///     convex combination (≤ ε_φ·s); and η rounded to single precision (|η_f − η| ≤ u·η/2) moves μ by ≤ 2|Δη|/η·s ≤ u·s
    ///     (|∂μ/∂η| ≤ Σₖ |(1 − η)ᵏ − kη(1 − η)ᵏ⁻¹|·s ≤ 2s/η). So |μ̃ − μ| ≤ s·(ε_φ + u + u(1 + 2η)/η) =: s·ε_μ.
    /// (2) |Σ φ̃μ̃ − Σ φμ| ≤ Σ |φ̃ − φ||μ̃| + |φ||μ̃ − μ| ≤ D·s²·(ε_φ + ε_μ) = 2(ε_φ + ε_μ) (to first order).
    /// (3) The dot product sums k ≤ <see cref="Expose.DotBlock"/>/8 = 32 fused products per lane in single precision
    ///     (≤ k·u·Σ|φ̃μ̃| ≤ 2k·u), the blocks in double precision (≤ 10⁻¹²).
    /// The score divides by 1.04; a factor 1.01 covers the second-order terms. About 280u/1.04 ≈ 1.6·10⁻⁵ at η = 0.01: the
    /// ε_f/η term of the decay dominates. Measured over NAB it is far smaller (docs/detection.md).
    /// </summary>
    private static double ExposeBound(double eta)
    {
        double muError = PhiError + U + U * (1 + 2 * eta) / eta;
        int k = Expose.DotBlock / 8;
        return 1.01 * (2 * (PhiError + muError) + 2 * k * U) / 1.04 + 1e-12;
    }

    [Fact]
    public void Expose_cosine_is_within_its_single_precision_bound_of_the_exact_cosine()
    {
        // Both vector widths against Math.Cos in double precision times the exact scale: CosScaled on arguments t up to 10¹⁶
        // (beyond the reduction limit .NET's exact vector cosine takes the vector), CosHalfTurns on t/π for |t| ≤ 2²⁰ (the
        // half-turn path's range; the rounding of t/π moves the argument by ≤ 2²⁰·2⁻⁵² ≈ 2·10⁻¹⁰, 0.004 u).
        var r = Rng.For(7, "fast-path-cos");
        const int d = 20000;
        double scale = Math.Sqrt(2.0) / Math.Sqrt(d);
        var t = new double[16]; var h = new double[16];
        double worstScaled = 0, worstHalf = 0;
        foreach (var range in new[] { 1.0, 10, 1e3, 1e6, Expose.HalfTurnLimit, 1e8, 1e12, 0.99 * Expose.CosReductionLimit, 1e16 })
            for (int i = 0; i < 20000; i++)
            {
                for (int k = 0; k < t.Length; k++) { t[k] = (2 * r.NextDouble() - 1) * range; h[k] = t[k] / Math.PI; }
                var v = Expose.CosScaled(Vector512.Create(t, 0), Vector512.Create(t, 8), (float)scale);
                var v0 = Expose.CosScaled(Vector256.Create(t, 0), Vector256.Create(t, 4), (float)scale);
                var v1 = Expose.CosScaled(Vector256.Create(t, 8), Vector256.Create(t, 12), (float)scale);
                var hv = Expose.CosHalfTurns(Vector512.Create(h, 0), Vector512.Create(h, 8), (float)scale);
                var hv0 = Expose.CosHalfTurns(Vector256.Create(h, 0), Vector256.Create(h, 4), (float)scale);
                var hv1 = Expose.CosHalfTurns(Vector256.Create(h, 8), Vector256.Create(h, 12), (float)scale);
                for (int k = 0; k < 16; k++)
                {
                    double exact = Math.Cos(t[k]) * scale;
                    worstScaled = Math.Max(worstScaled, Math.Max(Math.Abs(v[k] - exact), Math.Abs((k < 8 ? v0[k] : v1[k - 8]) - exact)) / scale);
                    if (range <= Expose.HalfTurnLimit)
                        worstHalf = Math.Max(worstHalf, Math.Max(Math.Abs(hv[k] - exact), Math.Abs((k < 8 ? hv0[k] : hv1[k - 8]) - exact)) / scale);
                }
            }
        Assert.True(worstScaled <= PhiError && worstHalf <= PhiError,
            $"max |cos error|: CosScaled {worstScaled / U:F3} u, CosHalfTurns {worstHalf / U:F3} u (bound {PhiError / U} u)");
        Assert.True(worstHalf > 0.5 * U, "the single-precision polynomial must be measurably inexact (else the reference is not independent)");
    }

    [Theory]
    [InlineData(500, false)]
    [InlineData(37, false)]    // not a multiple of the vector width: the scalar tails of the Vector512 passes run too
    [InlineData(500, true)]
    [InlineData(61, true)]
    public void Bayes_changepoint_equals_the_full_run_length_recursion(int maxRunLength, bool walk)
    {
        // Level shifts of 10⁶ make the old runs' probabilities underflow to exactly 0, which the fast path skips; the random
        // walk with small and large steps keeps every run length alive and moves the most probable one often.
        var r = Rng.For(3, "fast-path-bocpd");
        double level = 0;
        var x = Enumerable.Range(0, 2500).Select(i => walk
            ? (level += (i % 97 == 0 ? 40 : 0.3) * r.NextNormal()) + r.NextNormal()
            : (i / 400 % 2 == 0 ? 0.0 : 1e6) + r.NextNormal()).ToArray();
        var o = new BayesChangePoint.Options { MaxRunLength = maxRunLength };
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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(64)]
    [InlineData(1003)]
    public void Gpd_fused_reciprocal_and_log_equal_the_array_operations(int n)
    {
        var r = Rng.For((ulong)n, "fast-path-gpd-log");
        var y = Enumerable.Range(0, n).Select(_ => -Math.Log(1 - r.NextDouble()) * 3.7).ToArray();
        foreach (var x in new[] { -0.2, -1e-9, 1e-7, 0.37, 12.5, 3e5 })
        {
            var yy = x < 0 ? y.Select(v => Math.Min(v, 0.9 / -x)).ToArray() : y;
            var inv = new double[n]; var log = new double[n];
            Gpd.ReciprocalAndLog(yy, x, inv, log);
            // Reference: the arithmetic as the refit did it before, one array operation at a time.
            var ea = new double[n]; var eb = new double[n];
            TensorPrimitives.Multiply(yy, x, ea);
            TensorPrimitives.Add(ea, 1.0, ea);
            TensorPrimitives.Reciprocal(ea, eb);
            TensorPrimitives.Log<double>(ea, ea);
            Assert.Equal(eb.Select(BitConverter.DoubleToInt64Bits), inv.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(ea.Select(BitConverter.DoubleToInt64Bits), log.Select(BitConverter.DoubleToInt64Bits));
        }
    }
}
