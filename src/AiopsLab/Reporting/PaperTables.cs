using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using YamlDotNet.RepresentationModel;
using AiopsLab.Catalog;

namespace AiopsLab.Reporting;

/// <summary>One reference figure the paper compares against (from <c>experiments/paper/published.yaml</c>).</summary>
public sealed record PublishedFigure(string Experiment, string Source, string Label, string Method, string Group, double? Published, string? Original);

/// <summary>
/// The paper's tables, generated from the run stores that <c>aiopslab reproduce</c> writes (<c>results/&lt;experiment&gt;/runs.db</c>)
/// and the reference figures in <c>experiments/paper/published.yaml</c>. Every number is scored (<see cref="Summary"/>) from the stored
/// runs; nothing is typed by hand. Each table is written as Markdown, CSV and LaTeX (booktabs) into
/// <c>results/paper/</c>, which the paper <c>\input</c>s.
/// </summary>
/// <remarks>
/// Scores are service-level Avg@5 (RCAEval's definition) pooled over seeds: a run is a (case, seed) pair, and failed or
/// timed-out runs count as misses. Cases that no method could run because their data is absent from this copy of the
/// dataset (PetShop's temporal scenarios) are left out and the caption says so.
/// </remarks>
public static class PaperTables
{
    /// <summary>The localizers with their default options, in the order the tables list them.</summary>
    public static readonly string[] DefaultMethods =
    [
        "baro", "nsigma", "e-diagnosis", "metricsifter+baro", "circa", "rcd", "pc-pagerank", "pc-randomwalk",
        "granger-pagerank", "granger-randomwalk", "lingam-pagerank", "lingam-randomwalk", "random",
    ];

    /// <summary>Reads the reference figures.</summary>
    public static IReadOnlyList<PublishedFigure> ReadPublished(string path)
    {
        if (!File.Exists(path)) throw new AiopsLabException($"reference figures '{path}' do not exist.");
        var yaml = new YamlStream();
        try { using var r = new StreamReader(path); yaml.Load(r); }
        catch (YamlDotNet.Core.YamlException e) { throw new DataFormatException(path, (int)e.Start.Line, (int)e.Start.Column, e.Message); }
        var list = new List<PublishedFigure>();
        if (yaml.Documents.Count == 0) return list;
        if (yaml.Documents[0].RootNode is not YamlSequenceNode root) throw new DataFormatException(path, 1, 1, "expected a list of experiments.");
        foreach (var exp in root.Children.OfType<YamlMappingNode>())
        {
            string Get(YamlMappingNode n, string key, bool required = true) =>
                n.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s && s.Value is { Length: > 0 } t ? t
                : required ? throw new DataFormatException(path, (int)n.Start.Line, (int)n.Start.Column, $"missing '{key}'.") : "";
            var experiment = Get(exp, "experiment");
            var source = Get(exp, "source");
            if (!exp.Children.TryGetValue(new YamlScalarNode("rows"), out var rowsNode) || rowsNode is not YamlSequenceNode rows)
                throw new DataFormatException(path, (int)exp.Start.Line, (int)exp.Start.Column, "missing 'rows'.");
            foreach (var row in rows.Children.OfType<YamlMappingNode>())
            {
                double? published = null;
                var p = Get(row, "published", required: false);
                if (p.Length > 0)
                    published = double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                        : throw new DataFormatException(path, (int)row.Start.Line, (int)row.Start.Column, $"published '{p}' is not a number.");
                var original = Get(row, "original", required: false);
                list.Add(new PublishedFigure(experiment, source, Get(row, "label"), Get(row, "method"), Get(row, "group"), published, original.Length > 0 ? original : null));
            }
        }
        return list;
    }

