using System.Globalization;
using AiopsLab.Evaluation;
using AiopsLab.Reporting.Figures;

namespace AiopsLab.Reporting;

/// <summary>
/// The paper's figures, written as SVG into <c>results/paper/figures/</c> from the same run stores as the tables
/// (<see cref="PaperTables.LoadStores"/>), so a figure and a table can never disagree. <c>paper/build.sh</c> converts
/// each SVG to a vector PDF with headless chromium. Figures: critical-difference diagrams per real dataset, Avg@5 under a
/// late or detected anomaly time (robustness), Avg@5 against the median seconds per case, the distribution of the
/// root cause's rank (AC@k for k = 1…10, i.e. the empirical CDF of the rank), and Avg@5 per method × dataset column.
/// </summary>
public static class PaperFigures
{
    /// <summary>Writes every figure whose store exists; returns the files written.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyDictionary<string, List<CaseOutcome>> stores, IReadOnlyList<PublishedFigure> published, string outDir)
    {
        var dir = Path.Combine(outDir, "figures");
        Directory.CreateDirectory(dir);
        var files = new List<string>();
        void Put(string name, string svg)
        {
            var p = Path.Combine(dir, name + ".svg");
            File.WriteAllText(p, svg);
            files.Add(p);
        }
        foreach (var (exp, title) in new[] { ("sockshop", "Sock Shop"), ("nezha", "Nezha") })
            if (stores.TryGetValue(exp, out var rows) && CriticalDifference(PaperTables.PrimaryRows(rows).ToList(), PaperTables.DefaultMethods, title) is { } cd)
                Put("cd-" + exp, cd);
        if (stores.TryGetValue("robustness", out var rob)) Put("robustness", Robustness(rob));
        if (stores.TryGetValue("sockshop", out var sock)) Put("runtime", Runtime(sock, published));
        var real = new[] { "sockshop", "nezha", "petshop" }.Where(stores.ContainsKey).SelectMany(e => PaperTables.PrimaryRows(stores[e])).ToList();
        if (real.Count > 0) Put("ranks", RankDistribution(real));
        if (stores.Count(kv => kv.Key != "robustness") > 0) Put("heatmap", Heatmap(stores));
        return files;
    }

    /// <summary>
    /// Friedman test over the per-case reciprocal rank (averaged over seeds) of the methods present, on the cases every one
    /// of them ran on; null when fewer than two methods or cases.
    /// </summary>
    public static (FriedmanResult Result, string[] Methods)? Friedman(IReadOnlyList<CaseOutcome> rows, IReadOnlyList<string> methods, double alpha = 0.05)
    {
        var present = methods.Where(m => rows.Any(r => r.Method == m)).ToArray();
        var byBlock = rows.GroupBy(r => (r.Dataset, r.CaseOrd))
            .Select(g => (Case: g.Key, Rr: present.Select(m => g.Where(r => r.Method == m).Select(r => r.Rr).DefaultIfEmpty(double.NaN).Average()).ToArray()))
            .Where(b => b.Rr.All(double.IsFinite)).OrderBy(b => b.Case.Dataset, StringComparer.Ordinal).ThenBy(b => b.Case.CaseOrd).Select(b => b.Rr).ToArray();
        if (present.Length < 2 || byBlock.Length < 2) return null;
        return (FriedmanNemenyi.Test(byBlock, higherIsBetter: true, alpha: alpha), present);
    }

    private static string? CriticalDifference(IReadOnlyList<CaseOutcome> rows, IReadOnlyList<string> methods, string title)
    {
        if (Friedman(rows, methods) is not { } f) return null;
        return CriticalDifferenceDiagram.Render(f.Result, f.Methods,
            string.Create(CultureInfo.InvariantCulture, $"{title}: average rank of the reciprocal rank (Nemenyi, α = 0.05, N = {f.Result.Blocks} cases)"));
    }

