using System.Globalization;
using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Evaluation;
using AiopsLab.Methods;

namespace AiopsLab.Reporting;

/// <summary>
/// What <c>aiopslab reproduce</c> runs and in which order: the paper's experiment specs (<see cref="PaperTables.Experiments"/>
/// first, in table order; other specs in the folder follow by name), then the detection steps; and the detection tables
/// it writes into <c>results/paper/</c> from what those steps left under <c>results/</c>.
/// </summary>
public static class PaperReproduction
{
    /// <summary>File of the reference figures, beside the specs.</summary>
    public const string PublishedFile = "published.yaml";

    /// <summary>Steps after the experiment specs: case-level detection on the RCA datasets, the NAB scoreboard, and fault-type labelling (<c>aiopslab label</c>).</summary>
    public static readonly string[] DetectionSteps = ["detection", "nab", "labelling"];

    /// <summary>The datasets of the case-level detection table.</summary>
    public static readonly string[] DetectionDatasets = ["rcd-sockshop", "nezha", "petshop"];

    /// <summary>
    /// Detectors that fit a model to the whole series before scoring it (they see the future, which NAB's rules do not allow
    /// an entry), run at their defaults beside the streaming ones for comparison and marked "batch" on the scoreboard:
    /// <c>randomized-pca</c> (ML.NET's randomized-PCA anomaly detector).
    /// </summary>
    public static readonly string[] BatchNabDetectors = ["randomized-pca"];

    /// <summary>The detectors of the paper's NAB scoreboard: every streaming detector at its defaults, then <see cref="NabVariants"/>,
    /// <see cref="LikelihoodVariants"/> and <see cref="BatchNabDetectors"/>.</summary>
    public static IReadOnlyList<string> NabDetectors() => [.. Evaluation.NabBenchmark.StreamingDetectors(), .. NabVariants, .. LikelihoodVariants(), .. BatchNabDetectors];

    /// <summary>The anomaly likelihood over every other streaming detector at its defaults, in both forms, then NAB numenta's spatial
    /// rule over each of them and over each NAB-form likelihood (docs/detection.md, "The anomaly likelihood over every streaming
    /// detector": both rounds' sets fixed before scoring); <c>likelihood</c> and <c>spatial</c> themselves (over context-ose) are
    /// among the defaults.</summary>
    public static IReadOnlyList<string> LikelihoodVariants()
    {
        var round1 = Evaluation.NabBenchmark.StreamingDetectors().Where(d => d is not ("likelihood" or "spatial")).ToArray();
        return [.. round1.Where(d => d != "context-ose").Select(d => $"likelihood(of={d})"), .. round1.Select(d => $"likelihood(form=paper,of={d})"),
            .. round1.Where(d => d != "context-ose").Select(d => $"spatial(of={d})"), .. round1.Select(d => $"spatial(of=likelihood(of={d}))")];
    }

    /// <summary>Rows beside the defaults (docs/detection.md, "Detectors at NAB's null score"): SPOT and DSPOT in the authors' mode that
    /// learns alarms too (their reference code's <c>run(with_alarm=False)</c>), which NAB's level shifts call for.</summary>
    public static readonly string[] NabVariants = ["spot(learn-alarms=true)", "dspot(learn-alarms=true)"];

    /// <summary>
    /// Case-level detection rows beyond the <c>aiopslab detect</c> defaults, each with the alarm threshold it is run at:
    /// <c>randomized-pca(relative=true)</c> at 0.5, ML.NET's default threshold on its own (relative) anomaly score
    /// (<c>AnomalyPredictionTransformer</c>: "by default the threshold is 0.5"). The absolute residual that
    /// <c>randomized-pca</c> reports by default depends on each series' scale and has no such default.
    /// </summary>
    public static readonly (string Spec, double Threshold)[] ExtraCaseDetectors = [("randomized-pca(relative=true)", 0.5)];

    /// <summary>
    /// The case-level detection table's detectors, each at its own alarm threshold: <paramref name="defaults"/> (the
    /// <c>aiopslab detect</c> defaults), then every other registered streaming detector that has one (<see cref="Detection.IAlarmThreshold"/>:
    /// NAB's reimplementations, the martingales...), in catalog order, then <see cref="ExtraCaseDetectors"/>.
    /// </summary>
    public static IReadOnlyList<(string Spec, double? Threshold)> CaseDetectors(string defaults)
    {
        var first = MethodSpec.ParseList(defaults).Select(x => x.ToString()).ToArray();
        var more = NabBenchmark.StreamingDetectors().Where(d => !first.Contains(d, StringComparer.Ordinal) && MethodCatalog.CreateDetector(d) is Detection.IAlarmThreshold);
        return [.. first.Concat(more).Select(x => (x, (double?)null)), .. ExtraCaseDetectors.Select(x => (x.Spec, (double?)x.Threshold))];
    }

