using AiopsLab.Datasets;
using AiopsLab.Detection;
using AiopsLab.Evaluation;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>
/// Our reimplementations of NAB's published detectors against NAB's own artefacts: the raw per-series outputs NAB published
/// (<c>nab/results/&lt;detector&gt;/&lt;category&gt;/&lt;detector&gt;_&lt;file&gt;.csv.gz</c>, written by Python with 12 significant
/// decimals, hence the 10⁻⁹ tolerance) and the published scoreboard (<c>results/final_results.json</c>, ±0.5 as issue 14 asks).
/// The gaps that remain are explained in docs/detection.md ("NAB's published detectors").
/// </summary>
public class NabParityPublishedDetectorsTests
{
    private static string Nab => TestData.For("nab");

    /// <summary>Points of one series whose score is within 10⁻⁹ of NAB's published one.</summary>
    private static (int Equal, int Total) Agreement(NabCorpus corpus, IAnomalyDetector detector, string published, string file)
    {
        var series = corpus.Load(file);
        var ours = detector.Score(series.Values);
        var path = Path.Combine(Nab, "results", published, series.Category, published + "_" + series.FileName + ".gz");
        var theirs = PublishedScores(path);
        Assert.Equal(theirs.Length, ours.Length);
        return (ours.Zip(theirs).Count(p => Math.Abs(p.First - p.Second) <= 1e-9), ours.Length);
    }

