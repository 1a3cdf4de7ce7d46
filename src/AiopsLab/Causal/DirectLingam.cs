using System.Numerics.Tensors;
using AiopsLab.Numerics;

namespace AiopsLab.Causal;

/// <summary>Options of <see cref="DirectLingam"/>.</summary>
public sealed record DirectLingamOptions
{
    /// <summary>Prune the connection strengths with the adaptive lasso (BIC); false keeps every least-squares coefficient.</summary>
    public bool AdaptiveLasso { get; set; } = true;

    /// <summary>Coefficients with absolute value at or below this are dropped (after pruning).</summary>
    public double Threshold { get; set; }

    /// <summary>Threads for the per-step standardisation and residual updates and for the regressions of step 3; 0 uses
    /// every core. The result does not depend on it.</summary>
    public int Parallelism { get; set; }
}

/// <summary>The output of <see cref="DirectLingam"/>.</summary>
public sealed class LingamResult
{
    internal LingamResult(CausalGraph graph, int[] order, double[,] b)
    {
        Graph = graph; CausalOrder = order; Coefficients = b;
    }

    /// <summary>The DAG: j → i where bᵢⱼ ≠ 0.</summary>
    public CausalGraph Graph { get; }

    /// <summary>Variables from most exogenous to most endogenous.</summary>
    public IReadOnlyList<int> CausalOrder { get; }

    /// <summary>B with xᵢ = Σⱼ bᵢⱼ·xⱼ + eᵢ (row = effect, column = cause), on the original scale.</summary>
    public double[,] Coefficients { get; }
}

/// <summary>
/// DirectLiNGAM (Shimizu, Inazumi, Sogawa, Hyvärinen, Kawahara, Washio, Hoyer &amp; Bollen, "DirectLiNGAM: A direct
/// method for learning a linear non-Gaussian structural equation model", JMLR 12, 2011, Algorithm 1): repeatedly find
/// the most exogenous variable, regress it out of the others, and so build a causal order; then estimate the
/// lower-triangular connection strengths by regression along the order (step 3).
/// </summary>
/// <remarks>
/// <para><b>Exogeneity measure.</b> Instead of the paper's kernel mutual information (§3.2), the pairwise likelihood-ratio
/// measure of Hyvärinen &amp; Smith ("Pairwise likelihood ratios for estimation of non-Gaussian structural equation
/// models", JMLR 14, 2013, §2.5 and eq. 22) is used, as the reference implementation (the <c>lingam</c> package and
/// causal-learn, measure "pwling") does by default: for standardised xᵢ, xⱼ and the standardised least-squares residuals
/// r_{i|j}, r_{j|i}, ΔI(i, j) = H(xⱼ) + H(r_{i|j}) − H(xᵢ) − H(r_{j|i}), with the maximum-entropy approximation
/// H(u) ≈ (1 + ln 2π)/2 − k₁(E[ln cosh u] − γ)² − k₂(E[u·exp(−u²/2)])², k₁ = 79.047, k₂ = 7.4129, γ = 0.37457
/// (Hyvärinen, "New approximations of differential entropy", NIPS 1998, eq. 8 with G₁ = ln cosh, G₂ = u·e^{−u²/2}).
/// The next variable in the order minimises Σⱼ min(0, ΔI(i, j))² (ties: lowest position).</para>
/// <para><b>Search.</b> Scoring every pair at every step costs p³/6 pairs. Every term of the score is ≥ 0, so a candidate
/// whose terms so far already exceed another's complete score cannot be next: <see cref="CausalOrder"/> expands the
/// candidate with the smallest partial sum one pair at a time (partners whose term was largest in the previous step
/// first) and stops when the smallest belongs to a complete score, summed in the same order as a full scan. The order is
/// therefore the full scan's, bit for bit (the tests compare it with a copy of the full scan); on PetShop and Nezha
/// Train Ticket windows 13–32 times fewer pairs are scored (docs/causal.md). Each candidate tries up to 32 such hinted
/// partners on windows of ≥ 64 rows (8 before, and still on shorter windows; on PetShop 19% fewer pairs); which
/// partners are tried changes only how fast the bounds rise, never the order.</para>
/// <para><b>Pruning.</b> Each variable is regressed on its predecessors in the order with the adaptive lasso (Zou, JASA
/// 101, 2006): predictors standardised and weighted by |β̂_OLS|, the LARS-lasso path, the point of smallest BIC
/// (<see cref="LassoLars.FitBic"/>); the selected predictors are refitted by least squares on the original scale.
/// This is step 3 of Algorithm 1 with the adaptive lasso the paper suggests (§4) and the reference implementation uses.
/// One Gram matrix and Cholesky factor in causal order serve every regression (<see cref="NestedOls"/>), LARS updates
/// its factor (<see cref="UpdatableCholesky"/>) and accumulates its correlations four columns at a time, and the BIC
/// selection skips points whose lower bound (RSS = 0) already loses: all with the previous arithmetic, so the
/// coefficients are bit for bit those of the straightforward code (tests <c>DirectLingamFrozenTests</c>).
/// Speed (PetShop 248 × 305, 2 threads): docs/causal.md, "DirectLiNGAM speed".</para>
/// </remarks>
public static partial class DirectLingam
{
    private const double K1 = 79.047, K2 = 7.4129, Gamma = 0.37457;

