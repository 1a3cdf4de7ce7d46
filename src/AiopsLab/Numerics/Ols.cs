namespace AiopsLab.Numerics;

/// <summary>An ordinary-least-squares fit y ≈ b₀ + Σ bⱼ·xⱼ (see <see cref="Ols"/>).</summary>
public sealed class OlsFit
{
    internal OlsFit(double intercept, double[] coefficients, bool[] used, double rss, int rank, int observations)
    {
        Intercept = intercept; Coefficients = coefficients; Used = used; Rss = rss; Rank = rank; Observations = observations;
    }

    /// <summary>b₀ (0 when the fit has no intercept).</summary>
    public double Intercept { get; }

    /// <summary>bⱼ per regressor; 0 for a regressor dropped as linearly dependent on earlier ones.</summary>
    public IReadOnlyList<double> Coefficients { get; }

    /// <summary>False for regressors dropped as (numerically) linearly dependent on earlier ones (or constant, with an intercept).</summary>
    public IReadOnlyList<bool> Used { get; }

    /// <summary>Residual sum of squares Σ(yᵢ − ŷᵢ)², computed from the residuals themselves.</summary>
    public double Rss { get; }

    /// <summary>Number of estimated parameters: independent regressors plus the intercept, if any.</summary>
    public int Rank { get; }

    /// <summary>Number of observations n.</summary>
    public int Observations { get; }

    /// <summary>Residual degrees of freedom n − rank.</summary>
    public int ResidualDf => Observations - Rank;

    /// <summary>ŷ for one row of regressor values (same order as the fit).</summary>
    public double Predict(ReadOnlySpan<double> row)
    {
        double s = Intercept;
        for (int j = 0; j < Coefficients.Count; j++) s += Coefficients[j] * row[j];
        return s;
    }
}

/// <summary>
/// Ordinary least squares by the normal equations on centred and scaled regressors, solved with a Cholesky
/// factorisation that drops a regressor whose pivot falls below 10⁻¹⁰ of its scaled variance (it lies, numerically, in
/// the span of the regressors before it). Dropping by pivot gives the same fitted values and residual sum of squares
/// as a minimum-norm (pseudo-inverse) solution, and the rank used for degrees of freedom; this is how statsmodels'
/// OLS (pinv) treats collinear lags. Reference: Golub &amp; Van Loan, <i>Matrix Computations</i> (4th ed.), §5.3
/// (normal equations) and Algorithm 4.2.1 (Cholesky); Seber &amp; Lee, <i>Linear Regression Analysis</i>, §3.1.
/// </summary>
/// <remarks>Centring and scaling each regressor to unit variance before forming XᵀX keeps the condition number of the
/// Gram matrix that of the correlation matrix, so metrics in bytes and in seconds can share one regression. Suitable for
/// the small designs used here (a handful of regressors, a few thousand rows).</remarks>
public static class Ols
{
    private const double PivotTolerance = 1e-10;

    /// <summary>Fits y on the regressors <paramref name="x"/> (each the same length as <paramref name="y"/>).</summary>
    /// <exception cref="ArgumentException">Lengths differ, or no observations.</exception>
    public static OlsFit Fit(IReadOnlyList<ReadOnlyMemory<double>> x, ReadOnlyMemory<double> y, bool intercept = true)
    {
        int n = y.Length, p = x.Count;
        if (n == 0) throw new ArgumentException("no observations.", nameof(y));
        for (int j = 0; j < p; j++)
            if (x[j].Length != n) throw new ArgumentException($"regressor {j} has {x[j].Length} values, y has {n}.", nameof(x));
        var ys = y.Span;
        var mean = new double[p];
        var scale = new double[p];
        double my = intercept ? Mean(ys) : 0;
        for (int j = 0; j < p; j++) (mean[j], scale[j]) = Moments(x[j].Span, intercept);
        // Gram matrix of the centred, unit-norm regressors (a correlation matrix) and Xᵀy.
        var g = new double[p * p];
        var b = new double[p];
        for (int j = 0; j < p; j++)
        {
            if (scale[j] == 0) continue;
            var xj = x[j].Span;
            double mj = mean[j], sj = scale[j];
            for (int k = 0; k <= j; k++)
            {
                if (scale[k] == 0) continue;
                g[j * p + k] = g[k * p + j] = Cross(xj, mj, x[k].Span, mean[k]) / (sj * scale[k]);
            }
            b[j] = Cross(xj, mj, ys, my) / sj;
        }
        var used = new bool[p];
        Factor(g, p, scale, used);
        return Finish(x, ys, intercept, my, mean, scale, used, Solve(g, p, used, b, p));
    }

    /// <summary>The mean Σxᵢ/n, summed in order.</summary>
    internal static double Mean(ReadOnlySpan<double> x)
    {
        double m = 0;
        for (int i = 0; i < x.Length; i++) m += x[i];
        return m / x.Length;
    }

