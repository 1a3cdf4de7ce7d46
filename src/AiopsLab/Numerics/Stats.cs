namespace AiopsLab.Numerics;

/// <summary>
/// Small descriptive statistics over spans of doubles. Every function documents how it treats NaN; none modifies
/// its input. Quantiles use linear interpolation between order statistics (Hyndman &amp; Fan 1996, definition 7,
/// the default of numpy's <c>percentile</c>, R's <c>quantile</c> and scikit-learn's <c>RobustScaler</c>).
/// </summary>
public static class Stats
{
    /// <summary>The finite values of <paramref name="x"/>, in order (NaN and ±∞ dropped).</summary>
    public static double[] Finite(ReadOnlySpan<double> x)
    {
        int n = 0;
        foreach (var v in x) if (double.IsFinite(v)) n++;
        var r = new double[n];
        int k = 0;
        foreach (var v in x) if (double.IsFinite(v)) r[k++] = v;
        return r;
    }

    /// <summary>The finite values of <paramref name="x"/>, sorted ascending.</summary>
    public static double[] SortedFinite(ReadOnlySpan<double> x)
    {
        var r = Finite(x);
        Array.Sort(r);
        return r;
    }

    /// <summary>Arithmetic mean of the finite values; NaN when there are none.</summary>
    public static double Mean(ReadOnlySpan<double> x)
    {
        double s = 0; int n = 0;
        foreach (var v in x) if (double.IsFinite(v)) { s += v; n++; }
        return n == 0 ? double.NaN : s / n;
    }

    /// <summary>
    /// Mean and standard deviation of the finite values, sqrt(Σ(x−x̄)²/(n−ddof)) computed in two passes.
    /// <paramref name="ddof"/> = 0 gives the population (maximum-likelihood) value that numpy's <c>std</c> and
    /// scikit-learn's <c>StandardScaler</c> use; 1 gives the sample value. NaN when n ≤ ddof.
    /// </summary>
    public static (double Mean, double Std) MeanStd(ReadOnlySpan<double> x, int ddof = 0)
    {
        double s = 0; int n = 0;
        foreach (var v in x) if (double.IsFinite(v)) { s += v; n++; }
        if (n == 0) return (double.NaN, double.NaN);
        double m = s / n, ss = 0;
        foreach (var v in x) if (double.IsFinite(v)) ss += (v - m) * (v - m);
        return (m, n > ddof ? Math.Sqrt(ss / (n - ddof)) : double.NaN);
    }

    /// <summary>
    /// The q-quantile (0 ≤ q ≤ 1) of an ascending-sorted, NaN-free sample by linear interpolation
    /// (Hyndman &amp; Fan definition 7): h = (n−1)q, Q = x[⌊h⌋] + (h−⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]). NaN for an empty sample.
    /// </summary>
    public static double QuantileSorted(ReadOnlySpan<double> sorted, double q)
    {
        if (q is < 0 or > 1 || double.IsNaN(q)) throw new ArgumentOutOfRangeException(nameof(q), "q must be in [0, 1].");
        int n = sorted.Length;
        if (n == 0) return double.NaN;
        double h = (n - 1) * q;
        int lo = (int)Math.Floor(h);
        if (lo >= n - 1) return sorted[n - 1];
        double frac = h - lo;
        return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
    }

    /// <summary>The q-quantile of the finite values of <paramref name="x"/> (definition 7); NaN when there are none.</summary>
    public static double Quantile(ReadOnlySpan<double> x, double q) => QuantileSorted(SortedFinite(x), q);

    /// <summary>Median of the finite values (the 0.5-quantile, the mean of the two middle values for even n).</summary>
    public static double Median(ReadOnlySpan<double> x) => QuantileSorted(SortedFinite(x), 0.5);

    /// <summary>Interquartile range Q(0.75) − Q(0.25) of an ascending-sorted, NaN-free sample (definition 7).</summary>
    public static double IqrSorted(ReadOnlySpan<double> sorted) => QuantileSorted(sorted, 0.75) - QuantileSorted(sorted, 0.25);

    /// <summary>
    /// True when the finite values of <paramref name="x"/> are all equal (or there are fewer than two).
    /// A column like that carries no information for a scorer and RCAEval drops it before every method.
    /// </summary>
    public static bool IsConstant(ReadOnlySpan<double> x)
    {
        bool seen = false; double first = 0;
        foreach (var v in x)
        {
            if (!double.IsFinite(v)) continue;
            if (!seen) { first = v; seen = true; }
            else if (v != first) return false;
        }
        return true;
    }

    /// <summary>
    /// True when the finite values of <paramref name="x"/> span no more than <paramref name="relativeTolerance"/> times
    /// their largest magnitude (or there are fewer than two): constant up to floating-point noise, e.g. a latency column
    /// holding 0.0045 and 0.0045000000000000005. Scores computed on such a column measure rounding, not the system.
    /// </summary>
    public static bool IsNumericallyConstant(ReadOnlySpan<double> x, double relativeTolerance = 1e-12)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var v in x) if (double.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (lo > hi) return true;
        return hi - lo <= relativeTolerance * Math.Max(Math.Abs(lo), Math.Abs(hi));
    }

    /// <summary>
    /// A copy with every NaN replaced by the last finite value before it, and leading NaNs by <paramref name="leading"/>
    /// (pandas' <c>ffill()</c> followed by <c>fillna(leading)</c>, the missing-value rule RCAEval applies before every method).
    /// </summary>
    public static double[] ForwardFill(ReadOnlySpan<double> x, double leading = 0)
    {
        var r = new double[x.Length];
        double last = leading;
        for (int i = 0; i < x.Length; i++)
        {
            if (double.IsFinite(x[i])) last = x[i];
            r[i] = last;
        }
        return r;
    }

    /// <summary>
    /// Pearson correlation of two equal-length NaN-free samples: cov(x,y)/(sd(x)·sd(y)). NaN when either is constant.
    /// </summary>
    public static double Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("samples differ in length.");
        int n = x.Length;
        if (n < 2) return double.NaN;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
        mx /= n; my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double a = x[i] - mx, b = y[i] - my;
            sxy += a * b; sxx += a * a; syy += b * b;
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }
}
