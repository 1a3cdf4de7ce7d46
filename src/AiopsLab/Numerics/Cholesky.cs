namespace AiopsLab.Numerics;

/// <summary>
/// Cholesky factor helpers on small dense matrices stored row-major in a span (d×d, lower triangle used).
/// Golub &amp; Van Loan, <i>Matrix Computations</i> (4th ed.), Algorithm 4.2.1 (factorisation) and §6.5.4 (rank-one
/// update, the "cholupdate" recurrence with Givens-like rotations). Used where a covariance matrix changes by one
/// outer product per step (Bayesian online change-point detection), so each step costs O(d²) instead of O(d³).
/// </summary>
public static class Cholesky
{
    /// <summary>
    /// Factors the symmetric positive-definite matrix <paramref name="a"/> in place into L with A = L·Lᵀ
    /// (the strict upper triangle is set to 0). Returns false, leaving <paramref name="a"/> partly overwritten,
    /// when A is not positive definite, i.e. when a pivot is not above <paramref name="minPivot"/> (0: exact; a small
    /// positive value treats a numerically singular matrix as not positive definite).
    /// </summary>
    public static bool Decompose(Span<double> a, int d, double minPivot = 0)
    {
        for (int j = 0; j < d; j++)
        {
            double s = a[j * d + j];
            for (int k = 0; k < j; k++) s -= a[j * d + k] * a[j * d + k];
            if (!(s > minPivot)) return false;
            double ljj = Math.Sqrt(s);
            a[j * d + j] = ljj;
            for (int i = j + 1; i < d; i++)
            {
                double t = a[i * d + j];
                for (int k = 0; k < j; k++) t -= a[i * d + k] * a[j * d + k];
                a[i * d + j] = t / ljj;
            }
            for (int k = j + 1; k < d; k++) a[j * d + k] = 0;
        }
        return true;
    }

    /// <summary>
    /// Replaces the lower factor L of A by the factor of A + x·xᵀ (rank-one update). <paramref name="x"/> is used as
    /// workspace and destroyed.
    /// </summary>
    public static void RankOneUpdate(Span<double> l, int d, Span<double> x)
    {
        for (int k = 0; k < d; k++)
        {
            double lkk = l[k * d + k];
            double r = Math.Sqrt(lkk * lkk + x[k] * x[k]);
            double c = r / lkk, s = x[k] / lkk;
            l[k * d + k] = r;
            for (int i = k + 1; i < d; i++)
            {
                double lik = (l[i * d + k] + s * x[i]) / c;
                x[i] = c * x[i] - s * lik;
                l[i * d + k] = lik;
            }
        }
    }

    /// <summary>log det A = 2·Σ log L_ii for A = L·Lᵀ.</summary>
    public static double LogDeterminant(ReadOnlySpan<double> l, int d) => LogDeterminant(l, d, d);

    /// <summary>log det A = 2·Σ log L_ii for the leading d×d factor stored row-major with <paramref name="stride"/> entries a row.</summary>
    public static double LogDeterminant(ReadOnlySpan<double> l, int d, int stride)
    {
        double s = 0;
        for (int i = 0; i < d; i++) s += Math.Log(l[i * stride + i]);
        return 2 * s;
    }

    /// <summary>
    /// The squared Mahalanobis length bᵀA⁻¹b = |L⁻¹b|² for A = L·Lᵀ, by forward substitution.
    /// <paramref name="work"/> (length ≥ d) receives L⁻¹b.
    /// </summary>
    public static double SolveNormSquared(ReadOnlySpan<double> l, int d, ReadOnlySpan<double> b, Span<double> work)
    {
        double q = 0;
        for (int i = 0; i < d; i++)
        {
            double t = b[i];
            for (int k = 0; k < i; k++) t -= l[i * d + k] * work[k];
            t /= l[i * d + i];
            work[i] = t;
            q += t * t;
        }
        return q;
    }
}
