using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Reporting;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Paper;

/// <summary>The detectors that drive end-to-end RCA in the robustness experiment: the rule that picks them from the case-level
/// detection table, their warm-up as anomaly-time sources, and the spec and table that carry them.</summary>
public class EndToEndDetectorsTests
{
    private static IEnumerable<CaseDetectionRow> Rows(string dataset, string detector, int tp, int fp, int fn, double delay = 10) =>
        Enumerable.Range(0, tp).Select(i => Row(dataset, detector, DetectionOutcome.TruePositive, delay + i))
            .Concat(Enumerable.Range(0, fp).Select(_ => Row(dataset, detector, DetectionOutcome.FalsePositive, null)))
            .Concat(Enumerable.Range(0, fn).Select(_ => Row(dataset, detector, DetectionOutcome.FalseNegative, null)));

    private static CaseDetectionRow Row(string dataset, string detector, DetectionOutcome o, double? delay) =>
        new(dataset, "c", "s", "f", detector, o, null, null, delay, 1, 0.01, null);

    [Fact]
    public void The_best_two_are_ranked_by_f1_pooled_over_the_datasets_without_bocpd()
    {
        // a: 6 TP, 4 FP, 0 FN on one dataset and 0/0/10 on the other: pooled P = 0.6, R = 0.3, F1 = 0.4 — though its F1 on the
        // first dataset alone (0.75) is the best there. b: 4/3/3 and 4/3/3: P = R = F1 = 4/7 ≈ 0.571. c: 3/7/0 twice: F1 = 0.3.
        // bocpd beats them all but is left out; z never alarms after the inject time (no TP) and is never picked.
        var rows = Rows("d1", "a", 6, 4, 0).Concat(Rows("d2", "a", 0, 0, 10))
            .Concat(Rows("d1", "b", 4, 3, 3)).Concat(Rows("d2", "b", 4, 3, 3))
            .Concat(Rows("d1", "c", 3, 7, 0)).Concat(Rows("d2", "c", 3, 7, 0))
            .Concat(Rows("d1", "bocpd", 10, 0, 0)).Concat(Rows("d2", "bocpd", 10, 0, 0))
            .Concat(Rows("d1", "z", 0, 0, 10)).ToList();
        Assert.Equal(["b", "a"], PaperReproduction.BestCaseDetectors(rows));
        Assert.Equal(["b", "a", "c"], PaperReproduction.BestCaseDetectors(rows, 5));
        // Equal F1 and recall: the shorter median delay first, then the name.
        var tie = Rows("d1", "slow", 5, 5, 0, delay: 60).Concat(Rows("d1", "fast", 5, 5, 0, delay: 5)).Concat(Rows("d1", "also-fast", 5, 5, 0, delay: 5)).ToList();
        Assert.Equal(["also-fast", "fast"], PaperReproduction.BestCaseDetectors(tie));
    }

    [Fact]
    public void The_case_level_table_runs_the_defaults_then_every_streaming_detector_with_its_own_threshold()
    {
        var specs = PaperReproduction.CaseDetectors("n-sigma,spot");
        Assert.Equal(["n-sigma", "spot"], specs.Take(2).Select(s => s.Spec));
        Assert.Equal(PaperReproduction.ExtraCaseDetectors.Select(x => x.Spec), specs.TakeLast(PaperReproduction.ExtraCaseDetectors.Length).Select(s => s.Spec));
        var own = specs.SkipLast(PaperReproduction.ExtraCaseDetectors.Length).ToList();
        Assert.Equal(own.Count, own.Select(s => s.Spec).Distinct().Count());
        Assert.All(own, s => Assert.Null(s.Threshold));
        Assert.All(own, s => Assert.IsAssignableFrom<IAlarmThreshold>(MethodCatalog.CreateDetector(s.Spec)));
        foreach (var d in new[] { "knncad", "context-ose", "relative-entropy", "robust-z" }) Assert.Contains(d, own.Select(s => s.Spec));
        Assert.DoesNotContain("expose", own.Select(s => s.Spec));   // no alarm threshold of its own
    }

    [Fact]
    public void First_alarm_learns_during_the_probationary_period_and_ignores_its_alarms()
    {
        // 400 points: a spike at point 20 (inside the 60-point warm-up) and a shift from point 300 on.
        var time = Enumerable.Range(0, 400).Select(i => 5000L + i).ToArray();
        var lat = Enumerable.Range(0, 400).Select(i => i == 20 ? 50.0 : i >= 300 ? 30 : 10 + 0.1 * Math.Sin(i * 1.7)).ToArray();
        var frame = new MetricFrame(time, ["front_latency"], [lat]);
        var warm = AnomalyTimeSources.Create("first-alarm(detector=robust-z)")!;
        Assert.Equal("first-alarm(detector=robust-z)", warm.Name);
        Assert.Equal(5300, warm.Detect(frame, new DelimitedNaming(), ["front_latency"], default));
        var none = AnomalyTimeSources.Create("first-alarm(detector=robust-z,warmup=none)")!;
        Assert.Equal(5020, none.Detect(frame, new DelimitedNaming(), ["front_latency"], default));
    }

    [Fact]
    public void The_robustness_spec_runs_two_first_alarm_detectors_beside_bocpd_and_the_table_names_them()
    {
        var spec = ExperimentSpec.Load(Path.Combine(TestData.RepoRoot, "experiments", "paper", "robustness.yaml"));
        Assert.Equal("label", spec.Detection[0]);
        Assert.Contains("bocpd", spec.Detection);
        var fa = spec.Detection.Where(d => d.StartsWith("first-alarm(", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, fa.Length);
        foreach (var d in fa) Assert.IsType<DetectorAlarmSource>(AnomalyTimeSources.Create(d));
        Assert.Equal("robust-z first alarm", PaperTables.DetectionLabel("first-alarm(detector=robust-z)"));
        Assert.Equal("first-alarm(detector=spot,threshold=2)", PaperTables.DetectionLabel("first-alarm(detector=spot,threshold=2)"));
        Assert.Equal("bocpd", PaperTables.DetectionLabel("bocpd"));
    }
}
