using AiopsLab.Evaluation;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Evaluation;

/// <summary>Detection metrics against brute-force definitions, hand-worked examples and the properties their papers state.</summary>
public class DetectionMetricsTests
{
    private static (bool[] Labels, double[] Scores) Random(int n, ulong seed)
    {
        var rng = Rng.For(seed, "metrics");
        var labels = new bool[n]; var scores = new double[n];
        for (int i = 0; i < n; i++) { labels[i] = rng.NextDouble() < 0.2; scores[i] = Math.Round(rng.NextNormal() + (labels[i] ? 1 : 0), 1); }
        return (labels, scores);
    }

    [Fact]
    public void Auc_roc_is_the_probability_that_a_positive_outscores_a_negative()
    {
        var (l, s) = Random(300, 1);   // rounded scores: many ties
        double wins = 0, pairs = 0;
        for (int i = 0; i < l.Length; i++)
            for (int j = 0; j < l.Length; j++)
                if (l[i] && !l[j]) { pairs++; wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0; }
        Assert.Equal(wins / pairs, DetectionMetrics.AucRoc(l, s), 12);
        Assert.True(double.IsNaN(DetectionMetrics.AucRoc([true, true], [1, 2])));
    }

    [Fact]
    public void Auc_pr_and_average_precision_on_a_hand_worked_example()
    {
        // Scores 0.9 (+), 0.8 (−), 0.7 (+), 0.1 (−): thresholds give (R, P) = (½, 1), (½, ½), (1, ⅔), (1, ½).
        bool[] l = [true, false, true, false];
        double[] s = [0.9, 0.8, 0.7, 0.1];
        // AP = ½·1 + 0 + ½·⅔ = 5/6. Trapezoid from (0, 1): ½·(1+1)/2 + 0 + ½·(½+⅔)/2 + 0 = ½ + 7/24.
        Assert.Equal(5.0 / 6, DetectionMetrics.AveragePrecision(l, s), 12);
        Assert.Equal(0.5 + 7.0 / 24, DetectionMetrics.AucPr(l, s), 12);
        // A perfect ranking scores 1 on both.
        Assert.Equal(1, DetectionMetrics.AucPr([true, true, false], [3, 2, 1]), 12);
        Assert.Equal(1, DetectionMetrics.AucRoc([true, true, false], [3, 2, 1]), 12);
    }

    [Fact]
    public void Point_point_adjusted_and_event_f1_on_a_hand_worked_example()
    {
        // Two events: [2..5] and [9..10]; alarms at 3 (inside event 1), 7 (false) and none in event 2.
        var l = new bool[12]; for (int i = 2; i <= 5; i++) l[i] = true; l[9] = l[10] = true;
        var p = new bool[12]; p[3] = p[7] = true;
        var point = DetectionMetrics.PointF1(l, p);
        Assert.Equal(0.5, point.Precision, 12);        // 1 of 2 alarms
        Assert.Equal(1.0 / 6, point.Recall, 12);        // 1 of 6 anomalous points
        var adjusted = DetectionMetrics.PointAdjustedF1(l, p);
        Assert.Equal(4.0 / 5, adjusted.Precision, 12);  // 4 adjusted true alarms + 1 false
        Assert.Equal(4.0 / 6, adjusted.Recall, 12);
        var ev = DetectionMetrics.EventF1(l, p);
        Assert.Equal(0.5, ev.Precision, 12);
        Assert.Equal(0.5, ev.Recall, 12);               // 1 of 2 events
        Assert.Equal(0.5, ev.F1, 12);
        Assert.Equal(new int?[] { 1, null }, DetectionMetrics.DetectionDelays(l, p));
    }

    [Fact]
    public void Range_auc_with_no_buffer_of_a_perfect_detector_is_one()
    {
        var l = new bool[200]; for (int i = 50; i < 60; i++) l[i] = true; for (int i = 150; i < 155; i++) l[i] = true;
        var s = l.Select(b => b ? 1.0 : 0.0).ToArray();
        var r = DetectionMetrics.RangeAuc(l, s, buffer: 0);
        Assert.Equal(1, r.Roc, 12);
        Assert.Equal(1, r.Pr, 12);
    }

    [Fact]
    public void Vus_depends_only_on_the_order_of_scores()
    {
        var (l, s) = Random(400, 2);
        var warped = s.Select(v => Math.Exp(3 * v) - 7).ToArray();   // strictly increasing transform
        var a = DetectionMetrics.Vus(l, s, 20);
        var b = DetectionMetrics.Vus(l, warped, 20);
        Assert.Equal(a.Roc, b.Roc, 12);
        Assert.Equal(a.Pr, b.Pr, 12);
    }

    [Fact]
    public void Vus_forgives_a_small_lag_that_point_auc_punishes()
    {
        // The paper's motivating property (Paparrizos et al. 2022, §3): a detector whose scores trail the anomaly by a few points.
        var rng = Rng.For(3, "lag");
        int n = 2000;
        var l = new bool[n];
        foreach (int start in new[] { 300, 900, 1500 }) for (int i = start; i < start + 20; i++) l[i] = true;
        var s = new double[n];
        for (int i = 0; i < n; i++) s[i] = 0.1 * rng.NextDouble();
        for (int i = 0; i < n; i++) if (l[i] && i + 15 < n) s[i + 15] += 1;   // lagged by 15 points
        double auc = DetectionMetrics.AucRoc(l, s);
        var vus = DetectionMetrics.Vus(l, s, 40);
        Assert.True(vus.Roc > auc + 0.05, $"VUS-ROC {vus.Roc} should exceed AUC-ROC {auc} for a lagged detector.");
        Assert.True(vus.Pr > DetectionMetrics.AucPr(l, s) + 0.05);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => DetectionMetrics.AucRoc([true], [1, 2]));
        Assert.Throws<ArgumentException>(() => DetectionMetrics.PointF1([true], [true, false]));
    }
}
