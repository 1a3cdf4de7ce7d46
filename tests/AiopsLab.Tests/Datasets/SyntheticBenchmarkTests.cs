using AiopsLab.Data;
using AiopsLab.Datasets.Synthetic;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Datasets;

public class SyntheticBenchmarkTests
{
    private static bool SameBits(MetricFrame a, MetricFrame b) =>
        a.Names.SequenceEqual(b.Names) && a.Time.SequenceEqual(b.Time)
        && Enumerable.Range(0, a.ColumnCount).All(j => a.Column(j).SequenceEqual(b.Column(j)));

    [Fact]
    public void The_same_seed_gives_the_same_cases_bit_for_bit_and_another_seed_differs()
    {
        var a = new SyntheticBenchmark(new SyntheticOptions { Cases = 6, Seed = 3 });
        var b = new SyntheticBenchmark(new SyntheticOptions { Cases = 6, Seed = 3 });
        var c = new SyntheticBenchmark(new SyntheticOptions { Cases = 6, Seed = 4 });
        // Loading in a different order must not change a case.
        foreach (var d in a.Cases.Reverse())
        {
            var x = a.Load(d);
            var y = b.Load(b.Cases.Single(e => e.Id == d.Id));
            Assert.True(SameBits(x.Metrics, y.Metrics));
            Assert.Equal(x.Label, y.Label);
        }
        Assert.False(SameBits(a.Load(a.Cases[0]).Metrics, c.Load(c.Cases[0]).Metrics));
    }

    [Fact]
    public void Call_graphs_are_connected_dags_rooted_at_the_frontend()
    {
        var b = new SyntheticBenchmark(new SyntheticOptions { Cases = 1, Systems = 5, Services = 12 });
        foreach (var s in b.Systems)
        {
            Assert.True(s.CallGraph.IsAcyclic);
            Assert.Equal(12, s.CallGraph.NodeCount);
            var reach = s.CallGraph.Descendants("frontend");
            Assert.Equal(11, reach.Count); // every other service is reachable from the entry point
            Assert.True(s.CausalGraph().IsAcyclic);
        }
    }

    /// <summary>
    /// Independent check of propagation: simulate the same case (same noise) with and without the fault. Exactly the
    /// root-cause metric and its descendants in the stated true causal graph may change, and all of them must.
    /// </summary>
    [Theory]
    [InlineData("cpu", 4)]
    [InlineData("delay", 6)]
    [InlineData("error", 9)]
    [InlineData("mem", 2)]
    public void A_fault_changes_exactly_the_root_metric_and_its_descendants_in_the_true_causal_graph(string fault, int root)
    {
        var b = new SyntheticBenchmark(new SyntheticOptions { Cases = 0, Services = 10, Systems = 1, Seed = 9 });
        var sys = b.Systems[0];
        var clean = b.Simulate(sys, root, fault, 0, new Rng(1), 0, "clean");
        var hit = b.Simulate(sys, root, fault, 10, new Rng(1), 0, "hit");
        var truth = hit.TrueCausalGraph!;
        var expected = truth.Descendants(hit.Label.RootCauseMetric!).Append(hit.Label.RootCauseMetric!).ToHashSet();
        int t0 = hit.Metrics.RowAtOrAfter(hit.Label.InjectTime);
        var changed = hit.Metrics.Names.Where((n, j) => !clean.Metrics.Column(j).SequenceEqual(hit.Metrics.Column(j))).ToHashSet();
        Assert.Equal(expected.OrderBy(x => x, StringComparer.Ordinal), changed.OrderBy(x => x, StringComparer.Ordinal));
        // Nothing changes before the injection.
        for (int j = 0; j < hit.Metrics.ColumnCount; j++)
            Assert.True(clean.Metrics.Column(j)[..t0].SequenceEqual(hit.Metrics.Column(j)[..t0]));
        // The root service's callers are among the changed services for latency / error faults.
        if (fault is "delay" or "error")
            foreach (var caller in sys.CallGraph.Predecessors(sys.Services[root]))
                Assert.Contains(caller + (fault == "delay" ? "_latency" : "_error"), changed);
    }

    [Fact]
    public void A_step_fault_shifts_the_root_metric_by_its_magnitude_in_normal_standard_deviations()
    {
        var b = new SyntheticBenchmark(new SyntheticOptions { Cases = 0, Systems = 1, Seed = 2, Normal = 2000, Anomalous = 2000 });
        var sys = b.Systems[0];
        var clean = b.Simulate(sys, 3, "delay", 0, new Rng(8), 0, "c");
        var hit = b.Simulate(sys, 3, "delay", 6, new Rng(8), 0, "h");
        var m = hit.Label.RootCauseMetric!;
        var normal = clean.Metrics.Column(m)[..2000].ToArray();
        double mean = normal.Average();
        double sd = Math.Sqrt(normal.Sum(x => (x - mean) * (x - mean)) / (normal.Length - 1));
        // The difference between faulty and clean runs on the same noise is exactly the step.
        double step = hit.Metrics.Column(m)[3000] - clean.Metrics.Column(m)[3000];
        Assert.Equal(6 * sd, step, 9);
    }

