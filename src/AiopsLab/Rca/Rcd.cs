using System.Text.RegularExpressions;
using AiopsLab.Causal;
using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Preparation;

namespace AiopsLab.Rca;

/// <summary>
/// RCD, "Root Cause Discovery" (Ikram, Chakraborty, Mitra, Saini, Bagchi &amp; Kocaoglu, "Root Cause Analysis of Failures
/// in Microservices through Causal Discovery", NeurIPS 2022): the failure is an intervention, modelled by a binary
/// failure-indicator node F (0 = normal sample, 1 = anomalous sample); the root causes are F's children, found by a
/// localized ψ-PC that only learns F's neighbourhood (§4, Algorithm 1 "ψ-PC", Algorithm 2 "Localized RCD") with
/// chi-square tests on discretised data, on random subsets of the metrics, hierarchically (§4.3, "RCD", Algorithm 3).
/// </summary>
/// <remarks>
/// <para><b>Data.</b> Rows before the anomaly time are normal, rows from it on anomalous (at most <c>window</c> rows or <c>window-seconds</c> seconds of each,
/// RCAEval's 300); preprocessing as <see cref="RcdPreprocessing"/>; every metric is binned into <c>bins</c> (5) values by
/// <see cref="KMeansDiscretizer"/> over both windows; F is added.</para>
/// <para><b>ψ-PC, localized</b> (the reference <c>local_skeleton_discovery</c>). All variables start pairwise adjacent;
/// only edges at F are ever tested. At depth ℓ = 0, 1, … (while ℓ &lt; the largest degree − 1), F's current neighbours
/// are visited in a random order; for neighbour y the conditioning sets are the ℓ-subsets of y's neighbours that are
/// still adjacent to F (none at ℓ = 0); the first test with p &gt; α removes F − y. Every p ≤ α is recorded for y.
/// The F-children are ordered by their recorded p-values compared as sequences (the first, unconditional, p-value
/// first), smallest first: RCD's "rank by p-value" as its reference code computes it; equal sequences put the
/// later column first (as the reference's argmax does).</para>
/// <para><b>α schedule.</b> ψ-PC is rerun with α = α₀, α₀ + 0.1, … below 1, appending the newly found F-children of each
/// run, until exactly the wanted number has been found (reference <c>top_k_rc</c>: one per subset in phase 1, every
/// variable in phase 2), or α runs out.</para>
/// <para><b>Hierarchy.</b> Phase 1 splits the metrics into random subsets of γ (5) and keeps the F-children found in
/// each (α₀ = 0.01), repeating on the survivors until at most γ remain or nothing is removed; phase 2 runs ψ-PC
/// (α₀ = 0.001) on the survivors. The ranking is phase 2's ordered F-children; metrics not found are not ranked,
/// as in the reference (set <c>rank-all</c> to append them, by N-sigma score).</para>
/// <para><b>Randomness</b> (subset split and neighbour order) comes only from <see cref="RcaProblem.Seed"/>.</para>
/// </remarks>
[Method("rcd", Summary = "RCD: localized ψ-PC with a failure-indicator node F, chi-square tests on binned data, hierarchical subsets.", Citation = "Ikram et al., Root Cause Analysis of Failures in Microservices through Causal Discovery, NeurIPS 2022")]
public sealed class Rcd : IRootCauseLocalizer
{
    public sealed record Options
    {
        /// <summary>Bins per metric (RCAEval's 5).</summary>
        public int Bins { get; set; } = 5;
        /// <summary>Subset size γ of phase 1 (the reference's 5).</summary>
        public int Gamma { get; set; } = 5;
        /// <summary>Localized ψ-PC (only F's neighbourhood, the reference default in RCAEval); false runs the full PC skeleton.</summary>
        public bool Localized { get; set; } = true;
        /// <summary>Starting α of phase 1 (the reference's LOCAL_ALPHA 0.01).</summary>
        public double SubsetAlpha { get; set; } = 0.01;
        /// <summary>Starting α of phase 2 (the reference's START_ALPHA 0.001).</summary>
        public double StartAlpha { get; set; } = 0.001;
        /// <summary>Step of the α schedule (0.1), which stops below 1.</summary>
        public double AlphaStep { get; set; } = 0.1;
        /// <summary>Rows (not seconds) kept before and from the anomaly time (RCAEval: 300 each, whatever the sampling
        /// interval); 0 keeps every row. Ignored when <see cref="WindowSeconds"/> is set.</summary>
        public int Window { get; set; } = 300;
        /// <summary>Seconds kept before and from the anomaly time t instead: the rows with time in [t − s, t + s) at any
        /// sampling interval (0 = use <see cref="Window"/>). <c>window-seconds=300</c> is the default on gap-free
        /// 1-second data and keeps 5 rows a side of 60-second data. (RCD's <c>bins</c> are value bins, not time.)</summary>
        public long WindowSeconds { get; set; }
        /// <summary>Preprocessing before binning.</summary>
        public RcdPreprocessing Preprocessing { get; set; } = RcdPreprocessing.Default;
        /// <summary>Keep only metrics whose standard deviation over both windows exceeds 1 (the reference's <c>_select_useful_cols</c>, part of RCD's own Sock Shop script).</summary>
        public bool SelectUseful { get; set; }
        /// <summary>Metric kinds left out and not ranked (RCAEval's Sock Shop rule: <c>lat_50;lat_99</c>).</summary>
        public string[] ExcludeKinds { get; set; } = [];
        /// <summary>Return at most this many root causes; 0 returns every F-child found.</summary>
        public int TopK { get; set; }
        /// <summary>Append the metrics RCD did not find after its ranking (by N-sigma score) instead of leaving them out.</summary>
        public bool RankAll { get; set; }
    }

