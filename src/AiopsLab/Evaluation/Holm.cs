namespace AiopsLab.Evaluation;

/// <summary>Holm's step-down adjustment of p-values for multiple comparisons (Holm, Scand. J. Statist. 6, 1979).</summary>
public static class Holm
{
    /// <summary>
    /// Adjusted p-values: sort p ascending, p̃₍ᵢ₎ = max_{j≤i} min(1, (m − j + 1)·p₍ⱼ₎), returned in the input order.
    /// Reject H₀ᵢ at level α when p̃ᵢ ≤ α.
    /// </summary>
    public static double[] Adjust(IReadOnlyList<double> p)
    {
        int m = p.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => p[i]).ThenBy(i => i).ToArray();
        var adj = new double[m];
        double running = 0;
        for (int r = 0; r < m; r++)
        {
            int i = order[r];
            running = Math.Max(running, Math.Min(1, (m - r) * p[i]));
            adj[i] = running;
        }
        return adj;
    }
}
