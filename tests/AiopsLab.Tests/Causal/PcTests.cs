using AiopsLab.Causal;
using AiopsLab.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace AiopsLab.Tests.Causal;

/// <summary>
/// PC against independent facts: a d-separation oracle (the Markov property of the true DAG, checked here by the
/// moral-ancestral-graph criterion of Lauritzen et al. 1990, written independently of the code under test), large
/// linear-Gaussian samples, and the properties PC-stable promises (order independence; thread-count independence).
/// </summary>
public class PcTests
{
    /// <summary>X ⊥ Y | Z in a DAG iff X and Y are disconnected in the moral graph of An({X, Y} ∪ Z) once Z is removed.</summary>
    private sealed class DSeparationOracle(CausalGraph dag) : IIndependenceTest
    {
        public int VariableCount => dag.Count;
        public int SampleCount => int.MaxValue;

        public double PValue(int i, int j, ReadOnlySpan<int> s) => Separated(i, j, s.ToArray()) ? 1.0 : 0.0;

        private bool Separated(int x, int y, int[] z)
        {
            int n = dag.Count;
            var keep = new bool[n];
            var stack = new Stack<int>(z.Append(x).Append(y));
            while (stack.Count > 0)
            {
                int v = stack.Pop();
                if (keep[v]) continue;
                keep[v] = true;
                for (int p = 0; p < n; p++) if (dag.HasArrow(p, v)) stack.Push(p);
            }
            var adj = new bool[n, n];
            for (int v = 0; v < n; v++)
            {
                if (!keep[v]) continue;
                var parents = Enumerable.Range(0, n).Where(p => keep[p] && dag.HasArrow(p, v)).ToArray();
                foreach (var p in parents) adj[p, v] = adj[v, p] = true;
                foreach (var p in parents) foreach (var q in parents) if (p != q) adj[p, q] = true; // marry parents
            }
            var blocked = new bool[n];
            foreach (var v in z) blocked[v] = true;
            var seen = new bool[n];
            var queue = new Queue<int>([x]);
            seen[x] = true;
            while (queue.Count > 0)
            {
                int v = queue.Dequeue();
                if (v == y) return false;
                for (int w = 0; w < n; w++)
                    if (adj[v, w] && keep[w] && !blocked[w] && !seen[w]) { seen[w] = true; queue.Enqueue(w); }
            }
            return true;
        }
    }

