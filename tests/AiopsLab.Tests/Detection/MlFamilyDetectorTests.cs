using System.Numerics;
using AiopsLab.Detection;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>Spectral residual, the exchangeability martingales, and SSA forecasting against independent computations and properties.</summary>
public class MlFamilyDetectorTests
{
    private static double[] Normal(int n, ulong seed) { var r = Rng.For(seed, "ml-family"); return Enumerable.Range(0, n).Select(_ => r.NextNormal()).ToArray(); }

    /// <summary>Ren et al.'s saliency map computed with a naive O(n²) DFT, independently of the FFT path.</summary>
    private static double[] NaiveSaliency(double[] x)
    {
        int n = x.Length, m = 5;
        double g = 0;
        for (int i = 1; i <= m; i++) g += (x[n - 1] - x[n - 1 - i]) / i;
        g /= m;
        var ext = x.Concat(Enumerable.Repeat(x[n - m] + g * m, m)).ToArray();
        int len = ext.Length;
        Complex Dft(Complex[] v, int f, int sign) => Enumerable.Range(0, len).Aggregate(Complex.Zero, (acc, t) => acc + v[t] * Complex.FromPolarCoordinates(1, sign * 2 * Math.PI * f * t / len));
        var input = ext.Select(v => new Complex(v, 0)).ToArray();
        var spec = Enumerable.Range(0, len).Select(f => Dft(input, f, -1)).ToArray();
        var logA = spec.Select(c => Math.Log(Math.Max(c.Magnitude, 1e-8))).ToArray();
        var avg = Enumerable.Range(0, len).Select(f => logA.Skip(Math.Max(0, f - 2)).Take(Math.Min(3, f + 1)).Average()).ToArray();
        var resid = Enumerable.Range(0, len).Select(f => Complex.FromPolarCoordinates(Math.Exp(logA[f] - avg[f]), spec[f].Phase)).ToArray();
        return Enumerable.Range(0, n).Select(t => Dft(resid, t, +1).Magnitude / len).ToArray();
    }

    [Fact]
    public void Spectral_residual_saliency_matches_a_naive_dft()
    {
        var x = Enumerable.Range(0, 40).Select(i => Math.Sin(i * 0.7) + 0.1 * i).ToArray();
        x[23] += 4;
        var fast = SpectralResidual.Saliency(x);
        var slow = NaiveSaliency(x);
        for (int i = 0; i < x.Length; i++) Assert.Equal(slow[i], fast[i], 9);
    }

    [Fact]
    public void Spectral_residual_flags_a_spike_on_a_seasonal_series_and_flags_shrink_with_the_threshold()
    {
        var noise = Normal(600, 1);
        var x = Enumerable.Range(0, 600).Select(i => 10 + 3 * Math.Sin(2 * Math.PI * i / 24) + 0.2 * noise[i]).ToArray();
        x[411] += 6;
        var s = new SpectralResidual().Score(x);
        Assert.Equal(411, Array.IndexOf(s, s.Max()));
        int previous = int.MaxValue;
        foreach (var t in new[] { 0.1, 0.3, 0.6, 0.9 })
        {
            int flagged = new SpectralResidual(new() { Threshold = t }).IsAnomaly(x).Count(b => b);
            Assert.True(flagged <= previous);
            previous = flagged;
        }
        // Batches: a short tail joins the previous batch, and every point is scored.
        Assert.Equal(600, new SpectralResidual(new() { BatchSize = 295 }).Score(x).Length);
    }

    [Theory]
    [InlineData(MartingaleType.Power)]
    [InlineData(MartingaleType.Mixture)]
    public void Betting_functions_integrate_to_one_over_uniform_p_values(MartingaleType type)
    {
        // A test martingale needs E[β(p)] = 1 for p ~ U(0, 1) (Vovk et al. 2003). Midpoint rule on a log grid (β is singular at 0).
        double integral = 0;
        const int steps = 200_000;
        double lo = -690, hi = 0;   // u = ln p; below e^−690 the mixture's missing mass is 1/690
        for (int k = 0; k < steps; k++)
        {
            double u = lo + (hi - lo) * (k + 0.5) / steps;
            double p = Math.Exp(u);
            integral += Math.Exp(ExchangeabilityMartingale.LogBet(p, type, 0.1)) * p * (hi - lo) / steps;
        }
        Assert.Equal(1, integral, 2);
    }

