using AiopsLab.Catalog;
using AiopsLab.Detection;
using AiopsLab.Evaluation;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>
/// The graded scores NAB receives (<see cref="IGradedScore"/>) and the probationary warm-up (<see cref="IConfigurableWarmup"/>), checked
/// against hand-computed values and properties independent of each detector's code.
/// </summary>
public class GradedScoreTests
{
    public static TheoryData<string> Graded()
    {
        var d = new TheoryData<string>();
        foreach (var m in MethodCatalog.OfKind(MethodKind.Detector))
            if (MethodCatalog.CreateDetector(m.Name) is IGradedScore) d.Add(m.Name);
        return d;
    }

    [Fact]
    public void The_detectors_that_scored_the_null_score_on_NAB_all_grade_their_scores()
    {
        foreach (var name in new[] { "robust-z", "ewma", "spot", "dspot", "iid-changepoint", "ssa-changepoint", "n-sigma", "iid-spike", "ssa-spike" })
            Assert.True(MethodCatalog.CreateDetector(name) is IGradedScore, name);
    }

    [Theory, MemberData(nameof(Graded))]
    public void A_grade_is_in_the_unit_interval_zero_at_zero_and_non_decreasing(string name)
    {
        var g = (IGradedScore)MethodCatalog.CreateDetector(name);
        Assert.Equal(0, g.Grade(0));
        double prev = 0;
        foreach (var s in new[] { 1e-9, 0.01, 0.5, 1, 2, 3, 3.5, 4, 10, 100, 1e4, 1e6, 1e12, 1e15 })
        {
            // A bounded native score needs distinct grades only over its range: random-cut-forest's default depth score cannot
            // exceed log₂(256 + 1) ≈ 8.006 (a point cut off at the root of every tree).
            if (name == "random-cut-forest" && s > Math.Log2(257)) break;
            double v = g.Grade(s);
            Assert.InRange(v, 0, 1);
            Assert.True(v > prev, $"{name}: grade({s}) = {v} is not above the grade of a smaller score ({prev})");
            prev = v;
        }
    }

    [Theory, MemberData(nameof(Graded))]
    public void The_alarm_rule_on_the_native_score_is_a_threshold_on_the_grade(string name)
    {
        var det = MethodCatalog.CreateDetector(name);
        if (det is not IAlarmThreshold a) return;
        var g = (IGradedScore)det;
        // Strictly increasing grades: score > L exactly when grade > grade(L), so the alarm rule survives grading.
        Assert.True(g.Grade(a.AlarmThreshold * 1.001) > g.Grade(a.AlarmThreshold));
        Assert.True(g.Grade(a.AlarmThreshold * 0.999) < g.Grade(a.AlarmThreshold));
    }

    [Fact]
    public void Hand_computed_grades()
    {
        // p = 10⁻³: surprise s = 3, grade 3/4. z = 3σ: grade 3/4. A martingale at s = 10: log₁₀ s = 1, grade ½.
        Assert.Equal(0.75, new Spot().Grade(3), 12);
        Assert.Equal(0.75, new IidSpikeDetector().Grade(-Math.Log10(1e-3)), 12);
        Assert.Equal(0.75, new EwmaDetector().Grade(3), 12);
        Assert.Equal(0.5, new IidChangePointDetector().Grade(Math.Log10(10)), 12);
        // Below 1 a martingale value is no evidence against exchangeability: grade 0.
        Assert.Equal(0, new SsaChangePointDetector().Grade(Math.Log10(0.2)));
        // 1 − p would round to exactly 1 for both of these; the grade keeps them apart.
        Assert.True(new Spot().Grade(20) < new Spot().Grade(40));
        Assert.Equal(1.0, 1 - Math.Pow(10, -20));
    }

    [Fact]
    public void Ewma_graded_score_at_a_hand_computed_point()
    {
        // Known μ₀ = 0, σ = 1, λ = 0.2; x₁ = 3: z₁ = 0.6, limit factor √(0.2/1.8 · (1 − 0.8²)) = 0.2, statistic 3, grade 0.75.
        var det = new EwmaDetector(new() { Lambda = 0.2, Mean = 0, Sigma = 1 });
        var s = det.Score([3.0]);
        Assert.Equal(3, s[0], 12);
        Assert.Equal(0.75, det.Grade(s[0]), 12);
    }

