using AiopsLab.Data;
using AiopsLab.Methods;

namespace AiopsLab.Preparation;

/// <summary>
/// The data a graph-based localizer learns its causal graph from, prepared as RCAEval prepares it for PC-PageRank,
/// Granger-PageRank, LiNGAM-PageRank, their random-walk variants and CIRCA (Pham et al., ASE 2024; <c>rq2.py</c> and
/// <c>RCAEval/io/time_series.py</c> <c>preprocess</c>):
/// <list type="number">
/// <item>columns of an excluded kind are left out and not ranked (RCAEval's Sock Shop rule drops <c>lat_50</c> and <c>lat_99</c>);</item>
/// <item>at most <c>window</c> rows before the anomaly time and <c>window</c> rows from it on are kept (RCAEval: 300 and
/// 300, i.e. "10 minutes" of 1-second data);</item>
/// <item>missing values are carried forward, leading ones become 0 (<c>ffill().fillna(0)</c>);</item>
/// <item>columns constant over the whole window are dropped (<c>drop_constant</c>), where "constant" allows a spread of
/// 10⁻¹² relative to the magnitude, since a column that differs only by rounding (Sock Shop's <c>shipping_lat_90</c>
/// alternates between 0.0045 and 0.0045000000000000005) carries no information and gives arbitrary correlations.</item>
/// </list>
/// RCAEval also converts memory to megabytes; no method here depends on a column's unit, so that step is omitted.
/// </summary>
public sealed class GraphWindow
{
    private GraphWindow(string[] names, double[][] columns, string[] dropped, int anomalyRow)
    {
        Names = names; Columns = columns; Dropped = dropped; AnomalyRow = anomalyRow;
    }

    /// <summary>Columns kept, in frame order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Values of each kept column over the window (NaN-free).</summary>
    public IReadOnlyList<double[]> Columns { get; }

    /// <summary>Columns dropped as constant over the window (or entirely missing), in frame order.</summary>
    public IReadOnlyList<string> Dropped { get; }

    /// <summary>Row (within the window) of the first anomalous sample; 0 when the window has no normal rows.</summary>
    public int AnomalyRow { get; }

    /// <summary>Number of rows in the window.</summary>
    public int RowCount => Columns.Count == 0 ? 0 : Columns[0].Length;

    /// <summary>Prepares the window of <paramref name="problem"/>; <paramref name="window"/> ≤ 0 keeps every row.</summary>
    public static GraphWindow Of(RcaProblem problem, int window, IReadOnlyCollection<string>? excludeKinds = null)
    {
        var f = problem.Metrics;
        int a = problem.AnomalyRow;
        int r0 = window > 0 ? Math.Max(0, a - window) : 0;
        int r1 = window > 0 ? Math.Min(f.RowCount, a + window) : f.RowCount;
        var names = new List<string>();
        var cols = new List<double[]>();
        var dropped = new List<string>();
        for (int j = 0; j < f.ColumnCount; j++)
        {
            var name = f.Names[j];
            if (excludeKinds is { Count: > 0 } && excludeKinds.Contains(problem.Naming.KindOf(name))) continue;
            var src = f.Column(j);
            var v = new double[r1 - r0];
            double last = 0;
            for (int t = r0; t < r1; t++)
            {
                if (double.IsFinite(src[t])) last = src[t];
                v[t - r0] = last;
            }
            if (IsConstant(v)) { dropped.Add(name); continue; }
            names.Add(name);
            cols.Add(v);
        }
        return new GraphWindow(names.ToArray(), cols.ToArray(), dropped.ToArray(), a - r0);
    }

    /// <summary>True when the spread of <paramref name="v"/> is at most 10⁻¹² of its largest magnitude (or it has &lt; 2 values).</summary>
    public static bool IsConstant(ReadOnlySpan<double> v)
    {
        if (v.Length < 2) return true;
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var x in v) { if (x < lo) lo = x; if (x > hi) hi = x; }
        return hi - lo <= 1e-12 * Math.Max(Math.Abs(lo), Math.Abs(hi));
    }

    /// <summary>
    /// The result: kept columns ranked by <paramref name="scores"/> (highest first, ties by name), then the dropped
    /// columns with a NaN score (last, by name), so every input column not excluded appears once.
    /// </summary>
    public RcaResult Result(IReadOnlyList<double> scores, IReadOnlyDictionary<string, double>? diagnostics = null)
    {
        var names = Names.Concat(Dropped).ToArray();
        var all = scores.Concat(Enumerable.Repeat(double.NaN, Dropped.Count)).ToArray();
        var diag = new Dictionary<string, double>(StringComparer.Ordinal) { ["dropped_constant"] = Dropped.Count };
        if (diagnostics is not null) foreach (var (k, v) in diagnostics) diag[k] = v;
        return RcaResult.FromScores(names, all, diag);
    }

    /// <summary>
    /// How anomalous each kept column is: max over the anomalous rows of |x − μ|/σ, with μ, σ the mean and (population)
    /// standard deviation of the normal rows — the N-sigma score (RCAEval's <c>nsigma</c>). σ is floored at 10⁻⁹·(1 + |μ|)
    /// so a column flat in the normal period but moving afterwards gets a large, finite score; capped at 10⁶. All zero
    /// when the window has no normal or no anomalous rows.
    /// </summary>
    public double[] AnomalyScores()
    {
        var s = new double[Columns.Count];
        int a = AnomalyRow, n = RowCount;
        if (a < 1 || a >= n) return s;
        for (int j = 0; j < s.Length; j++)
        {
            var c = Columns[j];
            double m = 0;
            for (int t = 0; t < a; t++) m += c[t];
            m /= a;
            double ss = 0;
            for (int t = 0; t < a; t++) ss += (c[t] - m) * (c[t] - m);
            double sd = Math.Max(Math.Sqrt(ss / a), 1e-9 * (1 + Math.Abs(m)));
            double z = 0;
            for (int t = a; t < n; t++) z = Math.Max(z, Math.Abs(c[t] - m) / sd);
            s[j] = Math.Min(z, 1e6);
        }
        return s;
    }
}
