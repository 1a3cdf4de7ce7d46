using System.Globalization;
using System.Text;
using AiopsLab.Data;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Numerics;
using AiopsLab.Reporting.Figures;

namespace AiopsLab.Reporting;

/// <summary>What <c>aiopslab report</c> writes and how.</summary>
public sealed record ReportOptions
{
    /// <summary>Output folder (default: <c>report/</c> in the store's folder).</summary>
    public required string OutDir { get; init; }
    /// <summary>Add seeded bootstrap 95% intervals to the accuracy table.</summary>
    public bool Intervals { get; init; }
    public int Resamples { get; init; } = 1000;
    /// <summary>Seed of the bootstrap.</summary>
    public long Seed { get; init; }
    /// <summary>Level of the Nemenyi critical difference.</summary>
    public double Alpha { get; init; } = 0.05;
    /// <summary>Zero differences in the pairwise Wilcoxon tests.</summary>
    public WilcoxonZeros Zeros { get; init; } = WilcoxonZeros.Wilcox;
    /// <summary>Render PNGs of the HTML figures with headless chromium when it is installed.</summary>
    public bool Render { get; init; } = true;
}

/// <summary>The files written and the messages for the user (e.g. that chromium is absent).</summary>
public sealed record ReportOutput(IReadOnlyList<string> Files, IReadOnlyList<string> Messages);

/// <summary>One stored run reduced to what the report needs, its rank derived from the stored ranking.</summary>
public sealed record ReportRow(string Dataset, long CaseOrd, string CaseId, string Fault, string Method, long ConfigOrd, string Window,
    string Detection, long Seed, long Delay, RunStatus Status, double Seconds, int? Rank, int ServiceCount,
    string System = "", string? FaultClass = null, string? Error = null)
{
    /// <summary>Reciprocal rank (0 for a miss, a failure or a timeout).</summary>
    public double Rr => Status == RunStatus.Ok && Rank is { } r ? 1.0 / r : 0;
}