    private readonly Options _o;

    public Rcd() : this(new Options()) { }

    public Rcd(Options options)
    {
        _o = options;
        if (_o.Window < 0 || _o.WindowSeconds < 0) throw new ArgumentException("window (rows) and window-seconds must be ≥ 0.");
        if (_o.Bins < 2) throw new ArgumentException("bins must be at least 2.");
        if (_o.Gamma < 1) throw new ArgumentException("gamma must be at least 1.");
        if (!(_o.SubsetAlpha > 0 && _o.SubsetAlpha < 1) || !(_o.StartAlpha > 0 && _o.StartAlpha < 1)) throw new ArgumentException("alphas must be in (0, 1).");
        if (!(_o.AlphaStep > 0)) throw new ArgumentException("alpha-step must be positive.");
    }

    public string Name => "rcd";

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var w = Prepare(problem);
        // The reference's _select_useful_cols: standard deviation over both windows above 1.
        var keep = Enumerable.Range(0, w.Names.Count).Where(j => !_o.SelectUseful || SampleSd(w.Columns[j]) > 1).ToArray();
        var names = keep.Select(j => w.Names[j]).ToArray();
        if (names.Length == 0)
            return new RcaResult([], new Dictionary<string, double> { ["rcd_variables"] = 0 });
        // Discretise each metric over both windows, then add F.
        int rows = w.RowCount, m = names.Length;
        var data = new int[m + 1][];
        for (int j = 0; j < m; j++) data[j] = KMeansDiscretizer.Bin(w.Columns[keep[j]], _o.Bins);
        data[m] = Enumerable.Range(0, rows).Select(t => t < w.AnomalyRow ? 0 : 1).ToArray();
        var rng = new Rng(problem.Seed);
        var found = MultiPhase(data, m, rng, ct, out long tests);
        if (_o.TopK > 0 && found.Count > _o.TopK) found = found.Take(_o.TopK).ToList();

