using AiopsLab.Causal;

namespace AiopsLab.Rca;

/// <summary>Where the probability mass of a node without out-links goes in <see cref="PageRank"/>.</summary>
public enum DanglingRule
{
    /// <summary>
    /// The textbook rule (Langville &amp; Meyer, <i>Google's PageRank and Beyond</i>, 2006, §4.5): a dangling node's mass
    /// follows the personalization vector, so the iteration is x ← d·Pᵀx + (d·Σ_dangling x + (1 − d))·v.
    /// </summary>
    Personalization,
    /// <summary>
    /// scikit-network's power iteration (<c>sknetwork.linalg.ppr_solver.RandomSurferOperator</c>, v0.31, which RCAEval's
    /// PageRank heads call): x ← d·Pᵀx + v∘(1 − d·[node has out-links])·Σx, then x ← x/Σx; started from
    /// v∘(1 − d·[has out-links]). A dangling node's own mass is dropped and the node instead restarts with weight vᵢ
    /// rather than (1 − d)·vᵢ.
    /// </summary>
    ScikitNetwork,
}

/// <summary>
/// PageRank and personalized PageRank (Page, Brin, Motwani &amp; Winograd, "The PageRank citation ranking", Stanford
/// TR 1999-66; Haveliwala, "Topic-sensitive PageRank", WWW 2002) by power iteration:
/// x ← d·Pᵀx + (1 − d)·v (+ dangling mass, see <see cref="DanglingRule"/>), P the row-normalised adjacency matrix of
/// the walk graph, v the personalization (restart) distribution, d the damping factor.
/// </summary>
/// <remarks>
/// For root-cause ranking the walk runs on the <b>reversed</b> causal graph (effect → cause), so mass flows from
/// symptoms to their causes and accumulates at root causes (MicroRCA, Wu et al., NOMS 2020; RCAEval's PageRank heads).
/// </remarks>
public static class PageRank
{
    /// <summary>
    /// PageRank scores (summing to 1) of the walk graph given by <paramref name="walk"/>: a mark i → j is a link from i
    /// to j. <paramref name="personalization"/> (non-negative, not all 0) defaults to uniform. Iterates until the L1
    /// change is below <paramref name="tolerance"/> or <paramref name="iterations"/> steps have run.
    /// </summary>
    public static double[] Compute(CausalGraph walk, double[]? personalization = null, double damping = 0.85, int iterations = 100,
        double tolerance = 1e-10, DanglingRule dangling = DanglingRule.Personalization)
    {
        int n = walk.Count;
        if (n == 0) return [];
        if (!(damping >= 0 && damping < 1)) throw new ArgumentOutOfRangeException(nameof(damping), "damping must be in [0, 1).");
        var v = Normalise(personalization, n);
        var outs = new int[n][];
        for (int i = 0; i < n; i++) outs[i] = walk.Children(i).ToArray();
        var x = new double[n];
        var next = new double[n];
        if (dangling == DanglingRule.ScikitNetwork)
            for (int i = 0; i < n; i++) x[i] = v[i] * (1 - damping * (outs[i].Length > 0 ? 1 : 0));
        else
            Array.Copy(v, x, n);
        for (int it = 0; it < iterations; it++)
        {
            Array.Clear(next);
            double danglingMass = 0, total = 0;
            for (int i = 0; i < n; i++)
            {
                total += x[i];
                if (outs[i].Length == 0) { danglingMass += x[i]; continue; }
                double share = damping * x[i] / outs[i].Length;
                foreach (var j in outs[i]) next[j] += share;
            }
            if (dangling == DanglingRule.ScikitNetwork)
                for (int i = 0; i < n; i++) next[i] += v[i] * (1 - damping * (outs[i].Length > 0 ? 1 : 0)) * total;
            else
                for (int i = 0; i < n; i++) next[i] += (damping * danglingMass + (1 - damping) * total) * v[i];
            double sum = next.Sum();
            if (sum > 0) for (int i = 0; i < n; i++) next[i] /= sum;
            double change = 0;
            for (int i = 0; i < n; i++) change += Math.Abs(next[i] - x[i]);
            // scikit-network stops without taking the converged step; the textbook iteration takes it.
            if (change < tolerance && dangling == DanglingRule.ScikitNetwork) break;
            (x, next) = (next, x);
            if (change < tolerance) break;
        }
        double s = x.Sum();
        if (s > 0) for (int i = 0; i < n; i++) x[i] /= s;
        return x;
    }

    private static double[] Normalise(double[]? p, int n)
    {
        var v = new double[n];
        if (p is null) { Array.Fill(v, 1.0 / n); return v; }
        if (p.Length != n) throw new ArgumentException($"personalization has {p.Length} entries for {n} nodes.");
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            if (!(p[i] >= 0) || double.IsInfinity(p[i])) throw new ArgumentException("personalization entries must be finite and non-negative.");
            s += p[i];
        }
        if (!(s > 0)) { Array.Fill(v, 1.0 / n); return v; }
        for (int i = 0; i < n; i++) v[i] = p[i] / s;
        return v;
    }
}
