using MathNet.Numerics;

namespace AiopsLab.Numerics;

/// <summary>
/// Tail probabilities of the distributions that hypothesis tests in AiopsLab refer their statistics to, written as thin,
/// exactly documented wrappers over MathNet.Numerics' special functions (regularized incomplete gamma and beta,
/// complementary error function), so that upper tails keep full relative precision where 1 − CDF would round to 0.
/// References: Abramowitz &amp; Stegun, <i>Handbook of Mathematical Functions</i> (1964), 26.2.2 (normal), 26.4.19
/// (chi-square as an incomplete gamma function), 26.6.2 (F as an incomplete beta function).
/// </summary>
public static class Distributions
{
    /// <summary>Standard normal CDF Φ(x) = ½·erfc(−x/√2) (A&amp;S 26.2.2 with 7.1.2).</summary>
    public static double NormalCdf(double x) => double.IsNaN(x) ? double.NaN : 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2));

    /// <summary>Standard normal upper tail 1 − Φ(x) = ½·erfc(x/√2), accurate far into the tail.</summary>
    public static double NormalSf(double x) => double.IsNaN(x) ? double.NaN : 0.5 * SpecialFunctions.Erfc(x / Math.Sqrt(2));

    /// <summary>Two-sided normal p-value 2·(1 − Φ(|z|)) = erfc(|z|/√2).</summary>
    public static double NormalTwoSidedP(double z) => double.IsNaN(z) ? double.NaN : SpecialFunctions.Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>
    /// Chi-square upper tail P(χ²_k ≥ x) = Q(k/2, x/2), the regularized upper incomplete gamma function (A&amp;S 26.4.19).
    /// 1 for x ≤ 0; requires k &gt; 0.
    /// </summary>
    public static double ChiSquareSf(double x, double degreesOfFreedom)
    {
        if (!(degreesOfFreedom > 0)) throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), "degrees of freedom must be positive.");
        if (double.IsNaN(x)) return double.NaN;
        if (x <= 0) return 1;
        if (double.IsPositiveInfinity(x)) return 0;
        return SpecialFunctions.GammaUpperRegularized(degreesOfFreedom / 2, x / 2);
    }

    /// <summary>
    /// F upper tail P(F_{d1,d2} ≥ f) = I_{d2/(d2+d1·f)}(d2/2, d1/2), the regularized incomplete beta function
    /// (A&amp;S 26.6.2). 1 for f ≤ 0; requires d1, d2 &gt; 0.
    /// </summary>
    public static double FSf(double f, double d1, double d2)
    {
        if (!(d1 > 0) || !(d2 > 0)) throw new ArgumentOutOfRangeException(nameof(d1), "degrees of freedom must be positive.");
        if (double.IsNaN(f)) return double.NaN;
        if (f <= 0) return 1;
        if (double.IsPositiveInfinity(f)) return 0;
        return SpecialFunctions.BetaRegularized(d2 / 2, d1 / 2, d2 / (d2 + d1 * f));
    }
}
