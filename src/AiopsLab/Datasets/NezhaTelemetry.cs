using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AiopsLab.Data;
using AiopsLab.Telemetry;

namespace AiopsLab.Datasets;

/// <summary>
/// Train Ticket's traces and logs in Nezha's layout (<c>rca_data/&lt;day&gt;/{trace,log}/HH_MM_{trace,log}.csv[.gz]</c> and the
/// fault-free <c>construct_data/&lt;day&gt;/…</c>), turned into a case's <see cref="CaseTelemetry"/>.
/// </summary>
/// <remarks>
/// <para><b>Files.</b> <c>*_trace.csv</c>: <c>TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration</c>
/// (ParentID <c>root</c> for a root span, Duration in µs; no status column, so every span's status is
/// <see cref="SpanStatus.Unset"/>). <c>*_log.csv</c>: <c>Timestamp,TimeUnixNano,Node,PodName,Container,TraceID,SpanID,Log</c>,
/// where <c>Log</c> is the container runtime's JSON line <c>{"log": "...", "stream": ..., "time": ...}</c>: the message is
/// its <c>log</c> field without the trailing newline. A <c>Log</c> cell that does not start with <c>{</c> is taken as the
/// message itself (a runtime writing plain text); one that starts with <c>{</c> but is not that JSON is an error naming file
/// and line. <c>*_traceid.csv</c> is not read: a trace is the set of spans that carry its id, so a listed trace id without
/// spans simply has no trace (logs may still carry it). A log row with more than 8 fields keeps its first 8: the upstream
/// writer once appended a cut piece of another line after a complete record (2023-01-29 <c>10_06_log.csv</c> line 631);
/// fewer than 8 fields is an error naming file and line.</para>
/// <para><b>Windows.</b> The per-minute files overlap (the file of minute HH:MM covers about HH:MM−2 min to HH:MM+1 min),
/// so a case reads every file whose minute can reach its window, keeps rows whose time (a span's start) lies in the
/// window <c>[inject − before, inject + after)</c> — the metric window — and drops repeats (same trace and span id; same
/// pod, time and log line). Each file is parsed once per dataset and shared by all cases that read it; strings are pooled
/// per file. The day's <c>construct_data</c> files form <see cref="CaseTelemetry.NormalSpans"/> /
/// <see cref="CaseTelemetry.NormalLogs"/>, the fault-free period Nezha learns from.</para>
/// <para><b>Services</b> come from pods as for metrics (<see cref="Nezha.ServiceOfPod"/>). Times are taken as recorded
/// (nanoseconds → µs): spans of different pods are not corrected for clock skew, so a child may start before its parent;
/// durations are each pod's own and unaffected.</para>
/// </remarks>
public sealed class NezhaTelemetry
{
    private readonly string _root;
    private readonly ConcurrentDictionary<string, Lazy<SpanRow[]>> _spanFiles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<LogRow[]>> _logFiles = new(StringComparer.Ordinal);

    public NezhaTelemetry(string root) => _root = root;

    /// <summary>True when the day has trace or log folders.</summary>
    public bool Has(string day) =>
        Directory.Exists(Path.Combine(_root, "rca_data", day, "trace")) || Directory.Exists(Path.Combine(_root, "rca_data", day, "log"));

    /// <summary>The telemetry of the window [<paramref name="from"/>, <paramref name="to"/>) (Unix seconds) of a day, lazily loaded.</summary>
    public CaseTelemetry For(string day, long from, long to)
    {
        long f = from * 1_000_000, t = to * 1_000_000;
        return new CaseTelemetry(
            () => Spans(Window(Path.Combine(_root, "rca_data", day, "trace"), "_trace.csv", day, from, to), f, t),
            () => Logs(Window(Path.Combine(_root, "rca_data", day, "log"), "_log.csv", day, from, to), f, t),
            () => Spans(All(Path.Combine(_root, "construct_data", day, "trace"), "_trace.csv"), long.MinValue, long.MaxValue),
            () => Logs(All(Path.Combine(_root, "construct_data", day, "log"), "_log.csv"), long.MinValue, long.MaxValue));
    }

