using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace AiopsLab.Numerics;

/// <summary>
/// Pearson and partial correlations over NaN-free columns of equal length.
/// </summary>
public static class Correlation
{
    /// <summary>
    /// The Pearson correlation matrix R with R[i,j] = Σ(xᵢ−x̄ᵢ)(xⱼ−x̄ⱼ) / √(Σ(xᵢ−x̄ᵢ)²·Σ(xⱼ−x̄ⱼ)²), computed once from
    /// standardised columns (dot products through <see cref="TensorPrimitives"/>). A constant column has no defined
    /// correlation; it gets 1 on the diagonal and 0 elsewhere, i.e. it is treated as independent of everything.
    /// </summary>
    /// <exception cref="ArgumentException">Columns of different lengths, or a non-finite value.</exception>
    public static double[,] Matrix(IReadOnlyList<double[]> columns)
    {
        int p = columns.Count;
        var z = Standardize(columns);
        var r = new double[p, p];
        for (int i = 0; i < p; i++)
        {
            r[i, i] = 1;
            if (z[i] is null) continue;
            for (int j = 0; j < i; j++)
            {
                if (z[j] is null) continue;
                double c = TensorPrimitives.Dot<double>(z[i], z[j]);
                c = Math.Clamp(c, -1, 1);
                r[i, j] = r[j, i] = c;
            }
        }
        return r;
    }

    /// <summary>Each column centred and scaled to unit Euclidean norm (null for a constant column).</summary>
    private static double[]?[] Standardize(IReadOnlyList<double[]> columns)
    {
        int p = columns.Count;
        int n = p == 0 ? 0 : columns[0].Length;
        var z = new double[]?[p];
        for (int j = 0; j < p; j++)
        {
            var c = columns[j];
            if (c.Length != n) throw new ArgumentException($"column {j} has {c.Length} values, column 0 has {n}.");
            double m = 0;
            foreach (var v in c)
            {
                if (!double.IsFinite(v)) throw new ArgumentException($"column {j} has a missing or infinite value.");
                m += v;
            }
            m /= Math.Max(1, n);
            var d = new double[n];
            double ss = 0;
            for (int i = 0; i < n; i++) { d[i] = c[i] - m; ss += d[i] * d[i]; }
            // Relative test, so that a column constant up to rounding counts as constant.
            if (!(ss > 1e-24 * Math.Max(1, m * m) * n)) continue;
            double s = 1 / Math.Sqrt(ss);
            for (int i = 0; i < n; i++) d[i] *= s;
            z[j] = d;
        }
        return z;
    }

    /// <summary>
    /// The partial correlation ρ(i, j | S) from a correlation (or covariance) matrix: with the variables ordered
    /// (S, i, j), the Cholesky factor L of the submatrix holds the conditional covariance of (i, j) given S in its last
    /// 2×2 block, so ρ = L[j,i] / √(L[j,i]² + L[j,j]²). This equals −P_ij/√(P_ii·P_jj) with P the inverse of the
    /// submatrix (Whittaker, <i>Graphical Models in Applied Multivariate Statistics</i>, 1990, §5.7; Kalisch &amp;
    /// Bühlmann, JMLR 8, 2007, eq. 6) without forming the inverse. Where the submatrix is singular (an exact linear
    /// dependence among S, i, j), the inverse is replaced by the Moore–Penrose pseudo-inverse; with
    /// <paramref name="nanIfSingular"/> NaN is returned instead.
    /// </summary>
    public static double Partial(double[,] r, int i, int j, ReadOnlySpan<int> s, bool nanIfSingular = false)
    {
        if (s.Length == 0) return r[i, j];
        int k = s.Length + 2;
        Span<int> idx = k <= 64 ? stackalloc int[k] : new int[k];
        s.CopyTo(idx);
        idx[k - 2] = i;
        idx[k - 1] = j;
        Span<double> a = k <= 16 ? stackalloc double[k * k] : new double[k * k];
        for (int u = 0; u < k; u++)
            for (int v = 0; v <= u; v++)
                a[u * k + v] = r[idx[u], idx[v]];
        if (Cholesky.Decompose(a, k, minPivot: 1e-13))
        {
            double b = a[(k - 1) * k + (k - 2)], c = a[(k - 1) * k + (k - 1)];
            double den = Math.Sqrt(b * b + c * c);
            return den > 0 ? Math.Clamp(b / den, -1, 1) : nanIfSingular ? double.NaN : 0;
        }
        return nanIfSingular ? double.NaN : PartialByPseudoInverse(r, idx);
    }

    private static double PartialByPseudoInverse(double[,] r, ReadOnlySpan<int> idx)
    {
        int k = idx.Length;
        var m = Matrix<double>.Build.Dense(k, k);
        for (int u = 0; u < k; u++)
            for (int v = 0; v < k; v++)
                m[u, v] = r[idx[u], idx[v]];
        var p = m.PseudoInverse();
        double pii = p[k - 2, k - 2], pjj = p[k - 1, k - 1];
        if (!(pii > 0) || !(pjj > 0)) return 0;
        return Math.Clamp(-p[k - 2, k - 1] / Math.Sqrt(pii * pjj), -1, 1);
    }
}
