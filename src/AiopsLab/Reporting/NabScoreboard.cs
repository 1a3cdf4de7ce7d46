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
        table.Write(outDir, "scoreboard");
        return table;
    }

    /// <summary>Our detectors and NAB's published ones in one table, by standard score (ties by name).</summary>
    public static ReportTable Table(IReadOnlyList<NabRun> ours, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> published)
    {
        var table = new ReportTable
        {
            Title = "NAB scoreboard",
            Label = "tab:nab",
            Caption = "Normalised NAB scores (0 = null detector, 100 = perfect) per application profile. AiopsLab rows: thresholds optimised per profile over the corpus as NAB does; published rows: results/final_results.json of NAB v1.1. detect s: wall-clock seconds of detection alone over the whole corpus (the runs threads), scoring excluded. Source AiopsLab (batch): a detector fitted to each whole series before scoring it, so it sees the future (NAB asks for online detectors); shown for comparison.",
            FitWidth = true,
            Columns =
            [
                // Not key columns: a key cell equal to the row above is left blank, and our kNN-CAD row shares its name with NAB's.
                new TableColumn("Detector", "detector"), new TableColumn("Source", "source"),
                new TableColumn("standard", "standard", Better.Higher), new TableColumn("low FP", "reward_low_FP_rate", Better.Higher),
                new TableColumn("low FN", "reward_low_FN_rate", Better.Higher), new TableColumn("detect s", "detect_seconds"),
            ],
        };
        var rows = ours.Select(o => (Name: o.Spec, Source: SourceOf(o.Spec), Scores: NabCorpus.ProfileOrder.Select(pr => o.Result[pr].Normalized).ToArray(), Secs: o.DetectSeconds))
            .Concat(published.Select(kv => (Name: kv.Key, Source: "NAB published", Scores: NabCorpus.ProfileOrder.Select(pr => kv.Value.TryGetValue(pr, out var v) ? v : double.NaN).ToArray(), Secs: double.NaN)))
            .OrderByDescending(r => r.Scores[0]).ThenBy(r => r.Name, StringComparer.Ordinal);
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
