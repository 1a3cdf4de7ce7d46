namespace AiopsLab.Data;

/// <summary>Outcome of a span where the data records one.</summary>
public enum SpanStatus : byte
{
    /// <summary>The data has no status for this span.</summary>
    Unset = 0,
    /// <summary>Completed normally.</summary>
    Ok = 1,
    /// <summary>Failed (error status or an HTTP/gRPC error code).</summary>
    Error = 2,
}

/// <summary>
/// Spans of distributed traces, stored by column (one array per field, row i = span i), in a stable order (start time,
/// then trace id, then span id). Service names are already mapped from pods the way the dataset maps metric columns.
/// Times are Unix microseconds. <see cref="ParentId"/> is null for a root span.
/// </summary>
public sealed class SpanTable
{
    public SpanTable(string[] traceId, string[] spanId, string?[] parentId, string[] service, string[] pod, string[] operation,
        long[] startMicros, long[] durationMicros, SpanStatus[] status)
    {
        int n = traceId.Length;
        if (spanId.Length != n || parentId.Length != n || service.Length != n || pod.Length != n || operation.Length != n
            || startMicros.Length != n || durationMicros.Length != n || status.Length != n)
            throw new ArgumentException("span columns differ in length.");
        TraceId = traceId; SpanId = spanId; ParentId = parentId; Service = service; Pod = pod; Operation = operation;
        StartMicros = startMicros; DurationMicros = durationMicros; Status = status;
    }

    public static SpanTable Empty { get; } = new([], [], [], [], [], [], [], [], []);

    public int Count => TraceId.Length;
    public string[] TraceId { get; }
    public string[] SpanId { get; }
    public string?[] ParentId { get; }
    public string[] Service { get; }
    public string[] Pod { get; }
    public string[] Operation { get; }
    public long[] StartMicros { get; }
    public long[] DurationMicros { get; }
    public SpanStatus[] Status { get; }
}

/// <summary>
/// Log records, stored by column in time order (then by service, then by message). Times are Unix microseconds;
/// <see cref="TraceId"/> / <see cref="SpanId"/> are null where the record carries none. <see cref="Message"/> is the log
/// text itself (a container runtime's JSON envelope already removed by the reader).
/// </summary>
public sealed class LogTable
{
    public LogTable(long[] timeMicros, string[] service, string[] pod, string?[] traceId, string?[] spanId, string[] message)
    {
        int n = timeMicros.Length;
        if (service.Length != n || pod.Length != n || traceId.Length != n || spanId.Length != n || message.Length != n)
            throw new ArgumentException("log columns differ in length.");
        TimeMicros = timeMicros; Service = service; Pod = pod; TraceId = traceId; SpanId = spanId; Message = message;
    }

    public static LogTable Empty { get; } = new([], [], [], [], [], []);

    public int Count => TimeMicros.Length;
    public long[] TimeMicros { get; }
    public string[] Service { get; }
    public string[] Pod { get; }
    public string?[] TraceId { get; }
    public string?[] SpanId { get; }
    public string[] Message { get; }
}

/// <summary>
/// The traces and logs of a case, loaded only when first asked for (a metric method never pays for them). Each part is
/// null where the dataset has none. <see cref="NormalSpans"/> / <see cref="NormalLogs"/> hold a fault-free reference
/// period where the dataset records one apart from the case window (Nezha's <c>construct_data</c>); otherwise methods take
/// the part of the case window before the anomaly time as normal. Carries no label.
/// </summary>
public sealed class CaseTelemetry(
    Func<SpanTable?>? spans = null,
    Func<LogTable?>? logs = null,
    Func<SpanTable?>? normalSpans = null,
    Func<LogTable?>? normalLogs = null)
{
    private readonly Lazy<SpanTable?> _spans = new(spans ?? (() => null));
    private readonly Lazy<LogTable?> _logs = new(logs ?? (() => null));
    private readonly Lazy<SpanTable?> _normalSpans = new(normalSpans ?? (() => null));
    private readonly Lazy<LogTable?> _normalLogs = new(normalLogs ?? (() => null));

    /// <summary>True where the dataset can supply spans for this case (without loading them).</summary>
    public bool HasSpans { get; } = spans is not null;

    /// <summary>True where the dataset can supply log records for this case (without loading them).</summary>
    public bool HasLogs { get; } = logs is not null;

    public SpanTable? Spans => _spans.Value;
    public LogTable? Logs => _logs.Value;
    public SpanTable? NormalSpans => _normalSpans.Value;
    public LogTable? NormalLogs => _normalLogs.Value;
}
