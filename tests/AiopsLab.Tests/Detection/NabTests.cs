using System.Globalization;
using System.Text.Json;
using AiopsLab.Datasets;
using AiopsLab.Detection;
using AiopsLab.Evaluation;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Detection;

public class NabScorerTests
{
    private static readonly NabCostMatrix Standard = new(1.0, 0.11, 1.0);

    [Fact]
    public void The_scaled_sigmoid_matches_the_values_NAB_documents()
    {
        // nab/sweeper.py docstring: S(-1) = 0.98661, S(-0.5) = 0.84828, S(0) = 0, S(1) = -0.98661; beyond 3: -1.
        Assert.Equal(0.98661, NabScorer.ScaledSigmoid(-1.0), 5);
        Assert.Equal(0.84828, NabScorer.ScaledSigmoid(-0.5), 5);
        Assert.Equal(0.0, NabScorer.ScaledSigmoid(0.0), 12);
        Assert.Equal(-0.98661, NabScorer.ScaledSigmoid(1.0), 5);
        Assert.Equal(-1.0, NabScorer.ScaledSigmoid(3.5));
    }

    [Fact]
    public void A_hand_built_series_scores_as_the_rules_say()
    {
        // 100 points, probationary = min(floor(15), 750) = 15; one window [50, 59] (width 10).
        var windows = new[] { (50, 59) };
        double[] scores = new double[100];
        // No detection: one missed window.
        Assert.Equal(-1.0, NabScorer.ScoreAt(NabScorer.Sweep(scores, windows, Standard), 0.5, Standard).Score, 12);
        // Detection at the window's first point is worth exactly tpWeight; a later second detection does not add.
        scores[50] = 1; scores[55] = 1;
        Assert.Equal(1.0, NabScorer.ScoreAt(NabScorer.Sweep(scores, windows, Standard), 0.5, Standard).Score, 12);
        // Detection at the last point only: S(-1/10)/S(-1).
        scores = new double[100]; scores[59] = 1;
        Assert.Equal(NabScorer.ScaledSigmoid(-0.1) / NabScorer.ScaledSigmoid(-1), NabScorer.ScoreAt(NabScorer.Sweep(scores, windows, Standard), 0.5, Standard).Score, 12);
        // A false positive 9 points after the window: S(9/9) * 0.11, plus the missed window.
        scores = new double[100]; scores[68] = 1;
        Assert.Equal(-1.0 + NabScorer.ScaledSigmoid(1.0) * 0.11, NabScorer.ScoreAt(NabScorer.Sweep(scores, windows, Standard), 0.5, Standard).Score, 12);
        // Before any window: -fpWeight. Inside the probationary period: ignored.
        scores = new double[100]; scores[20] = 1; scores[5] = 1;
        Assert.Equal(-1.0 - 0.11, NabScorer.ScoreAt(NabScorer.Sweep(scores, windows, Standard), 0.5, Standard).Score, 12);
    }

    [Fact]
    public void The_threshold_sweep_agrees_with_scoring_at_each_threshold()
    {
        var rng = new AiopsLab.Numerics.Rng(3);
        var scores = Enumerable.Range(0, 400).Select(_ => Math.Round(rng.NextDouble(), 2)).ToArray();
        var windows = new[] { (100, 139), (250, 289) };
        var points = NabScorer.Sweep(scores, windows, Standard);
        foreach (var s in NabScorer.ScoreByThreshold(points, Standard))
        {
            var direct = NabScorer.ScoreAt(points, s.Threshold, Standard);
            Assert.Equal(direct.Score, s.Score, 9);
            Assert.Equal((direct.Tp, direct.Fp, direct.Fn, direct.Tn), (s.Tp, s.Fp, s.Fn, s.Tn));
        }
        Assert.Equal(NabScorer.ScoreByThreshold(points, Standard).Max(s => s.Score), NabScorer.Optimize(points, Standard).Score);
    }
}

public class NabParityTests
{
    private static string Nab => TestData.For("nab");

