using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using AiopsLab.Data;

namespace AiopsLab.Datasets;

/// <summary>
/// The metrics part of the Nezha dataset (Yu et al., "Nezha: Interpretable Fine-Grained Root Causes Analysis for
/// Microservices on Multi-modal Observability Data", ESEC/FSE 2023): Online Boutique (2022-08-22/23, 56 faults) and
/// Train Ticket (2023-01-29/30, 45 faults), in the upstream layout
/// <c>rca_data/&lt;date&gt;/metric/&lt;pod&gt;_metric.csv</c> plus <c>&lt;date&gt;-fault_list.json</c>.
/// </summary>
/// <remarks>
/// <para><b>Cases.</b> Each day is one continuous recording at 60 s. Every fault in the day's fault list becomes a case
/// cut from it: <c>[inject − before, inject + after)</c>, default 600 s before and 300 s after (options
/// <c>-D before=SECONDS -D after=SECONDS</c>). Faults were injected about 8 minutes apart, so with the default window
/// the normal part of a case can contain the tail of the previous fault; this is the data's design, not a loader
/// artefact, and is stated in the dataset notes.</para>
/// <para><b>Time.</b> Every file's <c>Time</c> column (a Go time string, UTC) is parsed; the <c>TimeStamp</c> column is
/// ignored because the 2022-08-22 adservice file's is offset by +200,000,000 s. Each pod's scrapes (a few hundred ms
/// apart between pods) are snapped to one 60 s grid per day (tolerance 30 s); a missing scrape is NaN.</para>
/// <para><b>Columns</b> are <c>&lt;service&gt;_&lt;metric&gt;</c>, e.g. <c>cartservice_CpuUsageRate(%)</c>. The service is
/// the pod name without its ReplicaSet and pod hash (one pod per service in every day). The node-level columns
/// (<c>NodeCpuUsageRate(%)</c>, <c>NodeMemoryUsageRate(%)</c>, <c>NodeNetworkReceiveBytes</c>) describe the node the pod
/// runs on and are shared by co-located pods, so they are dropped unless <c>-D node-metrics=true</c>.
/// <c>front_service.csv</c> holds the front end's success rate and latency quantiles: they become columns of the
/// entry service (<c>frontend</c> for Online Boutique, <c>ts-ui-dashboard</c> for Train Ticket) and the case's SLIs.
/// The per-edge latency files (<c>source_50.csv</c>, <c>destination_50.csv</c>) are not read.</para>
/// <para><b>Inject time</b> = the fault list's <c>inject_time</c> (UTC text). Its <c>inject_timestamp</c> field is not
/// used: on 2023-01-29 it is about 8 h before <c>inject_time</c> for 24 of 28 faults (a time-zone slip that puts them
/// outside the day's recording) and differs by 60 s on five other faults; <c>inject_time</c> agrees with the metric
/// files' own clock on all four days.</para>
/// <para><b>Labels.</b> Root cause = the injected pod's service; fault type = <c>inject_type</c>; fault class
/// <c>resource</c> (cpu_contention, cpu_consumed, network_delay) or <c>code</c> (return, exception). The root-cause metric
/// is taken from <c>construct_data/root_cause_{hipster,ts}.json</c> when it names a metric column of that service
/// (<c>CpuUsageRate(%)</c>); <c>NetworkP90(ms)</c> has no column in the metric files and code faults name log
/// statements, so those cases have no metric-level label. The same file's entry, whatever it names, is the case's
/// inner-service label (<see cref="FaultLabel.InnerRootCause"/>, scored as AIS@k).</para>
/// <para><b>Call graph.</b> Online Boutique: <c>dependency.csv</c> (Source → Target). Train Ticket: none in the data.</para>
/// <para><b>Traces and logs</b> (Train Ticket; where the day has <c>trace</c>/<c>log</c> folders): the case's
/// <see cref="FaultCase.Telemetry"/>, read lazily over the same window, see <see cref="NezhaTelemetry"/>.</para>
/// </remarks>
[DatasetLayout("nezha", DetectOrder = 20)]
public sealed class NezhaLayout : IDatasetLayout
{
    public IReadOnlyList<(string Key, string Meaning, string Default)> OptionHelp =>
    [
        ("before", "seconds of the day's recording before the injection", "600"),
        ("after", "seconds from the injection on", "300"),
        ("node-metrics", "keep the node-level columns shared by co-located pods", "false"),
    ];

