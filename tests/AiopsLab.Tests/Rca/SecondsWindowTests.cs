using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Numerics;
using AiopsLab.Rca;
using AiopsLab.Preparation;
using Xunit;

namespace AiopsLab.Tests.Rca;

/// <summary>
/// Windows given in seconds select the same time span at 1 s, 60 s and 300 s sampling. The generated case covers
/// t − 7200 s .. t + 7200 s: x alternates 0/1 but for a loud stretch (0/50) more than an hour before t and +8 from t;
/// y alternates 0/1 but for +20 from t + 3600 s. So a window of ±3600 s sees x's shift and nothing of y's. BARO's
/// detector (<c>bocpd(lambda-seconds=)</c>) runs on a step series.
/// </summary>
public class SecondsWindowTests
{
    private const long T = 1_000_000;

    private static AiopsLab.Methods.RcaProblem Case(long interval)
    {
        int n = (int)(14400 / interval);
        var time = Enumerable.Range(0, n).Select(i => T - 7200 + i * interval).ToArray();
        var x = time.Select((t, i) => (t < T - 3600 ? 50.0 : 1.0) * (i % 2) + (t >= T ? 8 : 0)).ToArray();
        var y = time.Select((t, i) => (i % 2) + (t >= T + 3600 ? 20.0 : 0)).ToArray();
        return new AiopsLab.Methods.RcaProblem(new MetricFrame(time, ["x_cpu", "y_cpu"], [x, y]), T, null, new DelimitedNaming("_")) { Seed = 7 };
    }

    public static TheoryData<long> Intervals => [1, 60, 300];

    [Theory, MemberData(nameof(Intervals))]
    public void A_window_in_seconds_keeps_the_same_time_span_at_every_interval(long interval)
    {
        var p = Case(interval);
        Assert.Equal(interval, WindowRecipe.SamplingInterval(p.Metrics));
        var w = PreparedWindow.Of(p, WindowRecipe.Graph(0) with { BeforeSeconds = 3600, AfterSeconds = 3600 });
        Assert.Equal((int)(7200 / interval), w.RowCount);
        Assert.Equal((int)(3600 / interval), w.AnomalyRow);
        Assert.Equal((int)(7200 / interval), WindowRecipe.RowsFor(7200, p.Metrics));
    }

    [Theory, MemberData(nameof(Intervals))]
    public void Baro_window_seconds_scores_the_same_span_at_every_interval(long interval)
    {
        var p = Case(interval);
        // By hand: x's normal rows in [t − 3600, t) alternate 0/1 (median 0.5, IQR 1), its anomalous max is 9: 8.5;
        // y's anomalous rows in [t, t + 3600) alternate 0/1: 0.5. The same at every interval.
        var r = MethodCatalog.CreateLocalizer("baro(window-seconds=3600)").Localize(p);
        Assert.Equal([("x_cpu", 8.5), ("y_cpu", 0.5)], r.Ranking.Select(m => (m.Metric, m.Score)).ToArray());
        // As rows, the hour is 3600 / interval of them; 3600 rows are the hour only at 1 s and take in y's +20 elsewhere.
        Assert.Equal(r.Ranking, MethodCatalog.CreateLocalizer($"baro(window={3600 / interval})").Localize(p).Ranking);
        if (interval > 1) Assert.Equal("y_cpu", MethodCatalog.CreateLocalizer("baro(window=3600)").Localize(p).Ranking[0].Metric);
    }

