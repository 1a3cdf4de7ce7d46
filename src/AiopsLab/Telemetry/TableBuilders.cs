using AiopsLab.Data;

namespace AiopsLab.Telemetry;

/// <summary>One span as a reader produces it (times in Unix microseconds; <see cref="ParentId"/> null for a root).</summary>
public readonly record struct SpanRow(
    string TraceId, string SpanId, string? ParentId, string Service, string Pod, string Operation,
    long StartMicros, long DurationMicros, SpanStatus Status);

/// <summary>One log record as a reader produces it (time in Unix microseconds; the message without any runtime envelope).</summary>
public readonly record struct LogRow(long TimeMicros, string Service, string Pod, string? TraceId, string? SpanId, string Message);

/// <summary>
/// Collects span rows (from one or several, possibly overlapping, files), drops duplicates and builds the columnar
/// <see cref="SpanTable"/> in its stable order (start, trace id, span id).
/// </summary>
/// <remarks>A duplicate is a second row with the same (trace id, span id): overlapping per-minute files repeat spans,
/// and the first row seen is kept. Rows outside an optional [from, to) window (by start time) are skipped.</remarks>
public sealed class SpanTableBuilder(long fromMicros = long.MinValue, long toMicros = long.MaxValue)
{
    private readonly List<SpanRow> _rows = [];
    private readonly HashSet<(string, string)> _seen = [];

    public int Count => _rows.Count;

    /// <summary>Adds a row; returns false when it was a duplicate or outside the window.</summary>
    public bool Add(in SpanRow r)
    {
        if (r.StartMicros < fromMicros || r.StartMicros >= toMicros || !_seen.Add((r.TraceId, r.SpanId))) return false;
        _rows.Add(r);
        return true;
    }

    public void AddRange(IEnumerable<SpanRow> rows)
    {
        foreach (var r in rows) Add(r);
    }

    public SpanTable Build()
    {
        var rows = _rows.ToArray();
        Array.Sort(rows, static (a, b) =>
        {
            int c = a.StartMicros.CompareTo(b.StartMicros);
            if (c != 0) return c;
            c = string.CompareOrdinal(a.TraceId, b.TraceId);
            return c != 0 ? c : string.CompareOrdinal(a.SpanId, b.SpanId);
        });
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
/// columnar <see cref="LogTable"/> in its stable order (time, service, message). Rows outside [from, to) are skipped.
/// </summary>
public sealed class LogTableBuilder(long fromMicros = long.MinValue, long toMicros = long.MaxValue)
{
    private readonly List<LogRow> _rows = [];
    private readonly HashSet<(long, string, string)> _seen = [];

    public int Count => _rows.Count;

    /// <summary>Adds a row; returns false when it was a duplicate or outside the window.</summary>
    public bool Add(in LogRow r)
    {
        if (r.TimeMicros < fromMicros || r.TimeMicros >= toMicros || !_seen.Add((r.TimeMicros, r.Pod, r.Message))) return false;
        _rows.Add(r);
        return true;
    }

    public void AddRange(IEnumerable<LogRow> rows)
    {
        foreach (var r in rows) Add(r);
    }

    public LogTable Build()
    {
        var rows = _rows.ToArray();
        Array.Sort(rows, static (a, b) =>
        {
            int c = a.TimeMicros.CompareTo(b.TimeMicros);
            if (c != 0) return c;
            c = string.CompareOrdinal(a.Service, b.Service);
            if (c != 0) return c;
            c = string.CompareOrdinal(a.Pod, b.Pod);
            return c != 0 ? c : string.CompareOrdinal(a.Message, b.Message);
        });
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