        var ranking = found.Select((v, r) => new RankedMetric(names[v], found.Count - r)).ToList();
        if (_o.RankAll)
        {
            var rest = Enumerable.Range(0, m).Where(v => !found.Contains(v)).ToArray();
            var all = w.AnomalyScores();
            var score = keep.Select(j => all[j]).ToArray();
            var order = rest.OrderByDescending(v => score[v]).ThenBy(v => names[v], StringComparer.Ordinal);
            ranking.AddRange(order.Select(v => new RankedMetric(names[v], double.NaN)));
        }
        return new RcaResult(ranking, new Dictionary<string, double>
        {
            ["rcd_variables"] = m,
            ["rcd_found"] = found.Count,
            ["ci_tests"] = tests,
        });
    }

    /// <summary>The window after preprocessing (<see cref="PreparedWindow"/> with RCD's rules).</summary>
    private PreparedWindow Prepare(RcaProblem problem)
    {
        bool sockShop = _o.Preprocessing == RcdPreprocessing.SockShop;
        var lat = new Regex(@"lat_\d{2}$", RegexOptions.CultureInvariant);
        var w = PreparedWindow.Of(problem, new WindowRecipe
        {
            Before = _o.Window, After = _o.Window, BeforeSeconds = _o.WindowSeconds, AfterSeconds = _o.WindowSeconds,
            ExcludeKinds = _o.ExcludeKinds, RequireBothSides = true,
            Exclude = sockShop ? name => lat.IsMatch(name) && !name.EndsWith("_lat_90", StringComparison.Ordinal) : null,
            MemoryDivisor = sockShop ? 1e6 : 1, TruncateMemory = true,
            Constant = _o.Preprocessing == RcdPreprocessing.None ? ConstantRule.WholeWindow : ConstantRule.EitherSide,
        });
        return w;
    }

    private static double SampleSd(double[] v)
    {
        double m = v.Average(), ss = 0;
        foreach (var x in v) ss += (x - m) * (x - m);
        return Math.Sqrt(ss / Math.Max(1, v.Length - 1)); // pandas' std (ddof = 1), as the reference uses
    }

    /// <summary>Algorithm 3 (phases 1 and 2). <paramref name="data"/> holds the m binned metrics and F (last).</summary>
    private List<int> MultiPhase(int[][] data, int m, Rng rng, CancellationToken ct, out long tests)
    {
        tests = 0;
        var current = Enumerable.Range(0, m).ToList();
        int previous = current.Count;
        // Phase 1.
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var shuffled = current.ToList();
            rng.Shuffle(shuffled);
            var union = new List<int>();
            for (int start = 0; start < shuffled.Count; start += _o.Gamma)
            {
                var chunk = shuffled.Skip(start).Take(_o.Gamma).ToList();
                union.AddRange(PsiPc(data, chunk, _o.SubsetAlpha, 1, rng, ct, ref tests));
            }
            current = union;
            if (current.Count <= _o.Gamma || current.Count == previous) break;
            previous = current.Count;
        }
        // Phase 2.
        return PsiPc(data, current, _o.StartAlpha, current.Count, rng, ct, ref tests);
    }

    /// <summary>
    /// ψ-PC on the metrics <paramref name="vars"/> plus F, over the α schedule, until exactly <paramref name="wanted"/>
    /// F-children have been collected; returns them in order (reference <c>top_k_rc</c>).
    /// </summary>
    private List<int> PsiPc(int[][] data, List<int> vars, double startAlpha, int wanted, Rng rng, CancellationToken ct, ref long tests)
    {
        var result = new List<int>();
        if (vars.Count == 0) return result;
        int rows = data[0].Length;
        if (wanted >= rows) throw new AiopsLabException($"rcd: {vars.Count} metrics but only {rows} samples; RCD needs more samples than metrics.");
        var cols = vars.Select(v => data[v]).Append(data[^1]).ToArray();
        var test = new DiscreteIndependenceTest(cols, DiscreteStatistic.ChiSquare);
        for (int k = 0; ; k++)
        {
            double alpha = startAlpha + k * _o.AlphaStep;
            if (alpha >= 1) break;
            ct.ThrowIfCancellationRequested();
            var (children, pvalues) = _o.Localized
                ? LocalSkeleton(test, vars.Count, alpha, rng, ct, ref tests)
                : FullSkeleton(test, vars.Count, alpha, ct, ref tests);
            var fresh = children.Where(c => !result.Contains(vars[c])).ToList();
            if (fresh.Count == 0) continue;
            result.AddRange(OrderByPValues(fresh, pvalues).Select(c => vars[c]));
            if (result.Count == wanted) break;
        }
        return result;
    }

    /// <summary>
    /// The F-neighbourhood by the reference's local skeleton discovery; returns F's remaining neighbours (in variable
    /// order) and, per variable, the p-values of the F tests that did not separate it.
    /// </summary>
    private static (List<int> Children, List<double>[] PValues) LocalSkeleton(DiscreteIndependenceTest test, int m, double alpha, Rng rng, CancellationToken ct, ref long tests)
    {
        int f = m;
        var adjF = Enumerable.Repeat(true, m).ToArray();
        var pvalues = Enumerable.Range(0, m).Select(_ => new List<double>()).ToArray();
        var cache = new Dictionary<string, double>(StringComparer.Ordinal);
        // The other edges are never removed, so the largest degree is m (while F has a neighbour) or m − 1.
        for (int depth = 0; ; depth++)
        {
            int maxDegree = adjF.Any(b => b) ? m : m - 1;
            if (!(maxDegree - 1 > depth - 1)) break; // the reference loops while max_degree − 1 > depth (before incrementing)
            var neighbours = Enumerable.Range(0, m).Where(y => adjF[y]).ToList();
            rng.Shuffle(neighbours);
            foreach (var y in neighbours)
            {
                ct.ThrowIfCancellationRequested();
                var pool = depth == 0 ? [] : Enumerable.Range(0, m).Where(s => s != y && adjF[s]).ToArray();
                if (pool.Length < depth) continue;
                foreach (var s in Combinations(pool, depth))
                {
                    var key = y + "|" + string.Join(",", s.OrderBy(v => v));
                    if (!cache.TryGetValue(key, out var p))
                    {
                        p = test.PValue(f, y, s);
                        cache[key] = p;
                    }
                    tests++;
                    if (p > alpha)
                    {
                        adjF[y] = false;
                        break;
                    }
                    pvalues[y].Add(p);
                }
            }
        }
        return (Enumerable.Range(0, m).Where(y => adjF[y]).ToList(), pvalues);
    }

    /// <summary>Non-localized variant: the full PC skeleton (original, order-dependent, as the reference) on the subset plus F.</summary>
    private static (List<int> Children, List<double>[] PValues) FullSkeleton(DiscreteIndependenceTest test, int m, double alpha, CancellationToken ct, ref long tests)
    {
        var recorder = new RecordingTest(test, m);
        var names = Enumerable.Range(0, m + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var r = Pc.Run(recorder, names, new PcOptions { Alpha = alpha, Stable = false, Orient = false }, null, ct);
        tests += r.TestCount;
        return (Enumerable.Range(0, m).Where(y => r.Graph.Adjacent(m, y)).ToList(), recorder.PValues);
    }

    /// <summary>Records the p-values of tests between F and each variable that found dependence.</summary>
    private sealed class RecordingTest(DiscreteIndependenceTest inner, int f) : IIndependenceTest
    {
        public List<double>[] PValues { get; } = Enumerable.Range(0, f).Select(_ => new List<double>()).ToArray();
        public int VariableCount => inner.VariableCount;
        public int SampleCount => inner.SampleCount;
        public double PValue(int i, int j, ReadOnlySpan<int> s)
        {
            double p = inner.PValue(i, j, s);
            int other = i == f ? j : j == f ? i : -1;
            if (other >= 0) lock (PValues) PValues[other].Add(p);
            return p;
        }
    }

    /// <summary>
    /// Orders F-children by their recorded p-value sequences, lexicographically, smallest first; equal sequences keep
    /// the later variable first (the reference's repeated argmax pushes the first maximum to the back).
    /// </summary>
    internal static IEnumerable<int> OrderByPValues(List<int> children, List<double>[] pvalues)
    {
        var rest = children.ToList();
        var stack = new List<int>();
        while (rest.Count > 0)
        {
            int best = 0;
            for (int k = 1; k < rest.Count; k++)
                if (Compare(pvalues[rest[k]], pvalues[rest[best]]) > 0) best = k;
            stack.Insert(0, rest[best]);
            rest.RemoveAt(best);
        }
        return stack;
    }

    private static int Compare(List<double> a, List<double> b)
    {
        for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            int c = a[i].CompareTo(b[i]);
            if (c != 0) return c;
        }
        return a.Count.CompareTo(b.Count);
    }

    private static IEnumerable<int[]> Combinations(int[] pool, int size)
    {
        var idx = new int[size];
        for (int t = 0; t < size; t++) idx[t] = t;
        while (true)
        {
            yield return idx.Select(i => pool[i]).ToArray();
            int i2 = size - 1;
            while (i2 >= 0 && idx[i2] == pool.Length - size + i2) i2--;
            if (i2 < 0) yield break;
            idx[i2]++;
            for (int t = i2 + 1; t < size; t++) idx[t] = idx[t - 1] + 1;
        }
    }
}

/// <summary>How <see cref="Rcd"/> prepares the data before discretising it.</summary>
public enum RcdPreprocessing
{
    /// <summary>
    /// RCAEval's default for RCD (<c>RCAEval/e2e/rcd.py</c>, the branch for any named dataset): drop columns constant in
    /// the normal or the anomalous window, keep the columns both windows have. (Memory in MB as a float changes nothing
    /// after k-means binning, which is scale-free.)
    /// </summary>
    Default,
    /// <summary>
    /// RCD's own Sock Shop preprocessing (<c>utils.py preprocess(n_df, a_df, 90)</c> in the RCD repository, and RCAEval's
    /// <c>preprocess_sock_shop</c>): memory columns (<c>*_mem</c>) divided by 10⁶ and truncated to whole megabytes, only
    /// the <c>lat_90</c> latency kept among <c>lat_NN</c> columns, then the constant-column rule of <see cref="Default"/>.
    /// </summary>
    SockShop,
    /// <summary>Only columns constant over both windows together are dropped.</summary>
    None,
}