    private static IEnumerable<SimulatedData> RandomDags(int count, int nodes, double p, int samples, int seed) =>
        Enumerable.Range(0, count).Select(k => SemSimulator.Linear(nodes, p, samples, Rng.For((ulong)seed, k.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    [Fact]
    public void With_an_oracle_PC_recovers_the_skeleton_and_the_colliders_and_orients_nothing_wrongly()
    {
        foreach (var d in RandomDags(25, 9, 0.3, 1, seed: 17))
        {
            var truth = d.Truth;
            var r = Pc.Run(new DSeparationOracle(truth), d.Names);
            var g = r.Graph;
            for (int i = 0; i < truth.Count; i++)
                for (int j = 0; j < truth.Count; j++)
                {
                    if (i == j) continue;
                    Assert.Equal(truth.Adjacent(i, j), g.Adjacent(i, j));
                    // Soundness: every compelled arrow points the true way.
                    if (g.IsDirected(i, j)) Assert.True(truth.HasArrow(i, j), $"{d.Names[i]} -> {d.Names[j]} is not in the true DAG.");
                }
            // Unshielded colliders of the true DAG are oriented; unshielded non-colliders are not made colliders.
            for (int z = 0; z < truth.Count; z++)
                for (int x = 0; x < truth.Count; x++)
                    for (int y = x + 1; y < truth.Count; y++)
                    {
                        if (x == z || y == z || !truth.Adjacent(x, z) || !truth.Adjacent(y, z) || truth.Adjacent(x, y)) continue;
                        bool collider = truth.HasArrow(x, z) && truth.HasArrow(y, z);
                        Assert.Equal(collider, g.IsDirected(x, z) && g.IsDirected(y, z));
                    }
        }
    }

    /// <summary>
    /// λ-strong faithfulness (Zhang &amp; Spirtes, UAI 2003; Uhler et al., Annals of Statistics 41, 2013): every true
    /// edge keeps a population partial correlation of at least λ in absolute value given every subset of the other
    /// variables. Random weights can cancel along paths; such DAGs are faithful in name only and no finite sample
    /// recovers them, so the property is stated for the DAGs that are strongly faithful.
    /// </summary>
    private static bool StronglyFaithful(SimulatedData d, double lambda)
    {
        int n = d.Names.Count;
        var w = Matrix<double>.Build.DenseOfArray(d.Weights);
        var inv = (Matrix<double>.Build.DenseIdentity(n) - w).Inverse();
        var cov = inv * inv.Transpose(); // unit noise variances
        var r = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) r[i, j] = cov[i, j] / Math.Sqrt(cov[i, i] * cov[j, j]);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                if (!d.Truth.Adjacent(i, j)) continue;
                var others = Enumerable.Range(0, n).Where(k => k != i && k != j).ToArray();
                for (int mask = 0; mask < 1 << others.Length; mask++)
                {
                    var s = others.Where((_, b) => (mask >> b & 1) == 1).ToArray();
                    if (Math.Abs(Correlation.Partial(r, i, j, s)) < lambda) return false;
                }
            }
        return true;
    }

    [Fact]
    public void On_large_linear_gaussian_samples_PC_recovers_the_skeleton_exactly()
    {
        int tested = 0;
        foreach (var d in RandomDags(40, 7, 0.3, 20_000, seed: 5))
        {
            if (!StronglyFaithful(d, 0.05)) continue;
            tested++;
            var g = Pc.Run(new FisherZ(d.Columns), d.Names, new PcOptions { Alpha = 1e-3 }).Graph;
            var m = GraphMetrics.Compare(d.Truth, g);
            Assert.True(SameSkeleton(d.Truth, g),
                $"skeleton differs: F1-S {m.SkeletonF1:F3}, {m.EstimatedAdjacencies} adjacencies for {d.Truth.AdjacencyCount} true edges.");
        }
        Assert.True(tested >= 15, $"only {tested} of 40 random DAGs were strongly faithful.");
    }

    private static bool SameSkeleton(CausalGraph a, CausalGraph b)
    {
        for (int i = 0; i < a.Count; i++) for (int j = i + 1; j < a.Count; j++) if (a.Adjacent(i, j) != b.Adjacent(i, j)) return false;
        return true;
    }

    [Fact]
    public void The_stable_skeleton_does_not_depend_on_variable_order()
    {
        var d = SemSimulator.Linear(10, 0.3, 300, new Rng(3));
        var a = Pc.Run(new FisherZ(d.Columns), d.Names).Graph;
        var perm = Enumerable.Range(0, 10).Reverse().ToArray();
        var b = Pc.Run(new FisherZ(perm.Select(i => d.Columns[i]).ToArray()), perm.Select(i => d.Names[i]).ToArray()).Graph;
        for (int i = 0; i < 10; i++)
            for (int j = 0; j < 10; j++)
                Assert.Equal(a.Adjacent(i, j), b.Adjacent(b.IndexOf(d.Names[i]), b.IndexOf(d.Names[j])));
    }

    [Fact]
    public void One_and_two_threads_give_the_same_graph_and_separating_sets()
    {
        var d = SemSimulator.Linear(25, 0.15, 500, new Rng(8));
        var one = Pc.Run(new FisherZ(d.Columns), d.Names, new PcOptions { Parallelism = 1 });
        var two = Pc.Run(new FisherZ(d.Columns), d.Names, new PcOptions { Parallelism = 2 });
        Assert.Equal(one.Graph.Arrows, two.Graph.Arrows);
        Assert.Equal(one.SeparatingSets.OrderBy(k => k.Key).Select(k => (k.Key, string.Join(",", k.Value))),
                     two.SeparatingSets.OrderBy(k => k.Key).Select(k => (k.Key, string.Join(",", k.Value))));
        Assert.Equal(one.TestCount, two.TestCount);
    }

    [Fact]
    public void A_depth_limit_of_zero_keeps_exactly_the_marginally_dependent_pairs()
    {
        // Chain X0 → X1 → X2: with only marginal tests the oracle cannot separate X0 and X2.
        var names = new[] { "X0", "X1", "X2" };
        var dag = CausalGraph.FromArrows(names, [(0, 1), (1, 2)]);
        var r0 = Pc.Run(new DSeparationOracle(dag), names, new PcOptions { MaxDepth = 0 });
        Assert.True(r0.Graph.Adjacent(0, 2));
        Assert.Equal(0, r0.DepthReached);
        var r1 = Pc.Run(new DSeparationOracle(dag), names);
        Assert.False(r1.Graph.Adjacent(0, 2));
        Assert.Equal([1], r1.SeparatingSets[(0, 2)]);
    }

    [Fact]
    public void Background_knowledge_removes_forbidden_pairs_keeps_and_orients_required_ones()
    {
        // Chain X0 → X1 → X2 has no v-structure, so PC alone leaves X0 − X1 − X2 undirected.
        var names = new[] { "X0", "X1", "X2" };
        var dag = CausalGraph.FromArrows(names, [(0, 1), (1, 2)]);
        var plain = Pc.Run(new DSeparationOracle(dag), names).Graph;
        Assert.True(plain.IsUndirected(0, 1) && plain.IsUndirected(1, 2));
        // Requiring X0 → X1 orients it, and Meek's R1 then propagates X1 → X2.
        var k = new BackgroundKnowledge().Require("X0", "X1");
        var g = Pc.Run(new DSeparationOracle(dag), names, null, k).Graph;
        Assert.True(g.IsDirected(0, 1) && g.IsDirected(1, 2));
        // Forbidding both directions between dependent variables removes the pair without a test.
        var f = new BackgroundKnowledge().Forbid("X1", "X2").Forbid("X2", "X1");
        var h = Pc.Run(new DSeparationOracle(dag), names, null, f).Graph;
        Assert.False(h.Adjacent(1, 2));
        // A one-way prohibition orients the other way.
        var o = new BackgroundKnowledge().Forbid("X2", "X1");
        Assert.True(Pc.Run(new DSeparationOracle(dag), names, null, o).Graph.IsDirected(1, 2));
    }

    [Fact]
    public void Meek_rules_orient_the_textbook_configurations()
    {
        string[] names = ["a", "b", "c", "d"];
        var none = new Dictionary<(int, int), int[]>();
        // R1: a → b − c, a and c non-adjacent ⇒ b → c.
        var r1 = new bool[4, 4]; r1[0, 1] = true; r1[1, 2] = r1[2, 1] = true;
        Orientation.Orient(r1, none, names, null);
        Assert.True(r1[1, 2] && !r1[2, 1]);
        // R2: a → c → b and a − b ⇒ a → b.
        var r2 = new bool[4, 4]; r2[0, 2] = true; r2[2, 1] = true; r2[0, 1] = r2[1, 0] = true;
        Orientation.Orient(r2, none, names, null);
        Assert.True(r2[0, 1] && !r2[1, 0]);
        // R3: a − c → b, a − d → b, c and d non-adjacent, a − b ⇒ a → b.
        var r3 = new bool[4, 4];
        r3[0, 2] = r3[2, 0] = true; r3[2, 1] = true;
        r3[0, 3] = r3[3, 0] = true; r3[3, 1] = true;
        r3[0, 1] = r3[1, 0] = true;
        Orientation.Orient(r3, none, names, null);
        Assert.True(r3[0, 1] && !r3[1, 0]);
        // No rule applies to a lone undirected edge.
        var free = new bool[4, 4]; free[0, 1] = free[1, 0] = true;
        Orientation.Orient(free, none, names, null);
        Assert.True(free[0, 1] && free[1, 0]);
    }

    [Fact]
    public void A_collider_is_oriented_from_the_separating_set()
    {
        // X0 → X2 ← X1 with X0 ⊥ X1: the only v-structure.
        var names = new[] { "X0", "X1", "X2" };
        var dag = CausalGraph.FromArrows(names, [(0, 2), (1, 2)]);
        var g = Pc.Run(new DSeparationOracle(dag), names).Graph;
        Assert.True(g.IsDirected(0, 2) && g.IsDirected(1, 2) && !g.Adjacent(0, 1));
    }

    [Fact]
    public void A_cancelled_token_stops_PC()
    {
        var d = SemSimulator.Linear(10, 0.3, 200, new Rng(1));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Pc.Run(new FisherZ(d.Columns), d.Names, null, null, cts.Token));
    }
}