    private static string Robustness(IReadOnlyList<CaseOutcome> rows)
    {
        var delays = rows.Where(r => r.Detection == "label").Select(r => r.Delay).Distinct().Order().ToArray();
        var detectors = rows.Select(r => r.Detection).Where(d => d != "label").Distinct().Order(StringComparer.Ordinal).ToArray();
        var methods = PaperTables.DefaultMethods.Where(m => rows.Any(r => r.Method == m)).ToArray();
        var series = delays.Select(d => (string.Create(CultureInfo.InvariantCulture, $"tΔ = {d} s"),
                (IReadOnlyList<double>)methods.Select(m => Summary.Avg5(rows.Where(r => r.Method == m && r.Detection == "label" && r.Delay == d))).ToArray()))
            .Concat(detectors.Select(d => ($"{d} (end to end)",
                (IReadOnlyList<double>)methods.Select(m => Summary.Avg5(rows.Where(r => r.Method == m && r.Detection == d && r.Delay == 0))).ToArray())))
            .ToArray();
        return new SvgDotPlot { Title = "Sock Shop: Avg@5 with a late or detected anomaly time", XTitle = "service-level Avg@5", Rows = methods, Series = series }.Render();
    }

    private static string Runtime(IReadOnlyList<CaseOutcome> sock, IReadOnlyList<PublishedFigure> published)
    {
        var prim = PaperTables.PrimaryRows(sock).ToList();
        var pts = new List<(string, double, double, bool)>();
        foreach (var m in PaperTables.DefaultMethods.Where(m => prim.Any(r => r.Method == m)))
        {
            var g = prim.Where(r => r.Method == m).ToList();
            pts.Add((m, Summary.MedianSeconds(g), Summary.Avg5(g), false));
        }
        foreach (var ref_ in published.Where(p => p.Experiment == "sockshop" && p.Seconds is not null).GroupBy(p => p.Label))
            pts.Add((ref_.Key.Split(" (")[0] + " (Python)", ref_.First().Seconds!.Value, ref_.Average(p => p.Published ?? double.NaN), true));
        return new SvgScatter
        {
            Title = "Sock Shop: accuracy against time per case", XTitle = "median seconds per case (log scale)", YTitle = "service-level Avg@5",
            Points = pts, LogX = true, FilledName = "AiopsLab", HollowName = "original code (published)",
        }.Render();
    }

    private static string RankDistribution(IReadOnlyList<CaseOutcome> rows)
    {
        var methods = PaperTables.DefaultMethods.Where(m => rows.Any(r => r.Method == m)).ToArray();
        var ks = Enumerable.Range(1, 10).Select(k => (double)k).ToArray();
        var series = methods.Select(m =>
        {
            var ranks = Summary.Ranks(rows.Where(r => r.Method == m));
            return (m, (IReadOnlyList<double>)ks, (IReadOnlyList<double>)ks.Select(k => RankingMetrics.AcAt(ranks, (int)k)).ToArray());
        }).ToArray();
        return new SvgLineChart
        {
            Title = "Real datasets: share of cases with the root cause in the top k", XTitle = "k (rank of the root-cause service)",
            YTitle = "AC@k (fraction of runs)", Series = series, YRange = (0, 1), Width = 640, Height = 420,
        }.Render();
    }

    private static string Heatmap(IReadOnlyDictionary<string, List<CaseOutcome>> stores)
    {
        var cols = PaperTables.MainColumns().Where(c => stores.ContainsKey(c.Experiment)).ToArray();
        var methods = PaperTables.DefaultMethods.Where(m => cols.Any(c => stores[c.Experiment].Any(r => r.Method == m))).ToArray();
        var values = methods.Select(m => (IReadOnlyList<double>)cols.Select(c =>
        {
            var g = PaperTables.PrimaryRows(stores[c.Experiment]).Where(r => r.Method == m && c.Keep(r)).ToList();
            return g.Count == 0 ? double.NaN : Summary.Avg5(g);
        }).ToArray()).ToArray();
        return new SvgHeatmap { Title = "Avg@5 per method and dataset (fault class)", Rows = methods, Columns = cols.Select(c => c.Header).ToArray(), Values = values }.Render();
    }
}