    /// <summary>Writes every table whose run store exists under <paramref name="results"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Write(string results, string publishedPath, string outDir, Datasets.DataRoot? dataRoot = null)
    {
        Directory.CreateDirectory(outDir);
        var files = new List<string>();
        files.AddRange(MethodTable().Write(outDir, "methods"));
        if (dataRoot is not null) files.AddRange(DatasetTable(dataRoot).Write(outDir, "datasets"));
        var stores = LoadStores(results);
        if (stores.Count == 0) throw new AiopsLabException($"no run stores under '{results}': run 'aiopslab reproduce' first.");
        if (stores.Count(kv => kv.Key != "robustness") > 0) files.AddRange(Main(stores).Write(outDir, "main"));
        if (stores.TryGetValue("sockshop", out var sock))
        {
            files.AddRange(Fidelity(sock, ReadPublished(publishedPath)).Write(outDir, "fidelity"));
        }
        if (stores.TryGetValue("robustness", out var rob)) files.AddRange(Robustness(rob).Write(outDir, "robustness"));
        if (stores.TryGetValue("synthetic", out var syn)) files.AddRange(ByFault(syn, "synthetic", "tab:synthetic").Write(outDir, "synthetic"));
        if (stores.TryGetValue("petshop", out var pet)) files.AddRange(ByFault(pet, "petshop", "tab:petshop").Write(outDir, "petshop"));
        files.AddRange(Runtime(stores).Write(outDir, "runtime"));
        return files;
    }

    /// <summary>The paper's experiments, in table order.</summary>
    public static readonly string[] Experiments = ["sockshop", "robustness", "nezha", "petshop", "synthetic"];

    /// <summary>
    /// The runs the tables use, per experiment whose run store exists under <paramref name="results"/>
    /// (<c>results/NAME/runs.db</c>): full-window runs of the cases that could be loaded.
    /// </summary>
    public static Dictionary<string, List<CaseOutcome>> LoadStores(string results)
    {
        var stores = new Dictionary<string, List<CaseOutcome>>(StringComparer.Ordinal);
        foreach (var name in Experiments)
        {
            var dir = Path.Combine(results, name);
            if (!File.Exists(Path.Combine(dir, RunStore.FileName))) continue;
            using var store = RunStore.Open(dir);
            stores[name] = Runnable(ExperimentReport.LoadRows(store).Where(r => r.Window == "full").ToList());
        }
        return stores;
    }

    /// <summary>Leaves out cases on which every run failed while loading (data absent from this copy), and says how many.</summary>
    private static List<CaseOutcome> Runnable(List<CaseOutcome> rows)
    {
        var dead = rows.GroupBy(r => (r.Dataset, r.CaseId))
            .Where(g => g.All(r => r.Status == RunStatus.Failed && (r.Error ?? "").StartsWith("loading case:", StringComparison.Ordinal)))
            .Select(g => g.Key).ToHashSet();
        return rows.Where(r => !dead.Contains((r.Dataset, r.CaseId))).ToList();
    }

    private static int CasesOf(IEnumerable<CaseOutcome> rows) => rows.Select(r => (r.Dataset, r.CaseId)).Distinct().Count();

    /// <summary>Service-level Avg@5 of a group of runs (<see cref="Summary.Avg5"/>), two decimals.</summary>
    private static TableCell Score(IEnumerable<CaseOutcome> rows) => TableCell.Number(Summary.Avg5(rows), 2);

    /// <summary>Column groups of the main table: (header, experiment, filter).</summary>
    private static IEnumerable<(string Header, string Experiment, Func<CaseOutcome, bool> Keep)> MainColumns() =>
    [
        ("Sock Shop CPU", "sockshop", r => r.Fault == "cpu"),
        ("Sock Shop MEM", "sockshop", r => r.Fault == "mem"),
        ("OB resource", "nezha", r => r.System == "online-boutique" && r.FaultClass == "resource"),
        ("TT resource", "nezha", r => r.System == "train-ticket" && r.FaultClass == "resource"),
        ("Nezha code", "nezha", r => r.FaultClass == "code"),
        ("PetShop", "petshop", _ => true),
        ("Synthetic", "synthetic", _ => true),
    ];