    [Fact]
    public void Fault_types_are_assigned_round_robin_and_labels_name_the_root_metric()
    {
        var b = new SyntheticBenchmark(new SyntheticOptions { Cases = 8, Difficulty = "easy" });
        Assert.Equal(["cpu", "mem", "delay", "error", "cpu", "mem", "delay", "error"], b.Cases.Select(c => c.FaultType));
        Assert.Equal(["cpu", "mem", "delay", "error", "code", "cpu"], new SyntheticBenchmark(new SyntheticOptions { Cases = 6 }).Cases.Select(c => c.FaultType));
        var c = b.Load(b.Cases[2]);
        Assert.Equal(c.Label.RootCause + "_latency", c.Label.RootCauseMetric);
        Assert.Equal(c.Metrics.StartTime + 300, c.Label.InjectTime);
        Assert.Equal(50, c.Metrics.ColumnCount);
    }

    [Fact]
    public void Bad_options_are_clear_errors()
    {
        Assert.Throws<UnknownNameException>(() => new SyntheticBenchmark(new SyntheticOptions { Faults = ["disk"] }));
        Assert.Throws<AiopsLabException>(() => new SyntheticBenchmark(new SyntheticOptions { Services = 1 }));
        Assert.Throws<UnknownNameException>(() => new SyntheticBenchmark(new SyntheticOptions { Difficulty = "medium" }));
    }

    [Fact]
    public void Hard_cases_keep_the_easy_fault_and_noise_and_differ_only_by_a_distractor_outside_the_root_service()
    {
        var easy = new SyntheticBenchmark(new SyntheticOptions { Cases = 12, Difficulty = "easy", Faults = ["cpu", "delay"] });
        var hard = new SyntheticBenchmark(new SyntheticOptions { Cases = 12, Difficulty = "hard", Faults = ["cpu", "delay"] });
        int withDistractor = 0;
        foreach (var d in easy.Cases)
        {
            var e = easy.Load(d);
            var h = hard.Load(d);
            Assert.Equal(e.Label, h.Label);
            var changed = e.Metrics.Names.Where((n, j) => !e.Metrics.Column(j).SequenceEqual(h.Metrics.Column(j))).ToList();
            if (changed.Count == 0) continue;
            withDistractor++;
            // The spike sits at one other service (its cpu, mem or latency) and whatever that propagates to; never before the injection.
            int t0 = e.Metrics.RowAtOrAfter(e.Label.InjectTime);
            foreach (var n in changed) Assert.True(e.Metrics.Column(n)[..t0].SequenceEqual(h.Metrics.Column(n)[..t0]));
            Assert.DoesNotContain(changed, n => n == e.Label.RootCauseMetric);
        }
        Assert.InRange(withDistractor, 2, 10); // about half of 12
    }

    [Fact]
    public void A_code_fault_leaves_metrics_alone_and_shows_as_a_new_error_template_and_failing_spans_at_the_root()
    {
        var b = new SyntheticBenchmark(new SyntheticOptions { Cases = 0, Systems = 1, Services = 6, Seed = 5, TraceRate = 5 });
        var sys = b.Systems[0];
        var clean = b.Simulate(sys, 3, "code", 0, new Rng(4), 0, "x");
        var code = b.Simulate(sys, 3, "code", 5, new Rng(4), 0, "x");
        Assert.True(Enumerable.Range(0, clean.Metrics.ColumnCount).All(j => clean.Metrics.Column(j).SequenceEqual(code.Metrics.Column(j))));
        Assert.Null(code.Label.RootCauseMetric);
        Assert.Equal("code", code.Label.FaultClass);
        var logs = code.Telemetry!.Logs!;
        long injectMicros = code.Label.InjectTime * 1_000_000;
        var npe = Enumerable.Range(0, logs.Count).Where(i => logs.Message[i].Contains("NullPointerException", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(npe);
        Assert.All(npe, i => { Assert.Equal(sys.Services[3], logs.Service[i]); Assert.True(logs.TimeMicros[i] >= injectMicros); });
        var spans = code.Telemetry.Spans!;
        double Rate(bool after) => Enumerable.Range(0, spans.Count).Where(i => spans.Service[i] == sys.Services[3] && (spans.StartMicros[i] >= injectMicros) == after)
            .Average(i => spans.Status[i] == SpanStatus.Error ? 1.0 : 0.0);
        Assert.True(Rate(after: true) > 0.25 && Rate(after: false) < 0.05);
    }

    [Fact]
    public void Span_durations_follow_the_latency_metric_and_every_trace_starts_at_the_frontend()
    {
        var b = new SyntheticBenchmark(new SyntheticOptions { Cases = 1, Difficulty = "easy", TraceRate = 4 });
        var c = b.Load(b.Cases[0]);
        var spans = c.Telemetry!.Spans!;
        Assert.All(Enumerable.Range(0, spans.Count).Where(i => spans.ParentId[i] is null), i => Assert.Equal("frontend", spans.Service[i]));
        // Median over the normal period of span duration / latency metric at that step is exp(0) = 1 within noise (lognormal, sd 0.1).
        var lat = c.Metrics.Column("frontend_latency").ToArray();
        var ratios = Enumerable.Range(0, spans.Count).Where(i => spans.Service[i] == "frontend")
            .Select(i => spans.DurationMicros[i] / 1000.0 / lat[c.Metrics.RowAtOrAfter(spans.StartMicros[i] / 1_000_000 + 1) - 1]).Order().ToArray();
        Assert.InRange(ratios[ratios.Length / 2], 0.97, 1.03);
    }
}
