using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Catalog;
using AiopsLab.Detection;
using AiopsLab.Methods;

namespace AiopsLab.Evaluation;

/// <summary>A detector's NAB result for one profile: raw corpus score, normalised score, threshold and confusion counts.</summary>
public sealed record NabProfileScore(string Profile, double Threshold, double Raw, double Normalized, int Tp, int Tn, int Fp, int Fn);

/// <summary>A detector's NAB result: one <see cref="NabProfileScore"/> per profile, plus per-file raw scores per profile.</summary>
public sealed record NabDetectorResult(string Detector, IReadOnlyList<NabProfileScore> Profiles,
    IReadOnlyDictionary<string, IReadOnlyList<(string File, double Raw)>> PerFile)
{
    public NabProfileScore this[string profile] => Profiles.Single(p => p.Profile == profile);
}

/// <summary>One detector's NAB run: its spec, its result, and the seconds of detection alone (NaN when only scored): in
/// <see cref="NabBenchmark.RunAll"/>, its (detector, series) items' seconds summed over the threads and divided by their number.</summary>
public sealed record NabRun(string Spec, NabDetectorResult Result, double DetectSeconds);

/// <summary>
/// The runs of <see cref="NabBenchmark.RunAll"/> and the one wall-clock time of their detection: every detector over every series of
/// the corpus (<paramref name="Points"/> points each) on <paramref name="Jobs"/> threads, scoring excluded, JIT compilation included.
/// <paramref name="Shared"/> post-processor rows read the scores of the row they post-process instead of running it again.
/// </summary>
public sealed record NabRunSet(IReadOnlyList<NabRun> Runs, double DetectWallSeconds, int Jobs, long Points, bool Pooled = true, int Shared = 0)
    : IReadOnlyList<NabRun>
{
    public NabRun this[int index] => Runs[index];
    public int Count => Runs.Count;
    public IEnumerator<NabRun> GetEnumerator() => Runs.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One sentence for logs and the scoreboard's notes.</summary>
    public string Describe() => Pooled
        ? string.Create(CultureInfo.InvariantCulture,
            $"Detection, all {Runs.Count} detector(s) over the whole corpus ({Points:N0} points each): {DetectWallSeconds:0.00} s wall on {Jobs} thread(s), " +
            $"(detector, series) items longest series first, one at a time, no barrier between detectors; JIT compilation included, scoring excluded. " +
            $"Each row's detect s is its items' seconds over the {Jobs} thread(s) (sum {Runs.Sum(r => r.DetectSeconds):0.00} s).") +
            (Shared == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" {Shared} post-processor row(s) (likelihood, spatial) read the scores of the row they post-process, run once per series ") +
                "(the same bits as running it again; --no-share runs it again): their detect s is the post-processing alone, the inner detector's seconds stay in its own row.")
        : string.Create(CultureInfo.InvariantCulture,
            $"Detection, all {Runs.Count} detector(s) over the whole corpus ({Points:N0} points each): {DetectWallSeconds:0.00} s wall on {Jobs} thread(s), " +
            $"the detectors one after another (each one's series longest first, one at a time); JIT compilation included, scoring excluded. " +
            $"Each row's detect s is its own wall.");
}

/// <summary>
/// Runs NAB's benchmark (Lavin &amp; Ahmad, ICMLA 2015) with <see cref="NabScorer"/>: scores a results folder in NAB's layout
/// at given thresholds (<see cref="ScoreResults"/>), or runs detectors over the corpus, optimises each one's threshold
/// per profile over the whole corpus as NAB's optimizer does, and scores them (<see cref="Run"/>).
/// </summary>
public static class NabBenchmark
{
    /// <summary>
    /// Scores NAB result files <c>DIR/&lt;category&gt;/&lt;detector&gt;_&lt;file&gt;.csv</c> (column <c>anomaly_score</c>) at the
    /// given threshold per profile.
    /// </summary>
    public static NabDetectorResult ScoreResults(NabCorpus corpus, string resultsDir, string detector, IReadOnlyDictionary<string, double> thresholds)
    {
        var series = Read(corpus, resultsDir, detector);
        return Score(corpus, detector, series, p => thresholds.TryGetValue(p, out var t) ? t
            : throw new AiopsLabException($"no threshold for detector '{detector}', profile '{p}'."));
    }

