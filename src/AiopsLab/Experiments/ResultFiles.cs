using System.Globalization;
using System.Text;
using System.Text.Json;
using AiopsLab.Data;
using AiopsLab.Evaluation;

namespace AiopsLab.Experiments;

/// <summary>A stored row's ranking decoded, and the ranks derived from it (never taken from the stored rank column).</summary>
public sealed record DecodedRun(StoredRun Run, IReadOnlyList<string> Metrics, IReadOnlyList<double> Scores, IReadOnlyList<string> Services, int? Rank, int? MetricRank)
{
    /// <summary>Decodes <paramref name="r"/> with the store's metric sets. A row that is not ok has empty lists and no rank.</summary>
    public static DecodedRun Of(StoredRun r, IReadOnlyDictionary<long, MetricSet> sets)
    {
        if (r.Status != RunStatus.Ok || r.Ranking is null || r.MetricSetRef is not { } sid) return new DecodedRun(r, [], [], [], null, null);
        if (!sets.TryGetValue(sid, out var set)) throw new AiopsLabException($"run store: metric set {sid} of case '{r.CaseId}' is missing.");
        var (idx, scores) = RankingCodec.Decode(r.Ranking);
        var metrics = new string[idx.Length];
        for (int i = 0; i < idx.Length; i++) metrics[i] = set.Names[idx[i]];
        var services = set.ServiceRanking(idx);
        return new DecodedRun(r, metrics, scores, services, RankingMetrics.RankOf(services, r.RootCause),
            r.RootCauseMetric is { } rm ? RankingMetrics.RankOf(metrics, rm) : null);
    }
}

/// <summary>One summary row with the setting it belongs to (experiment runs; a shortcut run has one setting).</summary>
public sealed record SettingSummary(long Delay, string Window, string Detection, SummaryRow Row);

/// <summary>What <see cref="ResultFiles.Export"/> wrote.</summary>
public sealed record ExportResult(IReadOnlyList<SettingSummary> Summary, IReadOnlyDictionary<string, string> DataErrors, long Rows, long ExpectedRows, IReadOnlyList<string> Files);

/// <summary>
/// The result files derived from a run store, written into its folder:
/// <list type="bullet">
/// <item><c>cases.csv</c>: <c>dataset,case,system,fault,root_cause,method,status,seconds,rank,top5</c>, one row per
/// (case, method). <c>rank</c> is the 1-based service rank of the true root cause (empty if not ranked or not ok);
/// <c>top5</c> is the first five services joined by <c>;</c>. An experiment run appends <c>seed,delay,window,detection</c>.</item>
/// <item><c>summary.csv</c>: <c>dataset,method,fault,cases,ac1,ac3,avg5,failed,median_seconds</c>, one row per fault
/// type plus <c>all</c>. <c>failed</c> counts failed and timed-out runs, which score as misses. An experiment run has one
/// block per setting, appends <c>delay,window,detection</c>, and pools seeds (<c>cases</c> counts case × seed runs).</item>
/// <item><c>rankings.jsonl</c> (shortcut runs: <c>run --dataset</c>, <c>quickstart</c>): per (case, method), the full
/// metric ranking with scores, the service ranking, status, error text and diagnostics. Experiment runs keep these in
/// the store (<c>runs.db</c>) only.</item>
/// </list>
/// Every value is derived from the stored raw rankings. Files are written under temporary names and renamed into place
/// only when complete, so the folder never holds a half-written result file.
/// </summary>
public static class ResultFiles
{
    public static readonly string[] CaseColumns = ["dataset", "case", "system", "fault", "root_cause", "method", "status", "seconds", "rank", "top5"];
    public static readonly string[] SummaryColumns = ["dataset", "method", "fault", "cases", "ac1", "ac3", "avg5", "failed", "median_seconds"];
    public static readonly string[] CaseSettingColumns = ["seed", "delay", "window", "detection"];
    public static readonly string[] SummarySettingColumns = ["delay", "window", "detection"];

