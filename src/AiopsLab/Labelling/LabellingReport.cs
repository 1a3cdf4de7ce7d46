using System.Globalization;
using System.Text;

namespace AiopsLab.Labelling;

/// <summary>One summary row: a labeller's scores on one dataset (or <c>all</c>, pooled) under a protocol and mode.</summary>
public sealed record LabelSummaryRow(string Protocol, string Mode, string Labeller, string Dataset, int Failed, LabelScores Scores);

/// <summary>A paired comparison of two labellers on the same cases (McNemar's exact test on per-case correctness).</summary>
public sealed record PairedLabelTest(string Protocol, string Mode, string Dataset, string A, string B, int Cases, int OnlyA, int OnlyB, double P);

/// <summary>Summaries and files of a labelling run: predictions.csv, summary.csv, summary.md, confusion SVGs.</summary>
public static class LabellingReport
{
    /// <summary>Name of the pooled dataset row.</summary>
    public const string All = "all";

    /// <summary>Scores per (protocol, mode, labeller, dataset), plus pooled over datasets; failed predictions are counted, not scored.</summary>
    public static IReadOnlyList<LabelSummaryRow> Summarize(IReadOnlyList<LabelPrediction> predictions)
    {
        var rows = new List<LabelSummaryRow>();
        foreach (var g in predictions.GroupBy(p => (p.Protocol, p.Mode, p.Labeller)))
        {
            var byDs = g.GroupBy(p => p.Dataset).OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => (x.Key, (IEnumerable<LabelPrediction>)x)).ToList();
            if (byDs.Count > 1) byDs.Add((All, g));
            foreach (var (ds, ps) in byDs)
            {
                var ok = ps.Where(p => p.Error is null).ToArray();
                rows.Add(new LabelSummaryRow(g.Key.Protocol, g.Key.Mode, g.Key.Labeller, ds, ps.Count() - ok.Length,
                    LabelScores.Of(ok.Select(p => (p.Truth, (IReadOnlyList<string>)p.Ranking.Select(r => r.Type).ToArray())).ToArray())));
            }
        }
        return rows;
    }

    /// <summary>McNemar tests of <paramref name="baseline"/> against every other labeller, per protocol, mode and dataset
    /// (and pooled), on the cases both labelled without error.</summary>
    public static IReadOnlyList<PairedLabelTest> Paired(IReadOnlyList<LabelPrediction> predictions, string baseline)
    {
        var tests = new List<PairedLabelTest>();
        foreach (var g in predictions.GroupBy(p => (p.Protocol, p.Mode)))
        {
            var datasets = g.Select(p => p.Dataset).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (datasets.Count > 1) datasets.Add(All);
            foreach (var ds in datasets)
            {
                var inDs = g.Where(p => ds == All || p.Dataset == ds).ToArray();
                var a = inDs.Where(p => p.Labeller == baseline && p.Error is null).ToDictionary(p => (p.Dataset, p.CaseId));
                foreach (var other in inDs.Select(p => p.Labeller).Where(l => l != baseline).Distinct(StringComparer.Ordinal))
                {
                    int n = 0, onlyA = 0, onlyB = 0;
                    foreach (var b in inDs.Where(p => p.Labeller == other && p.Error is null))
                    {
                        if (!a.TryGetValue((b.Dataset, b.CaseId), out var pa)) continue;
                        n++;
                        if (pa.Correct && !b.Correct) onlyA++;
                        else if (!pa.Correct && b.Correct) onlyB++;
                    }
                    if (n > 0) tests.Add(new PairedLabelTest(g.Key.Protocol, g.Key.Mode, ds, baseline, other, n, onlyA, onlyB, McNemar.ExactP(onlyA, onlyB)));
                }
            }
        }
        return tests;
    }

    /// <summary>Writes predictions.csv, summary.csv, summary.md and confusion-PROTOCOL-MODE-LABELLER.svg (pooled) to <paramref name="dir"/>.
    /// Returns the Markdown summary.</summary>
    public static string Write(string dir, IReadOnlyList<LabelPrediction> predictions, string baseline, string title, IEnumerable<string> notes)
    {
        Directory.CreateDirectory(dir);
        var inv = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("protocol,mode,labeller,dataset,case,group,fold,truth,original,service,predicted,second,score,correct,top2,error\n");
        foreach (var p in predictions)
            csv.AppendLine(string.Join(",", p.Protocol, p.Mode, p.Labeller, p.Dataset, Q(p.CaseId), Q(p.Group), p.Fold.ToString(inv), p.Truth, Q(p.Original), Q(p.Service),
                p.Top ?? "", p.Ranking.Count > 1 ? p.Ranking[1].Type : "", p.Ranking.Count > 0 ? F(p.Ranking[0].Score) : "",
                p.Correct ? "1" : "0", p.Top2 ? "1" : "0", Q(p.Error ?? "")));
        File.WriteAllText(Path.Combine(dir, "predictions.csv"), csv.ToString());

        var rows = Summarize(predictions);
        var s = new StringBuilder("protocol,mode,labeller,dataset,cases,failed,accuracy,macro_f1,top2\n");
        foreach (var r in rows)
            s.AppendLine(string.Join(",", r.Protocol, r.Mode, r.Labeller, r.Dataset, r.Scores.Cases.ToString(inv), r.Failed.ToString(inv), F(r.Scores.Accuracy), F(r.Scores.MacroF1), F(r.Scores.Top2)));
        File.WriteAllText(Path.Combine(dir, "summary.csv"), s.ToString());

        var md = new StringBuilder($"# {title}\n\n");
        foreach (var n in notes) md.AppendLine("- " + n);
        md.AppendLine("\n| protocol | mode | labeller | dataset | cases | failed | accuracy | macro-F1 | top-2 |\n|---|---|---|---|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            md.AppendLine($"| {r.Protocol} | {r.Mode} | {r.Labeller} | {r.Dataset} | {r.Scores.Cases} | {r.Failed} | {F(r.Scores.Accuracy)} | {F(r.Scores.MacroF1)} | {F(r.Scores.Top2)} |");
        md.AppendLine($"\n## Paired tests against {baseline} (McNemar, exact)\n\n| protocol | mode | dataset | other | cases | only {baseline} right | only other right | p |\n|---|---|---|---|---:|---:|---:|---:|");
        foreach (var t in Paired(predictions, baseline))
            md.AppendLine($"| {t.Protocol} | {t.Mode} | {t.Dataset} | {t.B} | {t.Cases} | {t.OnlyA} | {t.OnlyB} | {t.P.ToString("0.0000", inv)} |");
        md.AppendLine("\n## Per-type precision / recall and confusion matrices (pooled over datasets)");
        foreach (var r in rows.Where(r => r.Dataset == All || rows.Count(x => x.Protocol == r.Protocol && x.Mode == r.Mode && x.Labeller == r.Labeller) == 1))
        {
            md.AppendLine($"\n### {r.Protocol}, {r.Mode}, {r.Labeller}\n\n| type | support | predicted | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|");
            foreach (var t in r.Scores.PerType) md.AppendLine($"| {t.Type} | {t.Support} | {t.Predicted} | {F(t.Precision)} | {F(t.Recall)} | {F(t.F1)} |");
            md.AppendLine().Append(r.Scores.ConfusionMarkdown());
            var svg = $"confusion-{r.Protocol}-{r.Mode}-{r.Labeller}.svg";
            File.WriteAllText(Path.Combine(dir, svg), ConfusionSvg(r.Scores, $"{r.Protocol} {r.Mode} {r.Labeller}"));
            md.AppendLine($"\n![confusion]({svg})");
        }
        File.WriteAllText(Path.Combine(dir, "summary.md"), md.ToString());
        return md.ToString();
    }

    /// <summary>
    /// The paper's <c>labelling</c> table: per labeller and dataset (and pooled), accuracy and macro-F1 under grouped
    /// cross-validation at the true service (oracle) and at the localizer's top-1 (end to end), and accuracy under
    /// leave-one-dataset-out transfer. Writes <c>labelling.csv</c> and <c>labelling.md</c> to <paramref name="dir"/>.
    /// </summary>
    public static IReadOnlyList<string> WritePaperTable(string dir, IReadOnlyList<LabelPrediction> predictions)
    {
        Directory.CreateDirectory(dir);
        var rows = Summarize(predictions);
        string Get(string protocol, string mode, string labeller, string ds, Func<LabelScores, double> f) =>
            rows.FirstOrDefault(r => r.Protocol == protocol && r.Mode == mode && r.Labeller == labeller && r.Dataset == ds) is { } r ? F(f(r.Scores)) : "";
        var labellers = predictions.Select(p => p.Labeller).Distinct(StringComparer.Ordinal).ToArray();
        var datasets = predictions.Select(p => p.Dataset).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Append(All).ToArray();
        var csv = new StringBuilder("labeller,dataset,cv_oracle_accuracy,cv_oracle_macro_f1,cv_e2e_accuracy,cv_e2e_macro_f1,lodo_oracle_accuracy\n");
        var md = new StringBuilder("| labeller | dataset | CV oracle acc. | CV oracle macro-F1 | CV end-to-end acc. | CV end-to-end macro-F1 | LODO oracle acc. |\n|---|---|---:|---:|---:|---:|---:|\n");
        foreach (var l in labellers)
            foreach (var d in datasets)
            {
                string[] cells = [Get(LabellingProtocol.CrossValidation, LabellingProtocol.Oracle, l, d, s => s.Accuracy), Get(LabellingProtocol.CrossValidation, LabellingProtocol.Oracle, l, d, s => s.MacroF1),
                    Get(LabellingProtocol.CrossValidation, LabellingProtocol.EndToEnd, l, d, s => s.Accuracy), Get(LabellingProtocol.CrossValidation, LabellingProtocol.EndToEnd, l, d, s => s.MacroF1),
                    Get(LabellingProtocol.LeaveOneDatasetOut, LabellingProtocol.Oracle, l, d, s => s.Accuracy)];
                if (cells.All(c => c.Length == 0)) continue;
                csv.AppendLine(string.Join(",", [l, d, .. cells]));
                md.AppendLine("| " + string.Join(" | ", [l, d, .. cells]) + " |");
            }
        var files = new[] { Path.Combine(dir, "labelling.csv"), Path.Combine(dir, "labelling.md") };
        File.WriteAllText(files[0], csv.ToString());
        File.WriteAllText(files[1], md.ToString());
        return files;
    }

    /// <summary>A confusion-matrix heat map (rows = truth, columns = prediction, shade = row share).</summary>
    public static string ConfusionSvg(LabelScores s, string title)
    {
        int n = s.Types.Count, cell = 44, left = 110, top = 40;
        int w = left + n * cell + 10, h = top + n * cell + 100;
        var sb = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.AppendLine($"<text x=\"4\" y=\"16\" font-size=\"13\">{Esc(title)} (rows: true, columns: predicted)</text>");
        for (int i = 0; i < n; i++)
        {
            int rowSum = 0;
            for (int j = 0; j < n; j++) rowSum += s.Confusion[i, j];
            sb.AppendLine($"<text x=\"{left - 4}\" y=\"{top + i * cell + cell / 2 + 4}\" text-anchor=\"end\">{Esc(s.Types[i])}</text>");
            for (int j = 0; j < n; j++)
            {
                double share = rowSum == 0 ? 0 : (double)s.Confusion[i, j] / rowSum;
                int shade = (int)Math.Round(255 - 200 * share);
                sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"<rect x=\"{left + j * cell}\" y=\"{top + i * cell}\" width=\"{cell}\" height=\"{cell}\" fill=\"rgb({shade},{shade},255)\" stroke=\"#999\"/><text x=\"{left + j * cell + cell / 2}\" y=\"{top + i * cell + cell / 2 + 4}\" text-anchor=\"middle\">{s.Confusion[i, j]}</text>"));
            }
        }
        for (int j = 0; j < n; j++)
            sb.AppendLine($"<text transform=\"translate({left + j * cell + cell / 2 + 4},{top + n * cell + 6}) rotate(60)\">{Esc(s.Types[j])}</text>");
        return sb.Append("</svg>\n").ToString();
    }

    private static string Esc(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
    private static string F(double x) => double.IsNaN(x) ? "" : x.ToString("0.000", CultureInfo.InvariantCulture);
    private static string Q(string s) => s.Contains(',') || s.Contains('"') || s.Contains('\n') ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