    [Fact]
    public void Baro_refuses_rows_and_seconds_together()
    {
        var e = Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateLocalizer("baro(window=300,window-seconds=300)"));
        Assert.Contains("not both", e.Message, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Intervals))]
    public void Nsigma_window_seconds_scores_the_same_span_at_every_interval(long interval)
    {
        var p = Case(interval);
        // By hand: x's normal rows in [t − 3600, t) alternate 0/1 (an even count: mean 0.5, population sd 0.5), its
        // anomalous max is 9: (9 − 0.5)/0.5 = 17; y's anomalous rows in [t, t + 3600) alternate 0/1: 1. Every interval.
        var r = MethodCatalog.CreateLocalizer("nsigma(window-seconds=3600)").Localize(p);
        Assert.Equal([("x_cpu", 17.0), ("y_cpu", 1.0)], r.Ranking.Select(m => (m.Metric, m.Score)).ToArray());
        Assert.Equal(r.Ranking, MethodCatalog.CreateLocalizer($"nsigma(window={3600 / interval})").Localize(p).Ranking);
        if (interval > 1) Assert.Equal("y_cpu", MethodCatalog.CreateLocalizer("nsigma(window=3600)").Localize(p).Ranking[0].Metric);
    }

    [Fact]
    public void Nsigma_refuses_rows_and_seconds_together()
    {
        var e = Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateLocalizer("nsigma(window=300,window-seconds=300)"));
        Assert.Contains("not both", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A latency series over t ± 7200 s: level 1, then 3 from t on, with seeded noise of sd 0.05.</summary>
    private static MetricFrame Step(long interval)
    {
        var rng = new Rng(11);
        var time = Enumerable.Range(0, (int)(14400 / interval)).Select(i => T - 7200 + i * interval).ToArray();
        var latency = time.Select(t => (t >= T ? 3.0 : 1.0) + 0.05 * rng.NextNormal()).ToArray();
        return new MetricFrame(time, ["front_latency"], [latency]);
    }

    [Theory, MemberData(nameof(Intervals))]
    public void Baro_bocpd_lambda_seconds_finds_the_step_at_the_same_time_at_every_interval(long interval)
    {
        var frame = Step(interval);
        var naming = new DelimitedNaming("_");
        var d = Assert.IsType<BaroAnomalyDetector>(MethodCatalog.CreateAnomalyTimeSource("bocpd(lambda-seconds=15000)"));
        // 15000 s is 15000 rows of 1 s data, 250 of 60 s data and 50 of 300 s data.
        Assert.Equal(15000.0 / interval, d.RowOptions(frame).Lambda);
        Assert.Equal(T, d.Detect(frame, naming, [], default));
        Assert.Equal(new BaroAnomalyDetector(new BocpdOptions { Lambda = 15000.0 / interval }).DetectRow(frame, naming), d.DetectRow(frame, naming));
        Assert.Equal("bocpd(lambda-seconds=15000)", d.ToString());
    }

    [Fact]
    public void Lambda_in_rows_stays_the_default_and_seconds_are_refused_where_they_cannot_apply()
    {
        var frame = Step(300);
        var d = Assert.IsType<BaroAnomalyDetector>(MethodCatalog.CreateAnomalyTimeSource("bocpd"));
        Assert.Equal(50, d.RowOptions(frame).Lambda);
        Assert.Equal("bocpd(lambda=50)", d.ToString());
        // 300 s at a 300 s interval is one row: no run length to expect.
        var tooShort = Assert.IsType<BaroAnomalyDetector>(MethodCatalog.CreateAnomalyTimeSource("bocpd(lambda-seconds=300)"));
        var e = Assert.Throws<AiopsLabException>(() => tooShort.Detect(frame, new DelimitedNaming("_"), [], default));
        Assert.Contains("300 s interval", e.Message, StringComparison.Ordinal);
        // The univariate detector (NAB) scores series without timestamps: it refuses seconds and keeps its rows.
        Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateDetector("bocpd(lambda-seconds=3000)"));
        Assert.Equal(50, Assert.IsType<Bocpd>(MethodCatalog.CreateDetector("bocpd")).Options.Lambda);
    }

    [Theory, MemberData(nameof(Intervals))]
    public void Rcd_window_seconds_finds_the_shift_inside_the_span_at_every_interval(long interval)
    {
        var p = Case(interval);
        var r = MethodCatalog.CreateLocalizer("rcd(window-seconds=3600,rank-all=true)").Localize(p);
        Assert.Equal("x_cpu", r.Ranking[0].Metric);
        Assert.Equal(2, r.Diagnostics["rcd_variables"]);
    }

    [Fact]
    public void Rcd_window_seconds_300_is_the_default_300_rows_on_gap_free_1s_data()
    {
        var p = Case(1);
        Assert.Equal(MethodCatalog.CreateLocalizer("rcd(rank-all=true)").Localize(p).Ranking,
            MethodCatalog.CreateLocalizer("rcd(rank-all=true,window-seconds=300)").Localize(p).Ranking);
    }

    [Theory]
    [InlineData(1, 6901, 300)]  // 7200 − 300 + 1 training points; the test window is 300 s of 1 s points
    [InlineData(60, 116, 5)]    // 120 − 5 + 1
    [InlineData(300, 24, 1)]    // 24 − 1 + 1
    public void Circa_lookup_and_detect_seconds_become_points_of_the_data_interval(long interval, int train, int test)
    {
        var p = Case(interval);
        var r = MethodCatalog.CreateLocalizer("circa(lookup-seconds=7200,detect-seconds=300)").Localize(p);
        Assert.Equal((train, test), ((int)r.Diagnostics["train_rows"], (int)r.Diagnostics["test_rows"]));
        if (interval == 60) // the same points as CIRCA's row counts at 1-minute data
            Assert.Equal(MethodCatalog.CreateLocalizer("circa(lookup-window=120,detect-window=5)").Localize(p).Ranking, r.Ranking);
    }

    [Fact]
    public void Circa_refuses_seconds_too_short_for_the_interval()
    {
        var e = Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateLocalizer("circa(lookup-seconds=300,detect-seconds=300)").Localize(Case(300)));
        Assert.Contains("300 s interval", e.Message, StringComparison.Ordinal);
    }
}
