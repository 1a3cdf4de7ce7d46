using AiopsLab.Data;
using AiopsLab.Methods;

namespace AiopsLab.Rca;

/// <summary>
/// What the trace- and log-based localizers (<see cref="NezhaLocalizer"/>, <see cref="MicroRank"/>, <see cref="TraceRca"/>,
/// <see cref="PDiagnose"/>) share: the normal and the faulty part of a case's spans and logs, spans grouped by trace,
/// and the names they rank.
/// </summary>
/// <remarks>
/// <para><b>Normal period</b>: <see cref="CaseTelemetry.NormalSpans"/> / <see cref="CaseTelemetry.NormalLogs"/> where the
/// dataset records a fault-free period apart from the case (Nezha's <c>construct_data</c>); otherwise the records of the
/// case that start before <see cref="RcaProblem.AnomalyTime"/>.</para>
/// <para><b>Faulty period</b>: the traces whose first span starts in [AnomalyTime + offset, AnomalyTime + offset + length)
/// (length 0 = to the end of the case), each whole; log records by their own time. Normal traces from the case are those
/// that start before the anomaly time.</para>
/// <para><b>Ranked names</b>: a method that ranks services (or a service and something inside it) cannot name a metric
/// column, so it names <c>&lt;service&gt;&lt;separator&gt;&lt;inner&gt;</c> in the case's own <see cref="DelimitedNaming"/>
/// (e.g. <c>ts-order-service_CpuUsageRate(%)</c>), which the runner maps back to the service as it does for columns;
/// where the naming is not delimited, the service's first metric column stands for it.</para>
/// </remarks>
public static class TelemetryWindows
{
    /// <summary>The case's spans, or a clear error naming the method when the case has none.</summary>
    public static SpanTable SpansOf(RcaProblem p, string method)
    {
        var s = p.Telemetry?.Spans;
        if (s is null || s.Count == 0)
            throw new AiopsLabException($"{method} needs traces, but this case has none (the dataset gives metrics only, or no spans were recorded). Use a dataset with traces, e.g. nezha's train-ticket.");
        return s;
    }

    /// <summary>The case's log records, or null where it has none.</summary>
    public static LogTable? LogsOf(RcaProblem p) => p.Telemetry?.Logs is { Count: > 0 } l ? l : null;

    /// <summary>Rows of <paramref name="spans"/> starting in [from, to) (Unix µs; to = long.MaxValue for no end).</summary>
    public static int[] Rows(SpanTable spans, long fromMicros, long toMicros)
    {
        var rows = new List<int>();
        for (int i = 0; i < spans.Count; i++)
            if (spans.StartMicros[i] >= fromMicros && spans.StartMicros[i] < toMicros) rows.Add(i);
        return rows.ToArray();
    }

