using AiopsLab.Causal;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Datasets.Synthetic;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Rca;
using AiopsLab.Tests.Infrastructure;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using AiopsLab.Preparation;
using AiopsLab.Catalog;

namespace AiopsLab.Tests.Rca;

/// <summary>Graph-based ranking heads and localizers (PageRank, random walk, RCD, CIRCA) against independent facts.</summary>
public class GraphRcaTests
{
    private static CausalGraph Undirected(int n, params (int, int)[] edges) =>
        CausalGraph.FromArrows(Enumerable.Range(0, n).Select(i => "v" + i).ToArray(), edges.SelectMany(e => new[] { e, (e.Item2, e.Item1) }));

    [Fact]
    public void PageRank_in_scikit_network_mode_reproduces_its_documented_example()
    {
        // scikit-network's get_pagerank docstring: the "house" graph (edges 0-1, 0-4, 1-2, 1-4, 2-3, 3-4), seeds
        // [1, 0, 0, 0, 0], damping 0.85, 10 iterations -> np.round(scores, 2) = [0.29, 0.24, 0.12, 0.12, 0.24].
        var house = Undirected(5, (0, 1), (0, 4), (1, 2), (1, 4), (2, 3), (3, 4));
        var s = PageRank.Compute(house, [1, 0, 0, 0, 0], 0.85, 10, 1e-6, DanglingRule.ScikitNetwork);
        Assert.Equal(new[] { 0.29, 0.24, 0.12, 0.12, 0.24 }, s.Select(v => Math.Round(v, 2)));
    }

    [Fact]
    public void Converged_personalized_PageRank_solves_the_linear_system()
    {
        // x = d·Pᵀx + (d·Σ_dangling x + (1 − d))·v with Σx = 1, solved directly with MathNet (Langville & Meyer, §4.5).
        var g = CausalGraph.FromArrows(["a", "b", "c", "d"], [(0, 1), (1, 2), (2, 0), (0, 3), (1, 3)]); // d is dangling
        double d = 0.85;
        double[] v = [0.1, 0.2, 0.3, 0.4];
        int n = 4;
        var m = Matrix<double>.Build.DenseIdentity(n);
        for (int i = 0; i < n; i++)
        {
            var outs = g.Children(i);
            for (int j = 0; j < n; j++)
                m[j, i] -= outs.Count == 0 ? d * v[j] : outs.Contains(j) ? d / outs.Count : 0;
        }
        var x = m.Solve(Vector<double>.Build.Dense(v).Multiply(1 - d));
        x /= x.Sum();
        var pr = PageRank.Compute(g, v, d, 1000, 1e-14);
        for (int i = 0; i < n; i++) Assert.Equal(x[i], pr[i], 9);
    }

