using AiopsLab.Numerics;

namespace AiopsLab.Causal;

/// <summary>Which p-value of the lagged regression comparison <see cref="Granger"/> uses.</summary>
public enum GrangerTest
{
    /// <summary>The F-test on the residual sums of squares (statsmodels' <c>ssr_ftest</c>).</summary>
    FTest,
    /// <summary>
    /// RCAEval's rule (<c>RCAEval/graph_construction/granger.py</c>): the mean of the four p-values statsmodels'
    /// <c>grangercausalitytests</c> reports, F (twice, as <c>ssr_ftest</c> and <c>params_ftest</c>, which coincide for
    /// this restriction), the χ² form of the RSS test and the likelihood-ratio test.
    /// </summary>
    RcaEvalAverage,
}

/// <summary>Options of <see cref="Granger"/>.</summary>
public sealed record GrangerOptions
{
    /// <summary>Largest lag L; lags 1..L are each tested (RCAEval's default 3).</summary>
    public int MaxLag { get; set; } = 3;

    /// <summary>An arrow j → i is drawn when, for some lag, the p-value is below this level.</summary>
    public double Alpha { get; set; } = 0.05;

    /// <summary>Which p-value to use.</summary>
    public GrangerTest Test { get; set; } = GrangerTest.FTest;

    /// <summary>Threads (one target series per work item); 0 uses every core. The result does not depend on it.</summary>
    public int Parallelism { get; set; }
}

/// <summary>
/// Pairwise Granger causality (Granger, "Investigating causal relations by econometric models and cross-spectral
/// methods", Econometrica 37, 1969) with the lagged F-test of Hamilton, <i>Time Series Analysis</i>, 1994, §11.2
/// (eq. 11.2.5–11.2.6), as statsmodels' <c>grangercausalitytests</c> computes it. For a target xᵢ, a candidate cause xⱼ
/// and a lag p, over the rows t = p..n−1 (N = n − p observations):
/// restricted model xᵢ(t) = c + Σ_{k=1..p} aₖ·xᵢ(t−k) + e, unrestricted model adds Σ_{k=1..p} bₖ·xⱼ(t−k);
/// F = ((RSS_r − RSS_u)/p) / (RSS_u/(N − 2p − 1)) ~ F(p, N − 2p − 1) under H₀: b = 0.
/// The χ² form is N·(RSS_r − RSS_u)/RSS_u ~ χ²(p) and the likelihood ratio N·ln(RSS_r/RSS_u) ~ χ²(p).
/// Degrees of freedom use the fitted ranks, so collinear lags do not inflate them. j → i is drawn when the p-value is
/// below α for at least one lag p = 1..L (RCAEval's rule).
/// </summary>
public static class Granger
{
    /// <summary>The Granger graph over <paramref name="columns"/> (NaN-free, equal length), named <paramref name="names"/>.</summary>
    public static CausalGraph Run(IReadOnlyList<double[]> columns, IReadOnlyList<string> names, GrangerOptions? options = null, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var o = options ?? new GrangerOptions();
        if (o.MaxLag < 1) throw new ArgumentOutOfRangeException(nameof(options), "max-lag must be at least 1.");
        int m = columns.Count;
        if (names.Count != m) throw new ArgumentException($"{names.Count} names for {m} columns.");
        var arrows = new bool[m, m];
        if (m == 0) return new CausalGraph(names, arrows);
        int n = columns[0].Length;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = o.Parallelism > 0 ? o.Parallelism : Environment.ProcessorCount, CancellationToken = ct };
        // Work item i writes only column i of the arrow matrix (arrows j → i), so items never touch the same cell.
        Parallel.For(0, m, parallel, i =>
        {
            for (int lag = 1; lag <= o.MaxLag; lag++)
            {
                if (n - lag - (2 * lag + 1) <= 0) break; // too few rows for this lag
                var restricted = Fit(columns, i, -1, lag);
                for (int j = 0; j < m; j++)
                {
                    if (j == i || arrows[j, i]) continue; // already found j → i at a smaller lag
                    ct.ThrowIfCancellationRequested();
                    var unrestricted = Fit(columns, i, j, lag);
                    if (PValue(restricted, unrestricted, o.Test) < o.Alpha) arrows[j, i] = true;
                }
            }
        });
        return new CausalGraph(names, arrows);
    }

    /// <summary>
    /// p-value of "<paramref name="cause"/> Granger-causes <paramref name="target"/>" at one lag, as in
    /// statsmodels' <c>grangercausalitytests</c> (see <see cref="Granger"/>); 1 when the models cannot be compared.
    /// </summary>
    public static double PValue(double[] target, double[] cause, int lag, GrangerTest test = GrangerTest.FTest)
    {
        var cols = new[] { target, cause };
        return PValue(Fit(cols, 0, -1, lag), Fit(cols, 0, 1, lag), test);
    }

    private static double PValue(OlsFit r, OlsFit u, GrangerTest test)
    {
        int nobs = u.Observations;
        int dfNum = u.Rank - r.Rank;
        int dfDen = u.ResidualDf;
        if (dfNum <= 0 || dfDen <= 0) return 1;
        double rssR = r.Rss, rssU = u.Rss;
        if (!(rssU > 0))
            return rssR > 0 ? 0 : 1; // the cause explains the target exactly / nothing to explain
        double diff = Math.Max(0, rssR - rssU);
        double f = diff / dfNum / (rssU / dfDen);
        double pF = Distributions.FSf(f, dfNum, dfDen);
        if (test == GrangerTest.FTest) return pF;
        double pChi = Distributions.ChiSquareSf(nobs * diff / rssU, dfNum);
        double pLr = Distributions.ChiSquareSf(nobs * Math.Log(rssR / rssU), dfNum);
        return (2 * pF + pChi + pLr) / 4;
    }

    /// <summary>OLS of target(t) on its own lags 1..p and, when <paramref name="cause"/> ≥ 0, the cause's lags 1..p.</summary>
    private static OlsFit Fit(IReadOnlyList<double[]> columns, int target, int cause, int lag)
    {
        int n = columns[target].Length, rows = n - lag;
        var x = new List<ReadOnlyMemory<double>>(2 * lag);
        for (int k = 1; k <= lag; k++) x.Add(new ReadOnlyMemory<double>(columns[target], lag - k, rows));
        if (cause >= 0)
            for (int k = 1; k <= lag; k++) x.Add(new ReadOnlyMemory<double>(columns[cause], lag - k, rows));
        return Ols.Fit(x, new ReadOnlyMemory<double>(columns[target], lag, rows));
    }
}
