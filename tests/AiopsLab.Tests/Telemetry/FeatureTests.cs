using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Telemetry;
using Xunit;

namespace AiopsLab.Tests.Telemetry;

/// <summary>Trace and log features on small hand-built tables; expected values worked out by hand in the comments.</summary>
public class FeatureTests
{
    private static SpanTable Spans(params (string T, string S, string? P, string Svc, string Op, double StartSec, long DurUs, SpanStatus St)[] rows)
    {
        var b = new SpanTableBuilder();
        foreach (var r in rows) b.Add(new SpanRow(r.T, r.S, r.P, r.Svc, r.Svc + "-pod", r.Op, (long)(r.StartSec * 1e6), r.DurUs, r.St));
        return b.Build();
    }

    // Grid rows at 60 and 120 s, step 60: bin 0 = [0, 60), bin 1 = [60, 120).
    private static readonly long[] Grid = [60, 120];

    [Fact]
    public void Entry_spans_give_calls_and_latency_percentiles_per_service_and_bin()
    {
        var s = Spans(
            ("t1", "a", null, "front", "GET /", 10, 9000, SpanStatus.Ok),
            ("t1", "a2", "a", "front", "handler", 10.1, 8000, SpanStatus.Ok),   // internal child: not a call to front
            ("t1", "b", "a2", "cart", "get", 10.2, 2000, SpanStatus.Ok),
            ("t2", "c", null, "front", "GET /", 20, 3000, SpanStatus.Ok),
            ("t2", "d", "c", "cart", "get", 20.1, 4000, SpanStatus.Error),
            ("t3", "e", null, "front", "GET /", 70, 5000, SpanStatus.Ok));
        var f = TraceFeatures.Series(s, Grid, 60, new TraceFeatureOptions([50, 100]));
        // front: bin 0 entry spans 9 ms and 3 ms -> 2 calls, p50 = 6 ms, p100 = 9 ms; bin 1: one call of 5 ms.
        Assert.Equal([2, 1], f.Column("front_TraceCalls").ToArray());
        Assert.Equal([6, 5], f.Column("front_TraceLatencyP50(ms)").ToArray());
        Assert.Equal([9, 5], f.Column("front_TraceLatencyP100(ms)").ToArray());
        // cart: two calls in bin 0 (2 and 4 ms), one an error; none in bin 1 (covered by front's span: 0 calls, NaN latency).
        Assert.Equal([2, 0], f.Column("cart_TraceCalls").ToArray());
        Assert.Equal([1, 0], f.Column("cart_TraceErrors").ToArray());
        Assert.Equal(3, f.Column("cart_TraceLatencyP50(ms)")[0]);
        Assert.True(double.IsNaN(f.Column("cart_TraceLatencyP50(ms)")[1]));
    }

    [Fact]
    public void A_bin_without_any_span_is_a_gap_and_error_series_need_a_status()
    {
        var s = Spans(("t1", "a", null, "front", "op", 10, 1000, SpanStatus.Unset));
        var f = TraceFeatures.Series(s, Grid, 60);
        Assert.Equal(1, f.Column("front_TraceCalls")[0]);
        Assert.True(double.IsNaN(f.Column("front_TraceCalls")[1]));
        Assert.False(f.Contains("front_TraceErrors"));
    }

    [Fact]
    public void Per_operation_series_are_optional()
    {
        var s = Spans(("t1", "a", null, "front", "GET /x", 10, 1000, SpanStatus.Unset), ("t2", "b", null, "front", "POST /y", 11, 3000, SpanStatus.Unset));
        var f = TraceFeatures.Series(s, Grid, 60, new TraceFeatureOptions(PerOperation: true));
        Assert.Equal(1, f.Column("front_GET /x:TraceCalls")[0]);
        Assert.Equal(3, f.Column("front_POST /y:TraceLatencyP50(ms)")[0]);
        Assert.Equal(2, f.Column("front_TraceCalls")[0]);
    }

    [Fact]
    public void The_call_graph_joins_services_across_parent_links_and_ignores_missing_parents()
    {
        var s = Spans(
            ("t1", "a", null, "front", "op", 1, 10, SpanStatus.Unset),
            ("t1", "b", "a", "cart", "op", 2, 10, SpanStatus.Unset),
            ("t1", "c", "b", "db", "op", 3, 10, SpanStatus.Unset),
            ("t1", "d", "b", "cart", "op", 3, 10, SpanStatus.Unset),
            ("t2", "e", "never-seen", "pay", "op", 4, 10, SpanStatus.Unset));
        var g = TraceFeatures.CallGraph(s);
        Assert.Equal([("cart", "db"), ("front", "cart")], g.Edges.OrderBy(e => e.From, StringComparer.Ordinal).ToArray());
        Assert.Contains("pay", g.Nodes);
        TraceFeatures.ParentIndex(s, out int missing, out int cut);
        Assert.Equal((1, 0), (missing, cut));
        // The span with a missing parent counts as an entry (a call to pay).
        Assert.Equal(1, TraceFeatures.Series(s, Grid, 60).Column("pay_TraceCalls")[0]);
    }

