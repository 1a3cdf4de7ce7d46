using AiopsLab.Numerics;

namespace AiopsLab.Causal;

/// <summary>Which statistic <see cref="DiscreteIndependenceTest"/> computes.</summary>
public enum DiscreteStatistic
{
    /// <summary>Pearson's X² = Σ (O − E)² / E.</summary>
    ChiSquare,
    /// <summary>The likelihood-ratio statistic G² = 2·Σ O·ln(O / E).</summary>
    GSquare,
}

/// <summary>
/// Conditional-independence test for discrete data: Pearson's chi-square or the G-square (likelihood-ratio) statistic
/// of Xᵢ ⊥ Xⱼ | X_S, summed over the configurations of S that occur in the data (Agresti, <i>Categorical Data
/// Analysis</i>, 3rd ed., 2013, §3.2 and §6.3.4; Spirtes, Glymour &amp; Scheines, <i>Causation, Prediction, and Search</i>,
/// 2nd ed., 2000, §5.4.2.1). In layer w (one configuration of S, with nʷ samples) the expected count of cell (x, y) is
/// Eʷ_xy = nʷ_x· · nʷ_·y / nʷ. Degrees of freedom are summed over layers as (|X| − 1 − zʷ_X)·(|Y| − 1 − zʷ_Y), where
/// zʷ counts the values of X (of Y) absent from layer w — the structural-zero adjustment of Spirtes et al. and of
/// causal-learn's <c>chisq</c>/<c>gsq</c> (used by RCD, Ikram et al., NeurIPS 2022); p = 1 when that sum is 0.
/// |X| and |Y| are the numbers of distinct values each variable takes in the whole data set.
/// </summary>
public sealed class DiscreteIndependenceTest : IIndependenceTest
{
    private readonly int[][] _codes;
    private readonly int[] _card;

    /// <summary>Prepares the test. Values are re-coded 0..k−1 in ascending order of the distinct values of each column.</summary>
    /// <exception cref="ArgumentException">Columns of different lengths.</exception>
    public DiscreteIndependenceTest(IReadOnlyList<int[]> columns, DiscreteStatistic statistic = DiscreteStatistic.ChiSquare)
    {
        Statistic = statistic;
        int n = columns.Count == 0 ? 0 : columns[0].Length;
        _codes = new int[columns.Count][];
        _card = new int[columns.Count];
        for (int j = 0; j < columns.Count; j++)
        {
            var c = columns[j];
            if (c.Length != n) throw new ArgumentException($"column {j} has {c.Length} values, column 0 has {n}.");
            var distinct = c.Distinct().OrderBy(v => v).ToArray();
            var map = new Dictionary<int, int>(distinct.Length);
            for (int k = 0; k < distinct.Length; k++) map[distinct[k]] = k;
            _codes[j] = c.Select(v => map[v]).ToArray();
            _card[j] = distinct.Length;
        }
        SampleCount = n;
    }

    public DiscreteStatistic Statistic { get; }

    public int VariableCount => _codes.Length;

    public int SampleCount { get; }

    public double PValue(int i, int j, ReadOnlySpan<int> s) => Test(i, j, s).PValue;

