using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Preparation;
using Xunit;

namespace AiopsLab.Tests.Rca;

/// <summary>
/// Windows given in seconds select the same time span at 1 s, 60 s and 300 s sampling. The generated case covers
/// t − 7200 s .. t + 7200 s: x alternates 0/1 but for a loud stretch (0/50) more than an hour before t and +8 from t;
/// y alternates 0/1 but for +20 from t + 3600 s. So a window of ±3600 s sees x's shift and nothing of y's.
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
