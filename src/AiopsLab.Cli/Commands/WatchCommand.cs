using System.CommandLine;
using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Datasets.Prometheus;
using AiopsLab.Experiments;

namespace AiopsLab.Cli.Commands;

/// <summary><c>aiopslab watch --prometheus URL --detector D --localizer L</c>: RCA on a live system (docs/engines.md).</summary>
public sealed class WatchCommand : ICliCommand
{
    public int Order => 80;

    public Command Build(CliContext ctx)
    {
        var url = new Option<string>("--prometheus") { Description = "Prometheus base URL, e.g. http://127.0.0.1:9090.", Required = true };
        var query = new Option<string[]>("--query", "-q") { Description = "PromQL query whose series are watched (repeatable).", Arity = ArgumentArity.OneOrMore, Required = true };
        var detector = new Option<string>("--detector") { Description = "Streaming detector spec run on every watched series, e.g. 'n-sigma(n=4)'.", Required = true };
        var threshold = new Option<double?>("--threshold") { Description = "Alarm when a score is above this (default: the detector's own threshold)." };
        var localizer = new Option<string>("--localizer") { Description = "Localizer spec, e.g. 'baro'.", DefaultValueFactory = _ => "baro" };
        var every = new Option<string>("--every") { Description = "Poll interval and query step (set it to the scrape interval): seconds or 15s / 1m.", DefaultValueFactory = _ => "15s" };
        var history = new Option<string>("--history") { Description = "History kept and localized over (normal period before the alarm).", DefaultValueFactory = _ => "10m" };
        var settle = new Option<string>("--settle") { Description = "Wait this long after an alarm before localizing.", DefaultValueFactory = _ => "1m" };
        var series = new Option<string>("--series") { Description = "Series the detector watches: latency-error (default) or all.", DefaultValueFactory = _ => "latency-error" };
        var mapping = new Option<string?>("--mapping") { Description = "YAML mapping file (labels → entity, metric name → kind), as for 'datasets import'." };
        var maxAlarms = new Option<int?>("--max-alarms") { Description = "Stop after this many incidents (default: run until interrupted)." };
        var maxPolls = new Option<int?>("--max-polls") { Description = "Stop after this many polls." };
        var outDir = new Option<string?>("--out", "-o") { Description = "Append every incident to OUT/incidents.jsonl." };
        var cmd = new Command("watch", "Watch a live system in Prometheus: detect online, and on an alarm localize the root cause and print the ranking with its evidence.")
            { url, query, detector, threshold, localizer, every, history, settle, series, mapping, maxAlarms, maxPolls, outDir };
        cmd.SetAction(ctx.Guard((p, ct) =>
        {
            var s = p.GetValue(series)!;
            if (s is not ("latency-error" or "all")) throw new AiopsLabException($"--series must be latency-error or all, not '{s}'.");
            var o = new WatchOptions
            {
                Queries = p.GetValue(query)!, Detector = p.GetValue(detector)!, Threshold = p.GetValue(threshold), Localizer = p.GetValue(localizer)!,
                Every = DatasetsTransfer.ParseStep(p.GetValue(every)!), History = DatasetsTransfer.ParseStep(p.GetValue(history)!),
                Settle = DatasetsTransfer.ParseStep(p.GetValue(settle)!), Series = s,
                Mapping = p.GetValue(mapping) is { } m ? PrometheusMapping.Load(m) : PrometheusMapping.Default,
                MaxAlarms = p.GetValue(maxAlarms), MaxPolls = p.GetValue(maxPolls), Out = p.GetValue(outDir),
            };
            using var client = new PrometheusClient(p.GetValue(url)!, new PrometheusClientOptions { Attempts = 1, TimeoutSeconds = Math.Max(5, o.Every) });
            ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"watching {client.Url} every {o.Every} s with {o.Detector}; on an alarm: {o.Localizer} over the last {o.History} s (Ctrl+C stops)"));
            var incidents = new LiveWatch(client, o, line => { ctx.Out.WriteLine(line); ctx.Out.Flush(); }).Run(ct);
            ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopped after {incidents.Count} incident(s)."));
            return 0;
        }));
        return cmd;
    }
}
