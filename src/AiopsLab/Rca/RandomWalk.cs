using AiopsLab.Causal;
using AiopsLab.Numerics;

namespace AiopsLab.Rca;

/// <summary>
/// The seeded random walk with backtracking of MonitorRank (Kim, Sumbaly &amp; Shah, SIGMETRICS 2013, §4.3), CloudRanger
/// (Wang et al., CCGRID 2018, §III-C, eqs. 5–7) and MicroCause (Meng et al., IWQoS 2020, §III-D), in the first-order form
/// CIRCA's and RCAEval's <c>RandomWalkScorer</c> implement. On a causal graph (cause → effect) with node relevances
/// sᵢ ≥ 0 (e.g. |correlation| with the anomalous front-end indicator), the walker at i moves
/// <list type="bullet">
/// <item>to a cause j of i ("forward", towards root causes) with weight sⱼ;</item>
/// <item>to an effect j of i ("backward", to escape a branch with no cause) with weight ρ·sⱼ (an undirected neighbour counts as a cause);</item>
/// <item>stays at i with weight max(0, sᵢ − maxⱼ wᵢⱼ);</item>
/// </list>
/// weights normalised per node; a node with all weights 0 jumps uniformly to any node. Starting from
/// <c>start</c>, the walk takes <c>steps</c> steps; a node's score is the fraction of steps that end on it.
/// </summary>
public static class RandomWalk
{
    /// <summary>Visit frequencies of the walk on <paramref name="graph"/> (cause → effect). Randomness only from <paramref name="rng"/>.</summary>
    public static double[] Visits(CausalGraph graph, IReadOnlyList<double> relevance, int start, int steps, double rho, Rng rng, CancellationToken ct = default)
    {
        int n = graph.Count;
        if (relevance.Count != n) throw new ArgumentException($"{relevance.Count} relevances for {n} nodes.");
        if (n == 0) return [];
        if (start < 0 || start >= n) throw new ArgumentOutOfRangeException(nameof(start));
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), "the walk needs at least one step.");
        var cumulative = Transitions(graph, relevance, rho);
        var counts = new long[n];
        int node = start;
        for (int t = 0; t < steps; t++)
        {
            if ((t & 4095) == 0) ct.ThrowIfCancellationRequested();
            var row = cumulative[node];
            double u = rng.NextDouble() * row[^1];
            int next = Array.BinarySearch(row, u);
            next = next >= 0 ? next + 1 : ~next;
            while (next < n - 1 && row[next] <= u) next++;
            node = Math.Min(next, n - 1);
            counts[node]++;
        }
        return counts.Select(c => (double)c / steps).ToArray();
    }

    /// <summary>Row-wise cumulative transition weights (see <see cref="RandomWalk"/>).</summary>
    internal static double[][] Transitions(CausalGraph graph, IReadOnlyList<double> s, double rho)
    {
        int n = graph.Count;
        var rows = new double[n][];
        for (int i = 0; i < n; i++)
        {
            var w = new double[n];
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                if (graph.HasArrow(j, i)) w[j] = Math.Abs(s[j]);          // j is a cause of i
                else if (graph.HasArrow(i, j)) w[j] = rho * Math.Abs(s[j]); // j is an effect of i
            }
            double max = 0;
            for (int j = 0; j < n; j++) max = Math.Max(max, w[j]);
            w[i] = Math.Max(0, Math.Abs(s[i]) - max);
            double total = w.Sum();
            if (!(total > 0) || double.IsInfinity(total)) Array.Fill(w, 1.0);
            for (int j = 1; j < n; j++) w[j] += w[j - 1];
            rows[i] = w;
        }
        return rows;
    }
}
