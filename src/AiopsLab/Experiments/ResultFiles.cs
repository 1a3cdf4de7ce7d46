using System.Globalization;
using System.Text;
using System.Text.Json;
using AiopsLab.Data;
using AiopsLab.Evaluation;

namespace AiopsLab.Experiments;

/// <summary>
/// The files <c>aiopslab run</c> writes into its output folder:
/// <list type="bullet">
/// <item><c>cases.csv</c>: <c>dataset,case,system,fault,root_cause,method,status,seconds,rank,top5</c>, one row per
/// (case, method). <c>rank</c> is the 1-based service rank of the true root cause (empty if not ranked or not ok);
/// <c>top5</c> is the first five services joined by <c>;</c>.</item>
/// <item><c>summary.csv</c>: <c>dataset,method,fault,cases,ac1,ac3,avg5,failed,median_seconds</c>, one row per fault
/// type plus <c>all</c>. <c>failed</c> counts failed and timed-out runs, which score as misses.</item>
/// <item><c>rankings.jsonl</c>: per (case, method), the full metric ranking with scores, the service ranking, status,
/// error text and diagnostics: the raw results every table is derived from.</item>
/// </list>
/// Files are written under temporary names and renamed into place only when complete, so the folder never holds a
/// half-written result file; an aborted run leaves the previous files (if any) untouched.
/// </summary>
public sealed class ResultFiles : IDisposable
{
    public static readonly string[] CaseColumns = ["dataset", "case", "system", "fault", "root_cause", "method", "status", "seconds", "rank", "top5"];
    public static readonly string[] SummaryColumns = ["dataset", "method", "fault", "cases", "ac1", "ac3", "avg5", "failed", "median_seconds"];

    private readonly string _dir;
    private readonly string _tag = "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
    private readonly StreamWriter _cases;
    private readonly StreamWriter _rankings;
    private readonly List<CaseOutcome> _kept = [];
    private bool _committed;

    public ResultFiles(string outDir)
    {
        _dir = Path.GetFullPath(outDir);
        try { Directory.CreateDirectory(_dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new AiopsLabException($"cannot create output folder '{_dir}': {e.Message}"); }
        _cases = Open("cases.csv");
        _rankings = Open("rankings.jsonl");
        Csv.WriteRow(_cases, CaseColumns);
    }

    public string Folder => _dir;

    private StreamWriter Open(string name) =>
        new(Path.Combine(_dir, name + _tag), false, new UTF8Encoding(false)) { NewLine = "\n" };

    /// <summary>Appends one outcome.</summary>
    public void Add(CaseOutcome o)
    {
        Csv.WriteRow(_cases, CaseRow(o));
        _rankings.Write(JsonSerializer.Serialize(RankingRecord(o)));
        _rankings.Write('\n');
        // Only what the summary needs is kept, not rankings, so memory stays small.
        _kept.Add(o with { Ranking = [], Services = [], Diagnostics = new Dictionary<string, double>() });
    }

    /// <summary>Writes the summary, closes the files and renames them into place. Returns the summary rows.</summary>
    public IReadOnlyList<SummaryRow> Commit()
    {
        var rows = Summary.Build(_kept);
        using (var s = Open("summary.csv"))
        {
            Csv.WriteRow(s, SummaryColumns);
            foreach (var r in rows) Csv.WriteRow(s, SummaryRowFields(r));
        }
        _cases.Dispose();
        _rankings.Dispose();
        foreach (var name in new[] { "cases.csv", "rankings.jsonl", "summary.csv" })
            File.Move(Path.Combine(_dir, name + _tag), Path.Combine(_dir, name), overwrite: true);
        _committed = true;
        return rows;
    }

    public void Dispose()
    {
        _cases.Dispose();
        _rankings.Dispose();
        if (_committed) return;
        foreach (var name in new[] { "cases.csv", "rankings.jsonl", "summary.csv" })
        {
            var p = Path.Combine(_dir, name + _tag);
            if (File.Exists(p)) File.Delete(p);
        }
    }

    public static string StatusText(RunStatus s) => s switch { RunStatus.Ok => "ok", RunStatus.Failed => "failed", _ => "timeout" };

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

    /// <summary>Four decimals, invariant; empty for NaN.</summary>
    public static string F(double v) => double.IsNaN(v) ? "" : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static object RankingRecord(CaseOutcome o) => new SortedDictionary<string, object?>(StringComparer.Ordinal)
    {
        ["dataset"] = o.Dataset, ["case"] = o.CaseId, ["system"] = o.System, ["fault"] = o.Fault, ["fault_class"] = o.FaultClass,
        ["root_cause"] = o.RootCause, ["root_cause_metric"] = o.RootCauseMetric, ["method"] = o.Method,
        ["status"] = StatusText(o.Status), ["seconds"] = o.Seconds, ["rank"] = o.Rank, ["metric_rank"] = o.MetricRank,
        ["service_count"] = o.ServiceCount, ["anomaly_time"] = o.AnomalyTime, ["delay"] = o.Delay, ["seed"] = o.Seed,
        ["error"] = o.Error, ["services"] = o.Services,
        ["ranking"] = o.Ranking.Select(r => new object[] { r.Metric, double.IsFinite(r.Score) ? r.Score : null! }).ToArray(),
        ["diagnostics"] = o.Diagnostics.Where(kv => double.IsFinite(kv.Value)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value),
    };
}