/// <summary>
/// Writes the paper-ready report of a run store: accuracy per dataset × method × fault (AC@1, AC@3, Avg@5, MRR, chance
/// Avg@5 and lift; optional bootstrap intervals) and runtimes as Markdown, CSV and LaTeX; robustness over the delay tΔ
/// (table, SVG and Plotly figures); paired significance per dataset (Friedman with Iman–Davenport, Nemenyi critical
/// difference and diagram, pairwise Wilcoxon signed-rank on the per-case reciprocal rank with Holm's adjustment); and the
/// provenance. Every number is derived from the stored raw rankings.
/// </summary>
/// <remarks>
/// The accuracy, runtime and significance tables use the experiment's primary setting: its first window, first
/// detection mode and first delay; seeds are pooled (a run = case × seed). Robustness curves vary the delay at the first
/// window and detection mode. <c>settings.csv</c> lists every setting.
/// </remarks>
public static class ExperimentReport
{
    public static ReportOutput Write(RunStore store, ReportOptions o)
    {
        var meta = store.Meta() ?? throw new AiopsLabException($"run store '{store.Path}' holds no experiment yet.");
        var dir = Path.GetFullPath(o.OutDir);
        Directory.CreateDirectory(dir);
        var files = new List<string>();
        var messages = new List<string>();
        var rows = LoadRows(store);
        var (expected, present) = store.Completeness();
        if (rows.Count == 0) throw new AiopsLabException($"run store '{store.Path}' has no results for its experiment yet.");
        if (present < expected)
            messages.Add(string.Create(CultureInfo.InvariantCulture, $"the store holds {present} of the experiment's {expected} runs; tables cover the runs present (merge the remaining shards, or resume the run)."));

        var firstConfig = rows.MinBy(r => r.ConfigOrd)!;
        string window = firstConfig.Window, detection = firstConfig.Detection;
        long delay = meta.Delays.Count > 0 ? meta.Delays[0] : 0;
        var primary = rows.Where(r => r.Window == window && r.Detection == detection && r.Delay == delay).ToList();
        var datasets = rows.Select(r => r.Dataset).Distinct().ToList(); // store order (case ord)
        var methods = rows.OrderBy(r => r.ConfigOrd).Select(r => r.Method).Distinct().ToList();
        string setting = string.Create(CultureInfo.InvariantCulture, $"delay {delay} s, window {window}, detection {detection}");

        var accuracy = AccuracyTable(primary, datasets, methods, o, setting);
        files.AddRange(accuracy.Write(dir, "accuracy"));
        var runtime = RuntimeTable(primary, datasets, methods, setting);
        files.AddRange(runtime.Write(dir, "runtime"));
        files.Add(WriteSettings(rows, datasets, methods, dir));

        var chromium = o.Render ? Chromium.Find() : null;
        var plotly = PlotlyJs.Find();
        if (plotly is not null) File.Copy(plotly, Path.Combine(dir, "plotly.min.js"), overwrite: true);
        else messages.Add("plotly.js was not found, so the HTML figures cannot draw yet: run scripts/install-plotly.sh, then 'aiopslab report' again (or put plotly.min.js beside the HTML files).");
        if (o.Render && chromium is null)
            messages.Add("chromium is not installed: HTML and SVG figures were written, PNGs were not. Install it with scripts/install-chromium.sh to get PNGs.");
        var htmlFigures = new List<(string Html, int W, int H)>();

        // Accuracy figure per dataset.
        foreach (var ds in datasets)
        {
            var slug = Slug(ds);
            var fig = AccuracyFigure(primary.Where(r => r.Dataset == ds).ToList(), ds, methods, o);
            var html = Path.Combine(dir, $"accuracy-{slug}.html");
            File.WriteAllText(html, fig.ToHtml());
            File.WriteAllText(Path.Combine(dir, $"accuracy-{slug}.json"), fig.ToJson());
            files.Add(html);
            files.Add(Path.Combine(dir, $"accuracy-{slug}.json"));
            htmlFigures.Add((html, fig.Width, fig.Height));
        }

        // Robustness over delay.
        if (meta.Delays.Count > 1)
        {
            var rob = rows.Where(r => r.Window == window && r.Detection == detection).ToList();
            var table = RobustnessTable(rob, datasets, methods, meta.Delays, window, detection);
            files.AddRange(table.Write(dir, "robustness"));
            foreach (var ds in datasets)
            {
                var slug = Slug(ds);
                var series = methods.Select(m => (m, (IReadOnlyList<double>)meta.Delays.Select(d => (double)d).ToArray(),
                    (IReadOnlyList<double>)meta.Delays.Select(d => Avg5(rob.Where(r => r.Dataset == ds && r.Method == m && r.Delay == d).ToList())).ToArray())).ToArray();
                var title = $"{ds}: Avg@5 against the delay tΔ ({window} window, {detection})";
                var svg = new SvgLineChart { Title = title, XTitle = "delay tΔ (s)", YTitle = "Avg@5", Series = series, YRange = (0, 1) }.Render();
                var svgPath = Path.Combine(dir, $"robustness-{slug}.svg");
                File.WriteAllText(svgPath, svg);
                files.Add(svgPath);
                var fig = new PlotlyFigure
                {
                    Title = title, XTitle = "delay tΔ (s)", YTitle = "Avg@5", YRange = (0, 1.02),
                    Traces = series.Select(s => new PlotlyTrace { Name = s.m, Mode = "lines+markers", X = s.Item2.Cast<object>().ToArray(), Y = s.Item3 }).ToArray(),
                };
                var html = Path.Combine(dir, $"robustness-{slug}.html");
                File.WriteAllText(html, fig.ToHtml());
                files.Add(html);
                htmlFigures.Add((html, fig.Width, fig.Height));
            }
        }

        // Significance per dataset.
        var sig = new StringBuilder();
        foreach (var ds in datasets)
        {
            var (md, pairs, ranks, cdSvg) = Significance(primary.Where(r => r.Dataset == ds).ToList(), ds, methods, o);
            var slug = Slug(ds);
            var mdPath = Path.Combine(dir, $"significance-{slug}.md");
            File.WriteAllText(mdPath, md);
            files.Add(mdPath);
            if (pairs is not null)
            {
                File.WriteAllText(Path.Combine(dir, $"significance-{slug}.csv"), pairs.ToCsv());
                File.WriteAllText(Path.Combine(dir, $"significance-{slug}.tex"), pairs.ToLatex());
                File.WriteAllText(Path.Combine(dir, $"ranks-{slug}.csv"), ranks!.ToCsv());
                files.Add(Path.Combine(dir, $"significance-{slug}.csv"));
                files.Add(Path.Combine(dir, $"significance-{slug}.tex"));
                files.Add(Path.Combine(dir, $"ranks-{slug}.csv"));
            }
            if (cdSvg is not null)
            {
                var p = Path.Combine(dir, $"cd-{slug}.svg");
                File.WriteAllText(p, cdSvg);
                files.Add(p);
            }
            sig.Append(md).Append('\n');
        }

        if (chromium is not null && plotly is not null)
        {
            foreach (var (html, w, h) in htmlFigures)
            {
                var png = Path.ChangeExtension(html, ".png");
                try { Chromium.Screenshot(chromium, html, png, w, h); files.Add(png); }
                catch (AiopsLabException e) { messages.Add("PNG not rendered: " + e.Message); }
            }
        }
        else if (chromium is not null) messages.Add("PNGs of the Plotly figures need plotly.js (scripts/install-plotly.sh).");

        var prov = Path.Combine(dir, "provenance.md");
        File.WriteAllText(prov, ProvenanceMarkdown(store, meta, expected, present));
        files.Add(prov);

        var index = new StringBuilder();
        index.Append("# Report: ").Append(meta.Experiment).Append("\n\n");
        index.Append(string.Create(CultureInfo.InvariantCulture, $"{present} of {expected} runs; primary setting: {setting}; seeds: {string.Join(", ", meta.Seeds)}; delays: {string.Join(", ", meta.Delays)}.\n\n"));
        foreach (var m in messages) index.Append("> ").Append(m).Append("\n\n");
        index.Append(accuracy.ToMarkdown()).Append('\n').Append(runtime.ToMarkdown()).Append('\n');
        index.Append("## Significance\n\n").Append(sig);
        index.Append("## Files\n\n");
        foreach (var f in files.Select(Path.GetFileName).Distinct()) index.Append("- [").Append(f).Append("](").Append(f).Append(")\n");
        var indexPath = Path.Combine(dir, "report.md");
        File.WriteAllText(indexPath, index.ToString());
        files.Insert(0, indexPath);
        return new ReportOutput(files, messages);
    }