    [Fact]
    public void Cyclic_parent_links_are_cut_once_and_reported()
    {
        // a -> b -> c -> a within one trace: one link is dropped so that every walk up ends.
        var s = Spans(("t", "a", "c", "x", "op", 1, 10, SpanStatus.Unset), ("t", "b", "a", "y", "op", 2, 10, SpanStatus.Unset), ("t", "c", "b", "z", "op", 3, 10, SpanStatus.Unset));
        var parent = TraceFeatures.ParentIndex(s, out _, out int cut);
        Assert.Equal(1, cut);
        for (int i = 0; i < parent.Length; i++)
        {
            int steps = 0;
            for (int v = i; v >= 0; v = parent[v]) Assert.True(++steps <= 3);
        }
        Assert.Equal(1, parent.Count(p => p < 0));
    }

    [Fact]
    public void Clock_skew_moves_a_child_before_its_parent_without_changing_durations_or_edges()
    {
        // The child's pod clock runs 2 s behind: it "starts" before its parent. Durations and the edge are unaffected.
        var s = Spans(("t", "a", null, "front", "op", 30, 5000, SpanStatus.Unset), ("t", "b", "a", "cart", "op", 28, 2000, SpanStatus.Unset));
        Assert.True(TraceFeatures.CallGraph(s).HasEdge("front", "cart"));
        var f = TraceFeatures.Series(s, Grid, 60);
        Assert.Equal(2, f.Column("cart_TraceLatencyP50(ms)")[0]);
        Assert.Equal(5, f.Column("front_TraceLatencyP50(ms)")[0]);
    }

    [Fact]
    public void Log_lines_errors_and_templates_per_service_and_bin()
    {
        var b = new LogTableBuilder();
        void L(double sec, string svc, string msg) => b.Add(new LogRow((long)(sec * 1e6), svc, svc + "-pod", null, null, msg));
        L(5, "cart", "INFO cart item 12 added to basket now");
        L(6, "cart", "INFO cart item 47 added to basket now");
        L(7, "cart", "ERROR payment declined for order 9");
        L(65, "cart", "java.lang.NullPointerException at Foo.bar");
        L(66, "cart", "INFO cart item 3 added to basket now");
        L(66, "cart", "INFO cart item 3 added to basket now"); // duplicate line at the same time: dropped
        var f = LogFeatures.Series(b.Build(), Grid, 60, new LogFeatureOptions(Templates: true));
        Assert.Equal([3, 2], f.Column("cart_LogLines").ToArray());
        Assert.Equal([1, 1], f.Column("cart_LogErrors").ToArray());
        // Template 0 = "INFO cart item <*> added to basket now" (8 tokens, 7 equal: 0.875 >= 0.8): 2 lines in bin 0, 1 in bin 1.
        Assert.Equal([2, 1], f.Column("cart_LogTemplate0").ToArray());
    }

    [Theory]
    [InlineData("16:42:22.418 ERROR f.s.FoodServiceImpl#302 failed", true)]
    [InlineData("Caused by: java.io.IOException: closed", true)]
    [InlineData("16:51:24.967 INFO u.c.UserController#48 [getUserByUserId]", false)]
    [InlineData("no errors found", false)]
    public void Error_lines_are_recognised_by_level_word_or_exception_name(string line, bool expected) =>
        Assert.Equal(expected, LogFeatures.IsError(line));

    [Fact]
    public void Sources_parse_and_reject_unknown_names()
    {
        Assert.Equal(new SourceSet(true, true), SourceSet.Parse("metrics,logs,traces"));
        Assert.Equal(new SourceSet(false, true), SourceSet.Parse("traces; metrics"));
        Assert.True(SourceSet.Parse(null).IsMetricsOnly);
        Assert.Throws<UnknownNameException>(() => SourceSet.Parse("metrics,profiles"));
    }

    [Fact]
    public void Augment_adds_columns_on_the_metric_grid_and_a_recovered_graph_but_leaves_metrics_only_cases_alone()
    {
        var spans = Spans(("t", "a", null, "front", "op", 30, 5000, SpanStatus.Unset), ("t", "b", "a", "cart", "op", 31, 2000, SpanStatus.Unset));
        var metrics = new MetricFrame([60, 120], ["cart_cpu"], [[1.0, 2.0]]);
        var fc = new FaultCase("c", "d", "s", metrics, new FaultLabel("cart", "cpu", 100), null, new DelimitedNaming())
        {
            Telemetry = new CaseTelemetry(spans: () => spans),
        };
        Assert.Same(fc, MultiSource.Augment(fc, SourceSet.MetricsOnly));
        var m = MultiSource.Augment(fc, new SourceSet(true, true));
        Assert.Equal(["cart_cpu", "cart_TraceCalls", "cart_TraceLatencyP50(ms)", "cart_TraceLatencyP90(ms)", "cart_TraceLatencyP99(ms)",
            "front_TraceCalls", "front_TraceLatencyP50(ms)", "front_TraceLatencyP90(ms)", "front_TraceLatencyP99(ms)"], m.Metrics.Names);
        Assert.True(m.CallGraph!.HasEdge("front", "cart"));
        Assert.Equal(fc.Label, m.Label);
    }
}
