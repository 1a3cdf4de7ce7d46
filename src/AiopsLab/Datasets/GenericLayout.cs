using System.Globalization;
using System.Text.Json;
using AiopsLab.Data;

namespace AiopsLab.Datasets;

/// <summary>
/// The generic layout for a user's own cases: one folder per case holding a wide table (default <c>metrics.csv</c>, or
/// <c>metrics.parquet</c> when there is no CSV; a <c>time</c> column in Unix seconds, one column per metric; read by
/// <see cref="MetricFiles.ReadFrame"/> with the same checks in both formats) and <c>case.json</c>:
/// <code>
/// {
///   "root_cause": "cart",              required: root-cause service
///   "fault_type": "cpu",               required
///   "inject_time": 1700000300,         required: Unix seconds; rows before it are the normal period
///   "system": "my-shop",               optional (default: the dataset folder's name)
///   "root_cause_metric": "cart_cpu",   optional: enables metric-level scoring
///   "fault_class": "resource",         optional
///   "metrics": "metrics.csv",          optional file name (.csv, .csv.gz or .parquet)
///   "time_column": "time",             optional
///   "separator": "_",                  optional: columns are &lt;entity&gt;&lt;separator&gt;&lt;kind&gt;, split at the first one
///   "service_map": {"cart-db": "cart"},optional entity → service (default: entity, with a -db suffix stripped)
///   "call_graph": [["frontend", "cart"]] optional caller → callee edges
/// }
/// </code>
/// Optional beside them (each also as <c>.csv.gz</c>, as is the metrics file): <c>traces.csv</c> with columns
/// <c>trace_id, span_id, parent_id, service, operation, start, duration_ms</c> and optionally <c>status</c> (ok/error, an
/// OTel code 0/1/2 or an HTTP code) and <c>pod</c>, <c>start</c> in Unix seconds (decimals allowed), an empty
/// <c>parent_id</c> for a root span; and <c>logs.csv</c> with <c>time, service, message</c> and optionally <c>trace_id,
/// span_id, pod</c> (<c>time</c> in Unix s, ms, µs or ns, told apart by magnitude). Services are mapped like metric
/// entities (<c>service_map</c>, else a <c>-db</c> suffix stripped). They become the case's telemetry, read lazily.
/// The dataset folder is either one case folder or a folder of case folders (up to three levels deep); case ids are
/// the relative paths. Documented for users in <c>datasets/README.md</c>.
/// </summary>
[DatasetLayout("generic", DetectOrder = 60)]
public sealed class GenericLayout() : MarkerFileLayout(CaseFile)
{
    internal const string CaseFile = "case.json";

    protected override IDataset Create(string folder, string name) => new GenericDataset(folder, name);

    internal static IEnumerable<string> FindCaseFolders(string root) => CaseFolders(root, CaseFile);
}

/// <summary>
/// A layout whose cases are the folders holding a marker file (<see cref="GenericLayout"/>: <c>case.json</c>;
/// <see cref="RcaEvalLayout"/>: <c>inject_time.txt</c>), the dataset folder itself or up to three levels below it.
/// It takes no options.
/// </summary>
public abstract class MarkerFileLayout(string marker) : IDatasetLayout
{
    public bool Detect(string folder) => CaseFolders(folder, marker).Any();

    public IDataset Open(string folder, string name, DatasetOptions options)
    {
        options.CheckKnown(name, []);
        return Create(folder, name);
    }

    /// <summary>The dataset in <paramref name="folder"/>, reported as <paramref name="name"/>.</summary>
    protected abstract IDataset Create(string folder, string name);

    /// <summary>The folders holding <paramref name="marker"/> up to three levels below <paramref name="root"/>, in ordinal order.
    /// Cycle-safe: a symbolic-link loop is not walked twice (a case reached through it would be counted again).</summary>
    internal static IEnumerable<string> CaseFolders(string root, string marker) =>
        SafePaths.Files(root, marker, maxDepth: 3).Select(f => Path.GetDirectoryName(f)!).OrderBy(d => d, StringComparer.Ordinal);
}

/// <inheritdoc cref="GenericLayout"/>
public sealed class GenericDataset : FolderDataset
{
    private readonly Dictionary<string, (string Dir, CaseSpec Spec)> _cases = new(StringComparer.Ordinal);

    public GenericDataset(string folder, string name) : base(folder, name)
    {
        var list = new List<CaseDescriptor>();
        foreach (var dir in GenericLayout.FindCaseFolders(folder))
        {
            var rel = Path.GetRelativePath(folder, dir).Replace('\\', '/');
            if (rel == ".") rel = Path.GetFileName(dir);
            var spec = CaseSpec.Read(Path.Combine(dir, GenericLayout.CaseFile));
            list.Add(new CaseDescriptor(rel, spec.System ?? name, spec.FaultType, spec.RootCause, spec.FaultClass));
            _cases[rel] = (dir, spec);
        }
        SetCases(list, $"no {GenericLayout.CaseFile} under '{folder}'.");
    }