    /// <summary>
    /// The rule that picks the detectors driving end-to-end RCA in the robustness experiment, decided on the case-level detection
    /// table before any RCA run: pool each detector's TP, FP and FN over the table's datasets (<see cref="DetectionDatasets"/>), rank by
    /// the pooled F1, then by recall, then by the median delay (lower first), then by name; BOCPD (<c>bocpd</c>) is left out, since
    /// the robustness table always has BARO's multivariate BOCPD. The top <paramref name="count"/>.
    /// </summary>
    public static IReadOnlyList<string> BestCaseDetectors(IReadOnlyList<CaseDetectionRow> rows, int count = 2) =>
        CaseDetection.Summarize(rows.Select(r => r with { Dataset = "pooled" }))
            .Where(s => s.Detector != "bocpd" && s.Tp > 0)
            .OrderByDescending(s => s.F1).ThenByDescending(s => s.Recall)
            .ThenBy(s => double.IsNaN(s.MedianDelay) ? double.PositiveInfinity : s.MedianDelay).ThenBy(s => s.Detector, StringComparer.Ordinal)
            .Take(count).Select(s => s.Detector).ToArray();

    /// <summary>
    /// The experiment specs of <paramref name="specDir"/> in run order and the detection steps to run, limited to
    /// <paramref name="only"/> (comma-separated names of specs or steps) when given; an unknown name is an error.
    /// </summary>
    public static (IReadOnlyList<string> Specs, IReadOnlySet<string> Steps) Select(string specDir, string? only)
    {
        if (!Directory.Exists(specDir)) throw new AiopsLabException($"spec folder '{specDir}' does not exist (run from the repository root, or pass --specs).");
        var files = Directory.GetFiles(specDir, "*.yaml").Where(f => Path.GetFileName(f) != PublishedFile)
            .OrderBy(f => Array.IndexOf(PaperTables.Experiments, Path.GetFileNameWithoutExtension(f)) is var i && i < 0 ? int.MaxValue : i)
            .ThenBy(f => f, StringComparer.Ordinal).ToList();
        var steps = DetectionSteps.ToHashSet(StringComparer.Ordinal);
        if (only is null) return (files, steps);
        var want = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        foreach (var w in want)
            if (!files.Any(f => Path.GetFileNameWithoutExtension(f) == w) && !DetectionSteps.Contains(w))
                throw new UnknownNameException("paper experiment", w, files.Select(Path.GetFileNameWithoutExtension).Concat(DetectionSteps)!);
        steps.IntersectWith(want);
        return (files.Where(f => want.Contains(Path.GetFileNameWithoutExtension(f))).ToList(), steps);
    }

    /// <summary>
    /// Every table of <c>results/paper/</c>: <see cref="PaperTables.Write"/> (from the run stores and the reference
    /// figures in <paramref name="specDir"/>) and <see cref="DetectionTables"/>.
    /// </summary>
    public static IReadOnlyList<string> WriteTables(string results, string specDir)
    {
        var outDir = Path.Combine(results, "paper");
        return [.. PaperTables.Write(results, Path.Combine(specDir, PublishedFile), outDir), .. DetectionTables(results, outDir)];
    }

    /// <summary>
    /// The paper's detection tables from what the detection steps wrote: <c>detection</c> (every dataset's rows under
    /// <c>results/detection/</c>, summarised again) and <c>nab</c> (the scoreboard under <c>results/nab/</c>, copied).
    /// </summary>
    /// <summary>
    /// The detection rows of the cases some detector could run on: a case on which every detector failed for lack of data
    /// (no normal period in this copy) is left out, as the RCA tables leave it out.
    /// </summary>
    public static IReadOnlyList<CaseDetectionRow> Available(IReadOnlyList<CaseDetectionRow> rows)
    {
        var dead = rows.GroupBy(r => (r.Dataset, r.Case)).Where(g => g.All(r => r.Outcome == DetectionOutcome.Failed && (r.Error ?? "").StartsWith("no normal data", StringComparison.Ordinal)))
            .Select(g => g.Key).ToHashSet();
        return rows.Where(r => !dead.Contains((r.Dataset, r.Case))).ToList();
    }

    public static IReadOnlyList<string> DetectionTables(string results, string outDir)
    {
        var files = new List<string>();
        var dir = Path.Combine(results, "detection");
        var csvs = DetectionDatasets.Select(d => Path.Combine(dir, d, "detection.csv")).Where(File.Exists).ToArray();
        if (csvs.Length > 0)
        {
            var all = csvs.SelectMany(CaseDetection.ReadRows).ToArray();
            var rows = Available(all);
            int left = all.Select(r => (r.Dataset, r.Case)).Distinct().Count() - rows.Select(r => (r.Dataset, r.Case)).Distinct().Count();
            var table = CaseDetectionTables.Table(CaseDetection.Summarize(rows));
            var best = BestCaseDetectors(rows);
            if (best.Count > 0) table.Notes.Add($"Best by pooled F1 over the datasets (the rule of PaperReproduction.BestCaseDetectors, decided before the RCA runs; BOCPD left out): {string.Join(", ", best)}. They drive end-to-end RCA in the robustness table.");
            if (left > 0) table.Notes.Add($"{left.ToString(CultureInfo.InvariantCulture)} cases whose data is absent from this copy are left out, as in every table (Table datasets).");
            files.AddRange(table.Write(outDir, "detection"));
        }
        var scoreboard = Path.Combine(results, "nab", "scoreboard.csv");
        if (File.Exists(scoreboard))
            files.AddRange(NabScoreboard.PaperTable(scoreboard, LikelihoodVariants().ToHashSet(StringComparer.Ordinal)).Write(outDir, "nab"));
        return files;
    }
}