    [Fact]
    public void Mixture_bet_is_the_integral_of_power_bets_over_epsilon()
    {
        foreach (var p in new[] { 1e-6, 0.01, 0.3, 0.5, 0.999999, 1.0 })
        {
            double integral = 0; const int steps = 100_000;
            for (int k = 0; k < steps; k++) { double e = (k + 0.5) / steps; integral += e * Math.Pow(p, e - 1) / steps; }
            Assert.Equal(1, ExchangeabilityMartingale.MixtureBet(p) / integral, 6);
        }
    }

    [Fact]
    public void Kernel_p_values_are_roughly_uniform_on_iid_data()
    {
        var x = Normal(20_000, 2);
        var h = new List<double>();
        var ps = new List<double>();
        for (int i = 0; i < x.Length; i++)
        {
            if (h.Count >= 200) ps.Add(ExchangeabilityMartingale.PValue(h.Skip(h.Count - 200).ToArray(), x[i], AnomalySide.Positive));
            h.Add(x[i]);
        }
        Assert.InRange(ps.Average(), 0.47, 0.53);
        Assert.InRange(ps.Count(p => p < 0.05) / (double)ps.Count, 0.035, 0.065);   // smoothing widens tails a little
    }

    [Fact]
    public void Change_point_martingale_stays_below_its_alert_on_iid_data_and_crosses_it_after_a_shift()
    {
        var det = new IidChangePointDetector();
        var iid = det.Score(Normal(5000, 3));
        Assert.True(iid.Count(v => v > det.AlarmThreshold) <= 5, "an exchangeable stream should almost never alert (Ville's inequality)");
        var x = Normal(1000, 4);
        for (int i = 600; i < x.Length; i++) x[i] += 4;
        var s = det.Score(x);
        Assert.True(s.Skip(600).Take(100).Max() > s.Skip(det.Warmup).Take(600 - det.Warmup).Max() + 3);
    }

    [Fact]
    public void Ssa_recurrence_forecasts_a_noiseless_sum_of_sinusoids()
    {
        // A sum of two sinusoids has SSA rank 4 and satisfies a linear recurrence exactly (Golyandina et al. 2001, §5.2).
        var x = Enumerable.Range(0, 300).Select(i => 2 * Math.Sin(2 * Math.PI * i / 17) + Math.Cos(2 * Math.PI * i / 7 + 0.3)).ToArray();
        var model = new SsaForecaster(x.AsSpan(0, 120), 30);
        Assert.Equal(4, model.Rank);
        for (int t = 150; t < 300; t++)
            Assert.Equal(x[t], model.Forecast(x.AsSpan(t - 29, 29)), 6);
    }

    [Fact]
    public void Ssa_spike_detector_finds_a_spike_on_a_seasonal_series()
    {
        var noise = Normal(500, 5);
        var x = Enumerable.Range(0, 500).Select(i => 5 * Math.Sin(2 * Math.PI * i / 12) + 0.3 * noise[i]).ToArray();
        x[420] += 3;   // 10σ of the noise, but within the seasonal range: invisible to a plain threshold on the value
        var det = new SsaSpikeDetector(new() { Ssa = new() { TrainingWindowSize = 120, SeasonalityWindowSize = 24 } });
        var s = det.Score(x);
        Assert.Equal(420, Array.IndexOf(s, s.Max()));
        var plain = new IidSpikeDetector().Score(x);
        Assert.NotEqual(420, Array.IndexOf(plain, plain.Max()));
    }
}
