using AiopsLab.Data;

namespace AiopsLab.Telemetry;

/// <summary>Which data of a case the methods see: metrics always; derived log and trace series on request.</summary>
public sealed record SourceSet(bool Logs, bool Traces)
{
    public static SourceSet MetricsOnly { get; } = new(false, false);

    public bool IsMetricsOnly => !Logs && !Traces;

    /// <summary>Parses <c>metrics,logs,traces</c> (any order, <c>,</c> or <c>;</c> separated; <c>metrics</c> is implied).</summary>
    /// <exception cref="UnknownNameException">A name other than metrics, logs, traces.</exception>
    public static SourceSet Parse(string? text)
    {
        bool logs = false, traces = false;
        foreach (var raw in (text ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (raw.ToLowerInvariant())
            {
                case "metrics": break;
                case "logs": logs = true; break;
                case "traces": traces = true; break;
                default: throw new UnknownNameException("source", raw, ["metrics", "logs", "traces"]);
            }
        }
        return new SourceSet(logs, traces);
    }

    public override string ToString() => "metrics" + (Logs ? ",logs" : "") + (Traces ? ",traces" : "");
}

/// <summary>
/// Multi-source cases for metric methods: the derived log series (<see cref="LogFeatures"/>) and trace series
/// (<see cref="TraceFeatures"/>) are added as columns beside the metrics on the metrics' own time grid, so any metric
/// method (BARO, N-Sigma, ε-Diagnosis, CIRCA, RCD, graph methods) ranks them with the rest; a column's service is its
/// prefix, so a log or trace column counts for its service at service level. With traces, a case whose dataset gives no
/// call graph gets the one recovered from parent/child spans. A case without telemetry is returned unchanged.
/// See docs/multimodal.md for what RCAEval's multi-source variants do and where this differs.
/// </summary>
public static class MultiSource
{
    /// <summary>Options of the derived series: service level only by default (per operation / per template adds hundreds
    /// of columns on Train Ticket).</summary>
    public static TraceFeatureOptions TraceOptions { get; } = new();
    public static LogFeatureOptions LogOptions { get; } = new();

    /// <summary>The finer series of RCAEval's multi-source inputs (dataset option <c>derived=fine</c>): trace series per
    /// (service, operation) as its <c>tracets_err</c>/<c>tracets_lat</c>, log counts per (service, Drain template) as its
    /// <c>logts</c>, each beside the service-level ones.</summary>
    public static TraceFeatureOptions FineTraceOptions { get; } = new(PerOperation: true);
    public static LogFeatureOptions FineLogOptions { get; } = new(Templates: true);

    /// <summary>The case with derived columns added (see the class remarks); <paramref name="fine"/> adds the finer series.</summary>
    public static FaultCase Augment(FaultCase fc, SourceSet sources, bool fine = false)
    {
        if (sources.IsMetricsOnly || fc.Telemetry is not { } tel || fc.Metrics.RowCount < 2) return fc;
        var grid = fc.Metrics.Time.ToArray();
        long step = MedianStep(grid);
        var frame = fc.Metrics;
        var graph = fc.CallGraph;
        if (sources.Logs && tel.HasLogs && tel.Logs is { Count: > 0 } logs)
            frame = Add(frame, LogFeatures.Series(logs, grid, step, fine ? FineLogOptions : LogOptions));
        if (sources.Traces && tel.HasSpans && tel.Spans is { Count: > 0 } spans)
        {
            frame = Add(frame, TraceFeatures.Series(spans, grid, step, fine ? FineTraceOptions : TraceOptions));
            graph ??= TraceFeatures.CallGraph(spans);
        }
        return fc with { Metrics = frame, CallGraph = graph };
    }

    private static MetricFrame Add(MetricFrame frame, MetricFrame derived)
    {
        var names = new List<string>(frame.Names);
        var cols = Enumerable.Range(0, frame.ColumnCount).Select(frame.ColumnCopy).ToList();
        int before = names.Count;
        for (int j = 0; j < derived.ColumnCount; j++)
        {
            if (frame.Contains(derived.Names[j])) continue; // a dataset that already has the column keeps its own
            names.Add(derived.Names[j]);
            cols.Add(derived.ColumnCopy(j));
        }
        return names.Count == before ? frame : new MetricFrame(frame.Time.ToArray(), names, cols);
    }

    /// <summary>Median spacing of the rows (the grid step of a regular frame).</summary>
    public static long MedianStep(long[] time)
    {
        var d = new long[time.Length - 1];
        for (int i = 1; i < time.Length; i++) d[i - 1] = time[i] - time[i - 1];
        Array.Sort(d);
        return Math.Max(1, d[d.Length / 2]);
    }
}
