using System.Globalization;
using AiopsLab.Evaluation;

namespace AiopsLab.Reporting;

/// <summary>Case-level detection results (<see cref="CaseDetection"/>) as report tables and files.</summary>
public static class CaseDetectionTables
{
    /// <summary>
    /// Writes <c>detection.csv</c> and <c>detection-summary.{csv,md,tex}</c> into <paramref name="folder"/> through a temporary
    /// sibling folder, so a failure leaves nothing half-written; returns the summary table.
    /// </summary>
    public static ReportTable Write(string folder, IReadOnlyList<CaseDetectionRow> rows, string title)
    {
        var tmp = folder.TrimEnd(Path.DirectorySeparatorChar) + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        CaseDetection.WriteRows(Path.Combine(tmp, "detection.csv"), rows);
        var table = Table(CaseDetection.Summarize(rows), title);
        table.Write(tmp, "detection-summary");
        Directory.CreateDirectory(folder);
        foreach (var f in Directory.GetFiles(tmp)) File.Move(f, Path.Combine(folder, Path.GetFileName(f)), overwrite: true);
        Directory.Delete(tmp, true);
        return table;
    }

    /// <summary>The summary as a report table (Markdown, CSV, LaTeX), best precision/recall/F1 marked per dataset.</summary>
    public static ReportTable Table(IReadOnlyList<CaseDetectionSummary> summary, string title = "Case-level anomaly detection")
    {
        var table = new ReportTable
        {
            Title = title,
            Label = "tab:detection",
            Caption = "Case-level detection (BARO Table 2 style): a case is a true positive when the first alarm comes at or after the inject time, a false positive when it comes before, a false negative without alarm. Precision = TP/(TP + FP), – when the detector never alarmed; recall = TP/cases that ran; F1 their harmonic mean. Each detector first learns from the case's opening 15 % of points (at most 750) (NAB's probationary rule, label-free; inside every case's normal period), where its alarms do not count. Every detector runs at its own default alarm threshold. Delay in seconds over true positives. Best per dataset in bold (zeros and undefined values are not marked).",
            Columns =
            [
                new("dataset", "dataset", Key: true), new("detector", "detector", Key: true), new("cases", "cases"),
                new("TP", "tp"), new("FP", "fp"), new("FN", "fn"), new("failed", "failed"),
                new("precision", "precision", Better.Higher), new("recall", "recall", Better.Higher), new("F1", "f1", Better.Higher),
                new("median delay s", "median_delay_s", Better.Lower), new("mean delay s", "mean_delay_s", Better.Lower), new("median s/case", "median_seconds"),
            ],
            FitWidth = true,
            Wide = true,
        };
        foreach (var g in summary.GroupBy(s => s.Dataset))
            table.Blocks.Add(g.Select(s => new TableCell[]
            {
                s.Dataset, s.Detector, Int(s.Cases), Int(s.Tp), Int(s.Fp), Int(s.Fn), Int(s.Failed),
                // precision (and so F1) is undefined when the detector never alarmed: printed "–", never marked
                TableCell.Number(s.Tp + s.Fp > 0 ? s.Precision : double.NaN, 3), TableCell.Number(s.Recall, 3), TableCell.Number(s.Tp + s.Fp > 0 ? s.F1 : double.NaN, 3),
                Num(s.MedianDelay, 0), Num(s.MeanDelay, 0), Num(s.MedianSeconds, 4),
            }).ToList());
        return table;
    }

    private static TableCell Int(int v) => new(v.ToString(CultureInfo.InvariantCulture), v);
    private static TableCell Num(double v, int d) => double.IsNaN(v) ? "–" : TableCell.Number(v, d);
}