    /// <summary>
    /// Every stored run, its rank recomputed from the stored ranking. The dataset label is the dataset's name, or its
    /// key where one store holds the same dataset twice (e.g. with different filters).
    /// </summary>
    public static List<ReportRow> LoadRows(RunStore store)
    {
        var sets = store.MetricSets();
        var dsList = store.Datasets();
        var nameCount = dsList.GroupBy(d => d.Name).ToDictionary(g => g.Key, g => g.Count());
        var label = dsList.ToDictionary(d => d.Key, d => nameCount[d.Name] > 1 ? d.Key : d.Name, StringComparer.Ordinal);
        var rows = new List<ReportRow>();
        foreach (var r in store.ReadRuns())
        {
            var d = DecodedRun.Of(r, sets);
            rows.Add(new ReportRow(label.GetValueOrDefault(r.DatasetKey, r.Dataset), r.CaseOrd, r.CaseId, r.Fault, r.Method, r.ConfigOrd, r.Window,
                r.Detection, r.Seed, r.Delay, r.Status, r.Seconds, d.Rank, r.ServiceCount, r.System, r.FaultClass, r.Error));
        }
        return rows;
    }

    /// <summary>Lower-case file-name form of a dataset label.</summary>
    public static string Slug(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s.ToLowerInvariant()) sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        return sb.ToString().Trim('-');
    }

    // ---------------------------------------------------------------- scores

    private static int?[] RanksOf(IEnumerable<ReportRow> g) => g.Select(r => r.Status == RunStatus.Ok ? r.Rank : null).ToArray();

    internal static double Avg5(IReadOnlyCollection<ReportRow> g) => g.Count == 0 ? double.NaN : RankingMetrics.AvgAt(RanksOf(g), 5);

    /// <summary>Faults of a dataset: <c>all</c> first, then the fault types in ordinal order.</summary>
    private static IEnumerable<string> Faults(IEnumerable<ReportRow> rows) =>
        new[] { Summary.AllFaults }.Concat(rows.Select(r => r.Fault).Distinct().OrderBy(f => f, StringComparer.Ordinal));

    internal static ReportTable AccuracyTable(IReadOnlyList<ReportRow> rows, IReadOnlyList<string> datasets, IReadOnlyList<string> methods, ReportOptions o, string setting)
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
                    var ranks = RanksOf(g);
                    double ac1 = RankingMetrics.AcAt(ranks, 1), ac3 = RankingMetrics.AcAt(ranks, 3), avg5 = RankingMetrics.AvgAt(ranks, 5), mrr = RankingMetrics.Mrr(ranks);
                    var known = g.Where(r => r.ServiceCount > 0).Select(r => r.ServiceCount).ToArray();
                    double chance = RankingMetrics.ChanceAvgAt(known, 5);
                    double lift = chance > 0 ? avg5 / chance : double.NaN;
                    var cells = new[] { Cell(ac1), Cell(ac3), Cell(avg5), Cell(mrr) };
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
                        TableCell.Number(chance, 3), TableCell.Number(lift, 2), (g.Count(r => r.Status != RunStatus.Ok)).ToString(CultureInfo.InvariantCulture)]);
                }
                if (block.Count > 0) t.Blocks.Add(block);
            }
        }
        t.Notes.Add("AC@k: fraction of runs with the root-cause service in the top k; Avg@5 = mean of AC@1..AC@5; MRR: mean reciprocal rank (0 when missed); chance Avg@5: expected Avg@5 of a uniformly random service ranking; lift = Avg@5 / chance. Failed and timed-out runs count as misses.");
        if (o.Intervals) t.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"Intervals: percentile bootstrap over cases, {o.Resamples} resamples, seed {o.Seed}, the same resamples for every method of a block; CSV columns _lo/_hi hold the bounds."));
        return t;
    }

    private static TableCell Cell(double v) => TableCell.Number(v, 3);

    internal static ReportTable RuntimeTable(IReadOnlyList<ReportRow> rows, IReadOnlyList<string> datasets, IReadOnlyList<string> methods, string setting)
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

    internal static ReportTable RobustnessTable(IReadOnlyList<ReportRow> rows, IReadOnlyList<string> datasets, IReadOnlyList<string> methods,
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
                foreach (var d in delays) cells.Add(Cell(Avg5(g.Where(r => r.Delay == d).ToList())));
                block.Add(cells.ToArray());
            }
            if (block.Count > 0) t.Blocks.Add(block);
        }
        return t;
    }

    private static string WriteSettings(IReadOnlyList<ReportRow> rows, IReadOnlyList<string> datasets, IReadOnlyList<string> methods, string dir)
    {
        var w = new StringWriter { NewLine = "\n" };
        Csv.WriteRow(w, ["dataset", "method", "delay", "window", "detection", "runs", "ac1", "ac3", "avg5", "mrr", "failed"]);
        foreach (var ds in datasets)
            foreach (var g in rows.Where(r => r.Dataset == ds).GroupBy(r => (r.ConfigOrd, r.Delay)).OrderBy(g => g.Key.ConfigOrd).ThenBy(g => g.Key.Delay))
            {
                var f = g.First();
                var ranks = RanksOf(g);
                Csv.WriteRow(w, [ds, f.Method, f.Delay.ToString(CultureInfo.InvariantCulture), f.Window, f.Detection, ranks.Length.ToString(CultureInfo.InvariantCulture),
                    R(RankingMetrics.AcAt(ranks, 1)), R(RankingMetrics.AcAt(ranks, 3)), R(RankingMetrics.AvgAt(ranks, 5)), R(RankingMetrics.Mrr(ranks)),
                    g.Count(r => r.Status != RunStatus.Ok).ToString(CultureInfo.InvariantCulture)]);
            }
        var p = Path.Combine(dir, "settings.csv");
        File.WriteAllText(p, w.ToString());
        return p;
    }

    private static string R(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    private static PlotlyFigure AccuracyFigure(IReadOnlyList<ReportRow> rows, string ds, IReadOnlyList<string> methods, ReportOptions o)
    {
        var present = methods.Where(m => rows.Any(r => r.Method == m)).ToArray();
        var traces = new List<PlotlyTrace>();
        foreach (var (name, k) in new[] { ("AC@1", 1), ("AC@3", 3), ("Avg@5", 5) })
        {
            var y = new List<double>();
            var plus = new List<double>();
            var minus = new List<double>();
            var cases = rows.Select(r => r.CaseOrd).Distinct().OrderBy(c => c).ToArray();
            var caseIndex = cases.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
            foreach (var m in present)
            {
                var g = rows.Where(r => r.Method == m).ToList();
                var ranks = RanksOf(g);
                Func<int?[], double> f = k == 5 ? x => RankingMetrics.AvgAt(x, 5) : x => RankingMetrics.AcAt(x, k);
                double v = f(ranks);
                y.Add(v);
                if (o.Intervals)
                {
                    var perCase = new List<int?>[cases.Length];
                    for (int i = 0; i < perCase.Length; i++) perCase[i] = [];
                    foreach (var r in g) perCase[caseIndex[r.CaseOrd]].Add(r.Status == RunStatus.Ok ? r.Rank : null);
                    var (lo, hi) = Bootstrap.Interval(cases.Length, idx => f(idx.SelectMany(i => perCase[i]).ToArray()),
                        StableHash.Combine(unchecked((ulong)o.Seed), "bootstrap", ds, Summary.AllFaults), o.Resamples);
                    plus.Add(hi - v);
                    minus.Add(v - lo);
                }
            }
            traces.Add(new PlotlyTrace
            {
                Type = "bar", Name = name, X = present, Y = y,
                ErrorPlus = o.Intervals ? plus : null, ErrorMinus = o.Intervals ? minus : null,
            });
        }
        return new PlotlyFigure
        {
            Title = $"{ds}: accuracy per method" + (o.Intervals ? " (bootstrap 95% intervals)" : ""), XTitle = "method", YTitle = "score",
            YRange = (0, 1.05), BarMode = "group", CategoricalX = true, Traces = traces,
            Width = Math.Max(700, 140 + 110 * present.Length),
        };
    }

    // ---------------------------------------------------------------- significance

    private static (string Markdown, ReportTable? Pairs, ReportTable? Ranks, string? CdSvg) Significance(
        IReadOnlyList<ReportRow> rows, string ds, IReadOnlyList<string> methods, ReportOptions o)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("### ").Append(ds).Append(": paired comparison of methods\n\n");
        var present = methods.Where(m => rows.Any(r => r.Method == m)).ToArray();
        // Blocks are cases: a method's value on a case is its reciprocal rank averaged over the seeds it ran with, so
        // repeated seeds of a deterministic method (identical runs) do not count as independent evidence.
        var byBlock = rows.GroupBy(r => r.CaseOrd)
            .Select(g => (Case: g.Key, Rr: present.Select(m => g.Where(r => r.Method == m).Select(r => r.Rr).DefaultIfEmpty(double.NaN).Average()).ToArray()))
            .Where(b => b.Rr.All(double.IsFinite)).OrderBy(b => b.Case).Select(b => b.Rr).ToArray();
        if (present.Length < 2 || byBlock.Length < 2)
        {
            sb.Append("Needs at least two methods and two complete runs; nothing to compare.\n");
            return (sb.ToString(), null, null, null);
        }
        var f = FriedmanNemenyi.Test(byBlock, higherIsBetter: true, alpha: o.Alpha);
        sb.Append(string.Create(inv, $"Reciprocal rank of the root cause (0 when missed, failed or timed out), averaged over seeds per case; N = {f.Blocks} cases that every method ran on, k = {f.Treatments} methods.\n\n"));
        sb.Append(string.Create(inv, $"- Friedman (Demšar's formulas): χ²_F = {f.ChiSquare:0.###} (p = {P(f.ChiSquarePValue)}); Iman–Davenport F_F = {f.FF:0.###} with ({f.Treatments - 1}, {(f.Treatments - 1) * (f.Blocks - 1)}) df (p = {P(f.FFPValue)}).\n"));
        sb.Append(string.Create(inv, $"- With the correction for ties within runs (as scipy and R apply it; read these when many runs tie, e.g. every method ranks the root cause first): χ² = {f.ChiSquareTieCorrected:0.###} (p = {P(f.ChiSquareTieCorrectedPValue)}); F_F = {f.FFTieCorrected:0.###} (p = {P(f.FFTieCorrectedPValue)}).\n"));
        sb.Append(string.Create(inv, $"- Nemenyi: q_{o.Alpha:0.##} = {f.QAlpha:0.###}, critical difference CD = {f.CriticalDifference:0.###}: two methods differ when their average ranks differ by at least CD.\n\n"));

        var ranks = new ReportTable
        {
            Title = $"{ds}: average ranks", Label = "tab:ranks-" + Slug(ds),
            Columns = [new("Method", "method", Key: true), new("average rank", "average_rank", Better.Lower), new("mean RR", "mean_rr", Better.Higher)],
        };
        ranks.Blocks.Add(Enumerable.Range(0, present.Length).OrderBy(i => f.AverageRanks[i]).ThenBy(i => i)
            .Select(i => new TableCell[] { present[i], TableCell.Number(f.AverageRanks[i], 3), TableCell.Number(byBlock.Average(b => b[i]), 3) }).ToList());
        sb.Append(ranks.ToMarkdown().Replace("### ", "#### ", StringComparison.Ordinal)).Append('\n');

        var pairs = new List<(int A, int B, WilcoxonResult? W, string? Error)>();
        for (int a = 0; a < present.Length; a++)
            for (int b = a + 1; b < present.Length; b++)
            {
                var x = byBlock.Select(r => r[a]).ToArray();
                var y = byBlock.Select(r => r[b]).ToArray();
                try { pairs.Add((a, b, WilcoxonSignedRank.Test(x, y, o.Zeros), null)); }
                catch (ArgumentException e) { pairs.Add((a, b, null, e.Message)); }
            }
        var valid = pairs.Where(p => p.W is not null).ToArray();
        var holm = Holm.Adjust(valid.Select(p => p.W!.PValue).ToArray());
        var table = new ReportTable
        {
            Title = $"{ds}: pairwise Wilcoxon signed-rank tests", Label = "tab:wilcoxon-" + Slug(ds),
            Caption = $"{ds}: two-sided Wilcoxon signed-rank tests on the per-case reciprocal rank (mean over seeds) (zeros: {o.Zeros.ToString().ToLowerInvariant()}), p-values Holm-adjusted over {valid.Length} pairs; Nemenyi at α = {o.Alpha.ToString("0.##", inv)}.",
            Columns =
            [
                new("A", "method_a", Key: true), new("B", "method_b", Key: true), new("N", "n"), new("mean RR A", "mean_rr_a"), new("mean RR B", "mean_rr_b"),
                new("R+", "r_plus"), new("R−", "r_minus"), new("p", "p"), new("p (Holm)", "p_holm"), new("exact", "exact"), new("Nemenyi", "nemenyi_differ"),
            ],
        };
        var blockRows = new List<TableCell[]>();
        int vi = 0;
        foreach (var (a, b, w, err) in pairs)
        {
            var ma = byBlock.Average(r => r[a]);
            var mb = byBlock.Average(r => r[b]);
            if (w is null)
            {
                blockRows.Add([present[a], present[b], "0", TableCell.Number(ma, 3), TableCell.Number(mb, 3), "–", "–", "–", "–", "–", f.Differ(a, b) ? "yes" : "no"]);
                table.Notes.Add($"{present[a]} vs {present[b]}: {err}");
                continue;
            }
            blockRows.Add([present[a], present[b], w.N.ToString(inv), TableCell.Number(ma, 3), TableCell.Number(mb, 3),
                new TableCell(w.RPlus.ToString("0.#", inv), w.RPlus), new TableCell(w.RMinus.ToString("0.#", inv), w.RMinus),
                new TableCell(P(w.PValue), w.PValue), new TableCell(P(holm[vi]), holm[vi]), w.Exact ? "yes" : "no", f.Differ(a, b) ? "yes" : "no"]);
            vi++;
        }
        table.Blocks.Add(blockRows);
        sb.Append(table.ToMarkdown().Replace("### ", "#### ", StringComparison.Ordinal)).Append('\n');
        var cd = CriticalDifferenceDiagram.Render(f, present, $"{ds}: critical difference (Nemenyi, α = {o.Alpha.ToString("0.##", inv)}, N = {f.Blocks})");
        sb.Append("![critical difference diagram](cd-").Append(Slug(ds)).Append(".svg)\n");
        return (sb.ToString(), table, ranks, cd);
    }

    private static string P(double p) => double.IsNaN(p) ? "–" : p < 1e-4 ? p.ToString("0.0e+0", CultureInfo.InvariantCulture) : p.ToString("0.0000", CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- provenance

    private static string ProvenanceMarkdown(RunStore store, StoreMeta meta, long expected, long present)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("# Provenance: ").Append(meta.Experiment).Append("\n\n");
        sb.Append(string.Create(inv, $"- runs: {present} of {expected}\n- spec: {(meta.SpecFile.Length == 0 ? "(command line)" : meta.SpecFile)}\n- seeds: {string.Join(", ", meta.Seeds)}; delays: {string.Join(", ", meta.Delays)}; timeout: {meta.TimeoutSeconds} s per method and case\n\n"));
        sb.Append("## Datasets\n\n| dataset | location | files | bytes | checksum (SHA-256 of the file manifest) |\n|---|---|---:|---:|---|\n");
        foreach (var d in store.Datasets())
            sb.Append(string.Create(inv, $"| {d.Key} | {d.Location} | {d.Files} | {d.Bytes} | {d.Checksum} |\n"));
        sb.Append("\n## Invocations\n\n| # | started (UTC) | finished | shard | outcome | rows | commit | dirty | runtime | OS | CPU | cores |\n|---:|---|---|---|---|---:|---|---|---|---|---|---:|\n");
        Provenance? last = null;
        foreach (var i in store.Invocations())
        {
            var p = Provenance.FromJson(i.Provenance);
            if (p is not null) last = p;
            sb.Append(string.Create(inv, $"| {i.Id} | {i.Started} | {i.Finished ?? "(not finished: killed or running)"} | {i.Shard} | {i.Outcome} | {i.Rows} | {p?.GitCommit ?? "unknown"} | {(p?.GitDirty is { } dirty ? dirty ? "yes" : "no" : "unknown")} | {p?.Runtime} | {p?.Os} | {p?.Cpu} | {p?.Cores} |\n"));
        }
        if (last is not null)
        {
            sb.Append("\n## Versions (last invocation)\n\n");
            sb.Append("- AiopsLab ").Append(last.AiopsLabVersion).Append('\n');
            foreach (var (k, v) in last.Packages) sb.Append("- ").Append(k).Append(' ').Append(v).Append('\n');
        }
        sb.Append("\n## Spec\n\n```yaml\n").Append(meta.SpecText.TrimEnd()).Append("\n```\n");
        return sb.ToString();
    }
}
