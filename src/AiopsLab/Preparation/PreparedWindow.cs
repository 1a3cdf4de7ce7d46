using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Preparation;

/// <summary>Which columns count as constant, and are dropped, in <see cref="PreparedWindow"/>.</summary>
public enum ConstantRule
{
    /// <summary>Constant over the whole window (RCAEval's <c>drop_constant</c> on the cut data, as for its graph methods).</summary>
    WholeWindow,
    /// <summary>
    /// Constant in the normal or in the anomalous part (RCAEval's <c>drop_constant</c> on each part, then the column
    /// sets intersected, as for its statistical methods and RCD).
    /// </summary>
    EitherSide,
}

/// <summary>How missing values before a column's first observation in the window are filled.</summary>
public enum LeadingGaps
{
    /// <summary>With 0 (pandas' <c>ffill().fillna(0)</c>, RCAEval's rule).</summary>
    Zero,
    /// <summary>With the first observed value (CIRCA's two-way interpolation); a column never observed is left out.</summary>
    FirstValue,
}

/// <summary>
/// How a localizer wants its window prepared: the one set of preparation rules (<see cref="PreparedWindow"/>) with the
/// choices the methods' reference implementations differ in. Every field has RCAEval's setting as its default.
/// </summary>
public sealed record WindowRecipe
{
    /// <summary>Rows kept before the anomaly time; 0 keeps every one. Ignored when <see cref="BeforeSeconds"/> is set.</summary>
    public int Before { get; init; }

    /// <summary>Rows kept from the anomaly time on; 0 keeps every one. Ignored when <see cref="AfterSeconds"/> is set.</summary>
    public int After { get; init; }

    /// <summary>Seconds kept before the anomaly time t: the rows with time in [t − s, t), however many that is at the
    /// data's interval (300 rows of 1-second data, 5 of 60-second data, 1 of 300-second data for s = 300). 0: use
    /// <see cref="Before"/> (rows).</summary>
    public long BeforeSeconds { get; init; }

    /// <summary>Seconds kept from the anomaly time t on: the rows with time in [t, t + s). 0: use <see cref="After"/> (rows).</summary>
    public long AfterSeconds { get; init; }

    /// <summary>Metric kinds (as the problem's naming parses them, ordinal) left out and not ranked, e.g. RCAEval's Sock
    /// Shop rule <c>lat_50;lat_99</c>.</summary>
    public IReadOnlyCollection<string> ExcludeKinds { get; init; } = [];

    /// <summary>Further columns left out by name (null keeps all), e.g. RCD's Sock Shop rule on latency percentiles.</summary>
    public Func<string, bool>? Exclude { get; init; }

    /// <summary>Constant-column rule.</summary>
    public ConstantRule Constant { get; init; } = ConstantRule.WholeWindow;

    /// <summary>Leading-gap rule.</summary>
    public LeadingGaps Leading { get; init; } = LeadingGaps.Zero;

    /// <summary>Memory columns (<see cref="IsMemory"/>) are divided by this (RCAEval's <c>convert_mem_mb</c>: 10⁶, bytes
    /// to MB); 1 leaves them as they are.</summary>
    public double MemoryDivisor { get; init; } = 1;

    /// <summary>Truncate converted memory values to whole units (RCD's own Sock Shop preprocessing, <c>astype(int)</c>).</summary>
    public bool TruncateMemory { get; init; }

    /// <summary>Which metric kinds are memory; null uses <see cref="MetricKinds.IsMemory"/>.</summary>
    public Func<string, bool>? IsMemory { get; init; }

    /// <summary>Fail with a clear error when the window has no normal or no anomalous row.</summary>
    public bool RequireBothSides { get; init; }

    /// <summary>
    /// The most columns a window may keep (0: no limit). The default, <see cref="GraphColumnLimit"/>, is for the methods
    /// that discover a causal graph, whose cost grows faster than the square of the column count: a 2,038-column case
    /// ran over 60 s in PC and CIRCA (issue 16, D13), and would then be cut only by the run's timeout. Statistical
    /// recipes have no limit (they are linear in the columns).
    /// </summary>
    public int MaxColumns { get; init; } = GraphColumnLimit;

    /// <summary>1,500 columns: 1.7 times the widest real case (Nezha Train Ticket, 879 metric columns).</summary>
    public const int GraphColumnLimit = 1500;

    /// <summary>The data's sampling interval in seconds: the median spacing of its timestamps (1 with fewer than two rows).</summary>
    public static long SamplingInterval(MetricFrame frame) =>
        frame.RowCount < 2 ? 1 : Telemetry.MultiSource.MedianStep(frame.Time.ToArray());

    /// <summary>How many rows of <paramref name="frame"/> span <paramref name="seconds"/>: seconds ÷ the sampling interval
    /// (<see cref="SamplingInterval"/>), rounded half away from zero, at least 1. For methods whose windows are counts of
    /// points (CIRCA's), given in seconds.</summary>
    public static int RowsFor(long seconds, MetricFrame frame) =>
        (int)Math.Max(1, Math.Min(int.MaxValue, Math.Round(seconds / (double)SamplingInterval(frame), MidpointRounding.AwayFromZero)));

