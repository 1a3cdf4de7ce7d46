namespace AiopsLab.Detection;

/// <summary>
/// The l2 (change-in-mean) segment cost C(y_a..y_{b−1}) = Σ (y_i − ȳ)² = Σy² − (Σy)²/(b − a), in O(1) per segment from
/// prefix sums (Killick et al., JASA 2012, §2; Truong, Oudre &amp; Vayatis, "Selective review of offline change point
/// detection methods", Signal Processing 2020, the "l2" cost). Shared by PELT and binary segmentation.
/// </summary>
public sealed class L2Cost
{
    private readonly double[] _s1, _s2;

    public L2Cost(ReadOnlySpan<double> y)
    {
        _s1 = new double[y.Length + 1];
        _s2 = new double[y.Length + 1];
        for (int i = 0; i < y.Length; i++) { _s1[i + 1] = _s1[i] + y[i]; _s2[i + 1] = _s2[i] + y[i] * y[i]; }
    }

    public int Length => _s1.Length - 1;

    /// <summary>Cost of rows a..b−1 (never negative: rounding below zero is clipped).</summary>
    public double Cost(int a, int b)
    {
        double sum = _s1[b] - _s1[a];
        double c = _s2[b] - _s2[a] - sum * sum / (b - a);
        return c > 0 ? c : 0;
    }

    /// <summary>
    /// The cost reduction each change point brings given its neighbours: for change points τ_1 &lt; … &lt; τ_k (first rows of new
    /// segments), G_j = C(τ_{j−1}..τ_{j+1}) − C(τ_{j−1}..τ_j) − C(τ_j..τ_{j+1}) with τ_0 = 0, τ_{k+1} = n. For one mean shift δ between
    /// segments of n₁ and n₂ points it is the between-group sum of squares n₁n₂/(n₁+n₂)·δ².
    /// </summary>
    public double[] Gains(IReadOnlyList<int> changePoints)
    {
        var g = new double[changePoints.Count];
        for (int j = 0; j < g.Length; j++)
        {
            int a = j == 0 ? 0 : changePoints[j - 1], t = changePoints[j], b = j + 1 < g.Length ? changePoints[j + 1] : Length;
            g[j] = Cost(a, b) - Cost(a, t) - Cost(t, b);
        }
        return g;
    }

    /// <summary>
    /// The change-point detectors' score (<see cref="Pelt"/>, <see cref="BinarySegmentation"/>): the finite points of
    /// <paramref name="series"/> are segmented by <paramref name="changePoints"/>, and each change point scores the cost
    /// reduction it brings (<see cref="Gains"/>) divided by the series variance; every other point, and every NaN point,
    /// scores 0. A constant series scores 0 throughout.
    /// </summary>
    public static double[] ChangePointScores(ReadOnlySpan<double> series, Func<double[], IReadOnlyList<int>> changePoints)
    {
        var score = new double[series.Length];
        var idx = new List<int>(series.Length);
        for (int i = 0; i < series.Length; i++) if (double.IsFinite(series[i])) idx.Add(i);
        var y = new double[idx.Count];
        for (int k = 0; k < y.Length; k++) y[k] = series[idx[k]];
        var (_, sd) = Numerics.Stats.MeanStd(y);
        if (!(sd > 0)) return score;
        var cps = changePoints(y);
        var gains = new L2Cost(y).Gains(cps);
        for (int j = 0; j < cps.Count; j++) score[idx[cps[j]]] = gains[j] / (sd * sd);
        return score;
    }
}

/// <summary>
/// Marks a detector whose scores mark change points (the first row of a new segment) rather than outlying points. An isolated
/// one-point spike is outside what such a detector promises (binary segmentation, for one, cannot isolate it); the conformance
/// suite checks these detectors on a short transient shift instead of a spike.
/// </summary>
public interface IChangePointDetector : IAnomalyDetector;
