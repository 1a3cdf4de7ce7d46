using MathNet.Numerics.LinearAlgebra;

using AiopsLab.Numerics;

namespace AiopsLab.Tests.Causal;

/// <summary>
/// <see cref="LassoLars"/> as it was before the incremental Cholesky factor and the shared Gram matrix (commit 091c226):
/// the Gram matrix built from the samples for every fit and G_A refactorised by MathNet at every step. The reference for
/// <see cref="LassoLarsIncrementalTests"/> and <see cref="FullScanLingam"/>; not used anywhere else.
/// </summary>
internal static class ReferenceLassoLars
{
    /// <summary>
    /// Coefficients of the lasso fit of y on the columns of <paramref name="x"/> (with an intercept, by centring) at the
    /// point of the LARS-lasso path with the smallest BIC. Needs n &gt; p + 1 for σ̂²; otherwise returns the OLS fit.
    /// </summary>
    internal static double[] FitBic(IReadOnlyList<double[]> x, double[] y)
    {
        int p = x.Count, n = y.Length;
        if (p == 0) return [];
        var xc = new double[p][];
        for (int j = 0; j < p; j++)
        {
            double m = x[j].Average();
            xc[j] = x[j].Select(v => v - m).ToArray();
        }
        double my = y.Average();
        var yc = y.Select(v => v - my).ToArray();

        var ols = Ols.Fit(xc, yc, intercept: false);
        if (n - p - 1 <= 0) return ols.Coefficients.ToArray();
        double sigma2 = ols.Rss / (n - p - 1);
        if (!(sigma2 > 0)) return ols.Coefficients.ToArray();

        // Everything below works on the Gram matrix: RSS(β) = yᵀy − 2βᵀXᵀy + βᵀXᵀXβ.
        var g = new double[p, p];
        var xty = new double[p];
        for (int j = 0; j < p; j++)
        {
            xty[j] = Dot(xc[j], yc);
            for (int k = 0; k <= j; k++) g[j, k] = g[k, j] = Dot(xc[j], xc[k]);
        }
        double yty = Dot(yc, yc);
        var path = Path(g, xty, yty);
        double best = double.PositiveInfinity;
        double[] bestBeta = path[0];
        foreach (var beta in path)
        {
            double rss = yty;
            for (int j = 0; j < p; j++)
            {
                if (beta[j] == 0) continue;
                rss -= 2 * beta[j] * xty[j];
                for (int k = 0; k < p; k++) if (beta[k] != 0) rss += beta[j] * g[j, k] * beta[k];
            }
            rss = Math.Max(rss, 0);
            int df = beta.Count(b => b != 0);
            double bic = n * Math.Log(2 * Math.PI * sigma2) + rss / sigma2 + Math.Log(n) * df;
            if (double.IsPositiveInfinity(best) || bic < best - 1e-12 * Math.Abs(best)) { best = bic; bestBeta = beta; }
        }
        return bestBeta;
    }

    /// <summary>
    /// The breakpoints of the lasso path of centred y on centred columns x, from β = 0 to the least-squares end (or until
    /// no correlation is left), by LARS with the lasso modification. Each element is the full coefficient vector.
    /// </summary>
    internal static List<double[]> Path(IReadOnlyList<double[]> x, double[] y)
    {
        int p = x.Count;
        var g = new double[p, p];
        var xty = new double[p];
        for (int j = 0; j < p; j++)
        {
            xty[j] = Dot(x[j], y);
            for (int k = 0; k <= j; k++) g[j, k] = g[k, j] = Dot(x[j], x[k]);
        }
        return Path(g, xty, Dot(y, y));
    }

