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
        var b = new SyntheticBenchmark(new SyntheticOptions { Cases = 8 });
        Assert.Equal(["cpu", "mem", "delay", "error", "cpu", "mem", "delay", "error"], b.Cases.Select(c => c.FaultType));
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
    }
}