    /// <summary>Every row each side; columns constant in either part dropped (RCAEval's statistical methods).</summary>
    public static WindowRecipe Statistical(int window, IReadOnlyCollection<string> excludeKinds) => new()
    {
        Before = window, After = window, ExcludeKinds = excludeKinds, Constant = ConstantRule.EitherSide, RequireBothSides = true,
        MaxColumns = 0,
    };

    /// <summary><paramref name="window"/> rows each side; columns constant over the whole window dropped (RCAEval's graph methods).</summary>
    public static WindowRecipe Graph(int window, IReadOnlyCollection<string>? excludeKinds = null) => new()
    {
        Before = window, After = window, ExcludeKinds = excludeKinds ?? [],
    };
}

/// <summary>
/// The one preparation of a case's window that every localizer starts from, following RCAEval's preprocessing (Pham et
/// al., ASE 2024; <c>RCAEval/io/time_series.py</c> <c>preprocess</c>, <c>rq2.py</c>), with the choices of
/// <see cref="WindowRecipe"/>:
/// <list type="number">
/// <item>columns of an excluded kind are left out and not ranked;</item>
/// <item>at most <see cref="WindowRecipe.Before"/> rows before the anomaly time and <see cref="WindowRecipe.After"/>
/// from it on are kept (RCAEval: 300 and 300, "10 minutes" of 1-second data; <c>tail(300)</c>/<c>head(300)</c>);</item>
/// <item>within the window, missing values are carried forward; leading ones become 0 (<c>ffill().fillna(0)</c>) or the
/// first observed value (CIRCA). RCAEval's driver fills the whole series before it cuts the window, so there a gap at
/// the window's start takes the value from before the window: the <c>rcaeval</c> preset
/// (<see cref="DataPreparation.Rcaeval"/>) does exactly that, the recipes here do not;</item>
/// <item>memory columns may be converted to megabytes (<c>convert_mem_mb</c>);</item>
/// <item>constant columns are dropped (<c>drop_constant</c>) and ranked last by <see cref="Result"/>. "Constant" allows
/// a spread of 10⁻¹² relative to the magnitude (<see cref="IsConstant"/>): Sock Shop's <c>shipping_lat_90</c> alternates
/// between 0.0045 and 0.0045000000000000005, which carries no information and gives arbitrary correlations.</item>
/// </list>
/// Each kept column is filled once into its own array; the normal and anomalous parts are spans over it, so methods read
/// the prepared data without copying it.
/// </summary>
public sealed class PreparedWindow
{
    private readonly double[][] _columns;

    private PreparedWindow(RcaProblem problem, string[] names, double[][] columns, string[] dropped, int anomalyRow, int rows)
    {
        Problem = problem; Names = names; _columns = columns; Dropped = dropped; AnomalyRow = anomalyRow; RowCount = rows;
    }

    /// <summary>The case the window was cut from (its call graph, naming, seed and SLIs).</summary>
    public RcaProblem Problem { get; }

    /// <summary>Columns kept, in frame order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Values of each kept column over the window (NaN-free).</summary>
    public IReadOnlyList<double[]> Columns => _columns;

    /// <summary>Columns dropped as constant (or never observed), in frame order.</summary>
    public IReadOnlyList<string> Dropped { get; }

    /// <summary>Row (within the window) of the first anomalous sample; 0 when the window has no normal rows.</summary>
    public int AnomalyRow { get; }

    /// <summary>Number of rows in the window.</summary>
    public int RowCount { get; }

    /// <summary>The normal part (rows before the anomaly time) of kept column <paramref name="j"/>.</summary>
    public ReadOnlySpan<double> Normal(int j) => _columns[j].AsSpan(0, AnomalyRow);

    /// <summary>The anomalous part (rows from the anomaly time on) of kept column <paramref name="j"/>.</summary>
    public ReadOnlySpan<double> Anomalous(int j) => _columns[j].AsSpan(AnomalyRow);