    /// <summary>Avg@5 of every default localizer on every dataset (primary setting: label anomaly time, no delay).</summary>
    public static ReportTable Main(IReadOnlyDictionary<string, List<CaseOutcome>> stores)
    {
        var cols = MainColumns().Where(c => stores.ContainsKey(c.Experiment)).ToArray();
        var counts = cols.Select(c => CasesOf(Primary(stores[c.Experiment]).Where(c.Keep))).ToArray();
        var table = new ReportTable
        {
            FitWidth = true,
            Title = "Service-level Avg@5 of every localizer (defaults) on every dataset",
            Label = "tab:main",
            Caption = "Service-level Avg@5 (higher is better; seeds pooled; failed runs count as misses) of every localizer with its default options, "
                + "anomaly time = the label's inject time. Cases per column: "
                + string.Join(", ", cols.Select((c, i) => $"{c.Header} {counts[i].ToString(CultureInfo.InvariantCulture)}"))
                + (cols.Any(c => c.Experiment == "petshop") ? "; PetShop counts only the cases whose normal data is in the dataset copy" : "")
                + ". Best in bold, second underlined.",
            Columns = [new TableColumn("Method", "method", Key: true), .. cols.Select(c => new TableColumn(c.Header, Slug(c.Header), Better.Higher))],
        };
        var block = new List<TableCell[]>();
        foreach (var m in DefaultMethods)
        {
            if (!cols.Any(c => Primary(stores[c.Experiment]).Any(r => r.Method == m))) continue;
            block.Add([m, .. cols.Select(c => Score(Primary(stores[c.Experiment]).Where(r => r.Method == m && c.Keep(r))))]);
        }
        table.Blocks.Add(block);
        return table;
    }

    private static IEnumerable<CaseOutcome> Primary(IEnumerable<CaseOutcome> rows) => rows.Where(r => r.Detection == "label" && r.Delay == 0);

    /// <summary>Ours against the published and the original code's figures, with the gap to the nearer one.</summary>
    public static ReportTable Fidelity(IReadOnlyList<CaseOutcome> sock, IReadOnlyList<PublishedFigure> refs)
    {
        var rows = Primary(sock).ToList();
        var table = new ReportTable
        {
            FitWidth = true,
            Title = "Fidelity on rcd-sockshop: AiopsLab against published and original-code figures",
            Label = "tab:fidelity",
            Caption = "Service-level Avg@5 on rcd-sockshop (Sock Shop 1) per fault type (all = CPU and MEM together, for RCD, whose original figures are ranges over seeds averaged over both). "
                + "Published: RCAEval (ASE 2024, Table 5). Original: the original Python code run on the same data on a 2-core machine. "
                + "Gap: |ours − nearer reference| (0 when ours lies in an original range). Ours: mean over 5 seeds.",
            Columns =
            [
                new TableColumn("Method", "method", Key: true), new TableColumn("AiopsLab spec", "spec", Key: true), new TableColumn("Fault", "fault", Key: true),
                new TableColumn("Ours", "ours"), new TableColumn("Published", "published"), new TableColumn("Original", "original"),
                new TableColumn("Gap", "gap", Better.None),
            ],
        };
        var block = new List<TableCell[]>();
        foreach (var f in refs.Where(r => r.Experiment == "sockshop"))
        {
            var g = rows.Where(r => r.Method == f.Method && (f.Group == "all" || r.Fault == f.Group)).ToList();
            double ours = Summary.Avg5(g);
            double gap = Gap(ours, f.Published, f.Original);
            block.Add([f.Label, f.Method, f.Group, TableCell.Number(ours, 3),
                f.Published is { } p ? TableCell.Number(p, 3) : "–", f.Original ?? "–", TableCell.Number(gap, 3)]);
        }
        table.Blocks.Add(block);
        return table;
    }

