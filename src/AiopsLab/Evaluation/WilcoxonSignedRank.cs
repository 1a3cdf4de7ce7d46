using AiopsLab.Numerics;
using MathNet.Numerics.Distributions;

namespace AiopsLab.Evaluation;

/// <summary>How the Wilcoxon signed-rank test treats zero differences.</summary>
public enum WilcoxonZeros
{
    /// <summary>Drop them before ranking (Wilcoxon 1945; scipy's default "wilcox").</summary>
    Wilcox,
    /// <summary>Rank them with the others, then leave their ranks out of both sums (Pratt 1959), with Cureton's (1967) correction of the null mean and variance.</summary>
    Pratt,
    /// <summary>Rank them and split their rank sum evenly between R+ and R− (as Demšar 2006, §3.1.3 recommends).</summary>
    ZSplit,
}

/// <summary>The alternative hypothesis about the differences d = x − y.</summary>
public enum Alternative { TwoSided, Greater, Less }

/// <summary>Result of a Wilcoxon signed-rank test.</summary>
/// <param name="Statistic">min(R+, R−) for a two-sided test, R+ for a one-sided one (scipy's convention).</param>
/// <param name="RPlus">Sum of the ranks of positive differences (plus half the zero ranks under ZSplit).</param>
/// <param name="RMinus">Sum of the ranks of negative differences (plus half the zero ranks under ZSplit).</param>
/// <param name="N">Differences ranked (zeros excluded under Wilcox).</param>
/// <param name="Zeros">Zero differences in the input.</param>
/// <param name="Exact">True when the p-value comes from the exact null distribution, false for the normal approximation.</param>
/// <param name="PValue">The p-value (two-sided unless the test was one-sided).</param>
/// <param name="Z">The normal approximation's z (NaN for an exact test).</param>
public sealed record WilcoxonResult(double Statistic, double RPlus, double RMinus, int N, int Zeros, double PValue, bool Exact, double Z);

/// <summary>
/// The Wilcoxon signed-rank test for paired samples (Wilcoxon, "Individual comparisons by ranking methods",
/// Biometrics Bulletin 1(6), 1945), as used to compare two methods over the same cases (Demšar, JMLR 7, 2006, §3.1.3).
/// </summary>
/// <remarks>
/// <para>Rank |dᵢ| (average ranks for ties), R+ = Σ ranks of dᵢ &gt; 0, R− = Σ ranks of dᵢ &lt; 0.</para>
/// <para><b>Exact</b> (default when n ≤ 50 and there are no zeros and no ties, as R's <c>wilcox.test</c>): under H₀ every
/// sign pattern is equally likely, so P(R+ = s) = c(n, s)/2ⁿ where c(n, s) counts the subsets of {1..n} summing to s
/// (computed by the recursion c(m, s) = c(m−1, s) + c(m−1, s−m)). Two-sided p = min(1, 2·min(P(R+ ≤ r), P(R+ ≥ r))).</para>
/// <para><b>Normal approximation</b> otherwise: mean n(n+1)/4, variance [n(n+1)(2n+1) − ½Σ(t³−t)]/24 with t the sizes of
/// tied groups among the ranks; under Pratt the mean and variance drop the zeros' share (Cureton 1967); optional
/// continuity correction of ½ towards the mean. These are scipy 1.10's formulas (<c>scipy.stats.wilcoxon</c>); scipy also
/// uses its exact distribution when there are ties (truncating R+ to an integer), which this class does not.</para>
/// </remarks>
public static class WilcoxonSignedRank
{
    /// <summary>Tests the paired differences x − y.</summary>
    public static WilcoxonResult Test(ReadOnlySpan<double> x, ReadOnlySpan<double> y, WilcoxonZeros zeros = WilcoxonZeros.Wilcox,
        Alternative alternative = Alternative.TwoSided, bool? exact = null, bool correction = false)
    {
        if (x.Length != y.Length) throw new ArgumentException($"paired samples need equal lengths ({x.Length} and {y.Length}).");
        var d = new double[x.Length];
        for (int i = 0; i < d.Length; i++) d[i] = x[i] - y[i];
        return Test(d, zeros, alternative, exact, correction);
    }