    /// <summary>A regressor's mean (0 without an intercept) and the norm of its centred values; the norm is 0 for a
    /// regressor to drop (no spread, or constant with an intercept).</summary>
    internal static (double Mean, double Scale) Moments(ReadOnlySpan<double> x, bool intercept)
    {
        double m = intercept ? Mean(x) : 0;
        double ss = 0;
        bool constant = true;
        for (int i = 0; i < x.Length; i++) { double d = x[i] - m; ss += d * d; constant &= x[i] == x[0]; }
        // A constant regressor is dropped with an intercept even where its computed mean is off by rounding (the
        // centred values would otherwise be that rounding error, fitted as if it were signal).
        return (m, ss > 0 && !(intercept && constant) ? Math.Sqrt(ss) : 0);
    }

    /// <summary>Σ(aᵢ − m_a)(bᵢ − m_b), summed in order.</summary>
    internal static double Cross(ReadOnlySpan<double> a, double ma, ReadOnlySpan<double> b, double mb)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (a[i] - ma) * (b[i] - mb);
        return s;
    }

    /// <summary>
    /// Cholesky factorisation of the p×p Gram matrix g (row-major) in place, L in the lower triangle, dropping a column
    /// whose pivot falls below the tolerance (used = false). Column j's row of L depends only on columns 0..j, so the
    /// factor of a leading block is the leading block of the factor, bit for bit.
    /// </summary>
    internal static void Factor(double[] g, int p, double[] scale, bool[] used)
    {
        for (int j = 0; j < p; j++)
        {
            if (scale[j] == 0) continue;
            double d = g[j * p + j];
            for (int k = 0; k < j; k++) if (used[k]) d -= g[j * p + k] * g[j * p + k];
            if (d <= PivotTolerance * g[j * p + j] || d <= 0) continue; // dependent on earlier regressors
            used[j] = true;
            double ljj = Math.Sqrt(d);
            g[j * p + j] = ljj;
            for (int i = j + 1; i < p; i++)
            {
                if (scale[i] == 0) continue;
                double s = g[i * p + j];
                for (int k = 0; k < j; k++) if (used[k]) s -= g[i * p + k] * g[j * p + k];
                g[i * p + j] = s / ljj;
            }
        }
    }

    /// <summary>Solves L z = b, then Lᵀ β = z, over the used columns among the first m of a factor from <see cref="Factor"/>.</summary>
    internal static double[] Solve(double[] g, int p, bool[] used, double[] b, int m)
    {
        var z = new double[m];
        for (int j = 0; j < m; j++)
        {
            if (!used[j]) continue;
            double s = b[j];
            for (int k = 0; k < j; k++) if (used[k]) s -= g[j * p + k] * z[k];
            z[j] = s / g[j * p + j];
        }
        var beta = new double[m];
        for (int j = m - 1; j >= 0; j--)
        {
            if (!used[j]) continue;
            double s = z[j];
            for (int k = j + 1; k < m; k++) if (used[k]) s -= g[k * p + j] * beta[k];
            beta[j] = s / g[j * p + j];
        }
        return beta;
    }

    /// <summary>The fit from the scaled solution β of the first x.Count columns: coefficients on the original scale, the
    /// intercept, and the residual sum of squares from the residuals themselves.</summary>
    internal static OlsFit Finish(IReadOnlyList<ReadOnlyMemory<double>> x, ReadOnlySpan<double> ys, bool intercept, double my,
        double[] mean, double[] scale, bool[] used, double[] beta)
    {
        int n = ys.Length, p = x.Count;
        var coef = new double[p];
        double b0 = my;
        int rank = intercept ? 1 : 0;
        for (int j = 0; j < p; j++)
        {
            if (!used[j]) continue;
            coef[j] = beta[j] / scale[j];
            b0 -= coef[j] * mean[j];
            rank++;
        }
        if (!intercept) b0 = 0;
        var res = new double[n];
        for (int i = 0; i < n; i++) res[i] = ys[i] - b0;
        for (int j = 0; j < p; j++)
        {
            if (!used[j]) continue;
            var xj = x[j].Span;
            double c = coef[j];
            for (int i = 0; i < n; i++) res[i] -= c * xj[i];
        }
        double rss = 0;
        for (int i = 0; i < n; i++) rss += res[i] * res[i];
        return new OlsFit(b0, coef, used[..p], rss, rank, n);
    }

    /// <summary>Fits y on the regressors given as arrays (see <see cref="Fit(IReadOnlyList{ReadOnlyMemory{double}}, ReadOnlyMemory{double}, bool)"/>).</summary>
    public static OlsFit Fit(IReadOnlyList<double[]> x, double[] y, bool intercept = true) =>
        Fit(x.Select(c => (ReadOnlyMemory<double>)c).ToArray(), y, intercept);
}