    /// <summary>Prepares the window of <paramref name="problem"/> as <paramref name="recipe"/> says.</summary>
    /// <exception cref="AiopsLabException">With <see cref="WindowRecipe.RequireBothSides"/>: no normal or no anomalous row.
    /// Always: fewer than two rows in the window, or no column left to rank.</exception>
    public static PreparedWindow Of(RcaProblem problem, WindowRecipe recipe)
    {
        var f = problem.Metrics;
        int a = problem.AnomalyRow;
        if (recipe.RequireBothSides)
        {
            if (a == 0) throw new AiopsLabException($"no rows before the anomaly time {problem.AnomalyTime}: there is no normal window to compare with.");
            if (a >= f.RowCount) throw new AiopsLabException($"no rows at or after the anomaly time {problem.AnomalyTime}: there is no anomalous window.");
        }
        int r0 = recipe.BeforeSeconds > 0 ? f.RowAtOrAfter(problem.AnomalyTime - recipe.BeforeSeconds)
            : recipe.Before > 0 ? Math.Max(0, a - recipe.Before) : 0;
        int r1 = recipe.AfterSeconds > 0 ? f.RowAtOrAfter(problem.AnomalyTime + recipe.AfterSeconds)
            : recipe.After > 0 ? Math.Min(f.RowCount, a + recipe.After) : f.RowCount;
        int rows = Math.Max(0, r1 - r0), split = Math.Clamp(a - r0, 0, rows);
        var isMemory = recipe.IsMemory ?? MetricKinds.IsMemory;
        var names = new List<string>(f.ColumnCount);
        var cols = new List<double[]>(f.ColumnCount);
        var dropped = new List<string>();
        for (int j = 0; j < f.ColumnCount; j++)
        {
            var name = f.Names[j];
            bool kindRules = recipe.ExcludeKinds.Count > 0 || recipe.MemoryDivisor != 1;
            var kind = kindRules ? problem.Naming.KindOf(name) : "";
            if (recipe.ExcludeKinds.Count > 0 && recipe.ExcludeKinds.Contains(kind)) continue;
            if (recipe.Exclude?.Invoke(name) == true) continue;
            var v = new double[rows];
            if (!Fill(f.Column(j).Slice(r0, rows), v, recipe.Leading)) continue;
            if (recipe.MemoryDivisor != 1 && isMemory(kind)) ToUnits(v, recipe.MemoryDivisor, recipe.TruncateMemory);
            bool constant = recipe.Constant == ConstantRule.EitherSide
                ? IsConstant(v.AsSpan(0, split)) || IsConstant(v.AsSpan(split))
                : IsConstant(v);
            if (constant) { dropped.Add(name); continue; }
            names.Add(name);
            cols.Add(v);
        }
        // A localizer that cannot rank says so: with fewer than two rows or nothing but constant columns every score
        // would be undefined, and a ranking of NaNs (alphabetical) must not be scored as a result.
        if (rows < 2)
            throw new AiopsLabException($"the window around the anomaly time {problem.AnomalyTime} has {rows} row(s) of {f.RowCount}: too few to rank anything.");
        if (names.Count == 0 && f.ColumnCount > 0 && !recipe.RequireBothSides) // statistical recipes rank constant columns last
            throw new AiopsLabException($"every column of the window ({rows} rows) is constant, unobserved or excluded: nothing to rank.");
        if (recipe.MaxColumns > 0 && names.Count > recipe.MaxColumns)
            throw new AiopsLabException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"the window keeps {names.Count:N0} non-constant columns, more than the {recipe.MaxColumns:N0} a causal-graph method accepts (its time grows faster than the square of the columns); put a metric reducer first, e.g. metricsifter+<method>."));
        return new PreparedWindow(problem, names.ToArray(), cols.ToArray(), dropped.ToArray(), split, rows);
    }

    /// <summary>Carries observed values forward into <paramref name="v"/>; false when nothing is observed and leading
    /// gaps take the first value (the column cannot be filled).</summary>
    private static bool Fill(ReadOnlySpan<double> src, Span<double> v, LeadingGaps leading)
    {
        double last = 0;
        if (leading == LeadingGaps.FirstValue)
        {
            int first = 0;
            while (first < src.Length && !double.IsFinite(src[first])) first++;
            if (first == src.Length) return false;
            last = src[first];
        }
        for (int t = 0; t < src.Length; t++)
        {
            if (double.IsFinite(src[t])) last = src[t];
            v[t] = last;
        }
        return true;
    }

    private static void ToUnits(Span<double> v, double divisor, bool truncate)
    {
        for (int t = 0; t < v.Length; t++) v[t] = truncate ? Math.Truncate(v[t] / divisor) : v[t] / divisor;
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
        int n = Names.Count + Dropped.Count;
        var names = new string[n];
        var all = new double[n];
        for (int j = 0; j < Names.Count; j++) { names[j] = Names[j]; all[j] = scores[j]; }
        for (int j = 0; j < Dropped.Count; j++) { names[Names.Count + j] = Dropped[j]; all[Names.Count + j] = double.NaN; }
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
        var s = new double[_columns.Length];
        int a = AnomalyRow, n = RowCount;
        if (a < 1 || a >= n) return s;
        for (int j = 0; j < s.Length; j++)
        {
            var c = _columns[j];
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

    /// <summary>|Pearson correlation| of two kept columns over the window (0 when either is constant).</summary>
    public double AbsCorrelation(int i, int j)
    {
        double r = Stats.Pearson(_columns[i], _columns[j]);
        return double.IsNaN(r) ? 0 : Math.Min(1, Math.Abs(r));
    }
}
