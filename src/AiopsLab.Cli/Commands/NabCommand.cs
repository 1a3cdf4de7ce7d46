using System.CommandLine;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Evaluation;
using AiopsLab.Reporting;

namespace AiopsLab.Cli.Commands;

/// <summary><c>aiopslab nab score|run</c>: the Numenta Anomaly Benchmark.</summary>
public sealed class NabCommand : ICliCommand
{
    public int Order => 50;

    public Command Build(CliContext ctx)
    {
        var cmd = new Command("nab", "Numenta Anomaly Benchmark: score a results folder, or run detectors over the corpus and score them.");
        var nabOpt = new Option<string?>("--nab") { Description = "NAB folder (default: DATA_ROOT/nab).", Recursive = true };
        cmd.Options.Add(nabOpt);
        NabCorpus Corpus(ParseResult p)
        {
            var dir = p.GetValue(nabOpt) ?? ctx.ResolveDataRoot(p).For("nab");
            if (!Directory.Exists(dir)) throw new AiopsLabException($"NAB folder '{Path.GetFullPath(dir)}' does not exist (set --nab or --data-root, or run 'aiopslab datasets fetch nab').");
            return NabCorpus.Open(dir);
        }

        var dirArg = new Argument<string>("dir") { Description = "NAB results root: <detector>/<category>/<detector>_<file>.csv with an anomaly_score column (as 'nab run' writes under OUT/results, and as NAB's results/ holds them)." };
        var detector = new Option<string?>("--detector") { Description = "Score only these detector folders (comma-separated; default: every detector folder in DIR)." };
        var thresholdsOpt = new Option<string>("--thresholds") { Description = "optimize: each detector's threshold optimised per profile over the corpus, as 'nab run' does; nab: NAB's published thresholds (config/thresholds.json).", DefaultValueFactory = _ => "optimize" };
        thresholdsOpt.AcceptOnlyFromAmong("optimize", "nab");
        var score = new Command("score", "Score a NAB results folder and print the normalised scores per detector and profile.") { dirArg, detector, thresholdsOpt };
        score.SetAction(ctx.Guard((p, _) =>
        {
            var corpus = Corpus(p);
            var names = p.GetValue(detector)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var published = p.GetValue(thresholdsOpt) == "nab" ? corpus.Thresholds() : null;
            foreach (var r in NabBenchmark.ScoreFolder(corpus, Path.GetFullPath(p.GetValue(dirArg)!), names, published))
                ctx.Out.WriteLine($"{r.Spec}: {NabBenchmark.Describe(r.Result)}");
            return 0;
        }));
        cmd.Subcommands.Add(score);

        var detectors = new Option<string>("--detectors") { Description = "Comma-separated detector specs (see 'aiopslab methods'); 'all' = every registered detector that can stream, at its defaults.", Required = true };
        var outOpt = new Option<string>("--out", "-o") { Description = "Output folder: scoreboard.{csv,md,tex} and raw scores in NAB's results layout under OUT/results.", Required = true };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Threads: (detector, series) items run at once, longest series first.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var round = new Option<int?>("--round") { Description = "Round scores to this many decimals before scoring, as NAB's results files do (12 reproduces NAB's published pipeline)." };
        var noRaw = new Option<bool>("--no-raw") { Description = "Do not write the raw per-series scores." };
        var perDetector = new Option<bool>("--per-detector") { Description = "Time the detectors one after another, each its own wall, instead of one pool of (detector, series) items (the scores are the same)." };
        var noShare = new Option<bool>("--no-share") { Description = "Run the inner detector of every post-processor (likelihood, spatial) again, even when it is a row of the run too; by default they read that row's scores of each series (the scores are the same)." };
        var run = new Command("run", "Run detectors over NAB's series, optimise each one's threshold per profile as NAB does, and write a scoreboard beside the published one.") { detectors, outOpt, jobs, round, noRaw, perDetector, noShare };
        run.SetAction(ctx.Guard((p, ct) =>
        {
            var corpus = Corpus(p);
            var specs = NabBenchmark.ParseDetectors(p.GetValue(detectors)!);
            var outDir = Data.OutputFolder.Prepare(p.GetValue(outOpt)!);
            var raw = p.GetValue(noRaw) ? null : Path.Combine(outDir, "results");
            var runs = NabBenchmark.RunAll(corpus, specs, p.GetValue(jobs), p.GetValue(round), ctx.Err, raw, ct, pooled: !p.GetValue(perDetector), share: !p.GetValue(noShare));
            var table = NabScoreboard.Write(runs, corpus, outDir);
            ctx.Out.Write(table.ToMarkdown());
            ctx.Out.WriteLine($"wrote {Path.Combine(outDir, "scoreboard.csv")}, scoreboard.md, scoreboard.tex" + (raw is null ? "" : $" and raw scores under {raw} (score them with 'aiopslab nab score {raw}')"));
            return 0;
        }));
        cmd.Subcommands.Add(run);
        return cmd;
    }
}
