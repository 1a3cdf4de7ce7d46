using AiopsLab.Data;
using AiopsLab.Numerics;
using AiopsLab.Methods;

namespace AiopsLab.Preparation;

/// <summary>
/// The normal and anomalous windows of every column, prepared the way RCAEval prepares them before its statistical
/// methods (Pham et al., ASE 2024; <c>RCAEval/e2e/__init__.py</c> and <c>rq2.py</c>), so that scores are comparable with
/// the published ones:
/// <list type="number">
/// <item>missing values are carried forward, leading ones become 0 (<c>ffill().fillna(0)</c>);</item>
/// <item>rows before the anomaly time are normal, rows from it on anomalous; optionally only the last/first
/// <c>window</c> rows of each (RCAEval keeps 300 of each, <c>tail(300)</c>/<c>head(300)</c>);</item>
/// <item>a column that is constant in either window is dropped (RCAEval's <c>drop_constant</c> runs on each window
/// separately, then the column sets are intersected). "Constant" allows floating-point noise of 10⁻¹² relative
/// (<see cref="Stats.IsNumericallyConstant"/>): Sock Shop's <c>shipping_lat_90</c> alternates between 0.0045 and
/// 0.0045000000000000005, which pandas keeps and which then yields arbitrary correlations (r² ≈ 1 from rounding patterns).</item>
/// </list>
/// Columns of an excluded kind (a method option, e.g. RCAEval's Sock Shop rule <c>exclude-kinds=lat_50;lat_99</c>) are
/// left out and not ranked. RCAEval's unit change (memory in MB) is not needed: every scorer here is scale-free except where documented.
/// </summary>
public sealed class RcaWindows
{
    private RcaWindows(string[] names, double[][] normal, double[][] anomalous, string[] dropped)
    {
        Names = names; Normal = normal; Anomalous = anomalous; Dropped = dropped;
    }

    /// <summary>Columns kept, in frame order.</summary>
    public IReadOnlyList<string> Names { get; }
    /// <summary>Normal-window values of each kept column (NaN-free).</summary>
    public IReadOnlyList<double[]> Normal { get; }
    /// <summary>Anomalous-window values of each kept column (NaN-free).</summary>
    public IReadOnlyList<double[]> Anomalous { get; }
    /// <summary>Columns dropped as constant in a window (or entirely missing), in frame order.</summary>
    public IReadOnlyList<string> Dropped { get; }

    /// <summary>Prepares the windows of <paramref name="problem"/>; <paramref name="window"/> &gt; 0 keeps at most that many rows on each side.</summary>
    /// <exception cref="Data.AiopsLabException">No normal rows or no anomalous rows.</exception>
    /// <param name="problem">The case as a localizer sees it.</param>
    /// <param name="window">Rows kept on each side of the anomaly time; 0 keeps all.</param>
    /// <param name="dropConstant">Drop columns constant (up to float noise) in either window.</param>
    /// <param name="excludeKinds">Metric kinds (as the problem's naming parses them, ordinal) left out entirely, e.g.
    /// <c>lat_50</c> and <c>lat_99</c>, which RCAEval's <c>rq2.py</c> removes from the Sock Shop data before every method.</param>
    public static RcaWindows Of(RcaProblem problem, int window = 0, bool dropConstant = true, IReadOnlyCollection<string>? excludeKinds = null)
    {
        var f = problem.Metrics;
        int a = problem.AnomalyRow;
        if (a == 0) throw new AiopsLabException($"no rows before the anomaly time {problem.AnomalyTime}: there is no normal window to compare with.");
        if (a >= f.RowCount) throw new AiopsLabException($"no rows at or after the anomaly time {problem.AnomalyTime}: there is no anomalous window.");
        int n0 = window > 0 ? Math.Max(0, a - window) : 0;
        int n1 = window > 0 ? Math.Min(f.RowCount, a + window) : f.RowCount;
        var names = new List<string>();
        var normal = new List<double[]>();
        var anomalous = new List<double[]>();
        var dropped = new List<string>();
        for (int j = 0; j < f.ColumnCount; j++)
        {
            if (excludeKinds is { Count: > 0 } && excludeKinds.Contains(problem.Naming.KindOf(f.Names[j]))) continue;
            var filled = Stats.ForwardFill(f.Column(j));
            var nw = filled.AsSpan(n0, a - n0).ToArray();
            var aw = filled.AsSpan(a, n1 - a).ToArray();
            if (dropConstant && (Stats.IsNumericallyConstant(nw) || Stats.IsNumericallyConstant(aw)))
            {
                dropped.Add(f.Names[j]);
                continue;
            }
            names.Add(f.Names[j]);
            normal.Add(nw);
            anomalous.Add(aw);
        }
        return new RcaWindows(names.ToArray(), normal.ToArray(), anomalous.ToArray(), dropped.ToArray());
    }

    /// <summary>
    /// The result: kept columns ranked by <paramref name="scores"/> (highest first, ties by name), then the dropped columns
    /// with a NaN score (ranked last, by name), so every input column appears once.
    /// </summary>
    public RcaResult Result(IReadOnlyList<double> scores, IReadOnlyDictionary<string, double>? diagnostics = null)
    {
        var names = Names.Concat(Dropped).ToArray();
        var all = scores.Concat(Enumerable.Repeat(double.NaN, Dropped.Count)).ToArray();
        var diag = new Dictionary<string, double>(diagnostics ?? new Dictionary<string, double>(), StringComparer.Ordinal)
        {
            ["dropped_constant"] = Dropped.Count,
        };
        return RcaResult.FromScores(names, all, diag);
    }
}
