using MathNet.Numerics.LinearAlgebra;

namespace AiopsLab.Numerics;

/// <summary>
/// The lasso regularisation path by least-angle regression with the lasso modification (Efron, Hastie, Johnstone &amp;
/// Tibshirani, "Least angle regression", Annals of Statistics 32(2), 2004, §2 eqs. 2.4–2.13 and §3.1 eq. 3.6), and
/// model selection on it by the Bayesian information criterion (Zou, Hastie &amp; Tibshirani, "On the degrees of freedom
/// of the lasso", Annals of Statistics 35(5), 2007: the number of non-zero coefficients is an unbiased estimate of the
/// degrees of freedom), as scikit-learn's <c>LassoLarsIC(criterion="bic")</c> does:
/// BIC(k) = n·ln(2πσ̂²) + RSS_k/σ̂² + ln(n)·df_k, with σ̂² = RSS_OLS/(n − p − 1) from the full least-squares fit.
/// </summary>
public static class LassoLars
{
    /// <summary>
    /// Coefficients of the lasso fit of y on the columns of <paramref name="x"/> (with an intercept, by centring) at the
    /// point of the LARS-lasso path with the smallest BIC. Needs n &gt; p + 1 for σ̂²; otherwise returns the OLS fit.
    /// </summary>
    public static double[] FitBic(IReadOnlyList<double[]> x, double[] y)
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

        var path = Path(xc, yc);
        double best = double.PositiveInfinity;
        double[] bestBeta = path[0];
        foreach (var beta in path)
        {
            double rss = 0;
            for (int t = 0; t < n; t++)
            {
                double r = yc[t];
                for (int j = 0; j < p; j++) if (beta[j] != 0) r -= beta[j] * xc[j][t];
                rss += r * r;
            }
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
    public static List<double[]> Path(IReadOnlyList<double[]> x, double[] y)
    {
        int p = x.Count, n = y.Length;
        var beta = new double[p];
        var path = new List<double[]> { (double[])beta.Clone() };
        var residual = (double[])y.Clone();
        var active = new List<int>();
        var inActive = new bool[p];
        var dead = new bool[p]; // columns that are zero or linearly dependent on the active set
        for (int j = 0; j < p; j++) if (Dot(x[j], x[j]) <= 1e-300) dead[j] = true;
        const double tiny = 1e-12;
        int maxSteps = 8 * Math.Max(1, p) + 8;
        int drop = -1;
        for (int step = 0; step < maxSteps; step++)
        {
            var c = new double[p];
            for (int j = 0; j < p; j++) c[j] = Dot(x[j], residual);
            double cMax = 0;
            for (int j = 0; j < p; j++) if (!dead[j]) cMax = Math.Max(cMax, Math.Abs(c[j]));
            if (cMax <= tiny * Math.Max(1, Math.Sqrt(Dot(y, y)))) break;
            if (drop < 0)
            {
                // Add the inactive column(s) with the largest absolute correlation.
                int enter = -1;
                double bestC = -1;
                for (int j = 0; j < p; j++)
                    if (!inActive[j] && !dead[j] && Math.Abs(c[j]) > bestC) { bestC = Math.Abs(c[j]); enter = j; }
                if (enter < 0) break;
                active.Add(enter);
                inActive[enter] = true;
            }
            drop = -1;
            int k = active.Count;
            // Equiangular direction: w = A·G⁻¹·s, u = X_A·w (Efron et al. eqs. 2.5–2.6).
            var g = Matrix<double>.Build.Dense(k, k, (a, b) => Dot(x[active[a]], x[active[b]]));
            var s = Vector<double>.Build.Dense(k, a => Math.Sign(c[active[a]]) == 0 ? 1 : Math.Sign(c[active[a]]));
            Vector<double> gis;
            try
            {
                var chol = g.Cholesky();
                gis = chol.Solve(s);
            }
            catch (ArgumentException)
            {
                // The newest column is dependent on the active set: mark it dead and continue.
                int last = active[^1];
                active.RemoveAt(active.Count - 1);
                inActive[last] = false;
                dead[last] = true;
                continue;
            }
            double aa = 1 / Math.Sqrt(Math.Max(s.DotProduct(gis), 1e-300));
            var w = gis * aa;
            var u = new double[n];
            for (int a = 0; a < k; a++)
            {
                var col = x[active[a]];
                double wa = w[a];
                for (int t = 0; t < n; t++) u[t] += wa * col[t];
            }
            // Step length: next column to join (eq. 2.13), or a coefficient crossing zero (lasso modification, eq. 3.6).
            double cA = 0;
            foreach (var j in active) cA = Math.Max(cA, Math.Abs(c[j]));
            double gamma = cA / aa; // reaches the least-squares fit of the active set
            for (int j = 0; j < p; j++)
            {
                if (inActive[j] || dead[j]) continue;
                double aj = Dot(x[j], u);
                double g1 = (cA - c[j]) / (aa - aj), g2 = (cA + c[j]) / (aa + aj);
                if (g1 > tiny && g1 < gamma) gamma = g1;
                if (g2 > tiny && g2 < gamma) gamma = g2;
            }
            for (int a = 0; a < k; a++)
            {
                int j = active[a];
                if (w[a] == 0 || beta[j] == 0) continue;
                double gz = -beta[j] / w[a];
                if (gz > tiny && gz < gamma) { gamma = gz; drop = j; }
            }
            for (int a = 0; a < k; a++) beta[active[a]] += gamma * w[a];
            for (int t = 0; t < n; t++) residual[t] -= gamma * u[t];
            if (drop >= 0)
            {
                beta[drop] = 0;
                active.Remove(drop);
                inActive[drop] = false;
            }
            path.Add((double[])beta.Clone());
            if (drop < 0 && active.Count >= Math.Min(p - dead.Count(d => d), n - 1) && gamma >= cA / aa * (1 - 1e-12)) break;
        }
        return path;
    }

    private static double Dot(double[] a, double[] b) => System.Numerics.Tensors.TensorPrimitives.Dot<double>(a, b);
}
