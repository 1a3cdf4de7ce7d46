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
}