    [Fact]
    public void Spot_graded_score_rises_with_the_excess_and_keeps_far_tails_apart()
    {
        var rng = Rng.For(3, "graded-spot");
        var calib = Enumerable.Range(0, 500).Select(_ => rng.NextNormal()).ToArray();
        var spot = new Spot(new SpotOptions { NInit = 500, Side = SpotSide.Upper });
        double prev = -1;
        foreach (var x in new[] { 2.2, 2.6, 3.0, 4.0, 6.0, 10.0, 40.0 })
        {
            // One state per probe, so each probe sees the same fitted tail.
            var s = spot.Score([.. calib, x])[^1];
            double g = spot.Grade(s);
            Assert.InRange(g, 0, 1);
            Assert.True(g >= prev, $"grade at {x} ({g}) below the grade of a smaller excess ({prev})");
            prev = g;
        }
        Assert.True(prev < 1, "a far tail must not saturate at 1");
    }

    [Fact]
    public void Robust_z_falls_back_to_the_mean_absolute_deviation_when_the_mad_is_zero()
    {
        // Window: eight 5s and two 7s. Median 5, MAD 0; mean |x − 5| = 0.4, scale √(π/2)·0.4; x = 9 scores 4/(0.4·1.2533).
        double[] w = [5, 5, 5, 7, 5, 5, 7, 5, 5, 5];
        var s = new RobustZDetector(new() { Window = 10, MinHistory = 10 }).Score([.. w, 9.0]);
        Assert.Equal(4 / (0.4 * Math.Sqrt(Math.PI / 2)), s[^1], 9);
    }

    [Fact]
    public void Nab_warm_up_is_the_probationary_period()
    {
        // NAB: min(⌊0.15·n⌋, 750). 1,000 points: 150; 10,000 points: 750.
        var spot = new Spot();
        var x = Enumerable.Range(0, 1000).Select(i => Math.Sin(i / 7.0) + (i == 600 ? 9 : 0)).ToArray();
        var viaNab = NabBenchmark.ForSeries(spot, x.Length).Score(x);
        Assert.Equal(new Spot(new SpotOptions { NInit = 150 }).Score(x), viaNab);
        Assert.All(viaNab.Take(150), v => Assert.Equal(0, v));
        Assert.True(viaNab[600] > 0);
        var ewma = (EwmaDetector)((IConfigurableWarmup)new EwmaDetector()).WithWarmup(750);
        Assert.Equal(750, ewma.Warmup);
        Assert.Equal(750, ((EwmaDetector)NabBenchmark.ForSeries(new EwmaDetector(), 10_000)).Warmup);
        // A detector without a configurable warm-up runs as it is.
        var ns = new NSigmaDetector();
        Assert.Same(ns, NabBenchmark.ForSeries(ns, 10_000));
    }

    [Fact]
    public void Nab_scores_are_bounded_by_the_detectors_own_grade()
    {
        double[][] scores = [[0, 3, 1e6], [0.5]];
        NabBenchmark.Bound(new EwmaDetector(), scores);
        Assert.Equal([0, 0.75, 1e6 / (1 + 1e6)], scores[0]);
        Assert.Equal(1.0 / 3, scores[1][0], 12);
    }

    [Fact]
    public void All_on_the_nab_command_line_is_every_registered_streaming_detector()
    {
        var all = NabBenchmark.ParseDetectors("all");
        var streaming = MethodCatalog.OfKind(MethodKind.Detector).Where(m => MethodCatalog.CreateDetector(m.Name) is IStreamingDetector).Select(m => m.Name);
        Assert.Equal(streaming.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.Contains("spot", all);
        Assert.DoesNotContain("pelt", all); // batch only
        // Named specs come after 'all' once each, and keep their options.
        Assert.Equal([.. all, "spot(q=0.001)"], NabBenchmark.ParseDetectors("all,spot,spot(q=0.001)"));
    }
}