    /// <summary>Writes cases.csv, summary.csv (and rankings.jsonl for shortcut runs) from <paramref name="store"/> into <paramref name="outDir"/>.</summary>
    public static ExportResult Export(RunStore store, string outDir)
    {
        var meta = store.Meta() ?? throw new AiopsLabException($"run store '{store.Path}' holds no experiment yet.");
        bool settings = meta.Kind == StoreKind.Experiment;
        var dir = Path.GetFullPath(outDir);
        Directory.CreateDirectory(dir);
        var tag = "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        var names = new List<string> { "cases.csv", "summary.csv" };
        if (!settings) names.Add("rankings.jsonl");
        StreamWriter Open(string name) => new(Path.Combine(dir, name + tag), false, new UTF8Encoding(false)) { NewLine = "\n" };
        var sets = store.MetricSets();
        var summary = new SummaryBuilder();
        var dataErrors = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long rows = 0;
        bool oneDataset = store.Datasets().Count == 1;
        try
        {
            using (var cases = Open("cases.csv"))
            using (var rankings = settings ? null : Open("rankings.jsonl"))
            {
                Csv.WriteRow(cases, settings ? [.. CaseColumns, .. CaseSettingColumns] : CaseColumns);
                foreach (var r in store.ReadRuns())
                {
                    var d = DecodedRun.Of(r, sets);
                    rows++;
                    var row = CaseRow(d);
                    Csv.WriteRow(cases, settings
                        ? [.. row, r.Seed.ToString(CultureInfo.InvariantCulture), r.Delay.ToString(CultureInfo.InvariantCulture), r.Window, r.Detection]
                        : row);
                    if (rankings is not null)
                    {
                        rankings.Write(JsonSerializer.Serialize(RankingRecord(d)));
                        rankings.Write('\n');
                    }
                    summary.Add(d, settings);
                    if (r.DataError) dataErrors.TryAdd(oneDataset ? r.CaseId : r.Dataset + "/" + r.CaseId, r.Error ?? "");
                }
            }
            var summaryRows = summary.Build();
            using (var s = Open("summary.csv"))
            {
                Csv.WriteRow(s, settings ? [.. SummaryColumns, .. SummarySettingColumns] : SummaryColumns);
                foreach (var r in summaryRows)
                    Csv.WriteRow(s, settings
                        ? [.. SummaryRowFields(r.Row), r.Delay.ToString(CultureInfo.InvariantCulture), r.Window, r.Detection]
                        : SummaryRowFields(r.Row));
            }
            foreach (var n in names) File.Move(Path.Combine(dir, n + tag), Path.Combine(dir, n), overwrite: true);
            var (expected, _) = store.Completeness();
            return new ExportResult(summaryRows, dataErrors, rows, expected, names.Select(n => Path.Combine(dir, n)).ToArray());
        }
        finally
        {
            foreach (var n in names)
            {
                var p = Path.Combine(dir, n + tag);
                if (File.Exists(p)) File.Delete(p);
            }
        }
    }

    public static string StatusText(RunStatus s) => s switch { RunStatus.Ok => "ok", RunStatus.Failed => "failed", _ => "timeout" };

    public static string[] CaseRow(DecodedRun d)
    {
        var o = d.Run;
        return
        [
            o.Dataset, o.CaseId, o.System, o.Fault, o.RootCause, o.Method, StatusText(o.Status),
            o.Seconds.ToString("0.######", CultureInfo.InvariantCulture),
            d.Rank?.ToString(CultureInfo.InvariantCulture) ?? "",
            string.Join(";", d.Services.Take(5)),
        ];
    }

    public static string[] SummaryRowFields(SummaryRow r) =>
    [
        r.Dataset, r.Method, r.Fault, r.Cases.ToString(CultureInfo.InvariantCulture),
        F(r.Ac1), F(r.Ac3), F(r.Avg5), (r.Failed + r.TimedOut).ToString(CultureInfo.InvariantCulture),
        double.IsNaN(r.MedianSeconds) ? "" : r.MedianSeconds.ToString("0.######", CultureInfo.InvariantCulture),
    ];

    /// <summary>Four decimals, invariant; empty for NaN.</summary>
    public static string F(double v) => double.IsNaN(v) ? "" : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static object RankingRecord(DecodedRun d)
    {
        var o = d.Run;
        var diagnostics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        if (o.Diagnostics is { } json)
            foreach (var p in JsonDocument.Parse(json).RootElement.EnumerateObject()) diagnostics[p.Name] = p.Value.GetDouble();
        return new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["dataset"] = o.Dataset, ["case"] = o.CaseId, ["system"] = o.System, ["fault"] = o.Fault, ["fault_class"] = o.FaultClass,
            ["root_cause"] = o.RootCause, ["root_cause_metric"] = o.RootCauseMetric, ["method"] = o.Method,
            ["status"] = StatusText(o.Status), ["seconds"] = o.Seconds, ["rank"] = d.Rank, ["metric_rank"] = d.MetricRank,
            ["service_count"] = o.ServiceCount, ["anomaly_time"] = o.AnomalyTime, ["delay"] = o.Delay, ["seed"] = o.Seed,
            ["error"] = o.Error, ["services"] = d.Services,
            ["ranking"] = d.Metrics.Select((m, i) => new object?[] { m, double.IsFinite(d.Scores[i]) ? d.Scores[i] : null }).ToArray(),
            ["diagnostics"] = diagnostics,
        };
    }
}

