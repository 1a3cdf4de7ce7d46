using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Telemetry;

namespace AiopsLab.Datasets;

/// <summary>
/// Reads span and log tables from CSV files (<c>.csv</c> or <c>.csv.gz</c>) whose columns are found by name in the header,
/// for the generic layout (<c>traces.csv</c>, <c>logs.csv</c>) and RCAEval's RE2/RE3 (<c>traces.csv</c>, <c>logs.csv</c>).
/// Every error names file, line and column.
/// </summary>
public static class TelemetryCsv
{
    /// <summary>Header names of the span fields: the first name present in the header is used.</summary>
    public sealed record SpanColumns(string[] TraceId, string[] SpanId, string[] ParentId, string[] Service, string[] Operation,
        string[] Start, string[] Duration, string[] Status, string[] Pod)
    {
        /// <summary>Start time unit: seconds (decimals allowed) or microseconds.</summary>
        public bool StartInMicros { get; init; }
        /// <summary>Duration unit: milliseconds or microseconds.</summary>
        public bool DurationInMicros { get; init; }
    }

    /// <summary>Header names of the log fields (first present is used); the time unit is read from its magnitude.</summary>
    public sealed record LogColumns(string[] Time, string[] Service, string[] Message, string[] TraceId, string[] SpanId, string[] Pod);

    /// <summary>Reads spans; <paramref name="serviceOf"/> maps the service (or pod) column to the service name of the metrics.</summary>
    public static SpanTable ReadSpans(string path, SpanColumns c, Func<string, string> serviceOf) => Read(path, new SpanTableBuilder(), h =>
    {
        var pool = new StringPool();
        int tr = h.Need(c.TraceId), sp = h.Need(c.SpanId), pa = h.Opt(c.ParentId), sv = h.Need(c.Service), op = h.Opt(c.Operation),
            st = h.Need(c.Start), du = h.Need(c.Duration), ss = h.Opt(c.Status), po = h.Opt(c.Pod);
        return (line, f) =>
        {
            if (f[tr].Length == 0 || f[sp].Length == 0) throw new DataFormatException(path, line, (f[tr].Length == 0 ? tr : sp) + 1, "empty trace or span id.");
            var start = Number(path, line, st, f[st]);
            var dur = Number(path, line, du, f[du]);
            if (dur < 0) throw new DataFormatException(path, line, du + 1, $"negative duration {f[du]}.");
            var svcRaw = f[sv];
            var service = pool.Get(serviceOf(svcRaw));
            string? parent = pa >= 0 && f[pa].Length > 0 && f[pa] is not ("root" or "nan" or "None" or "null") ? f[pa] : null;
            return new SpanRow(pool.Get(f[tr]), f[sp], parent, service, po >= 0 ? pool.Get(f[po]) : pool.Get(svcRaw),
                op >= 0 ? pool.Get(f[op]) : "", (long)Math.Round(c.StartInMicros ? start : start * 1e6),
                (long)Math.Round(c.DurationInMicros ? dur : dur * 1000), ss >= 0 ? Status(f[ss]) : SpanStatus.Unset);
        };
    });

    /// <summary>Reads log records; <paramref name="serviceOf"/> maps the service (or container) column to the service.</summary>
    public static LogTable ReadLogs(string path, LogColumns c, Func<string, string> serviceOf) => Read(path, new LogTableBuilder(), h =>
    {
        var pool = new StringPool();
        int tm = h.Need(c.Time), sv = h.Need(c.Service), ms = h.Need(c.Message), tr = h.Opt(c.TraceId), sp = h.Opt(c.SpanId), po = h.Opt(c.Pod);
        return (line, f) => new LogRow(ToMicros(Number(path, line, tm, f[tm])), pool.Get(serviceOf(f[sv])), po >= 0 ? pool.Get(f[po]) : pool.Get(f[sv]),
            tr >= 0 && f[tr].Length > 0 ? pool.Get(f[tr]) : null, sp >= 0 && f[sp].Length > 0 ? f[sp] : null, f[ms]);
    });

    /// <summary>The header of a telemetry CSV: finds columns by any of their names (<see cref="Need"/>: an error naming the
    /// file when none is present; <see cref="Opt"/>: −1).</summary>
    private readonly record struct Header(string Path, string[] Names)
    {
        public int Need(string[] names) => Find(Path, Names, names, true);
        public int Opt(string[] names) => Find(Path, Names, names, false);
    }

    /// <summary>
    /// Reads <paramref name="path"/>: its header gives <paramref name="parser"/> the columns, and every later record, which must
    /// have as many fields as the header, becomes a row of <paramref name="builder"/> (line number and fields to a row).
    /// </summary>
    private static TTable Read<TRow, TKey, TTable>(string path, TelemetryTableBuilder<TRow, TKey, TTable> builder, Func<Header, Func<int, string[], TRow>> parser)
        where TRow : struct, ITelemetryRow<TRow, TKey>
    {
        using var e = Csv.ReadRecords(path).GetEnumerator();
        if (!e.MoveNext()) throw new DataFormatException(path, 1, null, "the file is empty.");
        var h = new Header(path, e.Current.Fields);
        var row = parser(h);
        while (e.MoveNext())
        {
            var (line, f) = e.Current;
            if (f.Length != h.Names.Length) throw new DataFormatException(path, line, null, $"expected {h.Names.Length} fields as in the header, found {f.Length}.");
            builder.Add(row(line, f));
        }
        return builder.Build();
    }

    /// <summary>A Unix time in s, ms, µs or ns (read from its magnitude: below 1e11 seconds, below 1e14 ms, below 1e17 µs) to µs.</summary>
    public static long ToMicros(double t) => Math.Abs(t) switch
    {
        < 1e11 => (long)Math.Round(t * 1e6),
        < 1e14 => (long)Math.Round(t * 1e3),
        < 1e17 => (long)Math.Round(t),
        _ => (long)Math.Round(t / 1e3),
    };

    /// <summary>Status text to a status: OTel codes (0 unset, 1 ok, 2 error), HTTP codes (≥ 500 error, else ok), or
    /// ok/error/true/false words; empty or NaN is unset.</summary>
    public static SpanStatus Status(string s)
    {
        s = s.Trim();
        if (s.Length == 0 || s.Equals("nan", StringComparison.OrdinalIgnoreCase)) return SpanStatus.Unset;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            return v switch { 0 => SpanStatus.Unset, 1 => SpanStatus.Ok, 2 => SpanStatus.Error, >= 500 => SpanStatus.Error, _ => SpanStatus.Ok };
        return s.ToLowerInvariant() switch
        {
            "error" or "err" or "true" or "status_code_error" => SpanStatus.Error,
            "ok" or "false" or "status_code_ok" => SpanStatus.Ok,
            _ => SpanStatus.Unset,
        };
    }

    private static int Find(string path, string[] header, string[] names, bool required)
    {
        foreach (var n in names)
        {
            int i = Array.FindIndex(header, x => string.Equals(x.Trim(), n, StringComparison.OrdinalIgnoreCase));
            if (i >= 0) return i;
        }
        return required ? throw new DataFormatException(path, 1, null, $"missing column {string.Join(" or ", names.Select(n => "'" + n + "'"))}.") : -1;
    }

    private static double Number(string path, int line, int col, string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
            : throw new DataFormatException(path, line, col + 1, $"cannot read '{s}' as a number.");
}
