using System.Globalization;
using System.Text;
using System.Text.Json;
using AiopsLab.Data;
using AiopsLab.Evaluation;

namespace AiopsLab.Experiments;

/// <summary>What <see cref="ResultFiles.Export"/> wrote.</summary>
public sealed record ExportResult(IReadOnlyList<SettingSummary> Summary, IReadOnlyDictionary<string, string> DataErrors, long Rows, long ExpectedRows, IReadOnlyList<string> Files);

/// <summary>
/// The result files derived from a run store, written into its folder (the dataset column is
/// <see cref="RunStore.DatasetLabels"/>: the key where an experiment holds one dataset twice):
/// <list type="bullet">
/// <item><c>cases.csv</c>: <c>dataset,case,system,fault,root_cause,method,status,seconds,rank,top5</c>, one row per
/// (case, method). <c>rank</c> is the 1-based service rank of the true root cause (empty if not ranked or not ok);
/// <c>top5</c> is the first five services joined by <c>;</c>. An experiment run appends <c>seed,delay,window,detection</c>.</item>
/// <item><c>summary.csv</c>: <c>dataset,method,fault,cases,ac1,ac3,avg5,failed,median_seconds</c>, one row per fault
/// type plus <c>all</c>. <c>failed</c> counts failed and timed-out runs, which score as misses. An experiment run has one
/// block per setting, appends <c>delay,window,detection</c>, and pools seeds (<c>cases</c> counts case × seed runs). When
/// any case has an inner-service label (Nezha), <c>inner_cases,ais1,ais3,ais5</c> follow last: the runs with such a label
/// and their AIS@k (<see cref="Summary.InnerRanks"/>; empty where a group has none).</item>
/// <item><c>rankings.jsonl</c> (shortcut runs: <c>run --dataset</c>, <c>quickstart</c>): per (case, method), the full
/// metric ranking with scores, the service ranking, status, error text and diagnostics. Experiment runs keep these in
/// the store (<c>runs.db</c>) only.</item>
/// </list>
/// Every value comes from the store's records, scored once by <see cref="Summary"/>. Files are written under temporary names and renamed into place
/// only when complete, so the folder never holds a half-written result file.
/// </summary>
public static class ResultFiles
{
    public static readonly string[] CaseColumns = ["dataset", "case", "system", "fault", "root_cause", "method", "status", "seconds", "rank", "top5"];
    public static readonly string[] SummaryColumns = ["dataset", "method", "fault", "cases", "ac1", "ac3", "avg5", "failed", "median_seconds"];
    public static readonly string[] CaseSettingColumns = ["seed", "delay", "window", "detection"];
    public static readonly string[] SummarySettingColumns = ["delay", "window", "detection"];
    /// <summary>Summary columns appended when a case has an inner-service label.</summary>
    public static readonly string[] SummaryInnerColumns = ["inner_cases", "ais1", "ais3", "ais5"];

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
        var scored = new List<CaseOutcome>();
        var dataErrors = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long rows = 0;
        bool oneDataset = store.Datasets().Count == 1;
        var labels = store.DatasetLabels();
        try
        {
            using (var cases = Open("cases.csv"))
            using (var rankings = settings ? null : Open("rankings.jsonl"))
            {
                Csv.WriteRow(cases, settings ? [.. CaseColumns, .. CaseSettingColumns] : CaseColumns);
                foreach (var run in store.ReadRuns(rankings: true))
                {
                    var r = labels.TryGetValue(run.DatasetKey, out var l) && l != run.Dataset ? run with { Dataset = l } : run;
                    rows++;
                    var row = CaseRow(r);
                    Csv.WriteRow(cases, settings
                        ? [.. row, r.Seed.ToString(CultureInfo.InvariantCulture), r.Delay.ToString(CultureInfo.InvariantCulture), r.Window, r.Detection]
                        : row);
                    if (rankings is not null)
                    {
                        rankings.Write(JsonSerializer.Serialize(RankingRecord(r)));
                        rankings.Write('\n');
                    }
                    // Only the scores are kept for the summary: memory grows by a small record per run, not by rankings.
                    scored.Add(r with { Ranking = [], Services = [], Diagnostics = NoDiagnostics });
                    if (r.DataError) dataErrors.TryAdd(oneDataset ? r.CaseId : r.Dataset + "/" + r.CaseId, r.Error ?? "");
                }
            }
            var summaryRows = settings ? Summary.BuildBySetting(scored) : Summary.Build(scored).Select(x => new SettingSummary(0, "", "", x)).ToArray();
            bool inner = scored.Any(o => o.InnerRootCause is not null);
            using (var s = Open("summary.csv"))
            {
                Csv.WriteRow(s, [.. SummaryColumns, .. settings ? SummarySettingColumns : [], .. inner ? SummaryInnerColumns : []]);
                foreach (var r in summaryRows)
                    Csv.WriteRow(s, [.. SummaryRowFields(r.Row),
                        .. settings ? [r.Delay.ToString(CultureInfo.InvariantCulture), r.Window, r.Detection] : Array.Empty<string>(),
                        .. inner ? InnerFields(r.Row) : []]);
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

    private static readonly IReadOnlyDictionary<string, double> NoDiagnostics = new Dictionary<string, double>();

    public static string[] CaseRow(CaseOutcome o) =>
        [
            o.Dataset, o.CaseId, o.System, o.Fault, o.RootCause, o.Method, StatusText(o.Status),
            o.Seconds.ToString("0.######", CultureInfo.InvariantCulture),
            o.Rank?.ToString(CultureInfo.InvariantCulture) ?? "",
            string.Join(";", o.Services.Take(5)),
        ];

    public static string[] SummaryRowFields(SummaryRow r) =>
    [
        r.Dataset, r.Method, r.Fault, r.Cases.ToString(CultureInfo.InvariantCulture),
        F(r.Ac1), F(r.Ac3), F(r.Avg5), (r.Failed + r.TimedOut).ToString(CultureInfo.InvariantCulture),
        double.IsNaN(r.MedianSeconds) ? "" : r.MedianSeconds.ToString("0.######", CultureInfo.InvariantCulture),
    ];

    private static string[] InnerFields(SummaryRow r) =>
        [r.InnerLabelled.ToString(CultureInfo.InvariantCulture), F(r.Ais1), F(r.Ais3), F(r.Ais5)];

    /// <summary>Four decimals, invariant; empty for NaN.</summary>
    public static string F(double v) => double.IsNaN(v) ? "" : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static object RankingRecord(CaseOutcome o)
    {
        var diagnostics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (k, v) in o.Diagnostics) diagnostics[k] = v;
        var record = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["dataset"] = o.Dataset, ["case"] = o.CaseId, ["system"] = o.System, ["fault"] = o.Fault, ["fault_class"] = o.FaultClass,
            ["root_cause"] = o.RootCause, ["root_cause_metric"] = o.RootCauseMetric, ["method"] = o.Method,
            ["status"] = StatusText(o.Status), ["seconds"] = o.Seconds, ["rank"] = o.Rank, ["metric_rank"] = o.MetricRank,
            ["service_count"] = o.ServiceCount, ["anomaly_time"] = o.AnomalyTime, ["delay"] = o.Delay, ["seed"] = o.Seed,
            ["error"] = o.Error, ["services"] = o.Services,
            ["ranking"] = o.Ranking.Select(m => new object?[] { m.Metric, double.IsFinite(m.Score) ? m.Score : null }).ToArray(),
            ["diagnostics"] = diagnostics,
        };
        if (o.Kept is not null) record["kept"] = o.Kept;
        if (o.InnerRootCause is not null) { record["inner_root_cause"] = o.InnerRootCause; record["inner_rank"] = o.InnerRank; }
        return record;
    }
}