    public bool Detect(string folder) => IDatasetLayout.HasFileUnder(folder, "rca_data", "*-fault_list.json");

    public IDataset Open(string folder, string name, DatasetOptions options)
    {
        options.CheckKnown(name, OptionHelp.Select(o => o.Key));
        long before = options.Get("before", 600L), after = options.Get("after", 300L);
        if (before < 0 || after <= 0) throw new AiopsLabException($"{name}: need before >= 0 and after > 0 seconds.");
        return new Nezha(folder, name, before, after, options.Get("node-metrics", false));
    }
}

/// <inheritdoc cref="NezhaLayout"/>
public sealed class Nezha : FolderDataset
{
    public const long Step = 60;
    private static readonly HashSet<string> ResourceFaults = new(StringComparer.Ordinal) { "cpu_contention", "cpu_consumed", "network_delay" };
    private static readonly MetricNaming Naming = new DelimitedNaming("_");

    private readonly string _root;
    private readonly long _before, _after;
    private readonly bool _nodeMetrics;
    private readonly Dictionary<string, (string Day, long Inject)> _where = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<DayRecording>> _days = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, Dictionary<string, string>>> _rootCauseMetric = new(StringComparer.Ordinal);
    private readonly NezhaTelemetry _telemetry;

    private sealed record DayRecording(MetricFrame Frame, DirectedGraph? CallGraph, IReadOnlyList<string> Slis);

    public Nezha(string folder, string name = "nezha", long before = 600, long after = 300, bool nodeMetrics = false) : base(folder, name)
    {
        _root = folder;
        _before = before;
        _after = after;
        _nodeMetrics = nodeMetrics;
        _telemetry = new NezhaTelemetry(folder);
        var data = Subfolder("rca_data", "Nezha's layout");
        foreach (var sys in new[] { "hipster", "ts" })
        {
            var p = Path.Combine(folder, "construct_data", $"root_cause_{sys}.json");
            if (File.Exists(p)) _rootCauseMetric[sys] = ReadRootCauseMetrics(p);
        }
        var cases = new List<CaseDescriptor>();
        foreach (var dayDir in Directory.GetDirectories(data).OrderBy(d => d, StringComparer.Ordinal))
        {
            var day = Path.GetFileName(dayDir);
            var list = Path.Combine(dayDir, day + "-fault_list.json");
            if (!File.Exists(list)) continue;
            var system = SystemOf(dayDir);
            int k = 0;
            foreach (var (inject, pod, type) in ReadFaultList(list))
            {
                var id = $"{day}/{k++.ToString("D2", CultureInfo.InvariantCulture)}";
                cases.Add(new CaseDescriptor(id, system, type, ServiceOfPod(pod), ResourceFaults.Contains(type) ? "resource" : "code"));
                _where[id] = (day, inject);
            }
        }
        SetCases(cases, $"no fault lists found under '{data}'.");
        Notes =
        [
            string.Create(CultureInfo.InvariantCulture, $"Window: {before} s before to {after} s after each injection, cut from the day's 60 s recording. Faults are ~8 min apart, so the normal part can contain the previous fault's tail."),
            "Inject time = inject_time (UTC text, the same clock as the metric files' Time column). inject_timestamp is not used: on 2023-01-29 it is about 8 h earlier than inject_time for 24 of 28 faults (outside the recording), and 60 s off on a few others.",
            "Time axis from the Time column (the 2022-08-22 adservice TimeStamp column is offset by +200,000,000 s). The 2023-01-29 recording starts 2 min before its first fault, so early cases there have a short normal period.",
            _nodeMetrics ? "Node-level columns kept (-D node-metrics=true)." : "Node-level columns (Node*) dropped: they belong to the node, shared by co-located pods.",
            "Train Ticket has no call graph in the data; Online Boutique's comes from dependency.csv.",
            "Traces and logs (Train Ticket only; Online Boutique's are missing from this copy) cover the same window; overlapping per-minute files are de-duplicated; construct_data is the fault-free reference period.",
            "Metric-level label only for CPU faults (CpuUsageRate(%)); network_delay's NetworkP90(ms) has no column, code faults name log statements.",
        ];
    }

    /// <summary><c>online-boutique</c> or <c>train-ticket</c>, from the pod names in the day's metric folder.</summary>
    private static string SystemOf(string dayDir) =>
        Directory.EnumerateFiles(Path.Combine(dayDir, "metric"), "ts-*_metric.csv").Any() ? "train-ticket" : "online-boutique";

