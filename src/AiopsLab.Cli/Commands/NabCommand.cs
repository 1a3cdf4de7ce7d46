using System.CommandLine;
using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Evaluation;
using AiopsLab.Methods;
using AiopsLab.Reporting;
using AiopsLab.Catalog;

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

        var dirArg = new Argument<string>("dir") { Description = "Results folder: <category>/<detector>_<file>.csv with an anomaly_score column." };
        var detector = new Option<string>("--detector") { Description = "Detector name as in the file names and in config/thresholds.json.", Required = true };
        var score = new Command("score", "Score a NAB results folder with NAB's thresholds (config/thresholds.json) and print the normalised scores.") { dirArg, detector };
        score.SetAction(ctx.Guard((p, _) =>
        {
            var corpus = Corpus(p);
            var name = p.GetValue(detector)!;
            var thresholds = corpus.Thresholds();
            if (!thresholds.TryGetValue(name, out var t)) throw new UnknownNameException("detector in config/thresholds.json", name, thresholds.Keys);
            var r = NabBenchmark.ScoreResults(corpus, p.GetValue(dirArg)!, name, t);
            ctx.Out.WriteLine(string.Join(" ", r.Profiles.Select(x => $"{x.Profile}={NabScorer.Format(x.Normalized)}")));
            return 0;
        }));
        cmd.Subcommands.Add(score);

        var detectors = new Option<string>("--detectors") { Description = "Comma-separated detector specs (see 'aiopslab methods').", Required = true };
        var outOpt = new Option<string>("--out", "-o") { Description = "Output folder: scoreboard.{csv,md} and raw scores in NAB's results layout.", Required = true };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Series scored at once.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var round = new Option<int?>("--round") { Description = "Round scores to this many decimals before scoring, as NAB's results files do (12 reproduces NAB's published pipeline)." };
        var run = new Command("run", "Run detectors over NAB's series, optimise each one's threshold per profile as NAB does, and write a scoreboard beside the published one.") { detectors, outOpt, jobs, round };
        run.SetAction(ctx.Guard((p, ct) =>
        {
            var corpus = Corpus(p);
            var specs = MethodSpec.ParseList(p.GetValue(detectors)!).Select(s => s.ToString()).ToArray();
            var outDir = Path.GetFullPath(p.GetValue(outOpt)!);
            var table = RunAndWrite(ctx.Err, corpus, specs, outDir, p.GetValue(jobs), p.GetValue(round), ct);
            ctx.Out.Write(table.ToMarkdown());
            ctx.Out.WriteLine($"wrote {Path.Combine(outDir, "scoreboard.csv")}, scoreboard.md, scoreboard.tex and raw scores under {Path.Combine(outDir, "results")}");
            return 0;
        }));
        cmd.Subcommands.Add(run);
        return cmd;
    }

    /// <summary>
    /// Runs <paramref name="specs"/> over the corpus, writes raw scores in NAB's results layout under <c>OUT/results</c> and the
    /// scoreboard (ours beside NAB's published rows) as <c>OUT/scoreboard.{csv,md,tex}</c>, and returns the scoreboard.
    /// </summary>
    public static ReportTable RunAndWrite(TextWriter log, NabCorpus corpus, IReadOnlyList<string> specs, string outDir, int jobs, int? round, CancellationToken ct, bool writeRawScores = true)
    {
        var dets = specs.Select(MethodCatalog.CreateDetector).ToArray(); // validates every name first
        Directory.CreateDirectory(outDir);
        var results = new List<(string Spec, NabDetectorResult Result, double Seconds)>();
        for (int k = 0; k < dets.Length; k++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var (result, scores, secs) = NabBenchmark.Run(corpus, dets[k], jobs, ct, round);
            if (writeRawScores) NabBenchmark.WriteResults(Path.Combine(outDir, "results"), Slug(specs[k]), scores, corpus);
            results.Add((specs[k], result, secs));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{specs[k]}: {string.Join(" ", result.Profiles.Select(x => $"{x.Profile}={NabScorer.Format(x.Normalized)}"))} (detection {secs:0.00} s on {jobs} thread(s), {sw.Elapsed.TotalSeconds:0.0} s with scoring)"));
        }
        var table = Scoreboard(results, corpus.PublishedScores());
        table.Write(outDir, "scoreboard");
        return table;
    }

    /// <summary>File-name form of a spec (parameters kept, punctuation replaced).</summary>
    public static string Slug(string spec) => new(spec.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '=' ? c : '_').ToArray());

    /// <summary>Our detectors and NAB's published ones in one table, by standard score.</summary>
    public static ReportTable Scoreboard(IReadOnlyList<(string Spec, NabDetectorResult Result, double Seconds)> ours, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> published)
    {
        var table = new ReportTable
        {
            Title = "NAB scoreboard",
            Label = "tab:nab",
            Caption = "Normalised NAB scores (0 = null detector, 100 = perfect) per application profile. AiopsLab rows: thresholds optimised per profile over the corpus as NAB does; published rows: results/final_results.json of NAB v1.1. detect s: wall-clock seconds of detection alone over the whole corpus (the runs threads), scoring excluded.",
            FitWidth = true,
            Columns =
            [
                new TableColumn("Detector", "detector", Key: true), new TableColumn("Source", "source", Key: true),
                new TableColumn("standard", "standard", Better.Higher), new TableColumn("low FP", "reward_low_FP_rate", Better.Higher),
                new TableColumn("low FN", "reward_low_FN_rate", Better.Higher), new TableColumn("detect s", "detect_seconds"),
            ],
        };
        var rows = ours.Select(o => (Name: o.Spec, Source: "AiopsLab", Scores: NabCorpus.ProfileOrder.Select(pr => o.Result[pr].Normalized).ToArray(), Secs: (double?)o.Seconds))
            .Concat(published.Select(kv => (Name: kv.Key, Source: "NAB published", Scores: NabCorpus.ProfileOrder.Select(pr => kv.Value.TryGetValue(pr, out var v) ? v : double.NaN).ToArray(), Secs: (double?)null)))
            .OrderByDescending(r => r.Scores[0]).ThenBy(r => r.Name, StringComparer.Ordinal);
        table.Blocks.Add(rows.Select(r => new TableCell[]
        {
            r.Name, r.Source, TableCell.Number(r.Scores[0], 2), TableCell.Number(r.Scores[1], 2), TableCell.Number(r.Scores[2], 2),
            r.Secs is { } s ? TableCell.Number(s, 2) : "–",
        }).ToList());
        return table;
    }
}
