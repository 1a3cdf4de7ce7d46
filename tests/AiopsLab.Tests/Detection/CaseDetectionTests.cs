using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Evaluation;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>The case-level protocol on hand-built cases whose outcome is known by construction, and the CLI end to end.</summary>
public class CaseDetectionTests
{
    private static FaultCase Case(Func<int, double> latency, long inject = 1000 + 200)
    {
        var time = Enumerable.Range(0, 400).Select(i => 1000L + i).ToArray();
        var lat = Enumerable.Range(0, 400).Select(latency).ToArray();
        var cpu = Enumerable.Range(0, 400).Select(i => 5.0 + (i % 7) * 0.01).ToArray();
        var frame = new MetricFrame(time, ["front_latency", "carts_cpu"], [lat, cpu]);
        return new FaultCase("c/1", "hand", "sys", frame, new FaultLabel("carts", "cpu", inject), null, new DelimitedNaming())
        {
            Slis = ["front_latency"],
        };
    }

    private static double Wiggle(int i) => 10 + 0.1 * Math.Sin(i * 1.7) + 0.05 * Math.Cos(i * 0.31);

    // Known in-control parameters make the alarm rule exact: score = |x − 10| / 1 > 3.
    private static readonly IAnomalyDetector Rule = new EwmaDetector(new() { Lambda = 1, L = 3, Mean = 10, Sigma = 1 });

    [Fact]
    public void Alarm_after_the_inject_time_is_a_true_positive_with_its_delay()
    {
        var r = CaseDetection.Evaluate(Case(i => i >= 230 ? 20 : Wiggle(i)), Rule, "ewma", 3, DetectionSeries.Auto);
        Assert.Equal(DetectionOutcome.TruePositive, r.Outcome);
        Assert.Equal(1230, r.FirstAlarm);
        Assert.Equal(30, r.DelaySeconds);
        Assert.Equal("front_latency", r.AlarmColumn);
        Assert.Equal(1, r.Series);   // the SLI only
    }

    [Fact]
    public void Alarm_before_the_inject_time_is_a_false_positive_and_no_alarm_a_false_negative()
    {
        var fp = CaseDetection.Evaluate(Case(i => i == 80 || i >= 230 ? 20 : Wiggle(i)), Rule, "ewma", 3, DetectionSeries.Auto);
        Assert.Equal(DetectionOutcome.FalsePositive, fp.Outcome);
        Assert.Equal(1080, fp.FirstAlarm);
        Assert.Null(fp.DelaySeconds);
        var fn = CaseDetection.Evaluate(Case(Wiggle), Rule, "ewma", 3, DetectionSeries.Auto);
        Assert.Equal(DetectionOutcome.FalseNegative, fn.Outcome);
        // Watching every column instead of the SLI: carts_cpu sits at 5, far from the rule's 10, so it alarms at once.
        var all = CaseDetection.Evaluate(Case(Wiggle), Rule, "ewma", 3, DetectionSeries.All);
        Assert.Equal(DetectionOutcome.FalsePositive, all.Outcome);
        Assert.Equal("carts_cpu", all.AlarmColumn);
        Assert.Equal(1060, all.FirstAlarm);   // its first point after the warm-up of 60 = ⌊0.15·400⌋ points
    }

    [Fact]
    public void An_alarm_inside_the_probationary_warm_up_does_not_count_and_does_with_no_warm_up()
    {
        // 400 points: NAB's rule gives min(⌊0.15·400⌋, 750) = 60 warm-up points, whatever the label says.
        Assert.Equal(60, DetectorWarmup.Points(WarmupRule.Probation, 400));
        Assert.Equal(750, DetectorWarmup.Points(WarmupRule.Probation, 100_000));
        Assert.Equal(0, DetectorWarmup.Points(WarmupRule.None, 400));
        var c = Case(i => i == 59 || i >= 230 ? 20 : Wiggle(i));
        var warm = CaseDetection.Evaluate(c, Rule, "ewma", 3, DetectionSeries.Auto);
        Assert.Equal(DetectionOutcome.TruePositive, warm.Outcome);
        Assert.Equal(1230, warm.FirstAlarm);
        var none = CaseDetection.Evaluate(c, Rule, "ewma", 3, DetectionSeries.Auto, WarmupRule.None);
        Assert.Equal(DetectionOutcome.FalsePositive, none.Outcome);
        Assert.Equal(1059, none.FirstAlarm);
    }