    private static IReadOnlyDictionary<string, double> Published(string detector)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Nab, "results", "final_results.json")));
        return doc.RootElement.GetProperty(detector).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
    }

    [DataFact("nab")]
    public void Nab_score_of_the_published_windowed_gaussian_results_prints_the_published_scores()
    {
        var r = CliRunner.Run("nab", "score", Path.Combine(Nab, "results"), "--detector", "windowedGaussian", "--thresholds", "nab", "--data-root", TestData.Root);
        Assert.True(r.ExitCode == 0, r.Err);
        var got = Parse(r.Out)["windowedGaussian"];
        foreach (var (profile, score) in Published("windowedGaussian"))
            Assert.InRange(got[profile], score - 0.01, score + 0.01);
    }

    /// <summary>Lines "detector: profile=score ..." as 'nab score' prints them.</summary>
    private static Dictionary<string, Dictionary<string, double>> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split(": ", 2))
            .ToDictionary(p => p[0], p => p[1].Split(' ').Select(kv => kv.Split('='))
                .ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture)));

    [DataFact("nab")]
    public void Nab_score_of_the_raw_output_of_nab_run_gives_the_scoreboards_numbers()
    {
        // 'nab run' writes NAB's results layout; scoring that folder again (threshold optimised per profile from the files alone)
        // must give exactly the scoreboard's numbers, and the files must be NAB's format (scores in [0, 1], labels 0/1).
        var dir = Directory.CreateTempSubdirectory("nab-run-").FullName;
        try
        {
            var run = CliRunner.Run("nab", "run", "--detectors", "ewma,n-sigma", "--out", dir, "-j", "2", "--data-root", TestData.Root);
            Assert.True(run.ExitCode == 0, run.Err);
            var board = File.ReadAllLines(Path.Combine(dir, "scoreboard.csv"));
            var header = board[0].Split(',');
            var file = Path.Combine(dir, "results", "ewma", "realKnownCause", "ewma_nyc_taxi.csv");
            var lines = File.ReadAllLines(file);
            Assert.Equal("timestamp,value,anomaly_score,label", lines[0]);
            Assert.All(lines.Skip(1), l => Assert.InRange(double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture), 0.0, 1.0));
            Assert.Contains(lines.Skip(1), l => l.EndsWith(",1", StringComparison.Ordinal));
            var score = CliRunner.Run("nab", "score", Path.Combine(dir, "results"), "--data-root", TestData.Root);
            Assert.True(score.ExitCode == 0, score.Err);
            var got = Parse(score.Out);
            Assert.Equal(["ewma", "n-sigma"], got.Keys.Order(StringComparer.Ordinal));
            foreach (var det in got.Keys)
            {
                var row = board.Select(l => l.Split(',')).Single(f => f[0] == det && f[1] == "AiopsLab");
                foreach (var profile in NabCorpus.ProfileOrder)
                    Assert.Equal(double.Parse(row[Array.IndexOf(header, profile)], CultureInfo.InvariantCulture), got[det][profile], 2);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [DataFact("nab")]
    public void Per_file_raw_scores_match_NABs_own_score_files()
    {
        var corpus = NabCorpus.Open(Nab);
        var thresholds = corpus.Thresholds()["windowedGaussian"];
        var result = NabBenchmark.ScoreResults(corpus, Path.Combine(Nab, "results", "windowedGaussian"), "windowedGaussian", thresholds);
        foreach (var profile in NabCorpus.ProfileOrder)
        {
            // NAB's per-file rows: Detector,Profile,File,Threshold,Score,...
            var rows = File.ReadAllLines(Path.Combine(Nab, "results", "windowedGaussian", $"windowedGaussian_{profile}_scores.csv")).Skip(1)
                .Select(l => l.Split(',')).Where(f => f[0] == "windowedGaussian").ToDictionary(f => f[2], f => double.Parse(f[4], CultureInfo.InvariantCulture));
            var ours = result.PerFile[profile].ToDictionary(x => x.File, x => x.Raw);
            Assert.Equal(58, rows.Count);
            foreach (var (f, raw) in rows) Assert.Equal(raw, ours[f], 8);
        }
        // (The per-row S(t)_<profile> columns of these files are not compared: they were written by an older NAB scorer,
        // e.g. -1.0 at five nyc_taxi rows whose scores are below the threshold, which NAB v1.1's sweeper never produces.)
    }

    [DataFact("nab")]
    public void Our_windowed_gaussian_at_NABs_result_precision_reproduces_the_published_row()
    {
        // NAB's pipeline stores scores with 12 decimals; with the same rounding our detector gives NAB's published scores.
        var corpus = NabCorpus.Open(Nab);
        var (result, _, _) = NabBenchmark.Run(corpus, new WindowedGaussian(), jobs: 2, roundDigits: 12);
        foreach (var (profile, score) in Published("windowedGaussian"))
            Assert.InRange(result[profile].Normalized, score - 0.01, score + 0.01);
    }

    [DataFact("nab")]
    public void The_pooled_and_the_per_detector_schedules_give_the_same_scores()
    {
        // RunAll's pool (every (detector, series) item longest first) and the detectors one after another: same raw scores,
        // same NAB results; the pool reports one wall and each row its share, the other each row's wall and their sum.
        var corpus = NabCorpus.Open(Nab);
        string[] specs = ["n-sigma", "windowed-gaussian", "relative-entropy"];
        var dir = Directory.CreateTempSubdirectory("nab-schedule").FullName;
        try
        {
            var pooled = NabBenchmark.RunAll(corpus, specs, 2, null, TextWriter.Null, Path.Combine(dir, "pooled"));
            var serial = NabBenchmark.RunAll(corpus, specs, 2, null, TextWriter.Null, Path.Combine(dir, "serial"), pooled: false);
            Assert.True(pooled.Pooled); Assert.False(serial.Pooled);
            Assert.Equal(specs, pooled.Select(r => r.Spec));
            for (int k = 0; k < specs.Length; k++)
                Assert.Equal(pooled[k].Result.Profiles, serial[k].Result.Profiles);
            Assert.Equal(serial.Sum(r => r.DetectSeconds), serial.DetectWallSeconds, 9);
            Assert.True(pooled.DetectWallSeconds > 0);
            foreach (var f in Directory.EnumerateFiles(Path.Combine(dir, "pooled"), "*.csv", SearchOption.AllDirectories))
                Assert.Equal(File.ReadAllText(f), File.ReadAllText(f.Replace(Path.Combine(dir, "pooled"), Path.Combine(dir, "serial"))));
            Assert.Equal(3 * 58, Directory.EnumerateFiles(Path.Combine(dir, "pooled"), "*.csv", SearchOption.AllDirectories).Count());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [DataFact("nab")]
    public void Post_processors_that_read_a_rows_scores_give_the_bits_of_running_their_inner_detector_again()
    {
        // Shared (default): likelihood and spatial over windowed-gaussian, and spatial over that likelihood, read the scores of the
        // rows they post-process; spatial over relative-entropy (not a row) runs its inner detector. Against --no-share, where every
        // row runs from scratch: byte-identical raw files and equal NAB results.
        var corpus = NabCorpus.Open(Nab);
        string[] specs = ["windowed-gaussian", "likelihood(of=windowed-gaussian)", "spatial(of=windowed-gaussian)",
            "spatial(of=likelihood(of=windowed-gaussian))", "spatial(of=relative-entropy)"];
        var dir = Directory.CreateTempSubdirectory("nab-share").FullName;
        try
        {
            var shared = NabBenchmark.RunAll(corpus, specs, 2, null, TextWriter.Null, Path.Combine(dir, "shared"));
            var fresh = NabBenchmark.RunAll(corpus, specs, 2, null, TextWriter.Null, Path.Combine(dir, "fresh"), share: false);
            Assert.Equal(3, shared.Shared); Assert.Equal(0, fresh.Shared);
            Assert.Contains("3 post-processor row(s)", shared.Describe());
            Assert.DoesNotContain("post-processor", fresh.Describe());
            for (int k = 0; k < specs.Length; k++)
                Assert.Equal(fresh[k].Result.Profiles, shared[k].Result.Profiles);
            var files = Directory.EnumerateFiles(Path.Combine(dir, "shared"), "*.csv", SearchOption.AllDirectories).ToArray();
            Assert.Equal(specs.Length * 58, files.Length);
            foreach (var f in files)
                Assert.Equal(File.ReadAllText(f), File.ReadAllText(f.Replace(Path.Combine(dir, "shared"), Path.Combine(dir, "fresh"))));
            // The likelihood's scores are not windowed-gaussian's own: the comparison above is not between copies of one row.
            Assert.NotEqual(File.ReadAllText(files.First(f => f.Contains("/windowed-gaussian/"))),
                File.ReadAllText(files.First(f => f.Contains("/likelihood_of=windowed-gaussian_/"))));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Scoring_from_inner_scores_equals_scoring_the_series()
    {
        // ScoreFromInner is the post-processing of Score: over a generated series with a spike and a level shift, likelihood and
        // spatial computed from their inner detector's scores equal their own Score bit for bit; a wrong length is refused.
        var rng = new Random(7);
        var x = Enumerable.Range(0, 1500).Select(i => Math.Sin(i / 20.0) + 0.1 * rng.NextDouble() + (i == 900 ? 5 : 0) + (i > 1200 ? 2 : 0)).ToArray();
        foreach (var spec in new[] { "likelihood(of=windowed-gaussian,learning-period=100,estimation-samples=100)", "spatial(of=windowed-gaussian)" })
        {
            var p = (AiopsLab.Catalog.PostProcessedDetector)AiopsLab.Catalog.MethodCatalog.CreateDetector(spec);
            var inner = AiopsLab.Catalog.MethodCatalog.CreateDetector(p.InnerName).Score(x);
            var copy = (double[])inner.Clone();
            Assert.Equal(p.Score(x), p.ScoreFromInner(x, inner));
            Assert.Equal(copy, inner);
            Assert.Throws<AiopsLab.Data.AiopsLabException>(() => p.ScoreFromInner(x, inner[1..]));
        }
    }
}