    /// <summary>Reads a detector's result files <c>DIR/&lt;category&gt;/&lt;detector&gt;_&lt;file&gt;.csv</c> with the label windows of each.</summary>
    private static List<(string File, double[] Scores, IReadOnlyList<(int, int)> Windows)> Read(NabCorpus corpus, string resultsDir, string detector)
    {
        if (!Directory.Exists(resultsDir)) throw new AiopsLabException($"results folder '{resultsDir}' does not exist.");
        var series = new List<(string File, double[] Scores, IReadOnlyList<(int, int)> Windows)>();
        foreach (var file in corpus.Files)
        {
            var category = file.Split('/')[0];
            var path = Path.Combine(resultsDir, category, detector + "_" + Path.GetFileName(file));
            if (!File.Exists(path)) throw new AiopsLabException($"'{path}' is missing: a NAB results folder holds <category>/{detector}_<file>.csv for every data file.");
            var (times, scores) = NabCorpus.ReadTimestamped(path, "anomaly_score");
            series.Add((file, scores, corpus.WindowIndices(file, times)));
        }
        return series;
    }

    /// <summary>
    /// Runs a detector over every series of the corpus (in parallel over series, longest first, one at a time per thread;
    /// results do not depend on the order) and
    /// scores it with thresholds optimised per profile. A detector with a configurable warm-up (<see cref="IConfigurableWarmup"/>)
    /// learns from each series' probationary period, as NAB hands it to every detector; a detector that reads time
    /// (<see cref="ITimedDetector"/>) gets each series' timestamps. Scores reach NAB in [0, 1]: a detector's
    /// own bounded form (<see cref="IGradedScore"/>), scores already in [0, 1] as they are, and otherwise the monotone
    /// u ↦ ½ + ½·u/(1 + |u|) over the whole corpus, which leaves every possible set of detections unchanged.
    /// </summary>
    /// <param name="roundDigits">When set, scores are rounded to this many decimals before scoring, as NAB's results files
    /// hold them (12: pandas writes NAB's detector output with 12 significant decimals, which moves scores within 5·10⁻¹³ of 1
    /// onto 1.0 and changes which points NAB's threshold 1.0 detects).</param>
    public static (NabDetectorResult Result, IReadOnlyList<(NabSeries Series, double[] Scores)> Scores, double DetectSeconds) Run(
        NabCorpus corpus, IAnomalyDetector detector, int jobs = 1, CancellationToken ct = default, int? roundDigits = null)
    {
        var all = corpus.Files.Select(corpus.Load).ToArray();
        var (scores, _, wall, _) = Detect(all, [detector], jobs, ct);
        var (result, output) = Finish(corpus, all, detector, scores[0], roundDigits);
        return (result, output, wall);
    }

