using AiopsLab.Detection;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>SPOT's score against the true tail of a known distribution, and the learn-alarms mode on a lasting level shift.</summary>
public class SpotTailTests
{
    private static double[] Exponential(int n, ulong seed)
    {
        var r = Rng.For(seed, "spot-tail");
        return Enumerable.Range(0, n).Select(_ => -Math.Log(1 - r.NextDouble())).ToArray();
    }

    [Fact]
    public void Score_is_the_true_tail_probability_of_an_exponential_stream()
    {
        // Exp(1): P(X > x) = e^{−x} exactly, so the score −log₁₀ p of a probe x is x / ln 10. SPOT estimates p from 400 peaks
        // over the 98 % quantile of 20,000 calibration points (GPD with γ = 0, σ = 1 in truth); ±0.35 covers the fit's error
        // (σ̂ and γ̂ within about ±5 % at 400 peaks, over the 6–8 units from t ≈ 3.9 to the probes).
        var calib = Exponential(20_000, 1);
        var det = new Spot(new SpotOptions { NInit = calib.Length, Side = SpotSide.Upper, Q = 1e-6 });
        foreach (var probe in new[] { 6.0, 9.0, 12.0 })
        {
            var s = det.Score([.. calib, probe]);
            Assert.InRange(s[^1], probe / Math.Log(10) - 0.35, probe / Math.Log(10) + 0.35);
        }
        // Below the peak threshold t = ln 50 ≈ 3.9 the tail is not modelled: score 0.
        Assert.Equal(0, det.Score([.. calib, 2.0])[^1]);
    }

    [Fact]
    public void Learning_alarms_changes_nothing_before_the_first_alarm_and_follows_a_level_shift()
    {
        var r = Rng.For(2, "spot-shift");
        var x = Enumerable.Range(0, 4000).Select(i => r.NextNormal() + (i >= 2500 ? 10 : 0)).ToArray();
        var o = new SpotOptions { NInit = 1000, Q = 1e-4 };
        var paper = new Spot(o);
        var learn = new Spot(o with { LearnAlarms = true });
        var a = paper.Score(x);
        var b = learn.Score(x);
        double alarm = paper.AlarmThreshold;
        int first = Array.FindIndex(a, v => v > alarm);
        Assert.True(first >= 1000);
        Assert.Equal(a.Take(first + 1), b.Take(first + 1));
        // The paper's Algorithm 1 never learns an alarm: every point after the shift alarms, to the end.
        Assert.All(a.Skip(2500), v => Assert.True(v > alarm));
        // Learning alarms, the new level's values become peaks and the tail follows them: the last 500 points rarely alarm.
        Assert.True(b.Skip(3500).Count(v => v > alarm) < 50, $"{b.Skip(3500).Count(v => v > alarm)} alarms in the last 500 points");
    }
}
