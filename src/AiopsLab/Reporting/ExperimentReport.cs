using System.Globalization;
using System.Text;
using AiopsLab.Data;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Reporting.Figures;

namespace AiopsLab.Reporting;

/// <summary>
/// Writes the paper-ready report of a run store: accuracy per dataset × method × fault (AC@1, AC@3, Avg@5, MRR, chance
/// Avg@5 and lift; optional bootstrap intervals) and runtimes as Markdown, CSV and LaTeX; robustness over the delay tΔ
/// (table, SVG and Plotly figures); paired significance per dataset (Friedman with Iman–Davenport, Nemenyi critical
/// difference and diagram, pairwise Wilcoxon signed-rank on the per-case reciprocal rank with Holm's adjustment); and the
/// provenance. Every number is scored from the store's records (<see cref="Summary"/>, <see cref="RankingMetrics"/>).
/// </summary>
/// <remarks>
/// The accuracy, runtime and significance tables use the experiment's primary setting: its first window, first
/// detection mode and first delay; seeds are pooled (a run = case × seed). Robustness curves vary the delay at the first
/// window and detection mode. <c>settings.csv</c> lists every setting.
/// </remarks>
public static partial class ExperimentReport
{
    /// <summary>The runs a report covers and its primary setting (first window, first detection mode, first delay).</summary>
    private sealed record Scope(List<CaseOutcome> Rows, List<CaseOutcome> Primary, IReadOnlyList<string> Datasets, IReadOnlyList<string> Methods,
        string Window, string Detection, string Setting)
    {
        public static Scope Of(List<CaseOutcome> rows, StoreMeta meta)
        {
            var first = rows.MinBy(r => r.ConfigOrd)!;
            long delay = meta.Delays.Count > 0 ? meta.Delays[0] : 0;
            return new Scope(rows,
                rows.Where(r => r.Window == first.Window && r.Detection == first.Detection && r.Delay == delay).ToList(),
                rows.Select(r => r.Dataset).Distinct().ToList(), // store order (case ord)
                rows.OrderBy(r => r.ConfigOrd).Select(r => r.Method).Distinct().ToList(),
                first.Window, first.Detection,
                string.Create(CultureInfo.InvariantCulture, $"delay {delay} s, window {first.Window}, detection {first.Detection}"));
        }
    }

    /// <summary>Writes every table, figure and page of the report of <paramref name="store"/> into <see cref="ReportOptions.OutDir"/>.</summary>
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
        var sc = Scope.Of(rows, meta);

        var accuracy = AccuracyTable(sc.Primary, sc.Datasets, sc.Methods, o, sc.Setting);
        files.AddRange(accuracy.Write(dir, "accuracy"));
        var runtime = RuntimeTable(sc.Primary, sc.Datasets, sc.Methods, sc.Setting);
        files.AddRange(runtime.Write(dir, "runtime"));
        var inner = InnerTable(sc.Primary, sc.Datasets, sc.Methods, sc.Setting);
        if (inner is not null) files.AddRange(inner.Write(dir, "inner"));
        files.Add(WriteSettings(rows, sc.Datasets, dir));
        if (KeptSets.Write(rows, dir) is { } keptFile) files.Add(keptFile);

        var chromium = o.Render ? Chromium.Find() : null;
        // plotly.js goes beside the pages (committed with them), so they draw offline on a fresh clone
        var plotly = PlotlyJs.WriteBeside(dir);
        files.Add(plotly);
        if (o.Render && chromium is null)
            messages.Add("chromium is not installed: HTML and SVG figures were written, PNGs were not. Install it with scripts/install-chromium.sh to get PNGs.");
        var htmlFigures = new List<(string Html, int W, int H)>();
        WriteAccuracyFigures(sc, o, dir, files, htmlFigures);
        if (meta.Delays.Count > 1) WriteRobustness(sc, meta.Delays, dir, files, htmlFigures);
        var sig = WriteSignificance(sc, o, dir, files);
        if (chromium is not null) RenderPngs(chromium, htmlFigures, files, messages);

