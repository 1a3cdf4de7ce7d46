namespace AiopsLab.Rca;

/// <summary>
/// Quantiles of a NaN-free sample by selection (Hoare's FIND / quickselect, CACM 1961, Algorithm 65) instead of a full
/// sort: the value is the same as numpy's default linear interpolation on the sorted sample (Hyndman &amp; Fan's
/// definition 7, <see cref="Numerics.Stats.QuantileSorted"/>), found in expected O(n). The sample is reordered.
/// </summary>
internal static class QuickSelect
{
    /// <summary>The lower order-statistic index ⌊(n − 1)q⌋ of the q-quantile.</summary>
    public static int Low(int n, double q) => Math.Min(n - 1, (int)Math.Floor((n - 1) * q));

    /// <summary>
    /// The q-quantile (definition 7) of <paramref name="x"/>, reordering it. <paramref name="from"/> ≤ ⌊(n − 1)q⌋ is an
    /// index below which every element is already no larger than the rest (e.g. the low index of a smaller quantile
    /// selected before), so consecutive quantiles in increasing q share the work.
    /// </summary>
    public static double Quantile(Span<double> x, double q, int from)
    {
        int n = x.Length;
        double h = (n - 1) * q;
        int lo = Low(n, q);
        Nth(x, from, n - 1, lo);
        if (lo >= n - 1) return x[lo];
        double next = x[lo + 1];
        for (int i = lo + 2; i < n; i++) if (x[i] < next) next = x[i];
        return x[lo] + (h - lo) * (next - x[lo]);
    }

    /// <summary>Places the k-th smallest of x[left..right] at k, smaller ones before it and larger ones after.</summary>
    private static void Nth(Span<double> x, int left, int right, int k)
    {
        while (right > left)
        {
            // Median of three as the pivot.
            int mid = left + (right - left) / 2;
            if (x[mid] < x[left]) (x[mid], x[left]) = (x[left], x[mid]);
            if (x[right] < x[left]) (x[right], x[left]) = (x[left], x[right]);
            if (x[right] < x[mid]) (x[right], x[mid]) = (x[mid], x[right]);
            double pivot = x[mid];
            int i = left, j = right;
            while (i <= j)
            {
                while (x[i] < pivot) i++;
                while (x[j] > pivot) j--;
                if (i <= j) { (x[i], x[j]) = (x[j], x[i]); i++; j--; }
            }
            if (k <= j) right = j;
            else if (k >= i) left = i;
            else return;
        }
    }
}
