namespace AiopsLab.Causal;

/// <summary>
/// Discretises a column into at most k bins by one-dimensional k-means, the way scikit-learn's
/// <c>KBinsDiscretizer(strategy="kmeans", encode="ordinal")</c> does (v1.2, which RCD's reference code calls):
/// Lloyd's algorithm (Lloyd, IEEE Trans. Inf. Theory 28, 1982) started from the midpoints of k equal-width bins
/// over [min, max]; the sorted centres' midpoints become the inner bin edges; bins narrower than 10⁻⁸ are merged away;
/// a value x goes to the number of inner edges ≤ x + (10⁻⁸ + 10⁻⁵·|x|). A constant column is one bin.
/// </summary>
/// <remarks>
/// k-means stops when no label changes or when the squared movement of the centres is at most 10⁻⁴ times the column's
/// variance (scikit-learn's <c>tol</c>), or after 300 iterations. An empty cluster takes the point farthest from its
/// centre (scikit-learn's relocation rule).
/// </remarks>
public static class KMeansDiscretizer
{
    /// <summary>Bin codes 0..(bins−1) of <paramref name="column"/> (NaN-free).</summary>
    public static int[] Bin(ReadOnlySpan<double> column, int bins)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), "need at least one bin.");
        int n = column.Length;
        var codes = new int[n];
        if (n == 0) return codes;
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var v in column) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (lo == hi || bins == 1) return codes;

        var centers = new double[bins];
        for (int c = 0; c < bins; c++)
        {
            double a = lo + (hi - lo) * c / bins, b = lo + (hi - lo) * (c + 1) / bins;
            centers[c] = 0.5 * (a + b);
        }
        double mean = 0;
        foreach (var v in column) mean += v;
        mean /= n;
        double variance = 0;
        foreach (var v in column) variance += (v - mean) * (v - mean);
        variance /= n;
        double tol = 1e-4 * variance;

        var label = new int[n];
        Array.Fill(label, -1);
        var sum = new double[bins];
        var count = new int[bins];
        for (int iter = 0; iter < 300; iter++)
        {
            bool changed = false;
            for (int t = 0; t < n; t++)
            {
                int best = 0;
                double bd = Math.Abs(column[t] - centers[0]);
                for (int c = 1; c < bins; c++)
                {
                    double d = Math.Abs(column[t] - centers[c]);
                    if (d < bd) { bd = d; best = c; }
                }
                if (label[t] != best) { label[t] = best; changed = true; }
            }
            Array.Clear(sum);
            Array.Clear(count);
            for (int t = 0; t < n; t++) { sum[label[t]] += column[t]; count[label[t]]++; }
            // Empty clusters take the points farthest from their centres.
            for (int c = 0; c < bins; c++)
            {
                if (count[c] > 0) continue;
                int far = -1;
                double fd = -1;
                for (int t = 0; t < n; t++)
                {
                    if (count[label[t]] <= 1) continue;
                    double d = Math.Abs(column[t] - centers[label[t]]);
                    if (d > fd) { fd = d; far = t; }
                }
                if (far < 0) continue;
                sum[label[far]] -= column[far]; count[label[far]]--;
                label[far] = c; sum[c] = column[far]; count[c] = 1;
                changed = true;
            }
            double shift = 0;
            for (int c = 0; c < bins; c++)
            {
                if (count[c] == 0) continue;
                double nc = sum[c] / count[c];
                shift += (nc - centers[c]) * (nc - centers[c]);
                centers[c] = nc;
            }
            if (!changed || shift <= tol) break;
        }
        Array.Sort(centers);
        var edges = new List<double> { lo };
        for (int c = 1; c < bins; c++) edges.Add(0.5 * (centers[c - 1] + centers[c]));
        edges.Add(hi);
        // Merge bins narrower than 1e-8.
        var kept = new List<double> { edges[0] };
        for (int e = 1; e < edges.Count; e++) if (edges[e] - edges[e - 1] > 1e-8) kept.Add(edges[e]);
        int k = kept.Count - 1;
        for (int t = 0; t < n; t++)
        {
            double x = column[t] + 1e-8 + 1e-5 * Math.Abs(column[t]);
            int code = 0;
            for (int e = 1; e < kept.Count; e++) if (kept[e] <= x) code++;
            codes[t] = Math.Clamp(code, 0, Math.Max(0, k - 1));
        }
        return codes;
    }
}