    [Fact]
    public void A_detector_with_a_configurable_warm_up_calibrates_on_the_probationary_points()
    {
        // EWMA (λ = 1: the Shewhart chart) estimates its in-control mean and σ from its warm-up (Phase I). The level rises by 5 at
        // point 30 and stays; no fault follows. Calibrated on its own 20 points it has seen only the low level, so the rise alarms
        // at once; calibrated on the probationary 60 points (30 low, 30 high: mean 7.5, σ ≈ 2.5) the high level is in control.
        var c = Case(i => i < 30 ? Wiggle(i) - 5 : Wiggle(i));
        var ewma = new EwmaDetector(new() { Lambda = 1, L = 3, Warmup = 20 });
        var prepared = Assert.IsType<EwmaDetector>(DetectorWarmup.Prepare(ewma, 60));
        Assert.Equal(60, prepared.Warmup);
        Assert.Same(ewma, DetectorWarmup.Prepare(ewma, 0));
        Assert.Equal(DetectionOutcome.FalseNegative, CaseDetection.Evaluate(c, ewma, "ewma", 3, DetectionSeries.Auto).Outcome);
        var none = CaseDetection.Evaluate(c, ewma, "ewma", 3, DetectionSeries.Auto, WarmupRule.None);
        Assert.Equal((DetectionOutcome.FalsePositive, 1030L), (none.Outcome, none.FirstAlarm!.Value));
    }

    [Fact]
    public void Summary_counts_precision_recall_and_f1()
    {
        CaseDetectionRow Row(DetectionOutcome o, double? delay = null) => new("d", "c", "s", "f", "x", o, null, null, delay, 1, 0.01, null);
        var s = CaseDetection.Summarize([Row(DetectionOutcome.TruePositive, 10), Row(DetectionOutcome.TruePositive, 30), Row(DetectionOutcome.FalsePositive),
            Row(DetectionOutcome.FalseNegative), Row(DetectionOutcome.Failed)]).Single();
        Assert.Equal((2, 1, 1, 1), (s.Tp, s.Fp, s.Fn, s.Failed));
        Assert.Equal(2.0 / 3, s.Precision, 12);
        Assert.Equal(2.0 / 4, s.Recall, 12);           // failed runs are not scored
        Assert.Equal(2 * (2.0 / 3) * 0.5 / (2.0 / 3 + 0.5), s.F1, 12);
        Assert.Equal(20, s.MedianDelay);
    }

    [Fact]
    public void A_detector_without_a_default_threshold_needs_one()
    {
        var e = Assert.Throws<AiopsLabException>(() => CaseDetection.ThresholdOf(new NoThreshold(), "none", null));
        Assert.Contains("--threshold", e.Message);
        Assert.Equal(0.7, CaseDetection.ThresholdOf(new NoThreshold(), "none", 0.7));
    }

    private sealed class NoThreshold : IAnomalyDetector
    {
        public string Name => "none";
        public double[] Score(ReadOnlySpan<double> series) => new double[series.Length];
    }

    [Fact]
    public void Cli_detect_writes_consistent_rows_and_summary()
    {
        var dir = Path.Combine(Path.GetTempPath(), "aiopslab-detect-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, error) = CliRunner.Run("detect", "--dataset", "synthetic", "--detectors", "n-sigma,spot", "--out", dir, "--limit", "6", "-D", "cases=6");
            Assert.True(code == 0, error);
            var lines = File.ReadAllLines(Path.Combine(dir, "detection.csv"));
            Assert.Equal("dataset,case,system,fault,detector,outcome,first_alarm,alarm_column,delay_seconds,series,seconds,error", lines[0]);
            Assert.Equal(1 + 6 * 2, lines.Length);
            Assert.True(File.Exists(Path.Combine(dir, "detection-summary.md")));
            Assert.Contains("n-sigma", output);
            Assert.Contains("spot", output);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void Cli_detect_rejects_an_unknown_detector_before_any_work()
    {
        var dir = Path.Combine(Path.GetTempPath(), "aiopslab-detect-" + Guid.NewGuid().ToString("N"));
        var (code, _, error) = CliRunner.Run("detect", "--dataset", "synthetic", "--detectors", "no-such", "--out", dir);
        Assert.NotEqual(0, code);
        Assert.Contains("no-such", error);
        Assert.False(Directory.Exists(dir));
    }
}
