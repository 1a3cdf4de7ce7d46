using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Datasets.Prometheus;

namespace AiopsLab.Cli.Commands;

/// <summary><c>aiopslab datasets export …</c> and <c>aiopslab datasets import prometheus …</c> (docs/engines.md).</summary>
internal static class DatasetsTransfer
{
    public static Command Export(CliContext ctx)
    {
        var format = new Argument<string>("format") { Description = "generic (metrics.csv + case.json) or openmetrics (metrics.om + case.json)." };
        var dataset = new Option<string>("--dataset") { Description = "Catalog name or path of the dataset.", Required = true };
        var caseId = new Option<string[]>("--case") { Description = "Case id (repeatable); default: every case.", Arity = ArgumentArity.ZeroOrMore };
        var outDir = new Option<string>("--out", "-o") { Description = "Folder to write into (one sub-folder per case).", Required = true };
        var opts = DatasetsCommand.DatasetOptionsOption();
        var cmd = new Command("export", "Write cases of a dataset in the generic layout, or as OpenMetrics text for a TSDB (promtool tsdb create-blocks-from openmetrics).")
            { format, dataset, caseId, outDir, opts };
        cmd.SetAction(ctx.Guard((p, ct) =>
        {
            var fmt = p.GetValue(format)!;
            if (fmt is not ("generic" or "openmetrics")) throw new UnknownNameException("export format", fmt, ["generic", "openmetrics"]);
            var ds = DatasetCatalog.Open(p.GetValue(dataset)!, ctx.ResolveDataRoot(p), DatasetOptions.Parse(p.GetValue(opts) ?? []));
            var wanted = p.GetValue(caseId) ?? [];
            var cases = wanted.Length == 0 ? ds.Cases : wanted.Select(id => ds.Cases.FirstOrDefault(c => c.Id == id)
                ?? throw new UnknownNameException($"case of {ds.Name}", id, ds.Cases.Take(10).Select(c => c.Id).ToArray())).ToArray();
            var root = p.GetValue(outDir)!;
            foreach (var d in cases)
            {
                ct.ThrowIfCancellationRequested();
                var c = ds.Load(d, ct);
                var folder = cases.Count == 1 && wanted.Length == 1 ? root : Path.Combine(root, SafeName(d.Id));
                if (fmt == "generic") CaseExport.WriteGeneric(c, folder);
                else
                {
                    Directory.CreateDirectory(folder);
                    CaseExport.WriteAtomically(Path.Combine(folder, "metrics.om"), w => CaseExport.WriteOpenMetrics(c, w));
                    CaseExport.WriteAtomically(Path.Combine(folder, "case.json"), w => w.Write(CaseExport.CaseJson(c, withColumnOrder: true)));
                }
                ctx.Out.WriteLine($"wrote {d.Id} -> {folder}");
            }
            return 0;
        }));
        return cmd;
    }