    /// <summary>Runs DirectLiNGAM on NaN-free columns of equal length named <paramref name="names"/>.</summary>
    public static LingamResult Run(IReadOnlyList<double[]> columns, IReadOnlyList<string> names, DirectLingamOptions? options = null, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var o = options ?? new DirectLingamOptions();
        int p = columns.Count;
        if (names.Count != p) throw new ArgumentException($"{names.Count} names for {p} columns.");
        var order = CausalOrder(columns, o, ct);
        var b = new double[p, p];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = o.Parallelism > 0 ? o.Parallelism : Environment.ProcessorCount, CancellationToken = ct };
        NestedOls? nested = null;
        if (o.AdaptiveLasso)
        {
            var standardized = new double[p][];
            Parallel.For(0, p, parallel, k => standardized[k] = Standardize(columns[order[k]]));
            nested = new NestedOls(standardized);
        }
        // Each variable's regression on its predecessors is independent of the others': one per task, each writing its own row.
        Parallel.For(1, p, parallel, k =>
        {
            int target = order[k];
            var predictors = order.AsSpan(0, k).ToArray();
            var coef = nested is not null ? AdaptiveLasso(columns, nested, predictors, target) : OlsCoefficients(columns, predictors, target);
            for (int a = 0; a < predictors.Length; a++)
                if (Math.Abs(coef[a]) > o.Threshold) b[target, predictors[a]] = coef[a];
        });
        var arrows = new bool[p, p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
                arrows[j, i] = b[i, j] != 0;
        return new LingamResult(new CausalGraph(names, arrows), order, b);
    }

    /// <summary>
    /// ΔI(i, j) = H(xⱼ) + H(r_{i|j}) − H(xᵢ) − H(r_{j|i}) for standardised xᵢ, xⱼ with entropies hᵢ, hⱼ. With correlation
    /// ρ, the standardised residuals are (xᵢ − ρxⱼ)/√(1 − ρ²) and (xⱼ − ρxᵢ)/√(1 − ρ²). 0 when |ρ| ≈ 1.
    /// </summary>
    private static double PairDifference(double[] xi, double[] xj, double hi, double hj, double[] buf)
    {
        int n = xi.Length;
        double rho = TensorPrimitives.Dot<double>(xi, xj) / n;
        double v = 1 - rho * rho;
        if (!(v > 1e-12)) return 0;
        double k = 1 / Math.Sqrt(v);
        var r = buf.AsSpan(0, n);
        var scratch = buf.AsSpan(n, 2 * n);
        TensorPrimitives.MultiplyAdd<double>(xj, -rho, xi, r);
        TensorPrimitives.Multiply<double>(r, k, r);
        double hri = Entropy(r, scratch);
        TensorPrimitives.MultiplyAdd<double>(xi, -rho, xj, r);
        TensorPrimitives.Multiply<double>(r, k, r);
        double hrj = Entropy(r, scratch);
        return hj + hri - hi - hrj;
    }

    /// <summary>(u − mean)/sd with the population sd; a constant series becomes zeros.</summary>
    private static double[] Standardize(double[] u)
    {
        int n = u.Length;
        double m = 0;
        foreach (var v in u) m += v;
        m /= n;
        double ss = 0;
        foreach (var v in u) ss += (v - m) * (v - m);
        double sd = Math.Sqrt(ss / n);
        var r = new double[n];
        if (!(sd > 0)) return r;
        for (int t = 0; t < n; t++) r[t] = (u[t] - m) / sd;
        return r;
    }