        var prov = Path.Combine(dir, "provenance.md");
        File.WriteAllText(prov, ReportProvenance.Markdown(store, meta, expected, present));
        files.Add(prov);
        var indexPath = Path.Combine(dir, "report.md");
        File.WriteAllText(indexPath, Index(meta, sc, expected, present, messages, accuracy, runtime, inner, sig, files));
        files.Insert(0, indexPath);
        return new ReportOutput(files, messages);
    }

    private static void WriteAccuracyFigures(Scope sc, ReportOptions o, string dir, List<string> files, List<(string Html, int W, int H)> htmlFigures)
    {
        foreach (var ds in sc.Datasets)
        {
            var slug = Slug(ds);
            var fig = AccuracyFigure(sc.Primary.Where(r => r.Dataset == ds).ToList(), ds, sc.Methods, o);
            var html = Path.Combine(dir, $"accuracy-{slug}.html");
            File.WriteAllText(html, fig.ToHtml());
            File.WriteAllText(Path.Combine(dir, $"accuracy-{slug}.json"), fig.ToJson());
            files.Add(html);
            files.Add(Path.Combine(dir, $"accuracy-{slug}.json"));
            htmlFigures.Add((html, fig.Width, fig.Height));
        }
    }

    /// <summary>
    /// Avg@5 against the delay tΔ: a table, and per dataset an SVG and a Plotly figure. The Plotly figure also shows each
    /// method's end-to-end point (anomaly time from a detector such as BOCPD) as a separate category after the delays.
    /// </summary>
    private static void WriteRobustness(Scope sc, IReadOnlyList<long> delays, string dir, List<string> files, List<(string Html, int W, int H)> htmlFigures)
    {
        var rob = sc.Rows.Where(r => r.Window == sc.Window && r.Detection == sc.Detection).ToList();
        files.AddRange(RobustnessTable(rob, sc.Datasets, sc.Methods, delays, sc.Window, sc.Detection).Write(dir, "robustness"));
        var detectors = sc.Rows.Where(r => r.Window == sc.Window && r.Detection != sc.Detection).Select(r => r.Detection).Distinct().Order(StringComparer.Ordinal).ToArray();
        foreach (var ds in sc.Datasets)
        {
            var slug = Slug(ds);
            var series = sc.Methods.Select(m => (m, (IReadOnlyList<double>)delays.Select(d => (double)d).ToArray(),
                (IReadOnlyList<double>)delays.Select(d => Summary.Avg5(rob.Where(r => r.Dataset == ds && r.Method == m && r.Delay == d))).ToArray())).ToArray();
            var title = $"{ds}: Avg@5 against the delay tΔ ({sc.Window} window)";
            var svg = new SvgLineChart { Title = title, XTitle = "delay tΔ (s)", YTitle = "Avg@5", Series = series, YRange = (0, 1) }.Render();
            var svgPath = Path.Combine(dir, $"robustness-{slug}.svg");
            File.WriteAllText(svgPath, svg);
            files.Add(svgPath);
            var cats = delays.Select(d => (object)string.Create(CultureInfo.InvariantCulture, $"tΔ = {d} s")).Concat(detectors.Select(d => (object)$"{d} (end to end)")).ToArray();
            var traces = new List<PlotlyTrace>();
            for (int i = 0; i < series.Length; i++)
            {
                var m = series[i].m;
                traces.Add(new PlotlyTrace { Name = ShortName(m), Hover = m, Mode = "lines+markers", X = cats[..delays.Count], Y = series[i].Item3, Color = Svg.Colors[i % Svg.Colors.Length] });
                if (detectors.Length > 0)
                    traces.Add(new PlotlyTrace
                    {
                        Name = ShortName(m) + " (end to end)", Hover = m, Mode = "markers", X = cats[delays.Count..], Color = Svg.Colors[i % Svg.Colors.Length], ShowLegend = false, Symbol = "diamond-open",
                        Y = detectors.Select(d => Summary.Avg5(sc.Rows.Where(r => r.Dataset == ds && r.Method == m && r.Window == sc.Window && r.Detection == d && r.Delay == 0))).ToArray(),
                    });
            }
            var fig = new PlotlyFigure { Title = title, XTitle = "anomaly time given to the localizer", YTitle = "Avg@5", YRange = (0, 1.02), CategoricalX = true, Traces = traces };
            var html = Path.Combine(dir, $"robustness-{slug}.html");
            File.WriteAllText(html, fig.ToHtml());
            files.Add(html);
            htmlFigures.Add((html, fig.Width, fig.Height));
        }
    }

    /// <summary>
    /// A short display name (at most 32 characters) for a chart label: the spec without <c>exclude-kinds</c>
    /// (e.g. <c>rcd(exclude-kinds=lat_50;lat_99,preprocessing=sock-shop)</c> → <c>rcd(preprocessing=sock-shop)</c>), then with
    /// option values only, then cut with an ellipsis; the full spec stays in the hover and the tables.
    /// </summary>
    public static string ShortName(string spec)
    {
        int open = spec.IndexOf('(');
        if (open < 0 || spec.Length <= 32) return spec;
        var opts = spec[(open + 1)..].TrimEnd(')').Split(',').Where(o => !o.StartsWith("exclude-kinds=", StringComparison.Ordinal)).ToArray();
        string With(IEnumerable<string> o) => o.Any() ? spec[..open] + "(" + string.Join(",", o) + ")" : spec[..open];
        var s = With(opts);
        if (s.Length > 32) s = With(opts.Select(o => o.Contains('=') ? o[(o.IndexOf('=') + 1)..] : o));
        return s.Length <= 32 ? s : s[..31] + "…";
    }

    /// <summary>Per dataset: the significance page, its tables and the critical-difference diagram; returns the pages joined.</summary>
    private static string WriteSignificance(Scope sc, ReportOptions o, string dir, List<string> files)
    {
        var sig = new StringBuilder();
        foreach (var ds in sc.Datasets)
        {
            var (md, pairs, ranks, cdSvg) = Significance(sc.Primary.Where(r => r.Dataset == ds).ToList(), ds, sc.Methods, o);
            var slug = Slug(ds);
            void Put(string name, string text)
            {
                var path = Path.Combine(dir, name);
                File.WriteAllText(path, text);
                files.Add(path);
            }
            Put($"significance-{slug}.md", md);
            if (pairs is not null)
            {
                Put($"significance-{slug}.csv", pairs.ToCsv());
                Put($"significance-{slug}.tex", pairs.ToLatex());
                Put($"ranks-{slug}.csv", ranks!.ToCsv());
            }
            if (cdSvg is not null) Put($"cd-{slug}.svg", cdSvg);
            sig.Append(md).Append('\n');
        }
        return sig.ToString();
    }

    private static void RenderPngs(string chromium, List<(string Html, int W, int H)> htmlFigures, List<string> files, List<string> messages)
    {
        foreach (var (html, w, h) in htmlFigures)
        {
            var png = Path.ChangeExtension(html, ".png");
            try { Chromium.Screenshot(chromium, html, png, w, h); files.Add(png); }
            catch (AiopsLabException e) { messages.Add("PNG not rendered: " + e.Message); }
        }
    }

    /// <summary>The report's front page (<c>report.md</c>): setting, messages, the main tables, significance, and links to every file.</summary>
    private static string Index(StoreMeta meta, Scope sc, long expected, long present, List<string> messages,
        ReportTable accuracy, ReportTable runtime, ReportTable? inner, string significance, List<string> files)
    {
        var index = new StringBuilder();
        index.Append("# Report: ").Append(meta.Experiment).Append("\n\n");
        index.Append(string.Create(CultureInfo.InvariantCulture, $"{present} of {expected} runs; primary setting: {sc.Setting}; seeds: {string.Join(", ", meta.Seeds)}; delays: {string.Join(", ", meta.Delays)}.\n\n"));
        foreach (var m in messages) index.Append("> ").Append(m).Append("\n\n");
        index.Append(accuracy.ToMarkdown()).Append('\n');
        if (inner is not null) index.Append(inner.ToMarkdown()).Append('\n');
        index.Append(runtime.ToMarkdown()).Append('\n');
        if (KeptSets.Summary(sc.Primary) is { Length: > 0 } kept) index.Append("## Kept metrics (reduced methods)\n\n").Append(kept).Append('\n');
        index.Append("## Significance\n\n").Append(significance);
        index.Append("## Files\n\n");
        foreach (var f in files.Select(Path.GetFileName).Distinct()) index.Append("- [").Append(f).Append("](").Append(f).Append(")\n");
        return index.ToString();
    }

    /// <summary>
    /// Every run of the store's current experiment, as the runner scored it (rankings not decoded). The dataset label is
    /// <see cref="RunStore.DatasetLabels"/>: the dataset's name, or its key where one store holds the same dataset twice.
    /// </summary>
    public static List<CaseOutcome> LoadRows(RunStore store)
    {
        var label = store.DatasetLabels();
        var rows = new List<CaseOutcome>();
        foreach (var r in store.ReadRuns())
            rows.Add(label.TryGetValue(r.DatasetKey, out var l) && l != r.Dataset ? r with { Dataset = l } : r);
        return rows;
    }

    /// <summary>Lower-case file-name form of a dataset label.</summary>
    public static string Slug(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s.ToLowerInvariant()) sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        return sb.ToString().Trim('-');
    }
}