    public override FaultCase Load(CaseDescriptor d, CancellationToken ct = default)
    {
        var (dir, s) = _cases[d.Id];
        var caseFile = Path.Combine(dir, GenericLayout.CaseFile);
        var metrics = s.Metrics ?? DefaultMetrics(dir, caseFile);
        var frame = MetricFiles.ReadFrame(SafePaths.Inside(dir, metrics, caseFile, "\"metrics\""), new CsvFrameOptions { TimeColumn = s.TimeColumn });
        var map = s.ServiceMap;
        Func<string, string> serviceOf = e => map is not null && map.TryGetValue(e, out var svc) ? svc : DelimitedNaming.StripDatabaseSuffix(e);
        var naming = new DelimitedNaming(s.Separator, false, serviceOf);
        var graph = s.CallGraph is { Count: > 0 } ? new DirectedGraph(s.CallGraph) : null;
        var traces = TextFiles.Resolve(Path.Combine(dir, "traces.csv"));
        var logs = TextFiles.Resolve(Path.Combine(dir, "logs.csv"));
        var c = new FaultCase(d.Id, Name, d.System, frame,
            new FaultLabel(s.RootCause, s.FaultType, s.InjectTime, s.RootCauseMetric, s.FaultClass), graph, naming)
        {
            Telemetry = traces is null && logs is null ? null : new CaseTelemetry(
                traces is null ? null : () => TelemetryCsv.ReadSpans(traces, SpanColumns, serviceOf),
                logs is null ? null : () => TelemetryCsv.ReadLogs(logs, LogColumns, serviceOf)),
        };
        CaseValidation.Check(c, caseFile); // the label against the data, naming case.json
        return c;
    }

    /// <summary><c>metrics.csv</c> (or <c>.csv.gz</c>), else <c>metrics.parquet</c> when only that exists; both present is
    /// ambiguous and refused, naming <c>case.json</c>'s <c>"metrics"</c> as the way to choose.</summary>
    private static string DefaultMetrics(string dir, string caseFile)
    {
        bool csv = TextFiles.Resolve(Path.Combine(dir, "metrics.csv")) is not null, parquet = File.Exists(Path.Combine(dir, "metrics.parquet"));
        if (csv && parquet)
            throw new DataFormatException(caseFile, null, null, "the case folder has both metrics.csv and metrics.parquet: name one with \"metrics\".");
        return parquet ? "metrics.parquet" : "metrics.csv";
    }

    /// <summary>Columns of the generic <c>traces.csv</c> (start in seconds, duration in ms).</summary>
    public static TelemetryCsv.SpanColumns SpanColumns { get; } = new(["trace_id"], ["span_id"], ["parent_id"], ["service"], ["operation"],
        ["start"], ["duration_ms"], ["status"], ["pod"]);

    /// <summary>Columns of the generic <c>logs.csv</c>.</summary>
    public static TelemetryCsv.LogColumns LogColumns { get; } = new(["time"], ["service"], ["message"], ["trace_id"], ["span_id"], ["pod"]);

    /// <summary>The parsed <c>case.json</c>.</summary>
    internal sealed record CaseSpec(
        string RootCause, string FaultType, long InjectTime, string? System, string? RootCauseMetric, string? FaultClass,
        string? Metrics, string TimeColumn, string Separator, IReadOnlyDictionary<string, string>? ServiceMap,
        IReadOnlyList<(string, string)>? CallGraph)
    {
        public static CaseSpec Read(string path)
        {
            var r = JsonFile.Read(path).AsObject();
            {
                string Req(string k) => r.Required(k).Text();
                string? Opt(string k) => r.OptionalText(k);
                var it = r.Required("inject_time");
                long inject = it.Kind == JsonValueKind.String
                    ? Csv.ParseUnixSeconds(it.Text()) ?? throw it.Error("expected Unix seconds.")
                    : it.Int64();
                Dictionary<string, string>? map = r.Optional("service_map")?.Properties()
                    .ToDictionary(p => p.Name, p => p.Value.Text(), StringComparer.Ordinal);
                List<(string, string)>? edges = null;
                if (r.Optional("call_graph") is { } cg)
                    edges = cg.Items().Select(e => e.Items(2, "[caller, callee]")).Select(e => (e[0].Text(), e[1].Text())).ToList();
                return new CaseSpec(Req("root_cause"), Req("fault_type"), inject, Opt("system"), Opt("root_cause_metric"), Opt("fault_class"),
                    Opt("metrics"), Opt("time_column") ?? "time", Opt("separator") ?? "_", map, edges);
            }
        }
    }
}