    /// <summary>The anomaly_score column of a gzip-compressed NAB results file.</summary>
    private static double[] PublishedScores(string path)
    {
        using var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress));
        int col = Array.IndexOf(reader.ReadLine()!.Split(','), "anomaly_score");
        Assert.True(col >= 0, $"{path}: no anomaly_score column");
        var scores = new List<double>();
        while (reader.ReadLine() is { Length: > 0 } line)
            scores.Add(double.Parse(line.Split(',')[col], System.Globalization.CultureInfo.InvariantCulture));
        return scores.ToArray();
    }

    private static IEnumerable<string> Files(NabCorpus corpus, params string[] categories) =>
        corpus.Files.Where(f => categories.Contains(f.Split('/')[0]));

    [DataFact("nab")]
    public void ContextOse_raw_scores_equal_the_published_ones()
    {
        var corpus = NabCorpus.Open(Nab);
        var files = Files(corpus, "artificialNoAnomaly", "artificialWithAnomaly", "realKnownCause", "realAdExchange").ToList();
        Assert.Equal(24, files.Count);
        foreach (var f in files)
        {
            var (eq, n) = Agreement(corpus, new ContextOse(), "contextOSE", f);
            // The one series of the corpus that differs (docs: NAB's own code under Python 2.7 also reproduces 57/58 files).
            if (f.EndsWith("ec2_request_latency_system_failure.csv", StringComparison.Ordinal)) Assert.True(eq >= 0.85 * n, $"{f}: {eq}/{n}");
            else Assert.True(eq == n, $"{f}: only {eq}/{n} points equal NAB's published contextOSE scores.");
        }
    }

    [DataFact("nab")]
    public void Knncad_raw_scores_equal_the_published_ones_on_the_real_series_without_near_ties()
    {
        var corpus = NabCorpus.Open(Nab);
        var files = Files(corpus, "realKnownCause", "realAdExchange", "realTraffic").ToList();
        Assert.Equal(20, files.Count);
        foreach (var f in files)
        {
            var (eq, n) = Agreement(corpus, new Knncad(), "knncad", f);
            Assert.True(eq == n, $"{f}: only {eq}/{n} points equal NAB's published knncad scores.");
        }
        // Noise-free periodic series repeat lag vectors exactly, so calibration scores tie with the new one and the strict
        // comparison flips with the last bit of a 27-term sum (numpy's partition order and BLAS); there, agreement is partial.
        var (e2, n2) = Agreement(corpus, new Knncad(), "knncad", "artificialNoAnomaly/art_daily_no_noise.csv");
        Assert.InRange((double)e2 / n2, 0.5, 1.0);
    }

    [DataFact("nab")]
    public void Whole_corpus_scores_are_within_half_a_point_of_the_published_board()
    {
        var corpus = NabCorpus.Open(Nab);
        var published = corpus.PublishedScores();
        foreach (var (ours, theirs) in new (IAnomalyDetector, string)[] { (new RelativeEntropy(), "relativeEntropy"), (new Knncad(), "knncad"), (new ContextOse(), "contextOSE") })
        {
            var (result, _, _) = NabBenchmark.Run(corpus, ours, jobs: 2);
            foreach (var (profile, score) in published[theirs])
                Assert.True(Math.Abs(result[profile].Normalized - score) <= 0.5, $"{ours.Name} {profile}: {result[profile].Normalized:F2} vs published {score:F2}");
        }
    }

    [DataFact("nab")]
    public void Bayes_changepoint_at_NABs_thresholds_scores_NABs_published_row()
    {
        // NAB's README scoreboard: Bayesian Changepoint 17.7 / 3.2 / 32.2 (standard / low FP / low FN); the row is not in
        // final_results.json. At NAB's own thresholds (config/thresholds.json) our scores give that row; our optimiser finds a
        // better low-FP threshold than NAB's (docs/detection.md), so the thresholds are NAB's here.
        var corpus = NabCorpus.Open(Nab);
        var (_, scores, _) = NabBenchmark.Run(corpus, new BayesChangePoint(), jobs: 2);
        var dir = Path.Combine(Path.GetTempPath(), "aiopslab-bayes-" + Environment.ProcessId);
        try
        {
            NabBenchmark.WriteResults(dir, "bayesChangePt", scores, corpus);
            var r = NabBenchmark.ScoreResults(corpus, Path.Combine(dir, "bayesChangePt"), "bayesChangePt", corpus.Thresholds()["bayesChangePt"]);
            var expected = new Dictionary<string, double> { ["standard"] = 17.7, ["reward_low_FP_rate"] = 3.2, ["reward_low_FN_rate"] = 32.2 };
            foreach (var (profile, score) in expected)
                Assert.True(Math.Abs(r[profile].Normalized - score) <= 0.5, $"{profile}: {r[profile].Normalized:F2} vs published {score}");
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void Python_2_tuple_hash_matches_values_CPython_2_7_prints()
    {
        // Values printed by CPython 2.7.18 (64-bit): hash(()), hash((1, 2)), hash((0,)), hash((2**31 + 5, 3, 0)).
        Assert.Equal(3527539L, Py2.TupleHash([]));
        Assert.Equal(3713081631934410656L, Py2.TupleHash([1, 2]));
        Assert.Equal(3430018387555L, Py2.TupleHash([0]));
        Assert.Equal(7077223726623676007L, Py2.TupleHash([(1L << 31) + 5, 3, 0]));
    }

    [Fact]
    public void Python_2_dict_iterates_int_keys_in_CPython_2_7_order()
    {
        // CPython 2.7.18: d = {}; for k in [13, 5, 21, 8, 0, 29, 3, 40, 100, 7, 64, 9]: d.setdefault(k, len(d)); d.keys()
        // prints [0, 64, 3, 100, 5, 7, 8, 9, 13, 40, 21, 29] (two resizes on the way).
        var d = new Py2IntDict();
        int[] keys = [13, 5, 21, 8, 0, 29, 3, 40, 100, 7, 64, 9];
        foreach (var k in keys)
        {
            d.SetDefault(k, d.Count);
            Assert.Equal(d.Count, d.Items().Length);   // asked after every insertion: a stale list would show below
        }
        var items = d.Items().ToArray();
        Assert.Equal([0, 64, 3, 100, 5, 7, 8, 9, 13, 40, 21, 29], items.Select(i => i.Key));
        Assert.All(items, i => Assert.Equal(Array.IndexOf(keys, i.Key), i.Value));
    }

    [Fact]
    public void Bayes_changepoint_scores_a_level_shift_after_a_long_run()
    {
        // Adams & MacKay's run length grows through a stationary stretch and collapses at a change: NAB's score 1 − r*/r*₋
        // is 0 through the stretch and close to 1 right after the shift.
        var rng = new AiopsLab.Numerics.Rng(7);
        var x = Enumerable.Range(0, 400).Select(i => (i < 300 ? 0.0 : 10.0) + rng.NextNormal()).ToArray();
        var s = new BayesChangePoint().Score(x);
        Assert.True(s.Skip(300).Take(5).Max() > 0.9, $"max after the shift {s.Skip(300).Take(5).Max()}");
        Assert.True(s.Skip(100).Take(190).Max() < 0.5, $"max in the stretch {s.Skip(100).Take(190).Max()}");
    }
}