/// <summary>
/// Builds summary rows from a stream of decoded runs with running counts per group (rows with the root cause within
/// each k, sums of reciprocal ranks and chance levels, failures) and only the seconds of successful runs kept for the
/// median: the same numbers as <see cref="Summary.Build"/> (the same operations in the same order), in the same order
/// (datasets ordinal, settings and methods in order of first appearance, fault types ordinal, then <c>all</c>).
/// </summary>
public sealed class SummaryBuilder
{
    private sealed class Acc
    {
        public int N, Failed, TimedOut, Known, Labelled;
        public readonly int[] Within = new int[6];       // Within[k]: ranked at ≤ k, k = 1..5
        public readonly int[] MetricWithin = new int[6];
        public double RrSum, ChanceSum;
        public readonly List<double> Seconds = [];

        public void Add(RunStatus status, int? rank, bool labelled, int? metricRank, double seconds, int serviceCount)
        {
            N++;
            if (status == RunStatus.Failed) Failed++;
            else if (status == RunStatus.Timeout) TimedOut++;
            else Seconds.Add(seconds);
            for (int k = 1; k <= 5; k++) if (rank is { } r && r <= k) Within[k]++;
            RrSum += rank is { } x ? 1.0 / x : 0.0;
            if (serviceCount > 0) { Known++; ChanceSum += RankingMetrics.ChanceAvgAt(serviceCount, 5); }
            if (labelled)
            {
                Labelled++;
                for (int k = 1; k <= 5; k++) if (metricRank is { } m && m <= k) MetricWithin[k]++;
            }
        }

        // RankingMetrics.AcAt / AvgAt / Mrr and Summary.Score, from the counts.
        private static double Ac(int within, int n) => n == 0 ? double.NaN : (double)within / n;

        private static double Avg5(int[] within, int n)
        {
            if (n == 0) return double.NaN;
            double s = 0;
            for (int j = 1; j <= 5; j++) s += Ac(within[j], n);
            return s / 5;
        }

        public SummaryRow Row(string dataset, string method, string fault)
        {
            var secs = Seconds.ToArray();
            Array.Sort(secs);
            return new SummaryRow(dataset, method, fault, N,
                Ac(Within[1], N), Ac(Within[3], N), Avg5(Within, N), N == 0 ? double.NaN : RrSum / N,
                Known == 0 ? double.NaN : ChanceSum / Known,
                Failed, TimedOut, secs.Length == 0 ? double.NaN : Summary.Median(secs),
                Labelled,
                Labelled == 0 ? double.NaN : Ac(MetricWithin[1], Labelled),
                Labelled == 0 ? double.NaN : Avg5(MetricWithin, Labelled));
        }
    }

    private sealed class Group
    {
        public readonly SortedDictionary<string, Acc> ByFault = new(StringComparer.Ordinal);
        public readonly Acc All = new();
    }

    private readonly Dictionary<(string Dataset, (long, string, string) Setting, string Method), Group> _groups = new();
    private readonly Dictionary<(long, string, string), int> _settingOrder = new();
    private readonly Dictionary<string, int> _methodOrder = new(StringComparer.Ordinal);

    public void Add(DecodedRun d, bool bySetting)
    {
        var r = d.Run;
        var setting = bySetting ? (r.Delay, r.Window, r.Detection) : (0L, "", "");
        _settingOrder.TryAdd(setting, _settingOrder.Count);
        _methodOrder.TryAdd(r.Method, _methodOrder.Count);
        var key = (r.Dataset, setting, r.Method);
        if (!_groups.TryGetValue(key, out var g)) _groups[key] = g = new Group();
        if (!g.ByFault.TryGetValue(r.Fault, out var acc)) g.ByFault[r.Fault] = acc = new Acc();
        bool ok = r.Status == RunStatus.Ok;
        foreach (var a in new[] { acc, g.All })
            a.Add(r.Status, ok ? d.Rank : null, r.RootCauseMetric is not null, ok ? d.MetricRank : null, r.Seconds, r.ServiceCount);
    }

    public IReadOnlyList<SettingSummary> Build()
    {
        var rows = new List<SettingSummary>();
        foreach (var (key, g) in _groups.OrderBy(kv => kv.Key.Dataset, StringComparer.Ordinal)
                     .ThenBy(kv => _settingOrder[kv.Key.Setting]).ThenBy(kv => _methodOrder[kv.Key.Method]))
        {
            var (delay, window, detection) = key.Setting;
            foreach (var (fault, acc) in g.ByFault)
                rows.Add(new SettingSummary(delay, window, detection, acc.Row(key.Dataset, key.Method, fault)));
            rows.Add(new SettingSummary(delay, window, detection, g.All.Row(key.Dataset, key.Method, Summary.AllFaults)));
        }
        return rows;
    }
}
