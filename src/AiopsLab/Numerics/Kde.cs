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