    /// <summary>|ours − nearer reference|; a reference "lo-hi" is a range (distance 0 inside it).</summary>
    public static double Gap(double ours, double? published, string? original)
    {
        if (double.IsNaN(ours)) return double.NaN;
        var d = new List<double>();
        if (published is { } p) d.Add(Math.Abs(ours - p));
        if (original is { Length: > 0 } o)
        {
            var parts = o.Split('-', 2);
            if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var lo)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var hi))
                d.Add(ours < lo ? lo - ours : ours > hi ? ours - hi : 0);
            else if (double.TryParse(o, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) d.Add(Math.Abs(ours - v));
        }
        return d.Count == 0 ? double.NaN : d.Min();
    }

    /// <summary>Avg@5 against the delay tΔ, and with the anomaly time from BARO's BOCPD (end-to-end).</summary>
    public static ReportTable Robustness(IReadOnlyList<CaseOutcome> rows)
    {
        var delays = rows.Where(r => r.Detection == "label").Select(r => r.Delay).Distinct().Order().ToArray();
        var detectors = rows.Select(r => r.Detection).Where(d => d != "label").Distinct().Order(StringComparer.Ordinal).ToArray();
        var methods = DefaultMethods.Where(m => rows.Any(r => r.Method == m)).ToArray();
        var table = new ReportTable
        {
            FitWidth = true,
            Title = "Robustness on rcd-sockshop: late anomaly time and end-to-end detection",
            Label = "tab:robustness",
            Caption = "Service-level Avg@5 on rcd-sockshop (50 cases) when the anomaly time given to the localizer is the inject time plus tΔ seconds, "
                + "and when it comes from BARO's multivariate BOCPD instead of the label (a case with no alarm counts as a miss).",
            Columns =
            [
                new TableColumn("Method", "method", Key: true),
                .. delays.Select(d => new TableColumn($"tΔ={d.ToString(CultureInfo.InvariantCulture)} s", $"delay_{d.ToString(CultureInfo.InvariantCulture)}", Better.Higher)),
                .. detectors.Select(d => new TableColumn($"{d} (end-to-end)", "detect_" + d, Better.Higher)),
            ],
        };
        var block = new List<TableCell[]>();
        foreach (var m in methods)
            block.Add([m,
                .. delays.Select(d => Score(rows.Where(r => r.Method == m && r.Detection == "label" && r.Delay == d))),
                .. detectors.Select(d => Score(rows.Where(r => r.Method == m && r.Detection == d && r.Delay == 0)))]);
        table.Blocks.Add(block);
        return table;
    }

    /// <summary>Avg@5 per fault type of one experiment.</summary>
    public static ReportTable ByFault(IReadOnlyList<CaseOutcome> rows, string name, string label)
    {
        var prim = Primary(rows).ToList();
        var faults = prim.Select(r => r.Fault).Distinct().Order(StringComparer.Ordinal).ToArray();
        var table = new ReportTable
        {
            FitWidth = true,
            Title = $"{name}: Avg@5 per fault type",
            Label = label,
            Caption = $"{name}: service-level Avg@5 per fault type ({string.Join(", ", faults.Select(f => $"{f} {CasesOf(prim.Where(r => r.Fault == f)).ToString(CultureInfo.InvariantCulture)} cases"))}).",
            Columns = [new TableColumn("Method", "method", Key: true), .. faults.Select(f => new TableColumn(f, f, Better.Higher)), new TableColumn("all", "all", Better.Higher)],
        };
        var block = new List<TableCell[]>();
        foreach (var m in DefaultMethods.Where(m => prim.Any(r => r.Method == m)))
            block.Add([m, .. faults.Select(f => Score(prim.Where(r => r.Method == m && r.Fault == f))), Score(prim.Where(r => r.Method == m))]);
        table.Blocks.Add(block);
        return table;
    }

    /// <summary>Median seconds of one method call per case.</summary>
    public static ReportTable Runtime(IReadOnlyDictionary<string, List<CaseOutcome>> stores)
    {
        var exps = new[] { ("sockshop", "Sock Shop"), ("nezha", "Nezha"), ("petshop", "PetShop"), ("synthetic", "Synthetic") }.Where(e => stores.ContainsKey(e.Item1)).ToArray();
        var table = new ReportTable
        {
            FitWidth = true,
            Title = "Median seconds per case",
            Label = "tab:runtime",
            Caption = "Median wall-clock seconds of one localizer call on one case (ok runs), as measured during the runs (2 cores, 2 cases at once).",
            Columns = [new TableColumn("Method", "method", Key: true), .. exps.Select(e => new TableColumn(e.Item2, e.Item1, Better.Lower))],
        };
        var block = new List<TableCell[]>();
        foreach (var m in DefaultMethods)
        {
            if (!exps.Any(e => stores[e.Item1].Any(r => r.Method == m))) continue;
            block.Add([m, .. exps.Select(e =>
            {
                var median = Summary.MedianSeconds(Primary(stores[e.Item1]).Where(r => r.Method == m));
                return double.IsNaN(median) ? new TableCell("–") : TableCell.Number(median, 4);
            })]);
        }
        table.Blocks.Add(block);
        return table;
    }

    /// <summary>Every registered method: name, kind and paper (from the catalog, so the table cannot drift from the code).</summary>
    public static ReportTable MethodTable()
    {
        var table = new ReportTable
        {
            FitWidth = true,
            Title = "Methods in AiopsLab",
            Label = "tab:methods",
            Caption = "Registered methods (aiopslab methods). Localizers rank metrics; reducers remove metrics before a localizer (reducer+localizer); detectors score a series.",
            Columns = [new TableColumn("Name", "name", Key: true), new TableColumn("Kind", "kind", Key: true), new TableColumn("Paper", "paper", Key: true)],
        };
        foreach (var kind in new[] { AiopsLab.Methods.MethodKind.Localizer, AiopsLab.Methods.MethodKind.Reducer, AiopsLab.Methods.MethodKind.Detector })
        {
            var block = AiopsLab.Catalog.MethodCatalog.OfKind(kind).OrderBy(m => m.Name, StringComparer.Ordinal)
                .Select(m => new TableCell[] { m.Name, kind.ToString().ToLowerInvariant(), m.Citation }).ToList();
            if (block.Count > 0) table.Blocks.Add(block);
        }
        return table;
    }

    /// <summary>The RCA datasets present under the data root: cases, systems and fault types, from the loaders.</summary>
    public static ReportTable DatasetTable(Datasets.DataRoot root)
    {
        var table = new ReportTable
        {
            FitWidth = true,
            Title = "Datasets",
            Label = "tab:datasets",
            Caption = "Fault-injection datasets as AiopsLab loads them from their upstream layouts (aiopslab datasets info). Unavailable: cases whose normal-period data is absent from this copy.",
            Columns = [new TableColumn("Dataset", "dataset", Key: true), new TableColumn("System", "system", Key: true), new TableColumn("Cases", "cases"),
                new TableColumn("Unavailable", "unavailable"), new TableColumn("Fault types (cases)", "faults", Key: true)],
        };
        var block = new List<TableCell[]>();
        foreach (var e in Datasets.DatasetCatalog.Entries.Where(e => e.Layout != "nab"))
        {
            Datasets.IDataset ds;
            try { ds = Datasets.DatasetCatalog.Open(e.Name, root); }
            catch (AiopsLabException) { continue; } // not under this data root
            foreach (var g in ds.Cases.GroupBy(c => c.System).OrderBy(g => g.Key, StringComparer.Ordinal))
                block.Add([e.Name, g.Key, g.Count().ToString(CultureInfo.InvariantCulture), g.Count(c => c.Problem is not null).ToString(CultureInfo.InvariantCulture),
                    string.Join(", ", g.GroupBy(c => c.FaultType).OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Count().ToString(CultureInfo.InvariantCulture)}"))]);
        }
        table.Blocks.Add(block);
        return table;
    }

    private static string Slug(string s) => ExperimentReport.Slug(s).Replace('-', '_');
}