    public static Command Import(CliContext ctx)
    {
        var source = new Argument<string>("source") { Description = "Where from: prometheus." };
        var url = new Option<string>("--url") { Description = "Prometheus base URL, e.g. http://127.0.0.1:9090.", Required = true };
        var start = new Option<string>("--start") { Description = "Start: Unix seconds or UTC ISO 8601 (2026-11-30T14:00:00Z).", Required = true };
        var end = new Option<string>("--end") { Description = "End (inclusive), same forms.", Required = true };
        var step = new Option<string>("--step") { Description = "Resolution: seconds or 15s / 1m / 5m.", DefaultValueFactory = _ => "15s" };
        var query = new Option<string[]>("--query", "-q") { Description = "PromQL query (repeatable), e.g. 'container_cpu_usage_seconds_total' or 'rate(x[1m])'.", Arity = ArgumentArity.OneOrMore, Required = true };
        var mapping = new Option<string?>("--mapping") { Description = "YAML mapping file (labels → entity, metric name → kind); default: cAdvisor / kube-state-metrics / OpenTelemetry names." };
        var inject = new Option<string?>("--inject-time") { Description = "When the incident started (Unix seconds or ISO 8601): rows before it are the normal period. Default: from --case-json." };
        var rootCause = new Option<string?>("--root-cause") { Description = "The root-cause service, where known (default 'unknown': rankings are still written, the score is a miss)." };
        var faultType = new Option<string?>("--fault-type") { Description = "Fault type, where known (default 'unknown')." };
        var caseJson = new Option<string?>("--case-json") { Description = "Take the label, call graph and naming from this case.json (e.g. one written by 'datasets export')." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds per HTTP request.", DefaultValueFactory = _ => 30 };
        var outDir = new Option<string>("--out", "-o") { Description = "Case folder to write (generic layout: metrics.csv + case.json).", Required = true };
        var cmd = new Command("import", "Read metrics from a Prometheus server (query_range, chunked under its 11,000-points limit, retried) into a case in the generic layout.")
            { source, url, start, end, step, query, mapping, inject, rootCause, faultType, caseJson, timeout, outDir };
        cmd.SetAction(ctx.Guard((p, ct) =>
        {
            if (p.GetValue(source) != "prometheus") throw new UnknownNameException("import source", p.GetValue(source)!, ["prometheus"]);
            long s = ParseTime(p.GetValue(start)!, "--start"), e = ParseTime(p.GetValue(end)!, "--end"), st = ParseStep(p.GetValue(step)!);
            var map = p.GetValue(mapping) is { } mf ? PrometheusMapping.Load(mf) : PrometheusMapping.Default;
            using var client = new PrometheusClient(p.GetValue(url)!, new PrometheusClientOptions { TimeoutSeconds = p.GetValue(timeout) });
            var result = PrometheusImport.Query(client, p.GetValue(query)!, s, e, st, map, ct);
            if (result.Frame.ColumnCount == 0) throw new AiopsLabException($"the queries returned no series that map to a column between {s} and {e}.");
            var json = p.GetValue(caseJson) is { } cj ? JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(cj))
                ?? throw new DataFormatException(cj, 1, 1, "not a JSON object") : [];
            var o = json.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal);
            o["metrics"] = "metrics.csv";
            if (p.GetValue(inject) is { } it) o["inject_time"] = ParseTime(it, "--inject-time");
            else if (!o.ContainsKey("inject_time")) throw new AiopsLabException("give --inject-time (when the incident started), or --case-json with an inject_time.");
            if (p.GetValue(rootCause) is { } rc) o["root_cause"] = rc; else o.TryAdd("root_cause", "unknown");
            if (p.GetValue(faultType) is { } ft) o["fault_type"] = ft; else o.TryAdd("fault_type", "unknown");
            o.TryAdd("separator", map.Separator);
            o["source"] = $"prometheus {client.Url} [{s}, {e}] step {st}s: {string.Join(" ; ", p.GetValue(query)!)}";
            // A TSDB keeps no column order; an exported case.json records it, so order-sensitive methods (PC) see the same frame.
            var frame = o.TryGetValue("columns", out var cols) && cols is JsonElement { ValueKind: JsonValueKind.Array } ce
                ? PrometheusImport.Reorder(result.Frame, ce.EnumerateArray().Select(x => x.GetString() ?? "").ToArray())
                : result.Frame;
            o.Remove("columns");
            var folder = p.GetValue(outDir)!;
            Directory.CreateDirectory(folder);
            CaseExport.WriteAtomically(Path.Combine(folder, "metrics.csv"), w => Csv.WriteFrame(w, frame));
            CaseExport.WriteAtomically(Path.Combine(folder, "case.json"), w => w.Write(JsonSerializer.Serialize(o, new JsonSerializerOptions { WriteIndented = true }) + "\n"));
            var inv = CultureInfo.InvariantCulture;
            ctx.Out.WriteLine(string.Create(inv, $"wrote {folder}: {result.Frame.RowCount} rows x {result.Frame.ColumnCount} columns"));
            foreach (var (col, n) in result.Combined) ctx.Err.WriteLine(string.Create(inv, $"note: {n} series combined ({map.Aggregate}) into column {col}"));
            if (result.Skipped.Count > 0)
                ctx.Err.WriteLine(string.Create(inv, $"note: {result.Skipped.Count} series have none of the entity labels ({string.Join(", ", map.EntityLabels)}) and were skipped, e.g. {result.Skipped[0]}"));
            ctx.Out.WriteLine($"run it: aiopslab run --dataset {folder} --methods baro,nsigma --out OUT");
            return 0;
        }));
        return cmd;
    }

    private static string SafeName(string id) => string.Concat(id.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_'));

    /// <summary>Unix seconds, or an ISO 8601 time (UTC unless it names an offset).</summary>
    public static long ParseTime(string text, string option)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var unix)) return unix;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t.ToUnixTimeSeconds();
        throw new AiopsLabException($"{option} '{text}' is neither Unix seconds nor an ISO 8601 time (e.g. 2026-11-30T14:02:00Z).");
    }

    /// <summary>Seconds, or a number with s, m or h.</summary>
    public static long ParseStep(string text)
    {
        var t = text.Trim();
        long unit = t.EndsWith('h') ? 3600 : t.EndsWith('m') ? 60 : 1;
        var digits = unit == 1 && t.EndsWith('s') ? t[..^1] : unit == 1 ? t : t[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            throw new AiopsLabException($"step '{text}' must be a positive whole number of seconds, or like 15s, 1m, 1h.");
        return n * unit;
    }
}
