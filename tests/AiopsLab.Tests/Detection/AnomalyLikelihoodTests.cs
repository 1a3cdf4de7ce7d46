using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Evaluation;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>
/// Numenta's anomaly likelihood (Ahmad et al. 2017, §4.2) against textbook normal tail values and likelihoods worked by hand
/// on histories whose mean and variance are known in closed form.
/// </summary>
public class AnomalyLikelihoodTests
{
    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.959963984540054, 0.025)]   // the two-sided 95 % quantile
    [InlineData(3.090232306167813, 1e-3)]
    [InlineData(4.264890793922825, 1e-5)]    // the paper's ε
    [InlineData(-1.959963984540054, 0.975)]
    public void Q_is_the_standard_normal_tail(double z, double q) => Assert.Equal(q, AnomalyLikelihood.Q(z), 1e-12);

    [Fact]
    public void Log_scale_at_known_likelihoods()
    {
        Assert.Equal(1, AnomalyLikelihood.LogScale(1), 8);                        // 1 + 10⁻¹⁰ − 1 is 10⁻¹⁰ to 8 digits in doubles
        Assert.Equal(Math.Log10(2) / 10, AnomalyLikelihood.LogScale(0.5), 9);      // ln ½ / ln 10⁻¹⁰
        Assert.Equal(0.5, AnomalyLikelihood.LogScale(1 - 1e-5), 5);                 // ln 10⁻⁵ / ln 10⁻¹⁰
        Assert.Equal(0, AnomalyLikelihood.LogScale(0));                            // clamped, not −4·10⁻¹²
        Assert.True(AnomalyLikelihood.LogScale(0.999) < AnomalyLikelihood.LogScale(0.9999));
    }

    private static double[] Feed(AnomalyLikelihood l, IEnumerable<double> scores) => scores.Select(l.Update).ToArray();

    [Theory]
    [InlineData(LikelihoodForm.Nab)]
    [InlineData(LikelihoodForm.Paper)]
    public void Warm_up_and_a_constant_history_give_one_half(LikelihoodForm form)
    {
        var l = new AnomalyLikelihood(learningPeriod: 30, estimationSamples: 70, form: form);
        var out1 = Feed(l, Enumerable.Repeat(0.2, 500));
        // Reported ½ during learning + estimation; afterwards the short-term mean equals the history's mean: z = 0, L = 1 − Q(0) = ½.
        Assert.All(out1, v => Assert.Equal(0.5, v, 12));
    }

    [Fact]
    public void Nab_form_on_a_constant_history_uses_the_variance_floor()
    {
        // 100 scores of 0.1: every W′-average is 0.1, variance 0 → floored at 0.0003 (σ = 0.01732…). A score of 0.4 makes the
        // short-term mean (9·0.1 + 0.4)/10 = 0.13: z = 0.03/√0.0003 = √3, L = 1 − Q(√3) = 1 − 0.0416322583…
        var l = new AnomalyLikelihood(0, 100);
        Feed(l, Enumerable.Repeat(0.1, 100));
        Assert.Equal(1 - 0.04163225833, l.Update(0.4), 10);
        // Next 0.4: μ̃ = 0.16, z = 2√3, Q(2√3) = 2.6600…·10⁻⁴.
        Assert.Equal(1 - AnomalyLikelihood.Q(2 * Math.Sqrt(3)), l.Update(0.4), 12);
    }

    [Fact]
    public void Nab_form_keeps_only_the_first_red_point_of_a_run()
    {
        var l = new AnomalyLikelihood(0, 100);
        Feed(l, Enumerable.Repeat(0.1, 100));
        // μ̃ = 0.19: z = 0.09/√0.0003 = 3√3 ≈ 5.196, tail 1.02·10⁻⁷ ≤ 10⁻⁵ after a tail of ½: reported as it is.
        Assert.Equal(1 - AnomalyLikelihood.Q(3 * Math.Sqrt(3)), l.Update(1.0), 15);
        // μ̃ = 0.28: red again right after red → raised to 10⁻³.
        Assert.Equal(0.999, l.Update(1.0), 15);
    }

    [Fact]
    public void Nab_form_mirrors_a_fall_below_the_mean_paper_form_does_not()
    {
        var nab = new AnomalyLikelihood(0, 100);
        var paper = new AnomalyLikelihood(0, 100, form: LikelihoodForm.Paper);
        var history = Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? 0.0 : 0.2).ToArray();
        Feed(nab, history);
        Feed(paper, history);
        // Paper form: μ = 0.1, σ² = Σ(±0.1)²/99 = 1/99 (divisor W − 1). The last nine history scores hold five 0.2s; with a new
        // 1.0, μ̃ = (1.0 + 1.0)/10 = 0.2 and L = 1 − Q(0.1/σ).
        double sigma = Math.Sqrt(1.0 / 99);
        Assert.Equal(1 - AnomalyLikelihood.Q(0.1 / sigma), paper.Update(1.0), 12);
        // A fall. NAB form: a constant 0.5 history (σ floored at √0.0003), then 0: μ̃ = 0.45 is below μ, its tail is mirrored,
        // L = 1 − Q(0.05/√0.0003) ≈ 0.998. Paper form: the history 0.4/0.6 alternating (μ = 0.5, σ² = 1/99), then 0: μ̃ = (4.6 + 0)/10
        // = 0.46, one-sided L = 1 − Q(−0.04/σ) ≈ 0.345, below ½.
        var nab2 = new AnomalyLikelihood(0, 100);
        var paper2 = new AnomalyLikelihood(0, 100, form: LikelihoodForm.Paper);
        Feed(nab2, Enumerable.Repeat(0.5, 100));
        Feed(paper2, history.Select(v => v + 0.4));
        Assert.Equal(1 - AnomalyLikelihood.Q(0.05 / Math.Sqrt(0.0003)), nab2.Update(0), 12);
        Assert.Equal(1 - AnomalyLikelihood.Q(-0.04 / sigma), paper2.Update(0), 12);
        Assert.True(nab.Update(1.0) > 0.99, "the same rise is unlikely in the NAB form too");
    }

    [Fact]
    public void Paper_form_on_a_constant_history_alarms_on_any_rise()
    {
        var l = new AnomalyLikelihood(0, 50, form: LikelihoodForm.Paper);
        Feed(l, Enumerable.Repeat(0.3, 50));
        Assert.Equal(0.5, l.Update(0.3));
        Assert.Equal(1, l.Update(0.31));
    }

    [Fact]
    public void The_learning_period_is_left_out_of_the_estimate()
    {
        // Paper form: 50 learning scores of 1.0, then 100 alternating 0 / 0.2. Left out, the learning scores do not move the fit:
        // μ = 0.1, σ² = 1/99, and a new 1.0 gives μ̃ = 0.2 and L = 1 − Q(0.1/σ), as without any learning period. Were they in,
        // μ would be 0.4 and μ̃ = 0.2 below it: L = 1 − Q(negative) < ½.
        var l = new AnomalyLikelihood(50, 100, form: LikelihoodForm.Paper);
        Feed(l, Enumerable.Repeat(1.0, 50).Concat(Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? 0.0 : 0.2)));
        Assert.Equal(1 - AnomalyLikelihood.Q(0.1 / Math.Sqrt(1.0 / 99)), l.Update(1.0), 12);
    }

    [Fact]
    public void The_detector_follows_nab_s_probation_flags_a_transient_shift_and_skips_missing_points()
    {
        var rng = Rng.For(3, "likelihood");
        var x = Enumerable.Range(0, 2000).Select(_ => 10 + rng.NextNormal()).ToArray();
        for (int i = 1500; i < 1510; i++) x[i] += 6; // a transient shift of W′ points: the change the likelihood reports
        x[700] = double.NaN;
        var det = MethodCatalog.CreateDetector("likelihood(of=n-sigma)");
        var s = det.Score(x);
        int p = NabSeriesSetup.ProbationOf(x.Length); // 300: learning 150 + estimation 150, all at L = ½
        Assert.All(s.Take(p), v => Assert.Equal(AnomalyLikelihood.LogScale(0.5), v, 15));
        Assert.Equal(0, s[700]);
        Assert.Equal(s.Max(), s.Skip(1500).Take(12).Max());
        Assert.True(s.Skip(1500).Take(12).Max() > ((IAlarmThreshold)det).AlarmThreshold, "a +6σ shift of 10 points passes the paper's ε = 10⁻⁵");
        // The online state with the same learning and estimation gives the batch scores.
        var online = ((IStreamingDetector)MethodCatalog.CreateDetector($"likelihood(of=n-sigma,learning-period={p / 2},estimation-samples={p - p / 2})")).Start();
        var streamed = x.Select(v => double.IsNaN(v) ? 0 : online.Update(v)).ToArray();
        Assert.Equal(s, streamed);
    }

    [Fact]
    public void Bad_compositions_are_rejected_with_the_reason()
    {
        Assert.Contains("not a streaming detector", Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateDetector("likelihood(of=pelt)")).Message);
        Assert.Contains("another likelihood", Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateDetector("likelihood(of=likelihood)")).Message);
        Assert.Contains("learning-period", Assert.Throws<AiopsLabException>(() => ((IStreamingDetector)MethodCatalog.CreateDetector("likelihood")).Start()).Message);
        Assert.Contains("likelihood", NabBenchmark.StreamingDetectors());
    }

    [Fact]
    public void Spatial_rule_scores_one_beyond_the_widened_range_seen_so_far()
    {
        // Range after 0 and 10: [0, 10], tolerance 5 % → ±0.5. 10.4 stays inside (range [0, 10.4], ±0.52); 11 passes 10.92 (range
        // [0, 11]); −0.5 stays inside −0.55 (range [−0.5, 11], ±0.575); −1.2 passes −1.075; 3 is inside. The first point (no range
        // yet) and the second (a range of one value) are never spatial.
        double[] x = [0, 10, 5, 10.4, 11, -0.5, -1.2, 3];
        var inner = (IGradedScore)MethodCatalog.CreateDetector("n-sigma");
        var raw = MethodCatalog.CreateDetector("n-sigma").Score(x);
        var s = MethodCatalog.CreateDetector("spatial(of=n-sigma)").Score(x);
        int[] spatial = [4, 6];
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(spatial.Contains(i) ? 1 : inner.Grade(raw[i]), s[i], 15);
        Assert.Equal(s, MethodCatalog.CreateDetector("spatial(of=n-sigma,tolerance=0.05)").Score(x));
        Assert.Contains("tolerance", Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateDetector("spatial(tolerance=-1)")).Message);
        Assert.Contains("another spatial", Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateDetector("spatial(of=spatial)")).Message);
    }
}
