using System.CommandLine;
using AiopsLab.Data;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Reporting;

namespace AiopsLab.Cli.Commands;

/// <summary><c>aiopslab report DIR</c>: tables (Markdown, CSV, LaTeX), figures and significance tests from a run store.</summary>
public sealed class ReportCommand : ICliCommand
{
    public int Order => 40;

    public Command Build(CliContext ctx)
    {
        var dir = new Argument<string>("dir") { Description = "Output folder of a run (holding runs.db)." };
        var outOpt = new Option<string?>("--out", "-o") { Description = "Where to write the report (default: DIR/report)." };
        var ci = new Option<bool>("--ci") { Description = "Add seeded bootstrap 95% intervals (over cases) to the accuracy table and figures." };
        var resamples = new Option<int>("--resamples") { Description = "Bootstrap resamples.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<long>("--seed") { Description = "Bootstrap seed.", DefaultValueFactory = _ => 0 };
        var alpha = new Option<double>("--alpha") { Description = "Significance level of the Nemenyi critical difference.", DefaultValueFactory = _ => 0.05 };
        var zeros = new Option<string>("--zeros") { Description = "Zero differences in the Wilcoxon tests: wilcox (drop; scipy's default), pratt, or zsplit (Demšar 2006).", DefaultValueFactory = _ => "wilcox" };
        var noPng = new Option<bool>("--no-png") { Description = "Do not render PNGs with headless chromium." };
        var cmd = new Command("report", "Write paper-ready tables, figures and significance tests from a run's store.") { dir, outOpt, ci, resamples, seed, alpha, zeros, noPng };
        cmd.SetAction(ctx.Guard((p, _) =>
        {
            var folder = p.GetValue(dir)!;
            var z = p.GetValue(zeros) switch
            {
                "wilcox" => WilcoxonZeros.Wilcox,
                "pratt" => WilcoxonZeros.Pratt,
                "zsplit" => WilcoxonZeros.ZSplit,
                var other => throw new UnknownNameException("--zeros treatment", other ?? "", ["wilcox", "pratt", "zsplit"]),
            };
            var a = p.GetValue(alpha);
            if (!(a > 0 && a < 1)) throw new AiopsLabException("--alpha must be between 0 and 1.");
            var n = p.GetValue(resamples);
            if (n < 100) throw new AiopsLabException("--resamples must be at least 100.");
            bool live = RunStore.IsBeingWritten(folder);
            using var store = RunStore.Open(folder); // read-only, one snapshot: safe while a run writes the store
            var outDir = Data.OutputFolder.Prepare(p.GetValue(outOpt) ?? Path.Combine(folder, "report"));
            var result = ExperimentReport.Write(store, new ReportOptions
            {
                OutDir = outDir, Intervals = p.GetValue(ci), Resamples = n, Seed = p.GetValue(seed), Alpha = a, Zeros = z, Render = !p.GetValue(noPng),
            });
            foreach (var m in result.Messages) ctx.Err.WriteLine("note: " + m);
            if (live) ctx.Err.WriteLine("note: a run is still writing to this store; the report covers the cases committed when it began reading (run report again when the run ends).");
            ctx.Out.WriteLine($"wrote {result.Files.Count} files to {Path.GetFullPath(outDir)} (start with report.md)");
            return 0;
        }));
        return cmd;
    }
}
