using System.CommandLine;
using System.Globalization;
using AiopsLab.Datasets;
using AiopsLab.Evaluation;
using AiopsLab.Methods;
using AiopsLab.Catalog;
using AiopsLab.Reporting;

namespace AiopsLab.Cli.Commands;

/// <summary><c>aiopslab detect</c>: case-level anomaly detection on fault-injection datasets (BARO Table 2 style).</summary>
public sealed class DetectCommand : ICliCommand
{
    public int Order => 45;

    /// <summary>The detectors BARO's Table 2 compares, plus the other streaming detectors with a principled default threshold.</summary>
    public const string DefaultDetectors = "n-sigma,robust-z,ewma,spot,dspot,bocpd";

    public Command Build(CliContext ctx)
    {
        var dataset = new Option<string>("--dataset", "-d") { Description = "Catalog name or dataset folder (see 'datasets list').", Required = true };
        var detectors = new Option<string>("--detectors") { Description = $"Comma-separated detector specs (default: {DefaultDetectors}; see 'aiopslab methods').", DefaultValueFactory = _ => DefaultDetectors };
        var outOpt = new Option<string>("--out", "-o") { Description = "Output folder: detection.csv (per case × detector) and detection-summary.{csv,md,tex}.", Required = true };
        var threshold = new Option<double?>("--threshold") { Description = "Alarm threshold for every detector (default: each detector's own, e.g. n-sigma's n=3, SPOT's −log10 q)." };
        var series = new Option<DetectionSeries>("--series") { Description = "Columns watched: auto (the dataset's SLIs, else latency and error columns), latency-error, or all.", DefaultValueFactory = _ => DetectionSeries.Auto };
        var warmup = new Option<Detection.WarmupRule>("--warmup") { Description = "Warm-up before alarms count: probation (NAB's min(15 % of the case, 750 points), label-free; the detector calibrates on it) or none.", DefaultValueFactory = _ => Detection.WarmupRule.Probation };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Cases run at once.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var systems = new Option<string?>("--systems") { Description = "Only these systems (comma-separated)." };
        var limit = new Option<int?>("--limit") { Description = "Only the first N cases (after filtering)." };
        var opts = DatasetsCommand.DatasetOptionsOption();
        var cmd = new Command("detect", "Run anomaly detectors over every case of a fault-injection dataset: does the first alarm come after the inject time, and how late? Writes precision / recall / F1 and delay per detector.")
            { dataset, detectors, outOpt, threshold, series, warmup, jobs, systems, limit, opts };
        cmd.SetAction(ctx.Guard((p, ct) =>
        {
            var specs = MethodSpec.ParseList(p.GetValue(detectors)!).Select(s => s.ToString()).ToArray();
            MethodCatalog.CheckDistinctDetectors(specs); // 'spot' and 'spot(q=0.0001)' are one configuration: refused
            foreach (var s in specs)
            {
                var det = MethodCatalog.CreateDetector(s); // validates names and options before any work
                CaseDetection.ThresholdOf(det, s, p.GetValue(threshold));
            }
            var ds = DatasetCatalog.Open(p.GetValue(dataset)!, ctx.ResolveDataRoot(p), Datasets.DatasetOptions.Parse(p.GetValue(opts) ?? []));
            var sys = p.GetValue(systems)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            int? lim = p.GetValue(limit);
            var chosen = ds.Cases.Where(c => sys is null || sys.Contains(c.System)).Take(lim ?? int.MaxValue).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            var outDir = Data.OutputFolder.Prepare(p.GetValue(outOpt)!);
            ctx.Err.WriteLine($"detecting with {specs.Length} detector(s) on {chosen.Count} case(s) of {ds.Name}; output: {outDir}");
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            var rows = CaseDetection.Run(ds, specs, p.GetValue(threshold), p.GetValue(series), p.GetValue(jobs), d => chosen.Contains(d.Id),
                (done, total) =>
                {
                    lock (ctx.Err)
                        if (done == total || sw.Elapsed - lastReport > TimeSpan.FromSeconds(5))
                        {
                            lastReport = sw.Elapsed;
                            ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {done}/{total} cases, {sw.Elapsed.TotalSeconds:0.0} s"));
                        }
                }, ct, p.GetValue(warmup));
            var table = CaseDetectionTables.Write(outDir, rows, $"Case-level anomaly detection on {ds.Name}");
            ctx.Out.Write(table.ToMarkdown());
            int failed = rows.Count(r => r.Outcome == DetectionOutcome.Failed);
            if (failed > 0)
            {
                ctx.Err.WriteLine($"{failed} case-detector run(s) failed; their errors are in detection.csv (column error):");
                foreach (var r in rows.Where(r => r.Outcome == DetectionOutcome.Failed).Take(20))
                    ctx.Err.WriteLine($"  failed: {r.Case} ({r.Detector}): {r.Error}");
            }
            ctx.Out.WriteLine($"wrote {Path.Combine(outDir, "detection.csv")} and detection-summary.{{csv,md,tex}} ({sw.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
            return failed > 0 ? 3 : 0; // exit 3: some cases failed (named above), as 'run' does
        }));
        return cmd;
    }
}
