using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Telemetry;

namespace AiopsLab.Datasets;

/// <summary>
/// RCAEval's benchmark layout (RE1 / RE2 / RE3; Pham et al., "RCAEval: A Benchmark for Root Cause Analysis of
/// Microservice Systems with Telemetry Data", WWW 2025 companion): one folder per case,
/// <c>[system/]&lt;service&gt;_&lt;fault&gt;/&lt;rep&gt;/</c>, holding <c>data.csv</c>, <c>simple_data.csv</c> or
/// <c>simple_metrics.csv</c> (wide, a <c>time</c> column in Unix seconds) and <c>inject_time.txt</c> (Unix seconds).
/// </summary>
/// <remarks>
/// The metrics file is taken in that order of preference (each also as <c>.csv.gz</c>). RE2/RE3 cases also hold
/// <c>traces.csv</c> (<c>time, traceID, spanID, serviceName, methodName, operationName, startTimeMillis, startTime, duration,
/// statusCode, parentSpanID</c>; startTime and duration in µs; no traces for Sock Shop) and <c>logs.csv</c> (container, time
/// stamp and message per line: columns <c>container_name</c>, <c>timestamp</c>, <c>message</c>): they become the case's
/// <see cref="FaultCase.Telemetry"/>, read lazily (<see cref="RcaEvalDataset.SpanColumns"/>, <see cref="RcaEvalDataset.LogColumns"/>).
/// RCAEval's own derived series (<c>logts.csv</c>, <c>tracets_err.csv</c>, <c>tracets_lat.csv</c>) are not read: AiopsLab
/// derives its own from the raw files (docs/multimodal.md). Columns are <c>&lt;container&gt;_&lt;metric&gt;</c>; a database
/// container counts as its service (RCAEval's convention). Root-cause metric: the column <c>&lt;service&gt;_&lt;fault&gt;</c>
/// when it exists. The system is the folder above the case folders (e.g. <c>RE2-OB</c>), or the dataset folder's name.
/// </remarks>
[DatasetLayout("rcaeval", DetectOrder = 50)]
public sealed class RcaEvalLayout() : MarkerFileLayout(InjectFile)
{
    internal static readonly string[] MetricFiles = ["data.csv", "simple_data.csv", "simple_metrics.csv"];
    internal const string InjectFile = "inject_time.txt";

    protected override IDataset Create(string folder, string name) => new RcaEvalDataset(folder, name);

    /// <summary>Case folders (holding inject_time.txt) up to three levels below <paramref name="root"/>, in ordinal order.</summary>
    internal static IEnumerable<string> FindCaseFolders(string root) => CaseFolders(root, InjectFile);
}

/// <inheritdoc cref="RcaEvalLayout"/>
public sealed class RcaEvalDataset : FolderDataset
{
    private static readonly MetricNaming Naming = new DelimitedNaming("_", splitAtLast: false, DelimitedNaming.StripDatabaseSuffix);
    private readonly Dictionary<string, string> _folders = new(StringComparer.Ordinal);

    public RcaEvalDataset(string folder, string name) : base(folder, name)
    {
        var cases = new List<CaseDescriptor>();
        foreach (var dir in RcaEvalLayout.FindCaseFolders(folder))
        {
            var rel = Path.GetRelativePath(folder, dir).Replace('\\', '/');
            var parts = rel.Split('/');
            // .../<service>_<fault>/<rep>
            var caseFolder = parts.Length >= 2 ? parts[^2] : parts[^1];
            int us = caseFolder.LastIndexOf('_');
            if (us <= 0) throw new DataFormatException(dir, null, null, $"case folder '{caseFolder}' is not named <service>_<fault>.");
            var system = parts.Length >= 3 ? parts[^3] : name;
            cases.Add(new CaseDescriptor(rel, system, caseFolder[(us + 1)..], caseFolder[..us]));
            _folders[rel] = dir;
        }
        SetCases(cases, $"no RCAEval cases under '{folder}' (no {RcaEvalLayout.InjectFile} found).");
    }

    public override FaultCase Load(CaseDescriptor d, CancellationToken ct = default)
    {
        var dir = _folders[d.Id];
        var file = RcaEvalLayout.MetricFiles.Select(f => TextFiles.Resolve(Path.Combine(dir, f))).FirstOrDefault(f => f is not null)
            ?? throw new DataFormatException(dir, null, null, $"none of {string.Join(", ", RcaEvalLayout.MetricFiles)} is there.");
        var injectPath = Path.Combine(dir, RcaEvalLayout.InjectFile);
        var text = File.ReadAllText(injectPath).Trim();
        var inject = Csv.ParseUnixSeconds(text) ?? throw new DataFormatException(injectPath, 1, 1, $"cannot read '{text}' as Unix seconds.");
        var frame = Csv.ReadFrame(file);
        var metric = $"{d.RootCause}_{d.FaultType}";
        return new FaultCase(d.Id, Name, d.System, frame,
            new FaultLabel(d.RootCause, d.FaultType, inject, frame.Contains(metric) ? metric : null), null, Naming)
        {
            Telemetry = Telemetry(dir),
        };
    }

    /// <summary>Columns of RE2/RE3 <c>traces.csv</c> (startTime and duration in µs; statusCode OTel or HTTP).</summary>
    public static TelemetryCsv.SpanColumns SpanColumns { get; } = new(["traceID"], ["spanID"], ["parentSpanID"], ["serviceName"],
        ["operationName"], ["startTime"], ["duration"], ["statusCode"], ["podName", "pod"]) { StartInMicros = true, DurationInMicros = true };

    /// <summary>Columns of RE2/RE3 <c>logs.csv</c> (the time unit is read from its magnitude).</summary>
    public static TelemetryCsv.LogColumns LogColumns { get; } = new(["timestamp", "time"], ["container_name", "container", "service"],
        ["message", "log"], ["trace_id", "traceID"], ["span_id", "spanID"], ["pod_name", "pod"]);

    /// <summary>The case's traces and logs where its folder has them, else null.</summary>
    internal static CaseTelemetry? Telemetry(string dir)
    {
        var traces = TextFiles.Resolve(Path.Combine(dir, "traces.csv"));
        var logs = TextFiles.Resolve(Path.Combine(dir, "logs.csv"));
        if (traces is null && logs is null) return null;
        Func<string, string> svc = DelimitedNaming.StripDatabaseSuffix;
        return new CaseTelemetry(
            traces is null ? null : () => TelemetryCsv.ReadSpans(traces, SpanColumns, svc),
            logs is null ? null : () => TelemetryCsv.ReadLogs(logs, LogColumns, svc));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({Cases.Count} cases)");
}
