using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Preparation;

namespace AiopsLab.Rca;

/// <summary>
/// ε-Diagnosis (Shan, Chen, Liu, Zhang, Xiao, He, Li &amp; Ding, "ε-Diagnosis: Unsupervised and Real-time Diagnosis of
/// Small-window Long-tail Latency in Large-scale Microservice Platforms", WWW 2019, §4 and Algorithm 1): for each metric a
/// two-sample null-hypothesis test between its normal sample S_N (before the anomaly) and its abnormal sample S_A (after),
/// using ε-statistics (energy statistics, Székely &amp; Rizzo 2004/2013) to measure how similar the two samples are.
/// The paper's decision rule: p &lt; α ⇒ S_A ≠ S_N, the metric changed and is a root-cause candidate; p ≥ α ⇒ S_A = S_N.
/// <b>Low similarity flags a root cause.</b>
/// </summary>
/// <remarks>
/// <para><b>Test.</b> Energy distance E = 2·E|X−Y| − E|X−X'| − E|Y−Y'| (V-statistics), test statistic T = nm/(n+m)·E, and a
/// seeded permutation bootstrap of B relabellings of the pooled sample (as R's <c>energy::eqdist.etest</c>):
/// p = (1 + #{T_b ≥ T})/(B + 1). Univariate, so each relabelling costs O(n) on the once-sorted pooled sample
/// (Σ_{i&lt;j}|z_i − z_j| over a sorted subset is Σ_k z_(k)·(2k − n + 1)). Randomness: one <see cref="Rng"/> stream per
/// metric from <see cref="RcaProblem.Seed"/> and the metric's name, so the result does not depend on column order.</para>
/// <para><b>Ranking.</b> Metrics with p &lt; α first, then the others; within each group by the energy coefficient
/// H = E/(2·E|X−Y|) ∈ [0, 1] (Székely &amp; Rizzo's scale-free index of inhomogeneity), highest first. The two samples are
/// trimmed to equal length as RCAEval does (the last n normal and first n anomalous rows, n the shorter window;
/// PyRCA needs it to pair them by position). The energy test itself takes samples of different sizes:
/// <c>equal-length=false</c> uses both whole windows (measured: rcd-sockshop identical, nezha resource faults
/// 0.495 vs 0.479 Avg@5, PetShop 0.088 vs 0.159, where the powerful test then flags dozens of changed metrics).</para>
/// <para><b>The backwards implementation.</b> PyRCA's <c>EpsilonDiagnosis</c> (which RCAEval's <c>e_diagnosis</c> calls, with
/// α = 0.01) measures similarity by the squared Pearson correlation of S_N and S_A paired by position, flags a metric when
/// that correlation is <i>above</i> the (1−α)-quantile of r² between pairs of bootstrap resamples of the normal window,
/// and ranks the flagged metrics by <i>highest</i> correlation, keeping 3. That flags the metrics whose abnormal window
/// is most <i>similar</i> to (co-moves with) the normal one: the opposite of the paper's rule.
/// <see cref="Variant.PyRca"/> reproduces that behaviour (including its n/(n−1) factor: covariance with n−1, variances with n),
/// so RCAEval's published ε-Diagnosis numbers can be checked; the default <see cref="Variant.Paper"/> follows the paper.</para>
/// </remarks>
[Method("e-diagnosis", Summary = "ε-Diagnosis: per-metric energy two-sample test (seeded permutation bootstrap); changed metrics first.", Citation = "Shan et al., ε-Diagnosis, WWW 2019")]
public sealed class EDiagnosis : IRootCauseLocalizer
{
    /// <summary>Which ε-Diagnosis.</summary>
    public enum Variant
    {
        /// <summary>The paper's rule: energy two-sample test, low similarity (p &lt; α) flags a root cause.</summary>
        Paper,
        /// <summary>PyRCA's implementation as RCAEval runs it (squared Pearson correlation, high similarity ranked first,
        /// top 3 only; see remarks). For comparison with published numbers only.</summary>
        PyRca,
    }

    /// <summary>Options of <see cref="EDiagnosis"/>.</summary>
    public sealed record Options
    {
        /// <summary>Significance level α. RCAEval runs it with 0.01.</summary>
        public double Alpha { get; set; } = 0.01;
        /// <summary>Bootstrap replicates B (PyRCA's default 200).</summary>
        public int Bootstrap { get; set; } = 200;
        /// <summary>The paper's test or PyRCA's implementation.</summary>
        public Variant Mode { get; set; } = Variant.Paper;
        /// <summary>Trim both samples to the shorter one (last n normal rows, first n abnormal rows), as RCAEval does for
        /// PyRCA's position-paired correlation (default, so numbers compare with RCAEval's). The energy test does not need it
        /// (false uses both whole windows); always on in PyRca mode.</summary>
        public bool EqualLength { get; set; } = true;
        /// <summary>Rank only this many metrics (0 = all). PyRCA's default, used by RCAEval, is 3 (applied in PyRca mode when 0).</summary>
        public int TopK { get; set; }
        /// <summary>Metric kinds left out (not ranked), e.g. <c>lat_50;lat_99</c> as RCAEval does on Sock Shop.</summary>
        public string[] ExcludeKinds { get; set; } = [];
    }