    /// <summary>
    /// The LARS-lasso path from the Gram matrix G = XᵀX, Xᵀy and yᵀy of centred data: the correlations are
    /// c = Xᵀy − Gβ and the equiangular direction's correlations a = G_{·A}·w, so no pass over the samples is needed.
    /// </summary>
    internal static List<double[]> Path(double[,] g, double[] xty, double yty)
    {
        int p = xty.Length;
        var beta = new double[p];
        var path = new List<double[]> { (double[])beta.Clone() };
        var active = new List<int>();
        var inActive = new bool[p];
        var dead = new bool[p]; // columns that are zero or linearly dependent on the active set
        for (int j = 0; j < p; j++) if (g[j, j] <= 1e-300) dead[j] = true;
        const double tiny = 1e-12;
        double scale = Math.Max(1, Math.Sqrt(Math.Max(yty, 0)));
        int maxSteps = 8 * Math.Max(1, p) + 8;
        int drop = -1;
        var c = new double[p];
        for (int step = 0; step < maxSteps; step++)
        {
            for (int j = 0; j < p; j++)
            {
                double v = xty[j];
                for (int k = 0; k < p; k++) if (beta[k] != 0) v -= g[j, k] * beta[k];
                c[j] = v;
            }
            double cMax = 0;
            for (int j = 0; j < p; j++) if (!dead[j]) cMax = Math.Max(cMax, Math.Abs(c[j]));
            if (cMax <= tiny * scale) break;
            if (drop < 0)
            {
                // Add the inactive column with the largest absolute correlation.
                int enter = -1;
                double bestC = -1;
                for (int j = 0; j < p; j++)
                    if (!inActive[j] && !dead[j] && Math.Abs(c[j]) > bestC) { bestC = Math.Abs(c[j]); enter = j; }
                if (enter < 0) break;
                active.Add(enter);
                inActive[enter] = true;
            }
            drop = -1;
            int kA = active.Count;
            // Equiangular direction: w = A·G_A⁻¹·s (Efron et al. eqs. 2.5–2.6).
            var ga = Matrix<double>.Build.Dense(kA, kA, (a, b) => g[active[a], active[b]]);
            var s = Vector<double>.Build.Dense(kA, a => c[active[a]] < 0 ? -1 : 1);
            Vector<double>? gis = null;
            try
            {
                var chol = ga.Cholesky();
                // A pivot far below the columns' scale means the new column is (numerically) in the span of the others.
                if (chol.DeterminantLn - kA * Math.Log(Math.Max(1e-300, MaxDiagonal(ga))) > -60) gis = chol.Solve(s);
            }
            catch (ArgumentException) { }
            if (gis is null)
            {
                int last = active[^1];
                active.RemoveAt(active.Count - 1);
                inActive[last] = false;
                dead[last] = true;
                continue;
            }
            double aa = 1 / Math.Sqrt(Math.Max(s.DotProduct(gis), 1e-300));
            var w = gis * aa;
            // Step length: next column to join (eq. 2.13), or a coefficient crossing zero (lasso modification, eq. 3.6).
            double cA = 0;
            foreach (var j in active) cA = Math.Max(cA, Math.Abs(c[j]));
            double gamma = cA / aa; // reaches the least-squares fit of the active set
            for (int j = 0; j < p; j++)
            {
                if (inActive[j] || dead[j]) continue;
                double aj = 0;
                for (int a = 0; a < kA; a++) aj += g[j, active[a]] * w[a];
                double g1 = (cA - c[j]) / (aa - aj), g2 = (cA + c[j]) / (aa + aj);
                if (g1 > tiny && g1 < gamma) gamma = g1;
                if (g2 > tiny && g2 < gamma) gamma = g2;
            }
            for (int a = 0; a < kA; a++)
            {
                int j = active[a];
                if (w[a] == 0 || beta[j] == 0) continue;
                double gz = -beta[j] / w[a];
                if (gz > tiny && gz < gamma) { gamma = gz; drop = j; }
            }
            for (int a = 0; a < kA; a++) beta[active[a]] += gamma * w[a];
            if (drop >= 0)
            {
                beta[drop] = 0;
                active.Remove(drop);
                inActive[drop] = false;
            }
            path.Add((double[])beta.Clone());
            if (drop < 0 && active.Count >= p - dead.Count(d => d) && gamma >= cA / aa * (1 - 1e-12)) break;
        }
        return path;
    }

    private static double MaxDiagonal(Matrix<double> m)
    {
        double d = 0;
        for (int i = 0; i < m.RowCount; i++) d = Math.Max(d, m[i, i]);
        return d;
    }

    private static double Dot(double[] a, double[] b) => System.Numerics.Tensors.TensorPrimitives.Dot<double>(a, b);
}