    /// <summary>Tests differences <paramref name="d"/> against a median of zero.</summary>
    /// <exception cref="ArgumentException">NaN, no differences, or (Wilcox/Pratt) every difference zero; or exact requested where it does not apply.</exception>
    public static WilcoxonResult Test(ReadOnlySpan<double> d, WilcoxonZeros zeros = WilcoxonZeros.Wilcox,
        Alternative alternative = Alternative.TwoSided, bool? exact = null, bool correction = false)
    {
        if (d.Length == 0) throw new ArgumentException("no differences to test.");
        foreach (var v in d) if (double.IsNaN(v)) throw new ArgumentException("a difference is NaN.");
        int nZero = 0;
        foreach (var v in d) if (v == 0) nZero++;
        if (nZero == d.Length && zeros != WilcoxonZeros.ZSplit) throw new ArgumentException("every difference is zero; the Wilcox and Pratt treatments leave nothing to test.");
        var kept = zeros == WilcoxonZeros.Wilcox ? d.ToArray().Where(v => v != 0).ToArray() : d.ToArray();
        int n = kept.Length;
        var abs = kept.Select(Math.Abs).ToArray();
        var r = Ranks.Average(abs);
        double rPlus = 0, rMinus = 0, rZero = 0;
        for (int i = 0; i < n; i++)
        {
            if (kept[i] > 0) rPlus += r[i];
            else if (kept[i] < 0) rMinus += r[i];
            else rZero += r[i];
        }
        if (zeros == WilcoxonZeros.ZSplit) { rPlus += rZero / 2; rMinus += rZero / 2; }
        double t = alternative == Alternative.TwoSided ? Math.Min(rPlus, rMinus) : rPlus;
        double tieSum = Ranks.TieSum(abs);
        bool canExact = n <= 50 && nZero == 0 && tieSum == 0;
        bool useExact = exact ?? canExact;
        if (useExact && !canExact) throw new ArgumentException("the exact distribution needs no zeros, no ties and n ≤ 50.");

        if (useExact)
        {
            var pmf = NullDistribution(n);
            int rp = (int)rPlus;
            double pLess = 0, pGreater = 0;
            for (int s = 0; s < pmf.Length; s++)
            {
                if (s <= rp) pLess += pmf[s];
                if (s >= rp) pGreater += pmf[s];
            }
            double p = alternative switch
            {
                Alternative.Greater => pGreater,
                Alternative.Less => pLess,
                _ => Math.Min(1, 2 * Math.Min(pLess, pGreater)),
            };
            return new WilcoxonResult(t, rPlus, rMinus, n, nZero, Math.Clamp(p, 0, 1), true, double.NaN);
        }

        double mean = n * (n + 1.0) / 4;
        double var = n * (n + 1.0) * (2 * n + 1.0);
        var ranksForTies = r;
        if (zeros == WilcoxonZeros.Pratt)
        {
            ranksForTies = r.Where((_, i) => kept[i] != 0).ToArray();
            mean -= nZero * (nZero + 1.0) / 4;
            var -= nZero * (nZero + 1.0) * (2 * nZero + 1.0);
        }
        var -= 0.5 * Ranks.TieSum(ranksForTies);
        double se = Math.Sqrt(var / 24);
        double cc = !correction ? 0 : alternative switch
        {
            Alternative.TwoSided => 0.5 * Math.Sign(t - mean),
            Alternative.Less => -0.5,
            _ => 0.5,
        };
        double z = se > 0 ? (t - mean - cc) / se : 0;
        double pv = alternative switch
        {
            Alternative.Greater => 1 - Normal.CDF(0, 1, z),
            Alternative.Less => Normal.CDF(0, 1, z),
            _ => 2 * (1 - Normal.CDF(0, 1, Math.Abs(z))),
        };
        return new WilcoxonResult(t, rPlus, rMinus, n, nZero, Math.Clamp(pv, 0, 1), false, z);
    }

    /// <summary>P(R+ = s), s = 0..n(n+1)/2, under H₀ for n distinct ranks.</summary>
    public static double[] NullDistribution(int n)
    {
        int max = n * (n + 1) / 2;
        var c = new double[max + 1];
        c[0] = 1;
        for (int m = 1; m <= n; m++)
            for (int s = m * (m + 1) / 2; s >= m; s--) c[s] += c[s - m];
        double total = Math.Pow(2, n);
        for (int s = 0; s <= max; s++) c[s] /= total;
        return c;
    }
}
