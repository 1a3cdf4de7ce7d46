using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Evaluation;

namespace AiopsLab.Reporting;

/// <summary>The NAB scoreboard: AiopsLab's runs (<see cref="NabBenchmark.RunAll"/>) beside NAB's published rows, by standard score.</summary>
public static class NabScoreboard
{
    /// <summary>Builds the scoreboard and writes it as <c>OUT/scoreboard.{csv,md,tex}</c>.</summary>
    public static ReportTable Write(IReadOnlyList<NabRun> runs, NabCorpus corpus, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var table = Table(runs, corpus.PublishedScores());
        if (runs is NabRunSet set) table.Notes.Add(set.Describe());
        table.Write(outDir, "scoreboard");
        return table;
    }

    /// <summary>Our detectors and NAB's published ones in one table, by standard score (ties by name).</summary>
    public static ReportTable Table(IReadOnlyList<NabRun> ours, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> published) =>
        Build(ours.Select(o => (o.Spec, SourceOf(o.Spec), NabCorpus.ProfileOrder.Select(pr => o.Result[pr].Normalized).ToArray(), o.DetectSeconds))
            .Concat(published.Select(kv => (kv.Key, "NAB published", NabCorpus.ProfileOrder.Select(pr => kv.Value.TryGetValue(pr, out var v) ? v : double.NaN).ToArray(), double.NaN))));

    /// <summary>The paper's copy of a written scoreboard (<c>scoreboard.csv</c>) without the rows in <paramref name="leaveOut"/>
    /// (the anomaly-likelihood sweep: 70 rows would not fit a page), with a note that says where they are.</summary>
    public static ReportTable PaperTable(string scoreboardCsv, IReadOnlySet<string> leaveOut)
    {
        var records = Csv.ReadRecords(scoreboardCsv).ToList();
        if (records.Count == 0) throw new DataFormatException(scoreboardCsv, 1, 1, "empty scoreboard.");
        int Col(string name) => Csv.Column(records[0], name, scoreboardCsv);
        int[] cols = [Col("detector"), Col("source"), Col("standard"), Col("reward_low_FP_rate"), Col("reward_low_FN_rate"), Col("detect_seconds")];
        static double Num(string f) => double.TryParse(f, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
        var kept = records.Skip(1).Where(r => !leaveOut.Contains(r.Fields[cols[0]])).ToList();
        var table = Build(kept.Select(r => (r.Fields[cols[0]], r.Fields[cols[1]], new[] { Num(r.Fields[cols[2]]), Num(r.Fields[cols[3]]), Num(r.Fields[cols[4]]) }, Num(r.Fields[cols[5]]))));
        int left = records.Count - 1 - kept.Count;
        if (left > 0) table.Notes.Add($"{left.ToString(System.Globalization.CultureInfo.InvariantCulture)} rows of the anomaly-likelihood sweep (docs/detection.md: the likelihood in both forms and NAB numenta's spatial rule over every streaming detector, declared before scoring) are left out here; results/nab/scoreboard.md has every row. The spatial row (over context-ose) is the sweep's best.");
        return table;
    }

    private static ReportTable Build(IEnumerable<(string Name, string Source, double[] Scores, double Secs)> all)
    {
        var table = new ReportTable
        {
            Title = "NAB scoreboard",
            Label = "tab:nab",
            Caption = "Normalised NAB scores (0 = null detector, 100 = perfect) per application profile. AiopsLab rows: thresholds optimised per profile over the corpus as NAB does; published rows: results/final_results.json of NAB v1.1. detect s: seconds of detection alone over the whole corpus, scoring excluded: by default all detectors run as one pool of (detector, series) items on the run's threads and a row's detect s is its items' seconds divided by the thread count (the note gives the run's wall time of detection; with --per-detector, each row's own wall). A post-processor row (likelihood, spatial) over a detector that is also a row reads that row's scores of each series, the same bits as running it again, so its detect s is the post-processing alone (the note says how many rows do; --no-share runs every row from scratch). Source AiopsLab (batch): a detector fitted to each whole series before scoring it, so it sees the future (NAB asks for online detectors); shown for comparison.",
            FitWidth = true,
            Columns =
            [
                // Not key columns: a key cell equal to the row above is left blank, and our kNN-CAD row shares its name with NAB's.
                new TableColumn("Detector", "detector"), new TableColumn("Source", "source"),
                new TableColumn("standard", "standard", Better.Higher), new TableColumn("low FP", "reward_low_FP_rate", Better.Higher),
                new TableColumn("low FN", "reward_low_FN_rate", Better.Higher), new TableColumn("detect s", "detect_seconds"),
            ],
        };
        var rows = all.OrderByDescending(r => r.Scores[0]).ThenBy(r => r.Name, StringComparer.Ordinal);
        table.Blocks.Add(rows.Select(r => new TableCell[]
        {
            r.Name, r.Source, TableCell.Number(r.Scores[0], 2), TableCell.Number(r.Scores[1], 2), TableCell.Number(r.Scores[2], 2),
            double.IsNaN(r.Secs) ? "–" : TableCell.Number(r.Secs, 2),
        }).ToList());
        return table;
    }

    private static string SourceOf(string spec) =>
        Catalog.MethodCatalog.CreateDetector(spec) is Detection.IStreamingDetector ? "AiopsLab" : "AiopsLab (batch)";
}