    /// <summary>The statistic, its degrees of freedom and p-value for Xᵢ ⊥ Xⱼ | X_S.</summary>
    public (double Statistic, int Df, double PValue) Test(int i, int j, ReadOnlySpan<int> s)
    {
        int n = SampleCount, cx = _card[i], cy = _card[j];
        var xi = _codes[i];
        var yj = _codes[j];
        // Layer of each sample: a mixed-radix number over S, then compacted to the layers that occur.
        var layerOf = new int[n];
        int layers = 1;
        if (s.Length > 0)
        {
            var key = new long[n];
            long radix = 1;
            bool overflow = false;
            foreach (var v in s)
            {
                var col = _codes[v];
                for (int t = 0; t < n; t++) key[t] += col[t] * radix;
                if (radix > long.MaxValue / Math.Max(1, _card[v])) { overflow = true; break; }
                radix *= _card[v];
            }
            if (overflow)
            {
                // Too many configurations for one number: compare tuples instead.
                var cols = s.ToArray().Select(v => _codes[v]).ToArray();
                var comparer = new TupleComparer(cols);
                var ids = new Dictionary<int, int>(comparer);
                for (int t = 0; t < n; t++)
                {
                    if (!ids.TryGetValue(t, out var id)) { id = ids.Count; ids[t] = id; }
                    layerOf[t] = id;
                }
                layers = ids.Count;
            }
            else
            {
                var ids = new Dictionary<long, int>();
                for (int t = 0; t < n; t++)
                {
                    if (!ids.TryGetValue(key[t], out var id)) { id = ids.Count; ids[key[t]] = id; }
                    layerOf[t] = id;
                }
                layers = ids.Count;
            }
        }
        var counts = new long[layers * cx * cy];
        for (int t = 0; t < n; t++) counts[(layerOf[t] * cx + xi[t]) * cy + yj[t]]++;
        return FromCounts(counts, layers, cx, cy, Statistic);
    }

    /// <summary>
    /// The statistic, degrees of freedom and p-value of a contingency table given as counts[w, x, y] (layer, row, column).
    /// Layers with no samples are skipped.
    /// </summary>
    public static (double Statistic, int Df, double PValue) FromTable(long[,,] table, DiscreteStatistic statistic)
    {
        int l = table.GetLength(0), cx = table.GetLength(1), cy = table.GetLength(2);
        var flat = new long[l * cx * cy];
        for (int w = 0; w < l; w++)
            for (int x = 0; x < cx; x++)
                for (int y = 0; y < cy; y++)
                    flat[(w * cx + x) * cy + y] = table[w, x, y];
        return FromCounts(flat, l, cx, cy, statistic);
    }

    private static (double Statistic, int Df, double PValue) FromCounts(long[] counts, int layers, int cx, int cy, DiscreteStatistic statistic)
    {
        var rows = new long[cx];
        var cols = new long[cy];
        double stat = 0;
        long df = 0;
        for (int w = 0; w < layers; w++)
        {
            int off = w * cx * cy;
            Array.Clear(rows);
            Array.Clear(cols);
            long nw = 0;
            for (int x = 0; x < cx; x++)
                for (int y = 0; y < cy; y++)
                {
                    long o = counts[off + x * cy + y];
                    rows[x] += o; cols[y] += o; nw += o;
                }
            if (nw == 0) continue;
            int zr = 0, zc = 0;
            for (int x = 0; x < cx; x++) if (rows[x] == 0) zr++;
            for (int y = 0; y < cy; y++) if (cols[y] == 0) zc++;
            df += (long)(cx - 1 - zr) * (cy - 1 - zc);
            for (int x = 0; x < cx; x++)
            {
                if (rows[x] == 0) continue;
                for (int y = 0; y < cy; y++)
                {
                    if (cols[y] == 0) continue;
                    double e = (double)rows[x] * cols[y] / nw;
                    long o = counts[off + x * cy + y];
                    if (statistic == DiscreteStatistic.ChiSquare) stat += (o - e) * (o - e) / e;
                    else if (o > 0) stat += 2 * o * Math.Log(o / e);
                }
            }
        }
        double p = df <= 0 ? 1 : Distributions.ChiSquareSf(stat, df);
        return (stat, (int)Math.Min(int.MaxValue, df), p);
    }

    private sealed class TupleComparer(int[][] cols) : IEqualityComparer<int>
    {
        public bool Equals(int a, int b)
        {
            foreach (var c in cols) if (c[a] != c[b]) return false;
            return true;
        }

        public int GetHashCode(int t)
        {
            var h = new HashCode();
            foreach (var c in cols) h.Add(c[t]);
            return h.ToHashCode();
        }
    }
}