    /// <summary>Pod name → service: drop the ReplicaSet hash and the pod suffix (<c>cartservice-579f59597d-wc2lz</c> → <c>cartservice</c>).</summary>
    public static string ServiceOfPod(string pod)
    {
        var parts = pod.Split('-');
        return parts.Length > 2 ? string.Join('-', parts[..^2]) : pod;
    }

    public override FaultCase Load(CaseDescriptor d, CancellationToken ct = default)
    {
        if (!_where.TryGetValue(d.Id, out var w)) throw new UnknownNameException($"case of '{Name}'", d.Id, _where.Keys.Take(5));
        var rec = _days.GetOrAdd(w.Day, day => new Lazy<DayRecording>(() => ReadDay(day), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
        ct.ThrowIfCancellationRequested();
        var frame = rec.Frame.SliceTime(w.Inject - _before, w.Inject + _after);
        if (frame.RowCount == 0 || frame.RowAtOrAfter(w.Inject) >= frame.RowCount)
            throw new CaseUnavailableException($"{d.Id}: the day's recording has no rows from the injection at {w.Inject.ToString(CultureInfo.InvariantCulture)} on.");
        string? metric = null;
        var sysKey = d.System == "train-ticket" ? "ts" : "hipster";
        if (_rootCauseMetric.TryGetValue(sysKey, out var bySvc) && bySvc.TryGetValue(d.RootCause, out var byType)
            && byType.TryGetValue(d.FaultType, out var m) && frame.Contains(d.RootCause + "_" + m))
            metric = d.RootCause + "_" + m;
        string? inner = _rootCauseMetric.TryGetValue(sysKey, out var bySvc2) && bySvc2.TryGetValue(d.RootCause, out var byType2)
            && byType2.TryGetValue(d.FaultType, out var label) ? label : null;
        return new FaultCase(d.Id, Name, d.System, frame, new FaultLabel(d.RootCause, d.FaultType, w.Inject, metric, d.FaultClass, inner), rec.CallGraph, Naming)
        {
            Slis = rec.Slis.Where(frame.Contains).ToArray(),
            Telemetry = _telemetry.Has(w.Day) ? _telemetry.For(w.Day, w.Inject - _before, w.Inject + _after) : null,
        };
    }

    private DayRecording ReadDay(string day)
    {
        var dir = Path.Combine(_root, "rca_data", day, "metric");
        bool tt = Directory.EnumerateFiles(dir, "ts-*_metric.csv").Any();
        var parts = new List<MetricFrame>();
        foreach (var file in Directory.GetFiles(dir, "*_metric.csv").OrderBy(f => f, StringComparer.Ordinal))
        {
            var pod = Path.GetFileName(file)[..^"_metric.csv".Length];
            var service = ServiceOfPod(pod);
            var f = Csv.ReadFrame(file, new CsvFrameOptions { TimeColumn = "Time", ParseTime = ParseGoTime, ExcludeColumns = PodExcluded });
            if (!_nodeMetrics) f = f.Where(c => !c.StartsWith("Node", StringComparison.Ordinal));
            parts.Add(f.Rename(c => service + "_" + c));
        }
        var slis = new List<string>();
        var front = Path.Combine(dir, "front_service.csv");
        if (File.Exists(front))
        {
            var entry = tt ? "ts-ui-dashboard" : "frontend";
            var f = Csv.ReadFrame(front, new CsvFrameOptions { TimeColumn = "Time", ParseTime = ParseGoTime, ExcludeColumns = FrontExcluded })
                .Rename(c => entry + "_" + c);
            slis.AddRange(f.Names);
            parts.Add(f);
        }
        if (parts.Count == 0) throw new DataFormatException(dir, null, null, "no <pod>_metric.csv files.");
        // One 60 s grid per day, anchored at the earliest scrape.
        long start = parts.Where(p => p.RowCount > 0).Min(p => p.StartTime);
        long end = parts.Where(p => p.RowCount > 0).Max(p => p.EndTime);
        int count = (int)((end - start) / Step) + 1;
        var names = new List<string>();
        var cols = new List<double[]>();
        foreach (var p in parts)
        {
            var g = p.ToGrid(start, Step, count, Step / 2);
            for (int j = 0; j < g.ColumnCount; j++)
            {
                if (names.Contains(g.Names[j], StringComparer.Ordinal))
                    throw new DataFormatException(dir, null, null, $"two files give column '{g.Names[j]}' (two pods of one service?).");
                names.Add(g.Names[j]);
                cols.Add(g.ColumnCopy(j));
            }
        }
        var grid = new long[count];
        for (int i = 0; i < count; i++) grid[i] = start + i * Step;
        DirectedGraph? graph = null;
        var dep = Path.Combine(dir, "dependency.csv");
        if (File.Exists(dep))
        {
            var edges = new List<(string, string)>();
            using var e = Csv.ReadRecords(dep).GetEnumerator();
            if (!e.MoveNext() || e.Current.Fields is not ["Source", "Target", ..])
                throw new DataFormatException(dep, 1, null, "expected a header 'Source,Target,Weight'.");
            while (e.MoveNext())
            {
                if (e.Current.Fields.Length < 2 || e.Current.Fields[0].Length == 0 || e.Current.Fields[1].Length == 0)
                    throw new DataFormatException(dep, e.Current.Line, null, "expected Source,Target[,Weight].");
                edges.Add((e.Current.Fields[0].Trim(), e.Current.Fields[1].Trim()));
            }
            graph = new DirectedGraph(edges);
        }
        return new DayRecording(new MetricFrame(grid, names, cols), graph, slis);
    }

    private static readonly HashSet<string> PodExcluded = new(StringComparer.Ordinal) { "TimeStamp", "PodName" };
    private static readonly HashSet<string> FrontExcluded = new(StringComparer.Ordinal) { "TimeStamp", "ServiceName" };

    /// <summary>
    /// Parses a Go time string such as <c>2022-08-22 03:51:19.607158889 +0000 UTC m=+0.11</c> to Unix seconds (UTC),
    /// rounded to the nearest second. Returns null when the text does not start with <c>yyyy-MM-dd HH:mm:ss</c>.
    /// </summary>
    public static long? ParseGoTime(string text)
    {
        var s = text.AsSpan().Trim();
        if (s.Length < 19 || !DateTime.TryParseExact(s[..19], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
            return null;
        long secs = new DateTimeOffset(dt, TimeSpan.Zero).ToUnixTimeSeconds();
        // Fraction of a second, then the offset (+0000 in every file; honoured if different).
        int i = 19;
        double frac = 0;
        if (i < s.Length && s[i] == '.')
        {
            int j = i + 1;
            while (j < s.Length && char.IsAsciiDigit(s[j])) j++;
            frac = double.Parse("0" + s[i..j].ToString(), CultureInfo.InvariantCulture);
            i = j;
        }
        var rest = s[i..].TrimStart();
        if (rest.Length >= 5 && (rest[0] == '+' || rest[0] == '-') && int.TryParse(rest[1..5], NumberStyles.None, CultureInfo.InvariantCulture, out var hhmm))
            secs -= (rest[0] == '+' ? 1 : -1) * (hhmm / 100 * 3600 + hhmm % 100 * 60);
        return secs + (frac >= 0.5 ? 1 : 0);
    }

    private static IEnumerable<(long Inject, string Pod, string Type)> ReadFaultList(string path)
    {
        var list = new List<(long, string, string)>();
        foreach (var (_, faults) in JsonFile.Read(path).Properties()) // hour -> list of faults
            foreach (var f in faults.Items())
            {
                // inject_time (UTC text, the clock of the metric files' Time column) is authoritative: inject_timestamp
                // disagrees with it by about -8 h on most of 2023-01-29 (a time-zone slip) and by ±60 s on a few faults.
                var time = f.Required("inject_time");
                if (!DateTime.TryParseExact(time.Text(), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
                        DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at))
                    throw time.Error($"inject_time '{time.Text()}' is not 'yyyy-MM-dd HH:mm:ss'.");
                long inject = new DateTimeOffset(at, TimeSpan.Zero).ToUnixTimeSeconds();
                list.Add((inject, f.Required("inject_pod").Text(), f.Required("inject_type").Text()));
            }
        // Chronological order gives stable, meaningful case ids.
        return list.OrderBy(x => x.Item1).ThenBy(x => x.Item2, StringComparer.Ordinal).ToList();
    }

    private static Dictionary<string, Dictionary<string, string>> ReadRootCauseMetrics(string path) =>
        JsonFile.Read(path).Properties().ToDictionary(
            s => s.Name,
            s => s.Value.Properties().Where(t => t.Value.Kind == JsonValueKind.String).ToDictionary(t => t.Name, t => t.Value.Text(allowEmpty: true), StringComparer.Ordinal),
            StringComparer.Ordinal);
}