    private SpanTable? Spans(List<string> files, long from, long to) =>
        Table(files, new SpanTableBuilder(from, to), _spanFiles, ReadSpans);

    private LogTable? Logs(List<string> files, long from, long to) =>
        Table(files, new LogTableBuilder(from, to), _logFiles, ReadLogs);

    /// <summary>The rows of <paramref name="files"/> (each parsed once per dataset, through <paramref name="parsed"/>) in one
    /// table; null when there are no files.</summary>
    private static TTable? Table<TRow, TKey, TTable>(List<string> files, TelemetryTableBuilder<TRow, TKey, TTable> b,
        ConcurrentDictionary<string, Lazy<TRow[]>> parsed, Func<string, TRow[]> read)
        where TRow : struct, ITelemetryRow<TRow, TKey> where TTable : class
    {
        if (files.Count == 0) return null;
        foreach (var rows in Parallel(files, f => parsed.GetOrAdd(f, p => new Lazy<TRow[]>(() => read(p))).Value))
            foreach (ref readonly var r in rows.AsSpan()) b.Add(r);
        return b.Build();
    }

    /// <summary>Parses the files on the thread pool (results in file order, so the outcome does not depend on timing).</summary>
    private static T[] Parallel<T>(List<string> files, Func<string, T> read)
    {
        var res = new T[files.Count];
        try { System.Threading.Tasks.Parallel.For(0, files.Count, i => res[i] = read(files[i])); }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Report the first file's error as it is (it names file and line), not wrapped.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return res;
    }

    private static List<string> All(string dir, string suffix) =>
        !Directory.Exists(dir) ? [] : Directory.GetFiles(dir).Where(p => TextFiles.WithoutGz(Path.GetFileName(p)).EndsWith(suffix, StringComparison.Ordinal))
            .OrderBy(p => p, StringComparer.Ordinal).ToList();

    /// <summary>Files whose minute (HH_MM) can hold rows of [from, to): a file reaches about 2 min back and 1 min on.</summary>
    private static List<string> Window(string dir, string suffix, string day, long from, long to)
    {
        var dayStart = DateTime.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        long d0 = new DateTimeOffset(dayStart, TimeSpan.Zero).ToUnixTimeSeconds();
        var res = new List<string>();
        foreach (var p in All(dir, suffix))
        {
            var name = TextFiles.WithoutGz(Path.GetFileName(p));
            if (name.Length < 5 || !int.TryParse(name.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hh)
                || name[2] != '_' || !int.TryParse(name.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var mm))
                continue;
            long minute = d0 + hh * 3600 + mm * 60;
            if (minute - 300 < to && minute + 120 > from) res.Add(p);
        }
        return res;
    }

    /// <summary>Reads one <c>*_trace.csv[.gz]</c> file.</summary>
    public static SpanRow[] ReadSpans(string path) => ReadRows(path,
        "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration", (l, r, line, pool) =>
        {
            if (l.Contains('"')) throw new DataFormatException(path, line, null, "unexpected quote in a trace row (trace files have no quoted fields).");
            int n = l.Split(r, ',');
            if (n != 8) throw new DataFormatException(path, line, null, $"expected 8 fields, found {l.Count(',') + 1}.");
            if (l[r[0]].IsEmpty || l[r[1]].IsEmpty) throw new DataFormatException(path, line, l[r[0]].IsEmpty ? 1 : 2, "empty trace or span id.");
            long start = Long(path, line, 6, l[r[5]]) / 1000;
            long dur = Long(path, line, 8, l[r[7]]);
            if (dur < 0) throw new DataFormatException(path, line, 8, $"negative duration {l[r[7]]}.");
            var pod = pool.Get(l[r[3]]);
            var parent = l[r[2]];
            return new SpanRow(pool.Get(l[r[0]]), l[r[1]].ToString(), parent.IsEmpty || parent.SequenceEqual("root") ? null : parent.ToString(),
                pool.Get(Nezha.ServiceOfPod(pod)), pod, pool.Get(l[r[4]]), start, dur, SpanStatus.Unset);
        });