    /// <summary>Rows of the traces of <paramref name="spans"/> whose first span starts in [from, to) (Unix µs), all their
    /// spans included (a trace is not cut at the window's edges), in row order.</summary>
    public static int[] TraceRows(SpanTable spans, long fromMicros, long toMicros)
    {
        var first = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < spans.Count; i++)
            if (!first.TryGetValue(spans.TraceId[i], out var f) || spans.StartMicros[i] < f) first[spans.TraceId[i]] = spans.StartMicros[i];
        var rows = new List<int>();
        for (int i = 0; i < spans.Count; i++)
            if (first[spans.TraceId[i]] is var t && t >= fromMicros && t < toMicros) rows.Add(i);
        return rows.ToArray();
    }

    /// <summary>Rows of <paramref name="logs"/> in [from, to) (Unix µs).</summary>
    public static int[] Rows(LogTable logs, long fromMicros, long toMicros)
    {
        var rows = new List<int>();
        for (int i = 0; i < logs.Count; i++)
            if (logs.TimeMicros[i] >= fromMicros && logs.TimeMicros[i] < toMicros) rows.Add(i);
        return rows.ToArray();
    }

    /// <summary>Faulty window [start, end) in Unix µs: <paramref name="offsetSeconds"/> after the anomaly time, lasting
    /// <paramref name="lengthSeconds"/> (0 = open-ended).</summary>
    public static (long From, long To) FaultWindow(RcaProblem p, double offsetSeconds, double lengthSeconds)
    {
        long from = p.AnomalyTime * 1_000_000 + (long)(offsetSeconds * 1e6);
        long to = lengthSeconds > 0 ? from + (long)(lengthSeconds * 1e6) : long.MaxValue;
        return (from, to);
    }

    /// <summary>The case's traces that start in the faulty window [anomaly time, + <paramref name="lengthSeconds"/>) (0 =
    /// open-ended), each as the rows of its spans (<see cref="TraceRows"/>, <see cref="ByTrace"/>).</summary>
    public static List<int[]> FaultTraces(RcaProblem p, SpanTable spans, double lengthSeconds)
    {
        var (from, to) = FaultWindow(p, 0, lengthSeconds);
        return ByTrace(spans, TraceRows(spans, from, to));
    }

    /// <summary>Mean and sample standard deviation (ddof 1) of the durations (µs) of <paramref name="rows"/> of
    /// <paramref name="spans"/>, per key (an operation, a caller–callee pair): the normal latency a span is judged against.</summary>
    public static Dictionary<string, (double Mean, double Std)> DurationStats(SpanTable spans, IEnumerable<int> rows, Func<int, string> keyOf) =>
        rows.GroupBy(keyOf, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Numerics.Stats.MeanStd(g.Select(r => (double)spans.DurationMicros[r]).ToArray(), 1), StringComparer.Ordinal);

    /// <summary>The normal spans: the dataset's fault-free reference period if any, else the case before the anomaly.</summary>
    public static (SpanTable Table, int[] Rows) NormalSpans(RcaProblem p, SpanTable caseSpans)
    {
        if (p.Telemetry?.NormalSpans is { Count: > 0 } n) return (n, Enumerable.Range(0, n.Count).ToArray());
        return (caseSpans, TraceRows(caseSpans, long.MinValue, p.AnomalyTime * 1_000_000));
    }

    /// <summary>The normal logs, chosen as <see cref="NormalSpans"/> chooses spans; null without logs.</summary>
    public static (LogTable Table, int[] Rows)? NormalLogs(RcaProblem p, LogTable? caseLogs)
    {
        if (p.Telemetry?.NormalLogs is { Count: > 0 } n) return (n, Enumerable.Range(0, n.Count).ToArray());
        return caseLogs is null ? null : (caseLogs, Rows(caseLogs, long.MinValue, p.AnomalyTime * 1_000_000));
    }

    /// <summary>The given rows grouped by trace id, traces in order of first appearance, rows in input order.</summary>
    public static List<int[]> ByTrace(SpanTable spans, int[] rows)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var groups = new List<List<int>>();
        foreach (var r in rows)
        {
            if (!index.TryGetValue(spans.TraceId[r], out var g)) { g = groups.Count; index[spans.TraceId[r]] = g; groups.Add([]); }
            groups[g].Add(r);
        }
        return groups.Select(g => g.ToArray()).ToList();
    }

    /// <summary>For each of <paramref name="rows"/>, the row of its parent span within the same rows, or −1.</summary>
    public static Dictionary<int, int> Parents(SpanTable spans, int[] rows)
    {
        var bySpan = new Dictionary<(string, string), int>();
        foreach (var r in rows) bySpan.TryAdd((spans.TraceId[r], spans.SpanId[r]), r);
        var parent = new Dictionary<int, int>(rows.Length);
        foreach (var r in rows)
            parent[r] = spans.ParentId[r] is { } pid && bySpan.TryGetValue((spans.TraceId[r], pid), out var pr) && pr != r ? pr : -1;
        return parent;
    }

    /// <summary>The inner part of the name of a service ranked as a whole (<c>&lt;service&gt;_service</c>).</summary>
    public const string ServiceOnly = "service";

    /// <summary>The name a telemetry method ranks for <paramref name="service"/> (and <paramref name="inner"/>, e.g. a
    /// resource or a code region); see the remarks of <see cref="TelemetryWindows"/>.</summary>
    public static string RankedName(RcaProblem p, string service, string inner)
    {
        if (p.Naming is DelimitedNaming d) return d.Compose(service, inner.Length == 0 ? ServiceOnly : inner);
        foreach (var c in p.Metrics.Names)
            if (string.Equals(p.Naming.ServiceOf(c), service, StringComparison.Ordinal)) return c;
        return service;
    }

    /// <summary>Turns (service, inner, score) rows, best first, into a result with each name once.</summary>
    public static RcaResult Result(RcaProblem p, IEnumerable<(string Service, string Inner, double Score)> ranked, IReadOnlyDictionary<string, double>? diagnostics = null)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<RankedMetric>();
        foreach (var (svc, inner, score) in ranked)
        {
            var name = RankedName(p, svc, inner);
            if (seen.Add(name)) list.Add(new RankedMetric(name, score));
        }
        return new RcaResult(list, diagnostics);
    }

    /// <summary>Services sorted by score, highest first, ties by name; NaN last.</summary>
    public static IEnumerable<(string Service, string Inner, double Score)> ByScore(IReadOnlyDictionary<string, double> scores) =>
        scores.OrderBy(kv => double.IsNaN(kv.Value) ? 1 : 0).ThenByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (kv.Key, "", kv.Value));
}