    private readonly Options _o;

    public EDiagnosis() : this(new Options()) { }

    public EDiagnosis(Options options)
    {
        if (options.Alpha is <= 0 or >= 1 || double.IsNaN(options.Alpha)) throw new ArgumentException("e-diagnosis: alpha must be in (0, 1).");
        if (options.Bootstrap < 1) throw new ArgumentException("e-diagnosis: bootstrap must be ≥ 1.");
        if (options.TopK < 0) throw new ArgumentException("e-diagnosis: top-k must be ≥ 0.");
        _o = options;
    }

    public string Name => "e-diagnosis";

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var w = PreparedWindow.Of(problem, WindowRecipe.Statistical(0, _o.ExcludeKinds));
        // RCAEval trims both samples to the shorter one (PyRCA pairs them by position).
        bool trim = _o.EqualLength || _o.Mode == Variant.PyRca;
        int n = Math.Min(w.AnomalyRow, w.RowCount - w.AnomalyRow);
        var normal = Enumerable.Range(0, w.Names.Count).Select(j => (trim ? w.Normal(j)[^n..] : w.Normal(j)).ToArray()).ToArray();
        var abnormal = Enumerable.Range(0, w.Names.Count).Select(j => (trim ? w.Anomalous(j)[..n] : w.Anomalous(j)).ToArray()).ToArray();
        return _o.Mode == Variant.Paper ? Paper(problem, w, normal, abnormal, ct) : PyRca(problem, w, normal, abnormal, ct);
    }

    private RcaResult Paper(RcaProblem problem, PreparedWindow w, double[][] normal, double[][] abnormal, CancellationToken ct)
    {
        var scores = new double[w.Names.Count];
        int flagged = 0;
        for (int j = 0; j < scores.Length; j++)
        {
            ct.ThrowIfCancellationRequested();
            var rng = Rng.For(problem.Seed, "e-diagnosis", w.Names[j]);
            var (_, h, p) = EnergyTest(normal[j], abnormal[j], _o.Bootstrap, rng);
            bool changed = p < _o.Alpha;
            if (changed) flagged++;
            scores[j] = double.IsNaN(h) ? double.NaN : changed ? 1 + h : h;
        }
        var res = w.Result(scores, new Dictionary<string, double> { ["flagged"] = flagged });
        return _o.TopK > 0 ? new RcaResult(res.Ranking.Take(_o.TopK).ToArray(), res.Diagnostics) : res;
    }

    private RcaResult PyRca(RcaProblem problem, PreparedWindow w, double[][] normal, double[][] abnormal, CancellationToken ct)
    {
        int m = w.Names.Count;
        // Threshold of column j: the (1−α)-quantile of r² over all pairs of B bootstrap resamples (with replacement) of
        // the column's normal window, i.e. the null distribution of r² between two independent samples of it.
        var flagged = new List<(string Name, double R2)>();
        for (int j = 0; j < m; j++)
        {
            ct.ThrowIfCancellationRequested();
            var rng = Rng.For(problem.Seed, "e-diagnosis", w.Names[j]);
            double threshold = BootstrapR2Quantile(normal[j], _o.Bootstrap, 1 - _o.Alpha, rng, ct);
            // PyRCA: cov (n−1 denominator) squared over the product of the two variances (n denominators).
            int n = normal[j].Length;
            double r = Stats.Pearson(normal[j], abnormal[j]);
            double r2 = double.IsNaN(r) ? 0 : r * r * ((double)n / (n - 1)) * ((double)n / (n - 1));
            if (r2 > threshold) flagged.Add((w.Names[j], r2));
        }
        int k2 = _o.TopK > 0 ? _o.TopK : 3;
        var ranked = RcaResult.FromScores(flagged.Select(f => f.Name).ToArray(), flagged.Select(f => f.R2).ToArray());
        return new RcaResult(ranked.Ranking.Take(k2).ToArray(), new Dictionary<string, double> { ["flagged"] = flagged.Count });
    }

    /// <summary>The q-quantile of r² over all pairs of <paramref name="replicates"/> bootstrap resamples of <paramref name="x"/>.</summary>
    private static double BootstrapR2Quantile(double[] x, int replicates, double q, Rng rng, CancellationToken ct)
    {
        int n = x.Length;
        if (n < 2 || replicates < 2) return double.PositiveInfinity;
        // Each replicate centred and scaled to unit norm, so r between two replicates is their dot product.
        var u = new double[replicates][];
        for (int b = 0; b < replicates; b++)
        {
            var v = new double[n];
            double mean = 0;
            for (int t = 0; t < n; t++) { v[t] = x[rng.NextInt(n)]; mean += v[t]; }
            mean /= n;
            double ss = 0;
            for (int t = 0; t < n; t++) { v[t] -= mean; ss += v[t] * v[t]; }
            double norm = Math.Sqrt(ss);
            if (norm > 0) for (int t = 0; t < n; t++) v[t] /= norm;
            else v = null!; // a constant resample: PyRCA sets its correlations to 0
            u[b] = v;
        }
        var r2 = new double[replicates * (replicates - 1) / 2];
        int k = 0;
        for (int a = 0; a < replicates; a++)
        {
            if ((a & 15) == 0) ct.ThrowIfCancellationRequested();
            for (int b = a + 1; b < replicates; b++)
            {
                double d = u[a] is { } ua && u[b] is { } ub ? System.Numerics.Tensors.TensorPrimitives.Dot<double>(ua, ub) : 0;
                r2[k++] = d * d;
            }
        }
        Array.Sort(r2);
        return Stats.QuantileSorted(r2, q);
    }

    /// <summary>
    /// Energy two-sample test of equal distributions for univariate samples x (n) and y (m): returns the energy distance
    /// E = 2·mean|x−y| − mean|x−x'| − mean|y−y'| (V-statistics), the coefficient H = E/(2·mean|x−y|) (0 when the pooled
    /// sample is constant), and the permutation p-value (1 + #{T_b ≥ T})/(B+1) of T = nm/(n+m)·E over
    /// <paramref name="replicates"/> random relabellings drawn from <paramref name="rng"/>. NaN results for an empty sample.
    /// </summary>
    public static (double Energy, double Coefficient, double PValue) EnergyTest(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int replicates, Rng rng)
    {
        int n = x.Length, m = y.Length, N = n + m;
        if (n == 0 || m == 0) return (double.NaN, double.NaN, double.NaN);
        // Pooled, sorted, with each point's sample label.
        var z = new double[N];
        var isX = new bool[N];
        x.CopyTo(z); y.CopyTo(z.AsSpan(n));
        var order = Enumerable.Range(0, N).ToArray();
        Array.Sort(z, order);
        for (int k = 0; k < N; k++) isX[k] = order[k] < n;
        double total = PairSum(z, null, false); // Σ_{i<j} |z_i − z_j| over the pooled sample
        (double e, double cross) Energy(bool[] lab)
        {
            double wx = PairSum(z, lab, true), wy = PairSum(z, lab, false);
            double c = total - wx - wy; // Σ over cross pairs
            double en = 2 * c / ((double)n * m) - 2 * wx / ((double)n * n) - 2 * wy / ((double)m * m);
            return (en, c / ((double)n * m));
        }
        var (e0, mxy) = Energy(isX);
        double h = mxy > 0 ? e0 / (2 * mxy) : 0;
        double t0 = (double)n * m / N * e0;
        int ge = 0;
        var lab = new bool[N];
        var idx = new int[N];
        for (int b = 0; b < replicates; b++)
        {
            // Random relabelling: choose n of the N sorted positions for x (partial Fisher–Yates).
            for (int k = 0; k < N; k++) idx[k] = k;
            Array.Clear(lab);
            for (int k = 0; k < n; k++)
            {
                int r = k + rng.NextInt(N - k);
                (idx[k], idx[r]) = (idx[r], idx[k]);
                lab[idx[k]] = true;
            }
            var (eb, _) = Energy(lab);
            if ((double)n * m / N * eb >= t0 - 1e-12 * Math.Abs(t0)) ge++;
        }
        return (e0, h, (1.0 + ge) / (replicates + 1.0));
    }

    /// <summary>Σ_{i&lt;j} (z_j − z_i) over the sorted positions whose label equals <paramref name="want"/> (all when labels is null).</summary>
    private static double PairSum(double[] z, bool[]? labels, bool want)
    {
        double s = 0, prefix = 0;
        int c = 0;
        for (int k = 0; k < z.Length; k++)
        {
            if (labels is not null && labels[k] != want) continue;
            s += z[k] * c - prefix;
            prefix += z[k];
            c++;
        }
        return s;
    }
}