    /// <summary>Reads one <c>*_log.csv[.gz]</c> file.</summary>
    public static LogRow[] ReadLogs(string path) => ReadRows(path,
        "Timestamp,TimeUnixNano,Node,PodName,Container,TraceID,SpanID,Log", (l, r, line, pool) =>
        {
            // The first seven fields are never quoted; the eighth (the Log cell) is the rest of the row.
            if (l.Split(r[..8], ',') < 8) throw new DataFormatException(path, line, null, $"expected 8 fields, found {l.Count(',') + 1}.");
            long time = Long(path, line, 2, l[r[1]]) / 1000;
            var pod = pool.Get(l[r[3]]);
            var trace = l[r[5]];
            var span = l[r[6]];
            return new LogRow(time, pool.Get(Nezha.ServiceOfPod(pod)), pod, trace.IsEmpty ? null : pool.Get(trace),
                span.IsEmpty ? null : span.ToString(), MessageOf(Cell(l[r[7].Start..], path, line), path, line));
        });

    private delegate T RowParser<T>(ReadOnlySpan<char> line, Span<Range> fields, int lineNumber, StringPool pool);

    /// <summary>The shared read loop of the trace and log files: header check, one row per non-empty line, strings pooled per file.</summary>
    private static T[] ReadRows<T>(string path, string header, RowParser<T> parse)
    {
        var pool = new StringPool();
        var rows = new List<T>();
        Span<Range> r = stackalloc Range[9];
        using var reader = TextFiles.OpenText(path);
        int line = 0;
        Header(reader, path, ref line, header);
        while (TextFiles.ReadLine(reader, path, line) is { } text)
        {
            line++;
            if (text.Length > 0) rows.Add(parse(text.AsSpan(), r, line, pool));
        }
        return rows.ToArray();
    }

    private static void Header(TextReader reader, string path, ref int line, string expected)
    {
        var h = TextFiles.ReadLine(reader, path, line);
        line++;
        if (h is null || !h.TrimEnd('\r').Equals(expected, StringComparison.Ordinal))
            throw new DataFormatException(path, 1, null, $"expected the header {expected}.");
    }

    /// <summary>The last CSV cell of a row: unquoted, or quoted with doubled quotes inside. Anything after the closing quote
    /// is the cut piece of another line (see remarks) and is dropped.</summary>
    private static string Cell(ReadOnlySpan<char> s, string path, int line)
    {
        s = s.TrimEnd('\r');
        if (s.IsEmpty || s[0] != '"') return s.ToString();
        var sb = new System.Text.StringBuilder(s.Length);
        for (int i = 1; i < s.Length; i++)
        {
            if (s[i] != '"') { sb.Append(s[i]); continue; }
            if (i + 1 < s.Length && s[i + 1] == '"') { sb.Append('"'); i++; continue; }
            return sb.ToString();
        }
        throw new DataFormatException(path, line, 8, "the quoted Log cell is not closed on its line.");
    }

    /// <summary>The message inside a container runtime's JSON envelope (see remarks); plain text is returned as it is.</summary>
    public static string MessageOf(string cell, string path, int line)
    {
        var s = cell.AsSpan().TrimStart();
        if (s.Length == 0 || s[0] != '{') return cell.TrimEnd('\n', '\r');
        try
        {
            var bytes = Encoding.UTF8.GetBytes(cell);
            var r = new Utf8JsonReader(bytes);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw new DataFormatException(path, line, 8, "the Log cell is not a JSON object.");
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                bool isLog = r.ValueTextEquals("log"u8);
                r.Read();
                if (isLog && r.TokenType == JsonTokenType.String) return r.GetString()!.TrimEnd('\n', '\r');
                r.Skip();
            }
        }
        catch (JsonException x)
        {
            throw new DataFormatException(path, line, 8, "the Log cell is not valid JSON: " + x.Message.Split(" Path:")[0]);
        }
        throw new DataFormatException(path, line, 8, "the Log cell's JSON has no \"log\" text field.");
    }

    private static long Long(string path, int line, int col, ReadOnlySpan<char> s) =>
        long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new DataFormatException(path, line, col, $"cannot read '{s}' as an integer.");
}
