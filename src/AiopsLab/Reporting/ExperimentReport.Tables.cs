using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Evaluation;
using AiopsLab.Numerics;
using AiopsLab.Reporting.Figures;

namespace AiopsLab.Reporting;

/// <summary>The report's tables (accuracy, runtime, robustness, settings) and its accuracy figure.</summary>
public static partial class ExperimentReport
{
    /// <summary>Faults of a dataset: <c>all</c> first, then the fault types in ordinal order.</summary>
    private static IEnumerable<string> Faults(IEnumerable<CaseOutcome> rows) =>
        new[] { Summary.AllFaults }.Concat(rows.Select(r => r.Fault).Distinct().OrderBy(f => f, StringComparer.Ordinal));

    internal static ReportTable AccuracyTable(IReadOnlyList<CaseOutcome> rows, IReadOnlyList<string> datasets, IReadOnlyList<string> methods, ReportOptions o, string setting)
    {
        var t = new ReportTable
        {
            Title = "Accuracy", Label = "tab:accuracy",
            Caption = "Root-cause localization accuracy (service level) per dataset, fault type and method" + (o.Intervals ? ", mean ± half-width of the bootstrap 95% interval" : "") + $" ({setting}).",
            Columns =
            [
                new("Dataset", "dataset", Key: true), new("Fault", "fault", Key: true), new("Method", "method", Key: true),
                new("n", "runs"), new("AC@1", "ac1", Better.Higher), new("AC@3", "ac3", Better.Higher), new("Avg@5", "avg5", Better.Higher),
                new("MRR", "mrr", Better.Higher), new("chance Avg@5", "chance_avg5"), new("lift", "lift", Better.Higher), new("failed", "failed"),
            ],
        };
        foreach (var ds in datasets)
        {
            var dsRows = rows.Where(r => r.Dataset == ds).ToList();
            foreach (var fault in Faults(dsRows))
            {
                var inFault = fault == Summary.AllFaults ? dsRows : dsRows.Where(r => r.Fault == fault).ToList();
                // Bootstrap units: cases (with all their seeds), the same resamples for every method.
                var cases = inFault.Select(r => r.CaseOrd).Distinct().OrderBy(c => c).ToArray();
                var caseIndex = cases.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
                ulong seed = StableHash.Combine(unchecked((ulong)o.Seed), "bootstrap", ds, fault);
                var block = new List<TableCell[]>();
                foreach (var m in methods)
                {
                    var g = inFault.Where(r => r.Method == m).ToList();
                    if (g.Count == 0) continue;
                    var score = Summary.Score(ds, m, fault, g);
                    var cells = new[] { Cell(score.Ac1), Cell(score.Ac3), Cell(score.Avg5), Cell(score.Mrr) };
                    if (o.Intervals)
                    {
                        var perCase = new List<int?>[cases.Length];
                        for (int i = 0; i < perCase.Length; i++) perCase[i] = [];
                        foreach (var r in g) perCase[caseIndex[r.CaseOrd]].Add(r.Status == RunStatus.Ok ? r.Rank : null);
                        Func<int?[], double>[] stats = [x => RankingMetrics.AcAt(x, 1), x => RankingMetrics.AcAt(x, 3), x => RankingMetrics.AvgAt(x, 5), RankingMetrics.Mrr];
                        for (int s = 0; s < stats.Length; s++)
                        {
                            var f = stats[s];
                            var (lo, hi) = Bootstrap.Interval(cases.Length, idx => f(idx.SelectMany(i => perCase[i]).ToArray()), seed, o.Resamples);
                            cells[s] = cells[s] with
                            {
                                Lo = lo, Hi = hi,
                                WithInterval = cells[s].Text + " ± " + ((hi - lo) / 2).ToString("F3", CultureInfo.InvariantCulture),
                            };
                        }
                    }
                    block.Add([ds, fault, m, g.Count.ToString(CultureInfo.InvariantCulture), cells[0], cells[1], cells[2], cells[3],
                        TableCell.Number(score.ChanceAvg5, 3), TableCell.Number(score.Lift, 2), (score.Failed + score.TimedOut).ToString(CultureInfo.InvariantCulture)]);
                }
                if (block.Count > 0) t.Blocks.Add(block);
            }
        }
        t.Notes.Add("AC@k: fraction of runs with the root-cause service in the top k; Avg@5 = mean of AC@1..AC@5; MRR: mean reciprocal rank (0 when missed); chance Avg@5: expected Avg@5 of a uniformly random service ranking; lift = Avg@5 / chance. Failed and timed-out runs count as misses.");
        if (o.Intervals) t.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"Intervals: percentile bootstrap over cases, {o.Resamples} resamples, seed {o.Seed}, the same resamples for every method of a block; CSV columns _lo/_hi hold the bounds."));
        return t;
    }

    private static TableCell Cell(double v) => TableCell.Number(v, 3);

    /// <summary>
    /// Inner-service accuracy (Nezha's AIS@k, <see cref="InnerServiceRank"/>) per dataset, fault type and method, over the runs
    /// whose case has an inner-service label; null when no run has one.
    /// </summary>
    internal static ReportTable? InnerTable(IReadOnlyList<CaseOutcome> rows, IReadOnlyList<string> datasets, IReadOnlyList<string> methods, string setting)
    {
        if (!rows.Any(r => r.InnerRootCause is not null)) return null;
        var t = new ReportTable
        {
            Title = "Inner-service accuracy", Label = "tab:inner",
            Caption = $"Root-cause localization at the inner-service level (resource or code region inside the root-cause service; {setting}).",
            Columns =
            [
                new("Dataset", "dataset", Key: true), new("Fault", "fault", Key: true), new("Method", "method", Key: true),
                new("n", "runs"), new("AIS@1", "ais1", Better.Higher), new("AIS@3", "ais3", Better.Higher), new("AIS@5", "ais5", Better.Higher),
                new("AC@1", "ac1", Better.Higher), new("failed", "failed"),
            ],
        };
        foreach (var ds in datasets)
        {
            var dsRows = rows.Where(r => r.Dataset == ds && r.InnerRootCause is not null).ToList();
            foreach (var fault in Faults(dsRows))
            {
                var inFault = fault == Summary.AllFaults ? dsRows : dsRows.Where(r => r.Fault == fault).ToList();
                var block = new List<TableCell[]>();
                foreach (var m in methods)
                {
                    var g = inFault.Where(r => r.Method == m).ToList();
                    if (g.Count == 0) continue;
                    var score = Summary.Score(ds, m, fault, g);
                    block.Add([ds, fault, m, score.InnerLabelled.ToString(CultureInfo.InvariantCulture), Cell(score.Ais1), Cell(score.Ais3), Cell(score.Ais5),
                        Cell(score.Ac1), (score.Failed + score.TimedOut).ToString(CultureInfo.InvariantCulture)]);
                }
                if (block.Count > 0) t.Blocks.Add(block);
            }
        }
        t.Notes.Add("AIS@k (Nezha, Yu et al., ESEC/FSE 2023, §4.1): fraction of runs whose top k entries include one naming the root-cause service and the labelled resource or code region inside it; AC@1 is the service-level score of the same runs. Failed and timed-out runs count as misses.");
        return t;
    }

    internal static ReportTable RuntimeTable(IReadOnlyList<CaseOutcome> rows, IReadOnlyList<string> datasets, IReadOnlyList<string> methods, string setting)
    {
        var t = new ReportTable
        {
            Title = "Runtime", Label = "tab:runtime",
            Caption = $"Wall-clock seconds of one method call on one case (loading excluded; successful runs; {setting}).",
            Columns =
            [
                new("Dataset", "dataset", Key: true), new("Method", "method", Key: true), new("runs", "runs"), new("failed", "failed"), new("timeout", "timeout"),
                new("median s", "median_seconds", Better.Lower), new("mean s", "mean_seconds", Better.Lower), new("p95 s", "p95_seconds", Better.Lower), new("total s", "total_seconds"),
            ],
        };
        foreach (var ds in datasets)
        {
            var block = new List<TableCell[]>();
            foreach (var m in methods)
            {
                var g = rows.Where(r => r.Dataset == ds && r.Method == m).ToList();
                if (g.Count == 0) continue;
                var secs = g.Where(r => r.Status == RunStatus.Ok).Select(r => r.Seconds).OrderBy(x => x).ToArray();
                double med = secs.Length == 0 ? double.NaN : Summary.Median(secs);
                double mean = secs.Length == 0 ? double.NaN : secs.Average();
                double p95 = secs.Length == 0 ? double.NaN : Stats.QuantileSorted(secs, 0.95);
                block.Add([ds, m, g.Count.ToString(CultureInfo.InvariantCulture), g.Count(r => r.Status == RunStatus.Failed).ToString(CultureInfo.InvariantCulture),
                    g.Count(r => r.Status == RunStatus.Timeout).ToString(CultureInfo.InvariantCulture),
                    Seconds(med), Seconds(mean), Seconds(p95), TableCell.Number(g.Sum(r => r.Seconds), 2)]);
            }
            if (block.Count > 0) t.Blocks.Add(block);
        }
        return t;
    }

    /// <summary>Seconds with four significant digits' worth of decimals for small values.</summary>
    private static TableCell Seconds(double s) => TableCell.Number(s, double.IsNaN(s) || s >= 1 ? 3 : s >= 0.01 ? 4 : 6);

    internal static ReportTable RobustnessTable(IReadOnlyList<CaseOutcome> rows, IReadOnlyList<string> datasets, IReadOnlyList<string> methods,
        IReadOnlyList<long> delays, string window, string detection)
    {
        var cols = new List<TableColumn> { new("Dataset", "dataset", Key: true), new("Method", "method", Key: true) };
        foreach (var d in delays)
        {
            var s = d.ToString(CultureInfo.InvariantCulture);
            cols.Add(new TableColumn("tΔ=" + s, "avg5_delay_" + s, Better.Higher) { Latex = "$t_\\Delta$=" + s });
        }
        var t = new ReportTable
        {
            Title = "Robustness to the delay tΔ", Label = "tab:robustness",
            Caption = $"Avg@5 when the anomaly time given to the methods is the true one plus tΔ seconds ({window} window, {detection}).",
            Columns = cols,
        };
        foreach (var ds in datasets)
        {
            var block = new List<TableCell[]>();
            foreach (var m in methods)
            {
                var g = rows.Where(r => r.Dataset == ds && r.Method == m).ToList();
                if (g.Count == 0) continue;
                var cells = new List<TableCell> { ds, m };
                foreach (var d in delays) cells.Add(Cell(Summary.Avg5(g.Where(r => r.Delay == d))));
                block.Add(cells.ToArray());
            }
            if (block.Count > 0) t.Blocks.Add(block);
        }
        return t;
    }

    private static string WriteSettings(IReadOnlyList<CaseOutcome> rows, IReadOnlyList<string> datasets, string dir)
    {
        var w = new StringWriter { NewLine = "\n" };
        Csv.WriteRow(w, ["dataset", "method", "delay", "window", "detection", "runs", "ac1", "ac3", "avg5", "mrr", "failed"]);
        foreach (var ds in datasets)
            foreach (var g in rows.Where(r => r.Dataset == ds).GroupBy(r => (r.ConfigOrd, r.Delay)).OrderBy(g => g.Key.ConfigOrd).ThenBy(g => g.Key.Delay))
            {
                var f = g.First();
                var score = Summary.Score(ds, f.Method, Summary.AllFaults, g.ToList());
                Csv.WriteRow(w, [ds, f.Method, f.Delay.ToString(CultureInfo.InvariantCulture), f.Window, f.Detection, score.Cases.ToString(CultureInfo.InvariantCulture),
                    R(score.Ac1), R(score.Ac3), R(score.Avg5), R(score.Mrr), (score.Failed + score.TimedOut).ToString(CultureInfo.InvariantCulture)]);
            }
        var p = Path.Combine(dir, "settings.csv");
        File.WriteAllText(p, w.ToString());
        return p;
    }

    private static string R(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// AC@1, AC@3 and Avg@5 per method as grouped bars with bootstrap 95% intervals (cases resampled, seeded), and the
    /// dataset's chance Avg@5 as a dashed line; methods appear by short display name, their full spec in the hover.
    /// </summary>
    internal static PlotlyFigure AccuracyFigure(IReadOnlyList<CaseOutcome> rows, string ds, IReadOnlyList<string> methods, ReportOptions o)
    {
        var present = methods.Where(m => rows.Any(r => r.Method == m)).ToArray();
        var names = present.Select(ShortName).ToArray();
        var traces = new List<PlotlyTrace>();
        var cases = rows.Select(r => r.CaseOrd).Distinct().OrderBy(c => c).ToArray();
        var caseIndex = cases.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
        foreach (var (name, k) in new[] { ("AC@1", 1), ("AC@3", 3), ("Avg@5", 5) })
        {
            var y = new List<double>();
            var plus = new List<double>();
            var minus = new List<double>();
            foreach (var m in present)
            {
                var g = rows.Where(r => r.Method == m).ToList();
                Func<int?[], double> f = k == 5 ? x => RankingMetrics.AvgAt(x, 5) : x => RankingMetrics.AcAt(x, k);
                double v = f(Summary.Ranks(g));
                y.Add(v);
                var perCase = new List<int?>[cases.Length];
                for (int i = 0; i < perCase.Length; i++) perCase[i] = [];
                foreach (var r in g) perCase[caseIndex[r.CaseOrd]].Add(r.Status == RunStatus.Ok ? r.Rank : null);
                var (lo, hi) = Bootstrap.Interval(cases.Length, idx => f(idx.SelectMany(i => perCase[i]).ToArray()),
                    StableHash.Combine(unchecked((ulong)o.Seed), "bootstrap", ds, Summary.AllFaults), o.Resamples);
                plus.Add(hi - v);
                minus.Add(v - lo);
            }
            traces.Add(new PlotlyTrace { Type = "bar", Name = name, X = names, Y = y, ErrorPlus = plus, ErrorMinus = minus, HoverText = present.Select(m => $"{m}<br>{name}").ToArray() });
        }
        double chance = RankingMetrics.ChanceAvgAt(rows.GroupBy(r => r.CaseOrd).Select(g => g.First().ServiceCount).ToArray(), 5);
        traces.Add(new PlotlyTrace
        {
            Name = string.Create(CultureInfo.InvariantCulture, $"chance Avg@5 ({chance:0.00})"), Mode = "lines", X = names, Y = names.Select(_ => chance).ToArray(),
            Color = "#444", Dash = "dash", Hover = "chance Avg@5 (random ranking of the case's services)",
        });
        return new PlotlyFigure
        {
            Title = $"{ds}: accuracy per method (bootstrap 95% intervals over {cases.Length} cases)", XTitle = "method", YTitle = "score",
            YRange = (0, 1.05), BarMode = "group", CategoricalX = true, Traces = traces, Width = 1100, Height = 560,
        };
    }
}
