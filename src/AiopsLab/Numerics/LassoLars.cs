using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

        // Everything below works on the Gram matrix: RSS(β) = yᵀy − 2βᵀXᵀy + βᵀXᵀXβ.
        var g = new double[p, p];
        var xty = new double[p];
        for (int j = 0; j < p; j++)
        {
            xty[j] = Dot(xc[j], yc);
            for (int k = 0; k <= j; k++) g[j, k] = g[k, j] = Dot(xc[j], xc[k]);
        }
        return SelectBic(g, xty, Dot(yc, yc), n, sigma2);
    }

    /// <summary>
    /// The point of smallest BIC on the LARS-lasso path (<see cref="Path(double[,], double[], double)"/>) of centred data
    /// given by its Gram matrix G = XᵀX, Xᵀy and yᵀy, with n rows and the noise variance σ̂² of the full least-squares fit
    /// (see <see cref="FitBic"/>). Ties within 10⁻¹² relative go to the earlier (sparser) point.
    /// </summary>
    public static double[] SelectBic(double[,] g, double[] xty, double yty, int n, double sigma2)
    {
        int p = xty.Length;
        var path = Path(g, xty, yty);
        double best = double.PositiveInfinity;
        double[] bestBeta = path[0];
        var nonzero = new List<int>(p);
        // With σ̂² > 0 the RSS term is ≥ 0, and rounded addition is monotone, so the computed BIC is never below the
        // same sum with RSS = 0: a point whose bound already fails the test below cannot be chosen, and its O(df²) RSS
        // is skipped (the chosen point is the same).
        double constant = n * Math.Log(2 * Math.PI * sigma2), perDf = Math.Log(n);
        foreach (var beta in path)
        {
            nonzero.Clear();
            for (int j = 0; j < p; j++) if (beta[j] != 0) nonzero.Add(j);
            if (sigma2 > 0 && !double.IsPositiveInfinity(best) && constant + perDf * nonzero.Count >= best - 1e-12 * Math.Abs(best)) continue;
            double rss = yty;
            foreach (int j in nonzero)
            {
                rss -= 2 * beta[j] * xty[j];
                foreach (int k in nonzero) rss += beta[j] * g[j, k] * beta[k];
            }
            rss = Math.Max(rss, 0);
            int df = nonzero.Count;
            double bic = constant + rss / sigma2 + perDf * df;
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
    /// The Cholesky factor of G_A is kept from step to step: a joining column appends one row (forward substitution,
    /// O(|A|²)), a column leaving by the lasso modification is deleted by Givens rotations (O(|A|²)), as in Efron et al.
    /// (2004) §7 and Golub &amp; Van Loan (4th ed.) §6.5.2–6.5.3, instead of refactorising G_A (O(|A|³)) at every step.
    /// G must be symmetric (bit for bit, as a Gram matrix built once per pair is): c and a are accumulated from rows of G
    /// four columns at a time, each entry by the same multiplications and additions in the same order as a scalar loop
    /// over G's columns would take them, so the path does not depend on the vector width.
    /// </summary>
    public static List<double[]> Path(double[,] g, double[] xty, double yty)
    {
        int p = xty.Length;
        var beta = new double[p];
        var path = new List<double[]> { (double[])beta.Clone() };
        var active = new List<int>();
        var inActive = new bool[p];
        var dead = new bool[p]; // columns that are zero or linearly dependent on the active set
        int deadCount = 0;
        for (int j = 0; j < p; j++) if (g[j, j] <= 1e-300) { dead[j] = true; deadCount++; }
        const double tiny = 1e-12;
        double scale = Math.Max(1, Math.Sqrt(Math.Max(yty, 0)));
        int maxSteps = 8 * Math.Max(1, p) + 8;
        int drop = -1;
        var c = new double[p];
        var chol = new UpdatableCholesky(p);
        var column = new double[p];
        var s = new double[p];
        var w = new double[p];
        var aw = new double[p];
        for (int step = 0; step < maxSteps; step++)
        {
            // c_j = Xᵀy_j − Σ_k g_jk·β_k (k ascending), four j at a time from row k of the symmetric G: per j the same
            // operations in the same order as the scalar loop, so the same bits.
            xty.AsSpan().CopyTo(c);
            for (int k = 0; k < p; k++)
                if (beta[k] != 0) AddScaledRow(g, k, -beta[k], c); // c −= G[k,·]·β_k: a + x·(−s) is a − x·s to the bit (negation is exact)
            double cMax = 0;
            for (int j = 0; j < p; j++) if (!dead[j]) cMax = Math.Max(cMax, Math.Abs(c[j]));
            if (cMax <= tiny * scale) break;
            bool factorOk = true;
            if (drop < 0)
            {
                // Add the inactive column with the largest absolute correlation.
                int enter = -1;
                double bestC = -1;
                for (int j = 0; j < p; j++)
                    if (!inActive[j] && !dead[j] && Math.Abs(c[j]) > bestC) { bestC = Math.Abs(c[j]); enter = j; }
                if (enter < 0) break;
                for (int a = 0; a < active.Count; a++) column[a] = g[enter, active[a]];
                active.Add(enter);
                inActive[enter] = true;
                factorOk = chol.Append(column, g[enter, enter]);
            }
            drop = -1;
            int kA = active.Count;
            // A pivot far below the columns' scale means the new column is (numerically) in the span of the others.
            if (factorOk)
            {
                double maxDiagonal = 0;
                foreach (int j in active) maxDiagonal = Math.Max(maxDiagonal, g[j, j]);
                factorOk = chol.LogDeterminant() - kA * Math.Log(Math.Max(1e-300, maxDiagonal)) > -60;
                if (!factorOk) chol.RemoveLast();
            }
            if (!factorOk)
            {
                int last = active[^1];
                active.RemoveAt(active.Count - 1);
                inActive[last] = false;
                dead[last] = true;
                deadCount++;
                continue;
            }
            // Equiangular direction: w = A·G_A⁻¹·s (Efron et al. eqs. 2.5–2.6).
            for (int a = 0; a < kA; a++) s[a] = c[active[a]] < 0 ? -1 : 1;
            chol.Solve(s, w);
            double sGs = 0;
            for (int a = 0; a < kA; a++) sGs += s[a] * w[a];
            double aa = 1 / Math.Sqrt(Math.Max(sGs, 1e-300));
            for (int a = 0; a < kA; a++) w[a] *= aa;
            // Step length: next column to join (eq. 2.13), or a coefficient crossing zero (lasso modification, eq. 3.6).
            double cA = 0;
            foreach (var j in active) cA = Math.Max(cA, Math.Abs(c[j]));
            double gamma = cA / aa; // reaches the least-squares fit of the active set
            // a_j = Σ_a g_{j,A[a]}·w_a (a ascending, from 0), four j at a time from the rows of G, as c above.
            Array.Clear(aw, 0, p);
            for (int a = 0; a < kA; a++) AddScaledRow(g, active[a], w[a], aw);
            for (int j = 0; j < p; j++)
            {
                if (inActive[j] || dead[j]) continue;
                double aj = aw[j];
                double g1 = (cA - c[j]) / (aa - aj), g2 = (cA + c[j]) / (aa + aj);
                if (g1 > tiny && g1 < gamma) gamma = g1;
                if (g2 > tiny && g2 < gamma) gamma = g2;
            }
            int dropAt = -1;
            for (int a = 0; a < kA; a++)
            {
                int j = active[a];
                if (w[a] == 0 || beta[j] == 0) continue;
                double gz = -beta[j] / w[a];
                if (gz > tiny && gz < gamma) { gamma = gz; drop = j; dropAt = a; }
            }
            for (int a = 0; a < kA; a++) beta[active[a]] += gamma * w[a];
            if (drop >= 0)
            {
                beta[drop] = 0;
                active.RemoveAt(dropAt);
                inActive[drop] = false;
                chol.Delete(dropAt);
            }
            path.Add((double[])beta.Clone());
            if (drop < 0 && active.Count >= p - deadCount && gamma >= cA / aa * (1 - 1e-12)) break;
        }
        return path;
    }

    /// <summary>acc[j] += G[k, j]·s for every j (a multiply, then an addition; no fused multiply-add). With −s it is the
    /// subtraction acc[j] − G[k, j]·s bit for bit, since x·(−s) = −(x·s) and a + (−y) = a − y exactly in IEEE arithmetic.</summary>
    private static void AddScaledRow(double[,] g, int k, double s, double[] acc)
    {
        var row = MemoryMarshal.CreateReadOnlySpan(ref g[k, 0], acc.Length);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vs = Vector256.Create(s);
            for (; j <= acc.Length - 4; j += 4)
            {
                var v = Vector256.Create<double>(acc.AsSpan(j));
                (v + Vector256.Create<double>(row[j..]) * vs).CopyTo(acc.AsSpan(j));
            }
        }
        for (; j < acc.Length; j++) acc[j] += row[j] * s;
    }

    private static double Dot(double[] a, double[] b) => System.Numerics.Tensors.TensorPrimitives.Dot<double>(a, b);
}