    /// <summary>
    /// Runs every detector over every series: the (detector, series) work items longest series first (ties in detector, then
    /// file order), handed out one at a time to <paramref name="jobs"/> threads, so the long series start first and the short
    /// ones fill the tail. Results do not depend on the order (each item has its own detector state). Returns the scores, each
    /// item's seconds (Stopwatch on its thread) and the wall seconds of the whole detection (JIT compilation of each detector's
    /// code included: it happens in the first item of each).
    /// </summary>
    /// <param name="share">When true, a post-processor (<see cref="PostProcessedDetector"/>: <c>likelihood</c>, <c>spatial</c>)
    /// whose inner detector is itself one of <paramref name="dets"/> reads that detector's scores of the series
    /// (<see cref="PostProcessedDetector.ScoreFromInner"/>) instead of running it again: one item then runs the inner detector and,
    /// after it, every post-processor over it (nested ones too), each timed on its own, so a post-processor's seconds are its
    /// post-processing alone and the inner detector's stay in its own row. The scores are the same bits either way.</param>
    /// <param name="progress">When set, a line each time another tenth of the items has finished (items done, elapsed seconds):
    /// a pooled run of many detectors is otherwise silent until its detection ends.</param>
    private static (double[][][] Scores, double[][] Seconds, double Wall, int Shared) Detect(NabSeries[] all, IAnomalyDetector[] dets, int jobs,
        CancellationToken ct, TextWriter? progress = null, bool share = false)
    {
        var scores = dets.Select(_ => new double[all.Length][]).ToArray();
        var seconds = dets.Select(_ => new double[all.Length]).ToArray();
        var readers = SharedInners(dets, share);
        var reads = readers.SelectMany(r => r).ToHashSet(); // rows run inside the item of the row they read
        var items = new List<(int Det, int Series)>((dets.Length - reads.Count) * all.Length);
        for (int k = 0; k < dets.Length; k++)
            if (!reads.Contains(k))
                for (int i = 0; i < all.Length; i++) items.Add((k, i));
        // Longest first; OrderBy is stable, so ties keep detector order, then file order.
        var order = items.OrderByDescending(x => all[x.Series].Values.Length).ToArray();
        int done = 0, total = dets.Length * all.Length;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(order, System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs), CancellationToken = ct }, item =>
            {
                var (root, i) = item;
                var s = all[i];
                int n = 0;
                void Run(int k, double[]? inner)
                {
                    long start = System.Diagnostics.Stopwatch.GetTimestamp();
                    var det = ForSeries(dets[k], s.Values.Length);
                    scores[k][i] = inner is not null ? ((PostProcessedDetector)det).ScoreFromInner(s.Values, inner)
                        : det is ITimedDetector timed ? timed.Score(s.Values, s.Timestamps) : det.Score(s.Values);
                    seconds[k][i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
                    n++;
                    foreach (int r in readers[k]) Run(r, scores[k][i]);
                }
                Run(root, null);
                int finished = Interlocked.Add(ref done, n);
                if (progress is not null && finished * 10L / total > (finished - n) * 10L / total)
                    lock (order)
                        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"detection: {finished}/{total} (detector, series) items done, {sw.Elapsed.TotalSeconds:0.0} s"));
            });
        return (scores, seconds, sw.Elapsed.TotalSeconds, reads.Count);
    }

    /// <summary>For each detector, the post-processors among <paramref name="dets"/> that read its scores (in their order):
    /// every <see cref="PostProcessedDetector"/> whose inner detector has the name of another detector of the set. Empty lists
    /// when <paramref name="share"/> is false.</summary>
    private static List<int>[] SharedInners(IAnomalyDetector[] dets, bool share)
    {
        var readers = dets.Select(_ => new List<int>()).ToArray();
        if (!share) return readers;
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < dets.Length; k++) byName.TryAdd(dets[k].Name, k);
        for (int k = 0; k < dets.Length; k++)
            if (dets[k] is PostProcessedDetector p && byName.TryGetValue(p.InnerName, out int j) && j != k)
                readers[j].Add(k);
        return readers;
    }

    /// <summary>Checks a detector's scores, bounds them into [0, 1], rounds them if asked, and scores them with optimised thresholds.</summary>
    private static (NabDetectorResult Result, IReadOnlyList<(NabSeries Series, double[] Scores)> Scores) Finish(NabCorpus corpus, NabSeries[] all,
        IAnomalyDetector detector, double[][] scores, int? roundDigits)
    {
        for (int i = 0; i < scores.Length; i++)
            if (scores[i].Length != all[i].Values.Length)
                throw new AiopsLabException($"detector '{detector.Name}' returned {scores[i].Length} scores for {all[i].Values.Length} points of {all[i].Path}.");
        Bound(detector, scores);
        if (roundDigits is { } digits)
            foreach (var s in scores)
                for (int j = 0; j < s.Length; j++) s[j] = Math.Round(s[j], digits, MidpointRounding.ToEven);
        var series = all.Select((s, i) => (s.Path, scores[i], corpus.WindowIndices(s.Path, s.Timestamps))).ToList();
        var result = Score(corpus, detector.Name, series, null);
        return (result, all.Select((s, i) => (s, scores[i])).ToArray());
    }

    /// <summary>The detector NAB runs on a series of <paramref name="n"/> points: its warm-up set to the probationary period when it has one.</summary>
    public static IAnomalyDetector ForSeries(IAnomalyDetector detector, int n) =>
        detector is IConfigurableWarmup w ? w.WithWarmup((int)NabScorer.ProbationaryLength(n)) : detector;

    /// <summary>Maps every score into [0, 1] in place (see <see cref="Run"/>); NaN scores become 0.</summary>
    public static void Bound(IAnomalyDetector detector, double[][] scores)
    {
        Func<double, double>? map = detector is IGradedScore g ? g.Grade
            : scores.All(s => s.All(v => v is >= 0 and <= 1)) ? null
            : u => 0.5 + 0.5 * u / (1 + Math.Abs(u));
        if (map is null) return;
        foreach (var s in scores)
            for (int j = 0; j < s.Length; j++)
                s[j] = double.IsNaN(s[j]) ? 0 : Math.Clamp(map(s[j]), 0, 1);
    }

    /// <summary>Scores series at a fixed threshold per profile, or (when <paramref name="threshold"/> is null) at the optimised one.</summary>
    private static NabDetectorResult Score(NabCorpus corpus, string detector,
        IReadOnlyList<(string File, double[] Scores, IReadOnlyList<(int, int)> Windows)> series, Func<string, double>? threshold)
    {
        var profiles = new List<NabProfileScore>();
        var perFile = new Dictionary<string, IReadOnlyList<(string, double)>>(StringComparer.Ordinal);
        foreach (var name in NabCorpus.ProfileOrder.Where(corpus.Profiles.ContainsKey))
        {
            var cost = corpus.Profiles[name];
            var points = new List<NabPoint>();
            var fileRanges = new List<(string File, int From, int Count)>();
            int windowId = 0;
            foreach (var (file, scores, windows) in series)
            {
                fileRanges.Add((file, points.Count, scores.Length));
                points.AddRange(NabScorer.Sweep(scores, windows, cost, windowId));
                windowId += windows.Count;
            }
            var at = threshold is null ? NabScorer.Optimize(points, cost) : NabScorer.ScoreAt(points, threshold(name), cost);
            double nullScore = NabScorer.NullScore(points, cost);
            profiles.Add(new NabProfileScore(name, at.Threshold, at.Score, NabScorer.Normalize(at.Score, nullScore, corpus.WindowCount, cost),
                at.Tp, at.Tn, at.Fp, at.Fn));
            perFile[name] = fileRanges.Select(r => (r.File, NabScorer.ScoreAt(points.Skip(r.From).Take(r.Count), at.Threshold, cost).Score)).ToArray();
        }
        return new NabDetectorResult(detector, profiles, perFile);
    }

    /// <summary>Names of every registered detector that can stream (<see cref="IStreamingDetector"/>), at its defaults: <c>all</c>.</summary>
    public static IReadOnlyList<string> StreamingDetectors() =>
        MethodCatalog.OfKind(MethodKind.Detector).Where(m => MethodCatalog.CreateDetector(m.Name) is IStreamingDetector).Select(m => m.Name).ToArray();

    /// <summary>Detector specs from a comma-separated list; <c>all</c> stands for <see cref="StreamingDetectors"/>.</summary>
    public static IReadOnlyList<string> ParseDetectors(string list)
    {
        var specs = new List<string>();
        foreach (var s in MethodSpec.ParseList(list).Select(s => s.ToString()))
            specs.AddRange(s == "all" ? StreamingDetectors() : [s]);
        var distinct = specs.Distinct(StringComparer.Ordinal).ToArray();
        MethodCatalog.CheckDistinctDetectors(distinct); // two spellings of one configuration are refused
        return distinct;
    }

    /// <summary>
    /// Runs every spec over the corpus, logging one line per detector, and — when <paramref name="rawDir"/> is set — writes each
    /// one's scores in NAB's results layout under it (<see cref="WriteResults"/>, folder name <see cref="Slug"/>). Detection is one
    /// pool: every (detector, series) item, longest series first, one at a time to <paramref name="jobs"/> threads (no barrier
    /// between detectors), timed as one wall (<see cref="NabRunSet.DetectWallSeconds"/>); each detector's
    /// <see cref="NabRun.DetectSeconds"/> is its items' seconds summed and divided by the thread count, its share of that wall.
    /// Scoring (thresholds optimised per profile as <see cref="Run"/> does) follows, detector by detector.
    /// </summary>
    /// <param name="pooled">False: the detectors one after another instead, each one's series longest first, and each row's
    /// detect s its own wall (the total is their sum), to compare with the pool on the same machine.</param>
    /// <param name="share">Pooled runs only: a post-processor (<c>likelihood</c>, <c>spatial</c>) over a detector that is itself
    /// one of <paramref name="specs"/> reads that detector's scores of each series instead of running it again (the same bits;
    /// its detect s is then its post-processing alone). False: every detector runs from scratch.</param>
    public static NabRunSet RunAll(NabCorpus corpus, IReadOnlyList<string> specs, int jobs, int? roundDigits, TextWriter log,
        string? rawDir = null, CancellationToken ct = default, bool pooled = true, bool share = true)
    {
        var dets = specs.Select(MethodCatalog.CreateDetector).ToArray(); // validates every name before any work
        var all = corpus.Files.Select(corpus.Load).ToArray();
        jobs = Math.Max(1, jobs);
        double[][][] scores;
        double[][] seconds;
        double wall;
        double[]? walls = null;
        int shared = 0;
        if (pooled) (scores, seconds, wall, shared) = Detect(all, dets, jobs, ct, dets.Length > 1 ? log : null, share);
        else
        {
            scores = new double[dets.Length][][]; seconds = new double[dets.Length][]; walls = new double[dets.Length];
            for (int k = 0; k < dets.Length; k++)
            {
                var (s1, t1, w1, _) = Detect(all, [dets[k]], jobs, ct);
                scores[k] = s1[0]; seconds[k] = t1[0]; walls[k] = w1;
            }
            wall = walls.Sum();
        }
        var runs = new List<NabRun>();
        for (int k = 0; k < dets.Length; k++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var (result, output) = Finish(corpus, all, dets[k], scores[k], roundDigits);
            scores[k] = null!; // scored: its memory can go
            if (rawDir is not null) WriteResults(rawDir, Slug(specs[k]), output, corpus);
            double secs = walls?[k] ?? seconds[k].Sum() / jobs;
            runs.Add(new NabRun(specs[k], result, secs));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{k + 1}/{dets.Length}] {specs[k]}: {Describe(result)} (detection {secs:0.00} s{(walls is null ? "" : " wall")}: {seconds[k].Sum():0.00} thread-s over {jobs} thread(s); scoring {sw.Elapsed.TotalSeconds:0.0} s)"));
        }
        var set = new NabRunSet(runs, wall, jobs, all.Sum(s => (long)s.Values.Length), pooled, shared);
        log.WriteLine(set.Describe());
        return set;
    }

    /// <summary>Scores as <c>profile=score</c> pairs, NAB's profile order.</summary>
    public static string Describe(NabDetectorResult r) => string.Join(" ", r.Profiles.Select(x => $"{x.Profile}={NabScorer.Format(x.Normalized)}"));

    /// <summary>File-name form of a spec (parameters kept, punctuation replaced).</summary>
    public static string Slug(string spec) => new(spec.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '=' ? c : '_').ToArray());

    /// <summary>
    /// Scores the detector folders under a NAB results root (<c>ROOT/&lt;detector&gt;/&lt;category&gt;/&lt;detector&gt;_&lt;file&gt;.csv</c>),
    /// as <c>nab run</c> writes them and NAB's own <c>results/</c> holds them. With <paramref name="published"/> null every
    /// detector's threshold is optimised per profile over the corpus (exactly as <see cref="Run"/> does, so a folder written by
    /// <c>nab run</c> scores identically); otherwise the given thresholds are used (NAB's <c>config/thresholds.json</c>).
    /// </summary>
    public static IReadOnlyList<NabRun> ScoreFolder(NabCorpus corpus, string root, IReadOnlyList<string>? detectors = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? published = null)
    {
        if (!Directory.Exists(root)) throw new AiopsLabException($"results folder '{root}' does not exist.");
        var names = detectors ?? Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .Where(d => corpus.Files.Select(f => f.Split('/')[0]).Distinct().Any(c => Directory.Exists(Path.Combine(root, d, c))))
            .Order(StringComparer.Ordinal).ToArray();
        if (names.Count == 0) throw new AiopsLabException($"'{root}' holds no detector folder (<detector>/<category>/<detector>_<file>.csv).");
        return names.Select(name =>
        {
            var dir = Path.Combine(root, name);
            if (published is null) return new NabRun(name, Score(corpus, name, Read(corpus, dir, name), null), double.NaN);
            if (!published.TryGetValue(name, out var t)) throw new UnknownNameException("detector in config/thresholds.json", name, published.Keys);
            return new NabRun(name, ScoreResults(corpus, dir, name, t), double.NaN);
        }).ToArray();
    }

    /// <summary>Writes one detector's scores in NAB's results layout (<c>DIR/&lt;detector&gt;/&lt;category&gt;/&lt;detector&gt;_&lt;file&gt;.csv</c>).</summary>
    public static void WriteResults(string dir, string detector, IReadOnlyList<(NabSeries Series, double[] Scores)> scores, NabCorpus corpus)
    {
        foreach (var (s, sc) in scores)
        {
            var folder = Path.Combine(dir, detector, s.Category);
            Directory.CreateDirectory(folder);
            var windows = corpus.WindowIndices(s.Path, s.Timestamps);
            using var w = new StreamWriter(Path.Combine(folder, detector + "_" + s.FileName)) { NewLine = "\n" };
            Csv.WriteRow(w, ["timestamp", "value", "anomaly_score", "label"]);
            for (int i = 0; i < sc.Length; i++)
            {
                bool inWindow = windows.Any(x => i >= x.Item1 && i <= x.Item2);
                Csv.WriteRow(w, [s.Timestamps[i].ToString(NabCorpus.TimestampFormat, CultureInfo.InvariantCulture), Csv.Format(s.Values[i]),
                    sc[i].ToString("R", CultureInfo.InvariantCulture), inWindow ? "1" : "0"]);
            }
        }
    }
}
