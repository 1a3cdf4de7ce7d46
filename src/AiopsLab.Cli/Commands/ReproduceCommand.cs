using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Experiments;
using AiopsLab.Reporting;

namespace AiopsLab.Cli.Commands;

/// <summary>
/// <c>aiopslab reproduce</c>: regenerates <c>results/</c> and the paper's tables from scratch. Runs every experiment spec
/// in <c>experiments/paper/</c> into <c>results/&lt;name&gt;/</c> (run store, cases.csv, summary.csv, and the full report
/// under <c>report/</c>), then writes the paper's tables to <c>results/paper/</c> from the stores and the reference
/// figures in <c>experiments/paper/published.yaml</c>.
/// </summary>
public sealed class ReproduceCommand : ICliCommand
{
    public int Order => 45;

    public Command Build(CliContext ctx)
    {
        var outOpt = new Option<string>("--out", "-o") { Description = "Results folder.", DefaultValueFactory = _ => "results" };
        var specs = new Option<string>("--specs") { Description = "Folder of the paper's experiment specs and published.yaml.", DefaultValueFactory = _ => Path.Combine("experiments", "paper") };
        var only = new Option<string?>("--only") { Description = "Only these experiments (comma-separated names), e.g. sockshop,robustness." };
        var resume = new Option<bool>("--resume") { Description = "Keep existing run stores and resume them instead of starting from scratch." };
        var tablesOnly = new Option<bool>("--tables-only") { Description = "Only rewrite results/paper/ from the existing stores." };
        var jobs = new Option<int?>("--jobs", "-j") { Description = "Cases run at once (default: number of cores)." };
        var noPng = new Option<bool>("--no-png") { Description = "Do not render PNG figures with headless chromium." };
        var cmd = new Command("reproduce", "Regenerate results/ and the paper's tables from scratch (every spec in experiments/paper/).") { outOpt, specs, only, resume, tablesOnly, jobs, noPng };
        cmd.SetAction(ctx.Guard((p, ct) =>
        {
            var results = Path.GetFullPath(p.GetValue(outOpt)!);
            var specDir = Path.GetFullPath(p.GetValue(specs)!);
            var (files, steps) = PaperReproduction.Select(specDir, p.GetValue(only));
            var root = ctx.ResolveDataRoot(p);
            var inv = CultureInfo.InvariantCulture;
            var total = Stopwatch.StartNew();
            if (!p.GetValue(tablesOnly))
            {
                // Check every spec and its data before anything is deleted or run.
                var plans = files.Select(f => (File: f, Spec: ExperimentSpec.Load(f))).Select(x => (x.File, x.Spec, Plan: ExperimentPlan.Build(x.Spec, root))).ToList();
                foreach (var (file, spec, plan) in plans)
                {
                    var folder = Path.Combine(results, spec.Name);
                    if (!p.GetValue(resume) && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                    var sw = Stopwatch.StartNew();
                    ctx.Err.WriteLine(string.Create(inv, $"[{spec.Name}] {plan.CaseCount} case(s) x {plan.Configs.Count} config(s) x {plan.Seeds.Count} seed(s) x {plan.Delays.Count} delay(s) = {plan.RunCount} run(s) -> {folder}"));
                    var (_, export) = RunOptions.RunIntoStore(ctx, plan, spec.Name, folder,
                        new ExperimentRunOptions { Jobs = p.GetValue(jobs) ?? spec.Jobs ?? Environment.ProcessorCount, Shard = Shard.All, Kind = StoreKind.Experiment }, ct);
                    using (var store = RunStore.Open(folder))
                    {
                        var rep = ExperimentReport.Write(store, new ReportOptions { OutDir = Path.Combine(folder, "report"), Render = !p.GetValue(noPng) });
                        foreach (var m in rep.Messages) ctx.Err.WriteLine($"[{spec.Name}] note: {m}");
                    }
                    ctx.Err.WriteLine(string.Create(inv, $"[{spec.Name}] {export.Rows} run(s) in {sw.Elapsed.TotalSeconds:0} s; {export.DataErrors.Count} unreadable case(s)."));
                }
            }
            if (!p.GetValue(tablesOnly))
            {
                int j = p.GetValue(jobs) ?? Environment.ProcessorCount;
                var detectionRows = new List<Evaluation.CaseDetectionRow>();
                if (steps.Contains("detection"))
                    foreach (var name in PaperReproduction.DetectionDatasets)
                    {
                        var sw = Stopwatch.StartNew();
                        var folder = Path.Combine(results, "detection", name);
                        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                        var ds = Datasets.DatasetCatalog.Open(name, root);
                        // Every detector at its own threshold (PaperReproduction.CaseDetectors), over one load of each case.
                        var specsD = PaperReproduction.CaseDetectors(DetectCommand.DefaultDetectors);
                        var rows = Evaluation.CaseDetection.Run(ds, specsD, Evaluation.DetectionSeries.Auto, j, ct: ct);
                        Reporting.CaseDetectionTables.Write(folder, rows, $"Case-level anomaly detection on {name}");
                        ctx.Err.WriteLine(string.Create(inv, $"[detection] {name}: {rows.Count} case-detector run(s) in {sw.Elapsed.TotalSeconds:0} s -> {folder}"));
                        detectionRows.AddRange(rows);
                    }
                if (detectionRows.Count > 0) // experiments/paper/robustness.yaml names them in its detection list
                    ctx.Err.WriteLine($"[detection] best two by pooled F1 (end-to-end RCA in robustness.yaml): {string.Join(", ", PaperReproduction.BestCaseDetectors(PaperReproduction.Available(detectionRows)))}");
                if (steps.Contains("nab"))
                {
                    var sw = Stopwatch.StartNew();
                    var folder = Path.Combine(results, "nab");
                    if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                    var corpus = Datasets.NabCorpus.Open(root.For("nab"));
                    NabScoreboard.Write(Evaluation.NabBenchmark.RunAll(corpus, PaperReproduction.NabDetectors(), j, null, ctx.Err, null, ct), corpus, folder);
                    ctx.Err.WriteLine(string.Create(inv, $"[nab] scoreboard in {sw.Elapsed.TotalSeconds:0} s -> {folder}"));
                }
            }
            var labelling = !p.GetValue(tablesOnly) && steps.Contains("labelling") ? LabelCommand.ReproducePaper(ctx, results, root, p.GetValue(jobs) ?? Environment.ProcessorCount, ct) : [];
            var written = PaperReproduction.WriteTables(results, specDir).Concat(labelling).ToArray();
            foreach (var name in new[] { "main", "fidelity" })
            {
                var md = Path.Combine(results, "paper", name + ".md");
                if (File.Exists(md)) { ctx.Out.WriteLine(File.ReadAllText(md)); }
            }
            ctx.Out.WriteLine(string.Create(inv, $"wrote {written.Length} table files to {Path.Combine(results, "paper")} in {total.Elapsed.TotalMinutes:0.0} min; the paper \\inputs them (paper/build.sh)."));
            return 0;
        }));
        return cmd;
    }
}