    [Fact]
    public void Random_walk_visit_frequencies_approach_the_stationary_distribution()
    {
        // The walk is a Markov chain with the documented transition weights; its long-run visit frequencies are the
        // chain's stationary distribution, computed here by solving πᵀ(P − I) = 0, Σπ = 1.
        var g = CausalGraph.FromArrows(["a", "b", "c", "d"], [(0, 1), (1, 2), (0, 3), (3, 2)]);
        double[] s = [0.2, 0.9, 0.5, 0.4];
        double rho = 0.3;
        int n = 4;
        var p = Matrix<double>.Build.Dense(n, n);
        for (int i = 0; i < n; i++)
        {
            var w = new double[n];
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                if (g.HasArrow(j, i)) w[j] = s[j]; else if (g.HasArrow(i, j)) w[j] = rho * s[j];
            }
            w[i] = Math.Max(0, s[i] - w.Max());
            for (int j = 0; j < n; j++) p[i, j] = w[j] / w.Sum();
        }
        var a = (p.Transpose() - Matrix<double>.Build.DenseIdentity(n)).ToArray();
        for (int j = 0; j < n; j++) a[n - 1, j] = 1; // replace one equation by Σπ = 1
        var rhs = new double[n]; rhs[n - 1] = 1;
        var pi = Matrix<double>.Build.DenseOfArray(a).Solve(Vector<double>.Build.Dense(rhs));
        var visits = RandomWalk.Visits(g, s, 2, 400_000, rho, new Rng(1));
        for (int i = 0; i < n; i++) Assert.Equal(pi[i], visits[i], 2);
        Assert.Equal(visits, RandomWalk.Visits(g, s, 2, 400_000, rho, new Rng(1))); // same seed, same walk
    }

    [Fact]
    public void The_structural_graph_matches_CIRCAs_reference_example()
    {
        // CIRCA's own test (tests/alg/test_graph.py, TestStructuralGraph): WEB calls DB; WEB has query_per_second (T),
        // response_time (L), error_rate (E); DB has transaction_per_second (T), db_time (L), table_space (S).
        var types = new Dictionary<string, MetaType>
        {
            ["query_per_second"] = MetaType.Traffic, ["response_time"] = MetaType.Latency, ["error_rate"] = MetaType.Errors,
            ["transaction_per_second"] = MetaType.Traffic, ["db_time"] = MetaType.Latency, ["table_space"] = MetaType.Saturation,
        };
        string[] cols = ["WEB_query_per_second", "WEB_response_time", "WEB_error_rate", "DB_transaction_per_second", "DB_db_time", "DB_table_space"];
        var g = StructuralGraph.Build(cols, new DelimitedNaming("_"), new DirectedGraph([("WEB", "DB")]), k => types[k]);
        var expected = new Dictionary<string, string[]>
        {
            ["WEB_query_per_second"] = ["WEB_response_time", "WEB_error_rate", "DB_transaction_per_second"],
            ["WEB_response_time"] = ["WEB_error_rate"],
            ["WEB_error_rate"] = [],
            ["DB_transaction_per_second"] = ["DB_db_time", "DB_table_space", "WEB_error_rate"],
            ["DB_db_time"] = ["WEB_response_time", "WEB_error_rate"],
            ["DB_table_space"] = ["DB_db_time", "WEB_error_rate"],
        };
        foreach (var (from, children) in expected)
            Assert.Equal(children.OrderBy(c => c, StringComparer.Ordinal), g.Children(g.IndexOf(from)).Select(i => g.Names[i]).OrderBy(c => c, StringComparer.Ordinal));
    }

    [Fact]
    public void The_structural_graph_of_a_synthetic_system_contains_its_true_causal_graph()
    {
        // The synthetic generator's edges (load → cpu, mem; cpu, mem → latency; caller load → callee load; callee
        // latency / errors → caller's) are all instances of CIRCA's assumptions, so recall on arrows must be 1.
        foreach (var c in SyntheticBenchmark.EasyCases().Take(1))
        {
            var p = new RcaProblem(c.Metrics, c.Label.InjectTime, c.CallGraph, c.Naming);
            var g = CausalGraph.FromDirectedGraph(new StructuralGraphSource().Build(p), c.Metrics.Names);
            var m = GraphMetrics.Compare(c.TrueCausalGraph!, g);
            Assert.Equal(1.0, m.ArrowRecall, 12);
            Assert.True(g.ToDirectedGraph().IsAcyclic);
        }
    }

    [Fact]
    public void RHT_flags_the_intervened_metric_and_not_its_faithful_child()
    {
        // child = 2·parent + noise throughout; the parent jumps in the test window. The parent's own z-score is large,
        // the child's regression residual stays normal: CIRCA's intervention recognition (Li et al., KDD 2022, §4.2).
        var rng = new Rng(7);
        int train = 100, test = 10;
        var parent = Enumerable.Range(0, train + test).Select(t => rng.NextNormal() + (t >= train ? 8 : 0)).ToArray();
        var child = parent.Select(v => 2 * v + 0.3 * rng.NextNormal()).ToArray();
        Assert.True(CircaGrid.Rht(parent, [], train, test) > 5);
        Assert.True(CircaGrid.Rht(child, [parent], train, test) < 4);
        Assert.True(CircaGrid.Rht(child, [], train, test) > 5); // without the graph the child looks anomalous too
    }

    [Fact]
    public void RCD_orders_F_children_by_their_p_value_sequences()
    {
        var p = new List<double>[] { [0.0, 0.01], [0.0, 0.001], [0.02], [0.0, 0.001] };
        // Smallest sequence first; the equal sequences of 1 and 3 put the later one first.
        Assert.Equal([3, 1, 0, 2], Rcd.OrderByPValues([0, 1, 2, 3], p));
    }

    /// <summary>A chain a → b → c of 4-valued variables plus an unrelated d; the anomalous rows change b's mechanism.</summary>
    private static RcaProblem DiscreteChain(ulong seed)
    {
        var rng = new Rng(seed);
        int normal = 400, anomalous = 400, n = normal + anomalous;
        var a = new double[n]; var b = new double[n]; var c = new double[n]; var noise = new double[n];
        for (int t = 0; t < n; t++)
        {
            a[t] = rng.NextInt(4);
            // The intervention: in the anomalous rows b is stuck at 3 more often than its mechanism says.
            b[t] = t >= normal && rng.NextDouble() < 0.5 ? 3 : (a[t] + (rng.NextDouble() < 0.8 ? 0 : rng.NextInt(4))) % 4;
            c[t] = (b[t] + (rng.NextDouble() < 0.8 ? 0 : rng.NextInt(4))) % 4;
            noise[t] = rng.NextInt(4);
        }
        var time = Enumerable.Range(0, n).Select(t => 1000L + t).ToArray();
        var f = new MetricFrame(time, ["a_x", "b_x", "c_x", "d_x"], [a, b, c, noise]);
        return new RcaProblem(f, 1000 + normal, null, new DelimitedNaming("_")) { Seed = seed };
    }

    [Fact]
    public void RCD_finds_the_intervened_variable_of_a_discrete_chain()
    {
        // F → b only: a ⊥ F, c ⊥ F | b, d ⊥ F. Whatever the seed, b must come first.
        foreach (ulong seed in new ulong[] { 1, 2, 3, 4 })
        {
            var r = new Rcd().Localize(DiscreteChain(seed));
            Assert.Equal("b_x", r.Ranking[0].Metric);
        }
    }

    [Theory]
    [InlineData("pc-pagerank")]
    [InlineData("pc-randomwalk")]
    [InlineData("granger-pagerank")]
    [InlineData("lingam-randomwalk")]
    [InlineData("circa(graph=pc)")]
    public void One_and_two_threads_give_the_same_ranking(string spec)
    {
        var c = SyntheticBenchmark.EasyCases()[1];
        var p = new RcaProblem(c.Metrics, c.Label.InjectTime, c.CallGraph, c.Naming) { Seed = 3, Slis = c.Slis };
        string With(int k) => spec.Contains('(') ? spec.Replace(")", $",parallelism={k})") : spec + $"(parallelism={k})";
        var one = MethodCatalog.CreateLocalizer(With(1)).Localize(p);
        var two = MethodCatalog.CreateLocalizer(With(2)).Localize(p);
        Assert.Equal(one.Ranking, two.Ranking);
    }

    [Fact]
    public void The_RCAEval_PageRank_mode_is_RCAEval_s_pc_pagerank_on_the_PC_graph()
    {
        var c = SyntheticBenchmark.EasyCases()[0];
        var p = new RcaProblem(c.Metrics, c.Label.InjectTime, c.CallGraph, c.Naming) { Seed = 3, Slis = c.Slis };
        var r = MethodCatalog.CreateLocalizer("pc-pagerank(rcaeval=true)").Localize(p);
        var w = PreparedWindow.Of(p, WindowRecipe.Graph(300));
        var g = new PcDiscovery().Discover(w);
        // Plain scikit-network PageRank on the reversed graph of the non-isolated metrics, zipped with the column names
        // in order (RCAEval's pairing; RcaevalPairingTests checks that rule on hand-built graphs).
        var expected = PageRankHead.RcaevalPcPageRank(g);
        foreach (var m in r.Ranking) Assert.Equal(expected[w.Names.ToList().IndexOf(m.Metric)], m.Score, 12);
    }

    private static IReadOnlyList<CaseOutcome> RunSockShop(string spec, long seed = 0)
    {
        var ds = new RcdSockShop(TestData.For("rcd-sockshop"));
        var req = new RunRequest { Dataset = ds, Methods = [MethodSpec.Parse(spec)], Seed = seed, Jobs = 2 };
        return Runner.Run(req).ToList();
    }

    private static double Avg5(IReadOnlyList<CaseOutcome> o, string fault) =>
        RankingMetrics.AvgAt(o.Where(x => x.Fault == fault || fault == "all").Select(x => x.Rank).ToArray(), 5);

    /// <summary>
    /// CIRCA on RCD's Sock Shop data against the published figures (RCAEval, ASE 2024, Table 5: CPU 0.70, MEM 0.80)
    /// and the original code run on this copy (0.61 / 0.81): within 0.03 of the nearer figure, per fault type.
    /// </summary>
    [DataFact("rcd-sockshop")]
    public void CIRCA_on_rcd_sockshop_is_within_003_of_the_published_or_original_figure()
    {
        var o = RunSockShop("circa(exclude-kinds=lat_50;lat_99)");
        double cpu = Avg5(o, "cpu"), mem = Avg5(o, "mem");
        Assert.True(Math.Min(Math.Abs(cpu - 0.70), Math.Abs(cpu - 0.61)) <= 0.03 + 1e-9, $"CPU Avg@5 {cpu:F3}");
        Assert.True(Math.Min(Math.Abs(mem - 0.80), Math.Abs(mem - 0.81)) <= 0.03 + 1e-9, $"MEM Avg@5 {mem:F3}");
    }

    /// <summary>
    /// RCD with RCAEval's default preprocessing: the original code gives 0.33–0.45 (Avg@5 over CPU and MEM) across five
    /// seeds here. Each of our seeds must fall in that range widened by 0.03.
    /// </summary>
    [DataFact("rcd-sockshop")]
    public void RCD_on_rcd_sockshop_matches_the_original_codes_range_over_seeds()
    {
        foreach (long seed in new long[] { 0, 1, 2 })
        {
            double all = Avg5(RunSockShop("rcd(exclude-kinds=lat_50;lat_99)", seed), "all");
            Assert.InRange(all, 0.30, 0.48);
        }
    }
}
