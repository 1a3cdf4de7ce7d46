namespace AiopsLab.Numerics;

/// <summary>
/// Sums, means and standard deviations computed the way numpy computes them (pairwise summation: blocks of at most 128
/// values summed with eight interleaved accumulators, larger arrays split in halves rounded to a multiple of eight;
/// numpy's <c>pairwise_sum</c> in <c>loops_utils.h</c>). Used where a detector must reproduce a Python reference bit for
/// bit, e.g. NAB's windowed Gaussian, whose scores at threshold 1.0 depend on the last bit. Elsewhere, <see cref="Stats"/>.
/// </summary>
public static class PairwiseSum
{
    private const int BlockSize = 128;

    /// <summary>numpy's <c>np.sum</c> of a contiguous float64 array.</summary>
    public static double Sum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            // numpy starts from -0.0 so that sum([-0.0]) is -0.0; adding in order.
            double res = -0.0;
            for (int i = 0; i < n; i++) res += a[i];
            return res;
        }
        if (n <= BlockSize)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            int i;
            for (i = 8; i < n - (n % 8); i += 8)
            {
                r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3];
                r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += a[i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return Sum(a[..n2]) + Sum(a[n2..]);
    }

    /// <summary>numpy's <c>np.mean</c>: the pairwise sum divided by the count (NaN for an empty span).</summary>
    public static double Mean(ReadOnlySpan<double> a) => a.Length == 0 ? double.NaN : Sum(a) / a.Length;

    /// <summary>numpy's <c>np.std</c> (ddof = 0): sqrt(mean(|x − mean(x)|²)), both means pairwise.</summary>
    public static double Std(ReadOnlySpan<double> a) => a.Length == 0 ? double.NaN : Std(a, Mean(a), new double[a.Length]);

    /// <summary><see cref="Std(ReadOnlySpan{double})"/> given the mean, using <paramref name="scratch"/> (at least as long as
    /// <paramref name="a"/>) for the squared deviations, so a caller that refreshes often allocates nothing.</summary>
    public static double Std(ReadOnlySpan<double> a, double mean, Span<double> scratch)
    {
        var d = scratch[..a.Length];
        for (int i = 0; i < a.Length; i++) { double x = a[i] - mean; d[i] = x * x; }
        return Math.Sqrt(Sum(d) / a.Length);
    }
}
