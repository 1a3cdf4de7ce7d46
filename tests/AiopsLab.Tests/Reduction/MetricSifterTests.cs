using AiopsLab.Data;
using AiopsLab.Numerics;
using AiopsLab.Rca;
using AiopsLab.Reduction;
using Xunit;
using AiopsLab.Methods;

namespace AiopsLab.Tests.Reduction;

/// <summary>MetricSifter (Tsubouchi &amp; Tsuruta 2024) on constructed data with a known answer.</summary>
public class MetricSifterTests
{
    /// <summary>
    /// The reference implementation's README example: 3 failure-related metrics shift at t = 60, one unrelated metric
    /// shifts at t = 20, 6 metrics stay flat; the sifter keeps exactly the 3 related ones.
    /// </summary>
    private static RcaProblem ReadmeExample(long anomalyAtRow)
    {
        var rng = new Rng(0);
        int n = 80;
        var names = new List<string>();
        var cols = new List<double[]>();
        for (int i = 0; i < 3; i++)
        {
            names.Add($"related{i}_m");
            cols.Add(Enumerable.Range(0, n).Select(t => (t < 60 ? 0 : 5) + rng.NextNormal(0, 0.1)).ToArray());
        }
        names.Add("unrelated_m");
        cols.Add(Enumerable.Range(0, n).Select(t => (t < 20 ? 0 : 3) + rng.NextNormal(0, 0.1)).ToArray());
        for (int i = 0; i < 6; i++)
        {
            names.Add($"flat{i}_m");
            cols.Add(Enumerable.Range(0, n).Select(_ => rng.NextNormal(0, 0.1)).ToArray());
        }
        var time = Enumerable.Range(0, n).Select(t => (long)t).ToArray();
        return new RcaProblem(new MetricFrame(time, names, cols), anomalyAtRow, null, new DelimitedNaming("_"));
    }

    [Fact]
    public void Keeps_the_metrics_that_change_together()
    {
        var expected = new[] { "related0_m", "related1_m", "related2_m" };
        Assert.Equal(expected, new MetricSifter().Reduce(ReadmeExample(0)));
        Assert.Equal(expected, new MetricSifter(new MetricSifter.Options { AfterAnomaly = true }).Reduce(ReadmeExample(60)));
    }

    [Fact]
    public void After_anomaly_prefers_the_fault_segment_over_a_denser_earlier_burst()
    {
        // Five metrics jump at 20 (a workload swing), two at 70 (the fault, anomaly time 70).
        var rng = new Rng(1);
        int n = 100;
        var names = new List<string>();
        var cols = new List<double[]>();
        for (int i = 0; i < 5; i++) { names.Add($"load{i}_m"); cols.Add(Enumerable.Range(0, n).Select(t => (t < 20 ? 0 : 4) + rng.NextNormal(0, 0.1)).ToArray()); }
        for (int i = 0; i < 2; i++) { names.Add($"fault{i}_m"); cols.Add(Enumerable.Range(0, n).Select(t => (t < 70 ? 0 : 4) + rng.NextNormal(0, 0.1)).ToArray()); }
        var p = new RcaProblem(new MetricFrame(Enumerable.Range(0, n).Select(t => (long)t).ToArray(), names, cols), 70, null, new DelimitedNaming("_"));
        Assert.Equal(["fault0_m", "fault1_m"], new MetricSifter(new MetricSifter.Options { AfterAnomaly = true }).Reduce(p));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"load{i}_m"), new MetricSifter().Reduce(p));
    }

    [Fact]
    public void Step_zero_drops_series_that_cannot_change()
    {
        Assert.False(MetricSifter.CanChange([1, 1, 1]));
        Assert.False(MetricSifter.CanChange([1, 2, 3, 4]));
        Assert.False(MetricSifter.CanChange([double.NaN, double.NaN]));
        Assert.True(MetricSifter.CanChange([1, 2, 1, 2]));
    }

    [Fact]
    public void Missing_runs_count_as_change_points_and_interior_gaps_are_interpolated()
    {
        double[] x = [0, 0, 0, 0, 0, 0, double.NaN, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9];
        var cps = MetricSifter.ChangePoints(x);
        Assert.Contains(6, cps);
        Assert.Contains(12, cps);
    }
}