    /// <summary>The least-squares residual of xi on xj: xi − cov(xi, xj)/var(xj)·xj.</summary>
    private static double[] Residual(double[] xi, double[] xj)
    {
        int n = xi.Length;
        double mi = xi.Average(), mj = xj.Average();
        double cov = 0, var = 0;
        for (int t = 0; t < n; t++) { cov += (xi[t] - mi) * (xj[t] - mj); var += (xj[t] - mj) * (xj[t] - mj); }
        double k = var > 0 ? cov / var : 0;
        var r = new double[n];
        for (int t = 0; t < n; t++) r[t] = xi[t] - k * xj[t];
        return r;
    }

    /// <summary>Hyvärinen's (1998) maximum-entropy approximation of the differential entropy of a standardised sample.</summary>
    public static double Entropy(ReadOnlySpan<double> u) => Entropy(u, new double[2 * u.Length]);

    /// <summary>
    /// <see cref="Entropy(ReadOnlySpan{double})"/> with a scratch buffer of at least 2·n values, vectorised:
    /// ln cosh u = |u| + ln(1 + e^{−2|u|}) − ln 2 (stable for large |u|).
    /// </summary>
    private static double Entropy(ReadOnlySpan<double> u, Span<double> scratch)
    {
        int n = u.Length;
        if (n == 0) return double.NaN;
        var t = scratch[..n];
        var e = scratch.Slice(n, n);
        TensorPrimitives.Abs<double>(u, t);
        double sumAbs = TensorPrimitives.Sum<double>(t);
        TensorPrimitives.Multiply<double>(t, -2.0, e);
        TensorPrimitives.Exp<double>(e, e);
        TensorPrimitives.Add<double>(e, 1.0, e);
        TensorPrimitives.Log<double>(e, e);
        double a = (sumAbs + TensorPrimitives.Sum<double>(e)) / n - Math.Log(2);
        TensorPrimitives.Multiply<double>(u, u, t);
        TensorPrimitives.Multiply<double>(t, -0.5, t);
        TensorPrimitives.Exp<double>(t, t);
        double b = TensorPrimitives.Dot<double>(t, u) / n;
        return (1 + Math.Log(2 * Math.PI)) / 2 - K1 * (a - Gamma) * (a - Gamma) - K2 * b * b;
    }

    private static double[] OlsCoefficients(IReadOnlyList<double[]> columns, int[] predictors, int target) =>
        Ols.Fit(predictors.Select(j => columns[j]).ToArray(), columns[target]).Coefficients.ToArray();

    /// <summary>
    /// The adaptive lasso of variable <paramref name="target"/> (position k = predictors.Length in the order) on its
    /// predecessors, as the <c>lingam</c> package's <c>predict_adaptive_lasso</c>: weights |β̂_OLS| of the standardised
    /// fit, <see cref="LassoLars.FitBic"/> on the weighted predictors, then least squares on the original scale over the
    /// selected ones. FitBic's inputs come from the window's <see cref="NestedOls"/> instead of the samples: the centred
    /// Gram matrix of the weighted predictors is wₐ·w_b·Σ(zₐ − z̄ₐ)(z_b − z̄_b), and the least-squares fit of y on the
    /// weighted predictors (which gives σ̂²) has the residuals of the unweighted one and uses the predictors with wₐ ≠ 0.
    /// </summary>
    private static double[] AdaptiveLasso(IReadOnlyList<double[]> columns, NestedOls z, int[] predictors, int target)
    {
        int k = predictors.Length, n = columns[target].Length;
        var ols = z.Fit(k);
        var weight = ols.Coefficients.Select(Math.Abs).ToArray();
        bool[] selected;
        double sigma2 = ols.Rss / (n - k - 1);
        if (n - k - 1 <= 0 || !(sigma2 > 0))
            selected = weight.Select(v => v > 0).ToArray(); // FitBic returns the least-squares fit
        else
        {
            var g = new double[k, k];
            var xty = new double[k];
            for (int a = 0; a < k; a++)
            {
                xty[a] = weight[a] * z.CentredCross(a, k);
                for (int b = 0; b <= a; b++) g[a, b] = g[b, a] = weight[a] * weight[b] * z.CentredCross(a, b);
            }
            var lasso = LassoLars.SelectBic(g, xty, z.CentredCross(k, k), n, sigma2);
            selected = lasso.Select((v, a) => Math.Abs(v * weight[a]) > 0).ToArray();
        }
        var keep = Enumerable.Range(0, k).Where(a => selected[a]).ToArray();
        var coef = new double[k];
        if (keep.Length == 0) return coef;
        var refit = Ols.Fit(keep.Select(a => columns[predictors[a]]).ToArray(), columns[target]);
        for (int t = 0; t < keep.Length; t++) coef[keep[t]] = refit.Coefficients[t];
        return coef;
    }
}
