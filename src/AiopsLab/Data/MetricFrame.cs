using System.Globalization;

namespace AiopsLab.Data;

/// <summary>
/// An immutable, columnar multivariate time series: one <c>long[]</c> of Unix seconds (strictly increasing)
/// and one <c>double[]</c> per named metric, all of the same length. <see cref="double.NaN"/> means "missing".
/// </summary>
/// <remarks>
/// <para>Columns are exposed as <see cref="ReadOnlySpan{T}"/> so that no method can modify a frame it was given;
/// every operation returns a new frame. Operations that do not change values (<see cref="Select(IEnumerable{string})"/>,
/// renames) share the column arrays, which is safe because nothing writes to them after construction.</para>
/// <para>Column order is meaningful and stable: it is the order in the source file, and every derived frame keeps it.</para>
/// </remarks>
public sealed class MetricFrame
{
    private readonly long[] _time;
    private readonly string[] _names;
    private readonly double[][] _columns;
    private readonly Dictionary<string, int> _index;

    /// <summary>
    /// Builds a frame and takes ownership of the arrays: the caller must not modify them afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">Times not strictly increasing, lengths differ, or names repeat or are empty.</exception>
    public MetricFrame(long[] time, IReadOnlyList<string> names, IReadOnlyList<double[]> columns)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(columns);
        if (names.Count != columns.Count)
            throw new ArgumentException($"{names.Count} names but {columns.Count} columns.");
        for (int i = 1; i < time.Length; i++)
            if (time[i] <= time[i - 1])
                throw new ArgumentException(
                    $"timestamps must be strictly increasing: row {i} has {time[i].ToString(CultureInfo.InvariantCulture)} after {time[i - 1].ToString(CultureInfo.InvariantCulture)}.");
        _index = new Dictionary<string, int>(names.Count, StringComparer.Ordinal);
        _names = new string[names.Count];
        _columns = new double[names.Count][];
        for (int j = 0; j < names.Count; j++)
        {
            var n = names[j];
            if (string.IsNullOrEmpty(n)) throw new ArgumentException($"column {j} has an empty name.");
            if (!_index.TryAdd(n, j)) throw new ArgumentException($"column name '{n}' appears twice.");
            if (columns[j] is null || columns[j].Length != time.Length)
                throw new ArgumentException($"column '{n}' has {columns[j]?.Length ?? 0} values but there are {time.Length} timestamps.");
            _names[j] = n;
            _columns[j] = columns[j];
        }
        _time = time;
    }

    /// <summary>A frame with no rows and no columns.</summary>
    public static MetricFrame Empty { get; } = new([], [], []);

    /// <summary>Number of time steps.</summary>
    public int RowCount => _time.Length;

    /// <summary>Number of metrics.</summary>
    public int ColumnCount => _names.Length;

    /// <summary>Timestamps, Unix seconds, strictly increasing.</summary>
    public ReadOnlySpan<long> Time => _time;

    /// <summary>Metric names in column order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>First timestamp; throws on an empty frame.</summary>
    public long StartTime => _time.Length > 0 ? _time[0] : throw new InvalidOperationException("the frame has no rows.");

    /// <summary>Last timestamp; throws on an empty frame.</summary>
    public long EndTime => _time.Length > 0 ? _time[^1] : throw new InvalidOperationException("the frame has no rows.");

    /// <summary>The values of column <paramref name="index"/>.</summary>
    public ReadOnlySpan<double> Column(int index) => _columns[index];

    /// <summary>The values of the named column.</summary>
    /// <exception cref="UnknownNameException">No such column.</exception>
    public ReadOnlySpan<double> Column(string name) => _columns[IndexOfOrThrow(name)];

    /// <summary>A copy of a column's values, for code that needs an array it may modify.</summary>
    public double[] ColumnCopy(int index) => (double[])_columns[index].Clone();

    /// <summary>Column position of <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out var j) ? j : -1;

    public bool Contains(string name) => _index.ContainsKey(name);

    private int IndexOfOrThrow(string name) =>
        _index.TryGetValue(name, out var j) ? j : throw new UnknownNameException("column", name, _names);

    /// <summary>Index of the first row whose time is at or after <paramref name="t"/> (<see cref="RowCount"/> if none).</summary>
    public int RowAtOrAfter(long t)
    {
        int i = Array.BinarySearch(_time, t);
        return i >= 0 ? i : ~i;
    }

    /// <summary>Rows with <paramref name="from"/> &lt;= time &lt; <paramref name="toExclusive"/>.</summary>
    public MetricFrame SliceTime(long from, long toExclusive)
    {
        int a = RowAtOrAfter(from);
        int b = RowAtOrAfter(toExclusive);
        return SliceRows(a, Math.Max(0, b - a));
    }

    /// <summary>Rows <paramref name="start"/> .. <paramref name="start"/>+<paramref name="count"/>-1.</summary>
    public MetricFrame SliceRows(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > RowCount)
            throw new ArgumentOutOfRangeException(nameof(start), $"rows {start}..{start + count} are outside 0..{RowCount}.");
        if (start == 0 && count == RowCount) return this;
        var cols = new double[_columns.Length][];
        for (int j = 0; j < cols.Length; j++) cols[j] = _columns[j].AsSpan(start, count).ToArray();
        return new MetricFrame(_time.AsSpan(start, count).ToArray(), _names, cols);
    }

    /// <summary>The named columns, in the order given.</summary>
    /// <exception cref="UnknownNameException">A name is not a column.</exception>
    public MetricFrame Select(IEnumerable<string> names)
    {
        var ns = names.ToArray();
        var cols = new double[ns.Length][];
        for (int j = 0; j < ns.Length; j++) cols[j] = _columns[IndexOfOrThrow(ns[j])];
        return new MetricFrame(_time, ns, cols);
    }

    /// <summary>The columns whose name satisfies <paramref name="keep"/>, in column order.</summary>
    public MetricFrame Where(Func<string, bool> keep) => Select(_names.Where(keep));

    /// <summary>The same values under new names (same order, same count).</summary>
    public MetricFrame Rename(Func<string, string> rename) => new(_time, _names.Select(rename).ToArray(), _columns);

    /// <summary>The same values with every timestamp moved by <paramref name="seconds"/>.</summary>
    public MetricFrame ShiftTime(long seconds) => new(_time.Select(t => t + seconds).ToArray(), _names, _columns);

    /// <summary>
    /// Stacks frames in time. Every part must start after the previous one ends. The result has the union of the
    /// columns (in order of first appearance); a column missing from a part is NaN over that part's rows.
    /// </summary>
    public static MetricFrame ConcatRows(params MetricFrame[] parts)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in parts)
            foreach (var n in p._names)
                if (seen.Add(n)) names.Add(n);
        int rows = parts.Sum(p => p.RowCount);
        var time = new long[rows];
        var cols = new double[names.Count][];
        for (int j = 0; j < cols.Length; j++) cols[j] = new double[rows];
        int offset = 0;
        for (int k = 0; k < parts.Length; k++)
        {
            var p = parts[k];
            if (p.RowCount == 0) continue;
            if (offset > 0 && p._time[0] <= time[offset - 1])
                throw new ArgumentException(
                    $"part {k} starts at {p._time[0].ToString(CultureInfo.InvariantCulture)}, not after the previous part's end {time[offset - 1].ToString(CultureInfo.InvariantCulture)}.");
            p._time.CopyTo(time, offset);
            for (int j = 0; j < names.Count; j++)
            {
                int pj = p.IndexOf(names[j]);
                if (pj >= 0) p._columns[pj].CopyTo(cols[j], offset);
                else Array.Fill(cols[j], double.NaN, offset, p.RowCount);
            }
            offset += p.RowCount;
        }
        return new MetricFrame(time, names, cols);
    }

    /// <summary>
    /// Aligns two frames on time. <see cref="JoinKind.Inner"/> keeps the timestamps both have; <see cref="JoinKind.Outer"/>
    /// keeps the union and fills NaN where one side has no row. Column names must not overlap.
    /// </summary>
    public static MetricFrame Align(MetricFrame left, MetricFrame right, JoinKind kind = JoinKind.Outer)
    {
        foreach (var n in right._names)
            if (left.Contains(n)) throw new ArgumentException($"both frames have a column '{n}'.");
        var times = kind == JoinKind.Inner
            ? left._time.Intersect(right._time).ToArray()
            : left._time.Union(right._time).ToArray();
        Array.Sort(times);
        var names = left._names.Concat(right._names).ToArray();
        var cols = new double[names.Length][];
        int w = 0;
        foreach (var f in new[] { left, right })
        {
            // Row map from the aligned grid into f.
            var map = new int[times.Length];
            for (int i = 0; i < times.Length; i++)
            {
                int r = Array.BinarySearch(f._time, times[i]);
                map[i] = r >= 0 ? r : -1;
            }
            foreach (var src in f._columns)
            {
                var dst = new double[times.Length];
                for (int i = 0; i < dst.Length; i++) dst[i] = map[i] >= 0 ? src[map[i]] : double.NaN;
                cols[w++] = dst;
            }
        }
        return new MetricFrame(times, names, cols);
    }

    /// <summary>
    /// Puts the frame on a regular grid <c>start + k*step</c> (<paramref name="count"/> points). Each grid point takes the
    /// nearest row within <paramref name="tolerance"/> seconds (earlier row on a tie), else NaN. Used by loaders whose
    /// per-entity files carry slightly different scrape times.
    /// </summary>
    public MetricFrame ToGrid(long start, long step, int count, long tolerance)
    {
        if (step <= 0) throw new ArgumentOutOfRangeException(nameof(step));
        var time = new long[count];
        var map = new int[count];
        for (int k = 0; k < count; k++)
        {
            long g = start + k * step;
            time[k] = g;
            int i = RowAtOrAfter(g);
            int best = -1; long bestD = long.MaxValue;
            if (i - 1 >= 0 && g - _time[i - 1] <= tolerance) { best = i - 1; bestD = g - _time[i - 1]; }
            if (i < RowCount && _time[i] - g <= tolerance && _time[i] - g < bestD) best = i;
            map[k] = best;
        }
        var cols = new double[_columns.Length][];
        for (int j = 0; j < cols.Length; j++)
        {
            var src = _columns[j];
            var dst = new double[count];
            for (int k = 0; k < count; k++) dst[k] = map[k] >= 0 ? src[map[k]] : double.NaN;
            cols[j] = dst;
        }
        return new MetricFrame(time, _names, cols);
    }

    public override string ToString() =>
        RowCount == 0
            ? $"MetricFrame(0 rows x {ColumnCount} columns)"
            : string.Create(CultureInfo.InvariantCulture, $"MetricFrame({RowCount} rows x {ColumnCount} columns, {StartTime}..{EndTime})");
}

/// <summary>How <see cref="MetricFrame.Align"/> combines two time axes.</summary>
public enum JoinKind
{
    /// <summary>Only timestamps present in both frames.</summary>
    Inner,
    /// <summary>All timestamps of either frame; missing cells are NaN.</summary>
    Outer,
}
