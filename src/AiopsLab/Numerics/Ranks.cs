namespace AiopsLab.Numerics;

/// <summary>Fractional ranks with ties, as used by rank tests (Wilcoxon, Friedman).</summary>
public static class Ranks
{
    /// <summary>
    /// Ranks 1..n of <paramref name="x"/> in ascending order; tied values get the mean of the ranks they span
    /// (<c>scipy.stats.rankdata(method="average")</c>). NaN is not allowed.
    /// </summary>
    /// <exception cref="ArgumentException">A NaN value.</exception>
    public static double[] Average(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        var idx = new int[n];
        var v = x.ToArray();
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(v[i])) throw new ArgumentException("ranks of NaN are undefined.", nameof(x));
            idx[i] = i;
        }
        Array.Sort(v, idx);
        var r = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && v[j + 1] == v[i]) j++;
            double mean = 0.5 * (i + j) + 1;
            for (int k = i; k <= j; k++) r[idx[k]] = mean;
            i = j + 1;
        }
        return r;
    }

    /// <summary>Σ (t³ − t) over the groups of tied values (t = group size): the tie term of rank-test variances.</summary>
    public static double TieSum(ReadOnlySpan<double> x)
    {
        var v = x.ToArray();
        Array.Sort(v);
        double s = 0;
        for (int i = 0; i < v.Length;)
        {
            int j = i;
            while (j + 1 < v.Length && v[j + 1] == v[i]) j++;
            double t = j - i + 1;
            s += t * t * t - t;
            i = j + 1;
        }
        return s;
    }
}
