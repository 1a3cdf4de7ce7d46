using AiopsLab.Data;

namespace AiopsLab.Telemetry;

/// <summary>A row a <see cref="TelemetryTableBuilder{TRow, TKey, TTable}"/> collects: its time, the key that makes two rows
/// the same record, and (<see cref="IComparable{T}"/>) the table's stable order.</summary>
public interface ITelemetryRow<TRow, TKey> : IComparable<TRow>
{
    /// <summary>Unix microseconds that place the row in a window.</summary>
    long WindowTime { get; }

    /// <summary>Rows with equal keys are one record repeated.</summary>
    TKey DedupKey { get; }
}

/// <summary>One span as a reader produces it (times in Unix microseconds; <see cref="ParentId"/> null for a root).</summary>
public readonly record struct SpanRow(
    string TraceId, string SpanId, string? ParentId, string Service, string Pod, string Operation,
    long StartMicros, long DurationMicros, SpanStatus Status) : ITelemetryRow<SpanRow, (string, string)>
{
    long ITelemetryRow<SpanRow, (string, string)>.WindowTime => StartMicros;

    (string, string) ITelemetryRow<SpanRow, (string, string)>.DedupKey => (TraceId, SpanId);

    /// <summary>Start, then trace id, then span id.</summary>
    public int CompareTo(SpanRow b)
    {
        int c = StartMicros.CompareTo(b.StartMicros);
        if (c != 0) return c;
        c = string.CompareOrdinal(TraceId, b.TraceId);
        return c != 0 ? c : string.CompareOrdinal(SpanId, b.SpanId);
    }
}

/// <summary>One log record as a reader produces it (time in Unix microseconds; the message without any runtime envelope).</summary>
public readonly record struct LogRow(long TimeMicros, string Service, string Pod, string? TraceId, string? SpanId, string Message)
    : ITelemetryRow<LogRow, (long, string, string)>
{
    long ITelemetryRow<LogRow, (long, string, string)>.WindowTime => TimeMicros;

    (long, string, string) ITelemetryRow<LogRow, (long, string, string)>.DedupKey => (TimeMicros, Pod, Message);

    /// <summary>Time, then service, pod and message.</summary>
    public int CompareTo(LogRow b)
    {
        int c = TimeMicros.CompareTo(b.TimeMicros);
        if (c != 0) return c;
        c = string.CompareOrdinal(Service, b.Service);
        if (c != 0) return c;
        c = string.CompareOrdinal(Pod, b.Pod);
        return c != 0 ? c : string.CompareOrdinal(Message, b.Message);
    }
}

/// <summary>
/// Collects rows (from one or several, possibly overlapping, files), skips those outside an optional [from, to) window,
/// drops repeats (the first row with a <see cref="ITelemetryRow{TRow, TKey}.DedupKey"/> is kept) and builds the columnar
/// table from the rows in their stable order.
/// </summary>
public abstract class TelemetryTableBuilder<TRow, TKey, TTable>(long fromMicros, long toMicros)
    where TRow : struct, ITelemetryRow<TRow, TKey>
{
    private readonly List<TRow> _rows = [];
    private readonly HashSet<TKey> _seen = [];

    public int Count => _rows.Count;

    /// <summary>Adds a row; returns false when it was a duplicate or outside the window.</summary>
    public bool Add(in TRow r)
    {
        long t = r.WindowTime;
        if (t < fromMicros || t >= toMicros || !_seen.Add(r.DedupKey)) return false;
        _rows.Add(r);
        return true;
    }

    public void AddRange(IEnumerable<TRow> rows)
    {
        foreach (var r in rows) Add(r);
    }

    public TTable Build()
    {
        var rows = _rows.ToArray();
        Array.Sort(rows);
        return Columns(rows);
    }

    /// <summary>The table of <paramref name="sorted"/>, rows in order.</summary>
    protected abstract TTable Columns(TRow[] sorted);
}

/// <summary>
/// Collects span rows and builds the columnar <see cref="SpanTable"/> in its stable order (start, trace id, span id).
/// </summary>
/// <remarks>A duplicate is a second row with the same (trace id, span id): overlapping per-minute files repeat spans,
/// and the first row seen is kept. Rows outside an optional [from, to) window (by start time) are skipped.</remarks>
public sealed class SpanTableBuilder(long fromMicros = long.MinValue, long toMicros = long.MaxValue)
    : TelemetryTableBuilder<SpanRow, (string, string), SpanTable>(fromMicros, toMicros)
{
    protected override SpanTable Columns(SpanRow[] rows)
    {
        int n = rows.Length;
        var t = new string[n]; var s = new string[n]; var p = new string?[n]; var svc = new string[n]; var pod = new string[n];
        var op = new string[n]; var st = new long[n]; var du = new long[n]; var ss = new SpanStatus[n];
        for (int i = 0; i < n; i++)
        {
            ref readonly var r = ref rows[i];
            t[i] = r.TraceId; s[i] = r.SpanId; p[i] = r.ParentId; svc[i] = r.Service; pod[i] = r.Pod; op[i] = r.Operation;
            st[i] = r.StartMicros; du[i] = r.DurationMicros; ss[i] = r.Status;
        }
        return new SpanTable(t, s, p, svc, pod, op, st, du, ss);
    }
}

/// <summary>
/// Collects log rows, drops duplicates (same time, pod and message: overlapping files repeat lines) and builds the
/// columnar <see cref="LogTable"/> in its stable order (time, service, pod, message). Rows outside [from, to) are skipped.
/// </summary>
public sealed class LogTableBuilder(long fromMicros = long.MinValue, long toMicros = long.MaxValue)
    : TelemetryTableBuilder<LogRow, (long, string, string), LogTable>(fromMicros, toMicros)
{
    protected override LogTable Columns(LogRow[] rows)
    {
        int n = rows.Length;
        var tm = new long[n]; var svc = new string[n]; var pod = new string[n]; var tr = new string?[n]; var sp = new string?[n]; var msg = new string[n];
        for (int i = 0; i < n; i++)
        {
            ref readonly var r = ref rows[i];
            tm[i] = r.TimeMicros; svc[i] = r.Service; pod[i] = r.Pod; tr[i] = r.TraceId; sp[i] = r.SpanId; msg[i] = r.Message;
        }
        return new LogTable(tm, svc, pod, tr, sp, msg);
    }
}

/// <summary>A small string pool so repeated values (pods, operations, trace ids) are stored once. Not thread-safe.</summary>
public sealed class StringPool
{
    private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool() => _lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<char> s)
    {
        if (_lookup.TryGetValue(s, out var v)) return v;
        var str = s.ToString();
        _pool[str] = str;
        return str;
    }
}
