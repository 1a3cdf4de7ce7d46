using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Rca;
using Xunit;
using AiopsLab.Catalog;

namespace AiopsLab.Tests.Detection;

/// <summary>BOCPD (Adams &amp; MacKay 2007) and BARO's detector, checked against independent properties.</summary>
public class BocpdTests
{
    private static double[] Shifted(int n, int at, double shift, double sd, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(i => (i >= at ? shift : 0) + rng.NextNormal(0, sd)).ToArray();
    }

    [Fact]
    public void Places_the_change_point_at_a_known_mean_shift()
    {
        var x = Shifted(200, 120, 3, 0.3, 1);
        var r = Bocpd.Run([x], new BocpdOptions { Scaling = BocpdScaling.None });
        Assert.Contains(r.ChangePoints, c => Math.Abs(c - 120) <= 1);
        Assert.DoesNotContain(r.ChangePoints, c => c > 10 && Math.Abs(c - 120) > 3);
        // After the shift the MAP run length counts the rows since the shift.
        Assert.InRange(r.MapRunLength[199], 78, 81);
    }

    [Fact]
    public void Run_length_posterior_sums_to_one_and_its_zero_mass_is_the_hazard()
    {
        var x = Shifted(150, 70, 2, 0.5, 2);
        var o = new BocpdOptions { Scaling = BocpdScaling.None, Lambda = 40 };
        var r = Bocpd.Run([x], o, keepPosteriors: true);
        foreach (var p in r.Posteriors!)
        {
            Assert.Equal(1.0, p.Sum(), 9);
            // With a constant hazard, P(r_t = 0 | x_1..t) = H exactly (the change mass is H times the evidence).
            Assert.Equal(1 / o.Lambda, p[0], 6);
        }
    }

    [Fact]
    public void Pruning_changes_the_posterior_by_less_than_its_threshold_mass()
    {
        var cols = new[] { Shifted(300, 150, 1.5, 0.5, 3), Shifted(300, 150, 0, 0.5, 4) };
        var exact = Bocpd.Run(cols, new BocpdOptions { PruneBelow = 0 }, keepPosteriors: true);
        var pruned = Bocpd.Run(cols, new BocpdOptions(), keepPosteriors: true);
        Assert.Equal(exact.ChangePoints, pruned.ChangePoints);
        Assert.Equal(exact.MapRunLength, pruned.MapRunLength);
        for (int t = 0; t < 300; t++)
            for (int r = 0; r < pruned.Posteriors![t].Length; r++)
                Assert.True(Math.Abs(exact.Posteriors![t][r] - pruned.Posteriors[t][r]) < 1e-8, $"t={t} r={r}");
    }

    [Fact]
    public void Multivariate_detection_sees_a_shift_in_one_of_several_series()
    {
        var cols = new[] { Shifted(240, 100, 0, 1, 5), Shifted(240, 160, 4, 1, 6), Shifted(240, 100, 0, 1, 7) };
        var r = Bocpd.Run(cols, new BocpdOptions());
        Assert.Contains(r.ChangePoints, c => Math.Abs(c - 160) <= 2);
    }

    [Fact]
    public void As_a_detector_scores_every_point_and_skips_nan()
    {
        var det = MethodCatalog.CreateDetector("bocpd");
        var x = Shifted(120, 60, 5, 0.5, 8);
        x[10] = double.NaN; x[70] = double.NaN;
        var s = det.Score(x);
        Assert.Equal(x.Length, s.Length);
        Assert.Equal(0, s[10]);
        Assert.Equal(0, s[70]);
        Assert.All(s, v => Assert.True(double.IsFinite(v) && v >= 0 && v <= 1));
        // The score peaks right after the shift.
        int peak = Array.IndexOf(s, s.Max());
        Assert.InRange(peak, 60, 66);
        Assert.All(det.Score(new double[5]), v => Assert.Equal(0, v));
        Assert.Empty(det.Score([]));
    }

    [Fact]
    public void Baro_detector_watches_latency_and_error_kinds_from_the_naming()
    {
        int n = 200;
        var time = Enumerable.Range(0, n).Select(i => 1000L + i).ToArray();
        // cpu shifts early (not watched), latency shifts at 150 (watched).
        var frame = new MetricFrame(time, ["a_cpu", "a_lat_90", "b_error", "b_mem"],
            [Shifted(n, 50, 10, 0.2, 9), Shifted(n, 150, 3, 0.2, 10), Shifted(n, 150, 0, 0.2, 11), Shifted(n, 50, 8, 0.2, 12)]);
        var naming = new DelimitedNaming("_");
        Assert.Equal(["a_lat_90", "b_error"], BaroAnomalyDetector.WatchedColumns(frame, naming));
        var row = new BaroAnomalyDetector().DetectRow(frame, naming);
        Assert.NotNull(row);
        Assert.InRange(row!.Value, 148, 152);
        Assert.Equal(time[row.Value], new BaroAnomalyDetector().Detect(frame, naming, [], default));
    }
}
