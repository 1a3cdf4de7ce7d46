namespace AiopsLab.Numerics;

/// <summary>
/// Univariate Gaussian kernel density estimation (Silverman, <i>Density Estimation for Statistics and Data Analysis</i>,
/// 1986, eq. 2.2a): f̂(s) = (1/(N·h)) Σ_i φ((s − x_i)/h), φ the standard normal density, h the bandwidth (the kernel's
/// standard deviation, as statsmodels' <c>KDEUnivariate</c> takes a numeric <c>bw</c>). Exact evaluation, no binning.
/// </summary>
public static class Kde
{
    private static readonly double InvSqrt2Pi = 1 / Math.Sqrt(2 * Math.PI);

    /// <summary>f̂ at each point of <paramref name="at"/> for data <paramref name="x"/> and bandwidth h &gt; 0.</summary>
    public static double[] Gaussian(ReadOnlySpan<double> x, double bandwidth, ReadOnlySpan<double> at)
    {
        if (!(bandwidth > 0)) throw new ArgumentOutOfRangeException(nameof(bandwidth), "the bandwidth must be > 0.");
        var f = new double[at.Length];
        if (x.Length == 0) return f;
        double c = InvSqrt2Pi / (x.Length * bandwidth);
        for (int k = 0; k < at.Length; k++)
        {
            double s = 0;
            foreach (var xi in x)
            {
                double u = (at[k] - xi) / bandwidth;
                if (u is > -40 and < 40) s += Math.Exp(-0.5 * u * u);
            }
            f[k] = c * s;
        }
        return f;
    }

    /// <summary>
    /// f̂ at the rows 0..<paramref name="length"/>−1 for integer data <paramref name="x"/> (e.g. change-point rows), summed
    /// as statsmodels' <c>KDEUnivariate.evaluate</c> sums it (which the authors of MetricSifter call; it evaluates the
    /// kernel sum directly, the FFT grid of <c>fit(fft=True)</c> is not used): per row, the terms
    /// φ((x_i − s)/h) = 0.3989422804014327·exp(−u²/2) are added in data order, then multiplied by 1/(h·N). Since both the
    /// data and the rows are integers a term depends only on |x_i − s|, so the terms are tabulated once and each data point
    /// adds one contiguous slice of the (mirrored) table to every row: O(N·length) additions, vectorised, no exponentials
    /// in the loop, and the same sums in the same order as the direct evaluation. Points outside [0, length) are allowed.
    /// </summary>
    public static double[] GaussianAtRows(ReadOnlySpan<int> x, double bandwidth, int length)
    {
        if (!(bandwidth > 0)) throw new ArgumentOutOfRangeException(nameof(bandwidth), "the bandwidth must be > 0.");
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length));
        var acc = new double[length];
        if (x.Length == 0 || length == 0) return acc;
        int lo = int.MaxValue, hi = int.MinValue;
        foreach (var v in x) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        // Distances reach at most span = max(hi, length − 1 − lo, length − 1) in either direction; mirrored[span + d] = φ(d/h).
        long spanL = Math.Max(Math.Max((long)hi, (long)length - 1 - lo), (long)length - 1);
        if (spanL > int.MaxValue / 4) throw new ArgumentOutOfRangeException(nameof(x), "change points too far from the rows.");
        int span = (int)spanL;
        var mirrored = new double[2 * span + 1];
        for (int d = 0; d <= span; d++)
        {
            double u = d / bandwidth;
            double k = 0.3989422804014327 * Math.Exp(-(u * u) / 2.0);
            mirrored[span + d] = k;
            mirrored[span - d] = k;
        }
        var a = acc.AsSpan();
        foreach (var xi in x)
        {
            // row s gets φ((xi − s)/h) = mirrored[span + s − xi]: one slice for all rows.
            var slice = mirrored.AsSpan(span - xi, length);
            System.Numerics.Tensors.TensorPrimitives.Add(a, slice, a);
        }
        double c = 1.0 / (bandwidth * x.Length);
        for (int s = 0; s < length; s++) acc[s] = c * acc[s];
        return acc;
    }

    /// <summary>
    /// Local minima of a sampled density, flat bottoms included: i with f[i] &lt; f[i−1] where the run of values equal to
    /// f[i] from i on ends with a larger value (the first row of the run is returned; a run of length 1 is a strict
    /// minimum). A run of exact zeros (the density underflowed far from every point) is not a minimum.
    /// </summary>
    /// <remarks>
    /// Two integer points k rows apart (k odd) give two rows of mathematically equal density at the bottom of the valley
    /// between them; scipy's strict <c>argrelextrema</c> then finds a minimum at one of them or none, as the last bit of
    /// the sums falls. The density's minimum lies between those rows, so the run counts as one minimum here.
    /// </remarks>
    public static int[] LocalMinima(ReadOnlySpan<double> f)
    {
        var r = new List<int>();
        for (int i = 1; i + 1 < f.Length; i++)
        {
            if (!(f[i] < f[i - 1]) || f[i] == 0) continue;
            int j = i;
            while (j + 1 < f.Length && f[j + 1] == f[i]) j++;
            if (j + 1 < f.Length && f[j + 1] > f[i]) r.Add(i);
            i = j;
        }
        return r.ToArray();
    }

    /// <summary>
    /// Indices i with f[i] &lt; f[i−1] and f[i] &lt; f[i+1] (strict local minima; the ends are never minima), as
    /// scipy's <c>argrelextrema(f, np.less)</c>.
    /// </summary>
    public static int[] StrictLocalMinima(ReadOnlySpan<double> f)
    {
        var r = new List<int>();
        for (int i = 1; i + 1 < f.Length; i++)
            if (f[i] < f[i - 1] && f[i] < f[i + 1]) r.Add(i);
        return r.ToArray();
    }
}
