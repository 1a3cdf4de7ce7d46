using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using YamlDotNet.RepresentationModel;
using AiopsLab.Catalog;

namespace AiopsLab.Reporting;

/// <summary>One reference figure the paper compares against (from <c>experiments/paper/published.yaml</c>).</summary>
/// <param name="Seconds">The original code's published seconds per case, where its paper gives one.</param>
public sealed record PublishedFigure(string Experiment, string Source, string Label, string Method, string Group, double? Published, string? Original, double? Seconds = null);

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

    /// <summary>The random baseline: shown for reference, never marked best.</summary>
    private static readonly IReadOnlySet<string> RandomBaseline = new HashSet<string>(StringComparer.Ordinal) { "random" };

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
                double? seconds = null;
                var sec = Get(row, "seconds", required: false);
                if (sec.Length > 0)
                    seconds = double.TryParse(sec, NumberStyles.Float, CultureInfo.InvariantCulture, out var sv) ? sv
                        : throw new DataFormatException(path, (int)row.Start.Line, (int)row.Start.Column, $"seconds '{sec}' is not a number.");
                list.Add(new PublishedFigure(experiment, source, Get(row, "label"), Get(row, "method"), Get(row, "group"), published, original.Length > 0 ? original : null, seconds));
            }
        }
        return list;
    }

    /// <summary>
    /// Writes every table whose run store exists under <paramref name="results"/>, the figures (<see cref="PaperFigures"/>)
    /// and the macros of the numbers the prose quotes (<see cref="PaperNumbers"/>, <c>numbers.tex</c>); returns the files written.
    /// </summary>
    public static IReadOnlyList<string> Write(string results, string publishedPath, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var files = new List<string>();
        files.AddRange(MethodTable().Write(outDir, "methods"));
        var excluded = new Dictionary<string, List<CaseOutcome>>(StringComparer.Ordinal);
        var stores = LoadStores(results, excluded);
        if (stores.Count == 0) throw new AiopsLabException($"no run stores under '{results}': run 'aiopslab reproduce' first.");
        var published = ReadPublished(publishedPath);
        files.AddRange(DatasetTable(stores, excluded).Write(outDir, "datasets"));
        if (stores.Count(kv => kv.Key != "robustness") > 0) files.AddRange(Main(stores).Write(outDir, "main"));
        if (stores.TryGetValue("sockshop", out var sock)) files.AddRange(Fidelity(sock, published).Write(outDir, "fidelity"));
        if (stores.TryGetValue("robustness", out var rob)) files.AddRange(Robustness(rob).Write(outDir, "robustness"));
        if (stores.TryGetValue("synthetic", out var syn)) files.AddRange(ByFault(syn, "Synthetic", "tab:synthetic").Write(outDir, "synthetic"));
        if (stores.TryGetValue("petshop", out var pet)) files.AddRange(ByFault(pet, "PetShop", "tab:petshop").Write(outDir, "petshop"));
        files.AddRange(Runtime(stores).Write(outDir, "runtime"));
        var multimodal = PaperMultimodal.Load(results); // read once: its table and its macros
        files.AddRange(PaperMultimodal.Write(multimodal, published, outDir));
        files.AddRange(PaperFigures.Write(stores, published, outDir));
        var numbers = Path.Combine(outDir, "numbers.tex");
        File.WriteAllText(numbers, PaperNumbers.ToTex(PaperNumbers.Compute(stores, excluded, published, results, multimodal)));
        files.Add(numbers);
        return files;
    }

    /// <summary>The paper's experiments, in table order.</summary>
    public static readonly string[] Experiments = ["sockshop", "robustness", "nezha", "petshop", "synthetic"];

    /// <summary>
    /// The runs the tables use, per experiment whose run store exists under <paramref name="results"/>
    /// (<c>results/NAME/runs.db</c>): full-window runs of the cases that could be loaded.
    /// </summary>
    /// <param name="excluded">When given, receives per experiment the runs of the cases left out (data absent from this copy).</param>
    public static Dictionary<string, List<CaseOutcome>> LoadStores(string results, Dictionary<string, List<CaseOutcome>>? excluded = null)
    {
        var stores = new Dictionary<string, List<CaseOutcome>>(StringComparer.Ordinal);
        foreach (var name in Experiments)
        {
            var dir = Path.Combine(results, name);
            if (!File.Exists(Path.Combine(dir, RunStore.FileName))) continue;
            using var store = RunStore.Open(dir);
            var all = ExperimentReport.LoadRows(store).Where(r => r.Window == "full").ToList();
            stores[name] = Runnable(all);
            if (excluded is not null) excluded[name] = all.Except(stores[name]).ToList();
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

    private static string Seeds(IReadOnlyDictionary<string, List<CaseOutcome>> stores) =>
        string.Join(", ", stores.Where(kv => kv.Key != "robustness").Select(kv => $"{kv.Key} {kv.Value.Select(r => r.Seed).Distinct().Count().ToString(CultureInfo.InvariantCulture)}"));

    private static int CasesOf(IEnumerable<CaseOutcome> rows) => rows.Select(r => (r.Dataset, r.CaseId)).Distinct().Count();

    /// <summary>Service-level Avg@5 of a group of runs (<see cref="Summary.Avg5"/>), two decimals.</summary>
    private static TableCell Score(IEnumerable<CaseOutcome> rows) => TableCell.Number(Summary.Avg5(rows), 2);

    /// <summary>Column groups of the main table: (header, experiment, filter).</summary>
    internal static IEnumerable<(string Header, string Experiment, Func<CaseOutcome, bool> Keep)> MainColumns() =>
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
        var rows = DefaultMethods.Where(m => cols.Any(c => Primary(stores[c.Experiment]).Any(r => r.Method == m)))
            .Select<string, TableCell[]>(m => [m, .. cols.Select(c => Score(Primary(stores[c.Experiment]).Where(r => r.Method == m && c.Keep(r))))]);
        return OneBlock("tab:main", "Service-level Avg@5 of every localizer (defaults) on every dataset",
            "Service-level Avg@5 (higher is better; seeds pooled; failed runs count as misses) of every localizer with its default options, "
                + "anomaly time = the label's inject time. Cases per column: "
                + string.Join(", ", cols.Select((c, i) => $"{c.Header} {counts[i].ToString(CultureInfo.InvariantCulture)}"))
                + (cols.Any(c => c.Experiment == "petshop") ? "; PetShop counts only the cases whose normal data is in the dataset copy" : "")
                + $". Seeds per case: {Seeds(stores)}. Best in bold, second underlined; the random baseline and zeros are never marked.",
            [new TableColumn("Method", "method", Key: true), .. cols.Select(c => new TableColumn(c.Header, Slug(c.Header), Better.Higher))],
            rows, wide: true);
    }

    /// <summary>A paper table of one block of <paramref name="rows"/>, fitted to the text width (<paramref name="wide"/>: across
    /// both columns of the page); the random baseline is never marked best.</summary>
    private static ReportTable OneBlock(string label, string title, string caption, IReadOnlyList<TableColumn> columns, IEnumerable<TableCell[]> rows, bool wide = false)
    {
        var table = new ReportTable { Unranked = RandomBaseline, FitWidth = true, Wide = wide, Title = title, Label = label, Caption = caption, Columns = columns };
        table.Blocks.Add(rows.ToList());
        return table;
    }

    /// <summary>The primary setting: the label's inject time, no delay.</summary>
    public static IEnumerable<CaseOutcome> PrimaryRows(IEnumerable<CaseOutcome> rows) => rows.Where(r => r.Detection == "label" && r.Delay == 0);

    private static IEnumerable<CaseOutcome> Primary(IEnumerable<CaseOutcome> rows) => PrimaryRows(rows);

    /// <summary>Ours against the published and the original code's figures, with the gap to the nearer one.</summary>
    public static ReportTable Fidelity(IReadOnlyList<CaseOutcome> sock, IReadOnlyList<PublishedFigure> refs)
    {
        var rows = Primary(sock).ToList();
        var block = new List<TableCell[]>();
        foreach (var f in refs.Where(r => r.Experiment == "sockshop"))
        {
            var g = rows.Where(r => r.Method == f.Method && (f.Group == "all" || r.Fault == f.Group)).ToList();
            double ours = Summary.Avg5(g);
            double gap = Gap(ours, f.Published, f.Original);
            block.Add([f.Label, f.Method, f.Group, TableCell.Number(ours, 3),
                f.Published is { } p ? TableCell.Number(p, 3) : "–", f.Original ?? "–", TableCell.Number(gap, 3)]);
        }
        return OneBlock("tab:fidelity", "Fidelity on rcd-sockshop: AiopsLab against published and original-code figures",
            "Service-level Avg@5 on rcd-sockshop (Sock Shop 1) per fault type (all = CPU and MEM together, for RCD, whose original figures are ranges over seeds averaged over both). "
                + "Published: RCAEval (ASE 2024, Table 5). Original: the original Python code run on the same data on a 2-core machine. "
                + "Rows marked \"RCAEval code path\" run AiopsLab's rcaeval=true mode, which reproduces RCAEval 0.1.6's code including its quirks "
                + "(causal-learn's PC with its separating-set rule, orientation order and failures; PC-PageRank's score-name pairing; CIRCA's 1-second grid); "
                + "on rcd-sockshop it gives the original's top-1 service in 50 of 50 cases (PC-PageRank) and 47 of 50 (CIRCA). "
                + "The default modes follow the methods' papers instead (docs/causal.md). "
                + $"Gap: |ours − nearer reference| (0 when ours lies in an original range). Ours: mean over {sock.Select(r => r.Seed).Distinct().Count().ToString(CultureInfo.InvariantCulture)} seeds of all {CasesOf(sock).ToString(CultureInfo.InvariantCulture)} cases.",
            [
                new TableColumn("Method", "method", Key: true), new TableColumn("AiopsLab spec", "spec", Key: true), new TableColumn("Fault", "fault", Key: true),
                new TableColumn("Ours", "ours"), new TableColumn("Published", "published"), new TableColumn("Original", "original"),
                new TableColumn("Gap", "gap", Better.None),
            ],
            block, wide: true);
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
            Unranked = RandomBaseline,
            FitWidth = true,
            Title = "Robustness on rcd-sockshop: late anomaly time and end-to-end detection",
            Label = "tab:robustness",
            Caption = $"Service-level Avg@5 on rcd-sockshop ({CasesOf(rows).ToString(CultureInfo.InvariantCulture)} cases, seeds {string.Join(", ", rows.Select(r => r.Seed).Distinct().Order())}) when the anomaly time given to the localizer is the inject time plus tΔ seconds, "
                + "and when it comes from BARO's multivariate BOCPD run on the case's own metrics instead of the label, or from the first alarm of a univariate detector on the service-level indicators "
                + "(first-alarm: the two best of the case-level detection table by pooled F1, after NAB's label-free warm-up); a case with no alarm counts as a miss. "
                + "This end-to-end mode is not the case-level detection table's set-up, which watches only the service-level indicators from the start of the normal period. "
                + "Best in bold, second underlined; random and zeros are never marked.",
            Columns =
            [
                new TableColumn("Method", "method", Key: true),
                .. delays.Select(d => new TableColumn($"tΔ={d.ToString(CultureInfo.InvariantCulture)} s", $"delay_{d.ToString(CultureInfo.InvariantCulture)}", Better.Higher)),
                .. detectors.Select(d => new TableColumn($"{DetectionLabel(d)} (end-to-end)", "detect_" + d, Better.Higher)),
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

    /// <summary>A detection mode as a column header: <c>first-alarm(detector=X)</c> as "X first alarm", anything else as it is.</summary>
    public static string DetectionLabel(string mode)
    {
        var stage = Methods.MethodSpec.Parse(mode).Stages[0];
        return stage.Name == "first-alarm" && stage.Parameters.TryGetValue("detector", out var d) && stage.Parameters.Count == 1 ? $"{d} first alarm" : mode;
    }

    /// <summary>Avg@5 per fault type of one experiment.</summary>
    public static ReportTable ByFault(IReadOnlyList<CaseOutcome> rows, string name, string label)
    {
        var prim = Primary(rows).ToList();
        var faults = prim.Select(r => r.Fault).Distinct().Order(StringComparer.Ordinal).ToArray();
        var methods = DefaultMethods.Where(m => prim.Any(r => r.Method == m));
        return OneBlock(label, $"{name}: Avg@5 per fault type",
            $"{name}: service-level Avg@5 per fault type ({string.Join(", ", faults.Select(f => $"{f} {CasesOf(prim.Where(r => r.Fault == f)).ToString(CultureInfo.InvariantCulture)} cases"))}; "
                + $"{CasesOf(prim).ToString(CultureInfo.InvariantCulture)} cases, seeds pooled: {string.Join(", ", prim.Select(r => r.Seed).Distinct().Order())}). Best in bold, second underlined; random and zeros are never marked.",
            [new TableColumn("Method", "method", Key: true), .. faults.Select(f => new TableColumn(f, f, Better.Higher)), new TableColumn("all", "all", Better.Higher)],
            methods.Select<string, TableCell[]>(m => [m, .. faults.Select(f => Score(prim.Where(r => r.Method == m && r.Fault == f))), Score(prim.Where(r => r.Method == m))]));
    }

    /// <summary>Median seconds of one method call per case.</summary>
    public static ReportTable Runtime(IReadOnlyDictionary<string, List<CaseOutcome>> stores)
    {
        var exps = new[] { ("sockshop", "Sock Shop"), ("nezha", "Nezha"), ("petshop", "PetShop"), ("synthetic", "Synthetic") }.Where(e => stores.ContainsKey(e.Item1)).ToArray();
        TableCell Median(string m, string experiment)
        {
            var median = Summary.MedianSeconds(Primary(stores[experiment]).Where(r => r.Method == m));
            return double.IsNaN(median) ? new TableCell("–") : TableCell.Number(median, 4);
        }
        return OneBlock("tab:runtime", "Median seconds per case",
            "Median wall-clock seconds of one localizer call on one case (ok runs, all seeds), as measured during the runs (2 cores, 2 cases at once). Fastest in bold (random excluded).",
            [new TableColumn("Method", "method", Key: true), .. exps.Select(e => new TableColumn(e.Item2, e.Item1, Better.Lower))],
            DefaultMethods.Where(m => exps.Any(e => stores[e.Item1].Any(r => r.Method == m)))
                .Select<string, TableCell[]>(m => [m, .. exps.Select(e => Median(m, e.Item1))]));
    }

    /// <summary>Every registered method: name, kind and paper (from the catalog, so the table cannot drift from the code).</summary>
    public static ReportTable MethodTable()
    {
        var table = new ReportTable
        {
            Unranked = RandomBaseline,
            FitWidth = false,
            Wide = true,
            Title = "Methods in AiopsLab",
            Label = "tab:methods",
            Caption = "Registered methods (aiopslab methods). Localizers rank metrics; reducers remove metrics before a localizer (reducer+localizer); detectors score a series.",
            Columns = [new TableColumn("Name", "name", Key: true), new TableColumn("Kind", "kind", Key: true), new TableColumn("Paper", "paper", Key: true) { LatexAlign = "p{0.68\\textwidth}" }],
        };
        foreach (var kind in new[] { AiopsLab.Methods.MethodKind.Localizer, AiopsLab.Methods.MethodKind.Reducer, AiopsLab.Methods.MethodKind.Detector })
        {
            var block = AiopsLab.Catalog.MethodCatalog.OfKind(kind).OrderBy(m => m.Name, StringComparer.Ordinal)
                .Select(m => new TableCell[] { m.Name, kind.ToString().ToLowerInvariant(), m.Citation }).ToList();
            if (block.Count > 0) table.Blocks.Add(block);
        }
        return table;
    }

    /// <summary>
    /// The cases of every experiment's dataset as the runs saw them (one set of cases per dataset for every table and
    /// figure): per dataset and system, the cases, those left out because their data is absent from this copy, and the
    /// fault types of the cases used.
    /// </summary>
    public static ReportTable DatasetTable(IReadOnlyDictionary<string, List<CaseOutcome>> stores, IReadOnlyDictionary<string, List<CaseOutcome>> excluded)
    {
        var block = new List<TableCell[]>();
        foreach (var exp in new[] { "sockshop", "nezha", "petshop", "synthetic" }.Where(stores.ContainsKey))
        {
            var used = stores[exp].GroupBy(r => (r.Dataset, r.CaseId)).Select(g => g.First()).ToList();
            var gone = excluded.TryGetValue(exp, out var ex) ? ex.GroupBy(r => (r.Dataset, r.CaseId)).Select(g => g.First()).ToList() : [];
            foreach (var sys in used.Concat(gone).Select(c => (c.Dataset, c.System)).Distinct().OrderBy(x => x.Dataset, StringComparer.Ordinal).ThenBy(x => x.System, StringComparer.Ordinal))
            {
                var u = used.Where(c => c.Dataset == sys.Dataset && c.System == sys.System).ToList();
                block.Add([sys.Dataset, sys.System, u.Count.ToString(CultureInfo.InvariantCulture),
                    gone.Count(c => c.Dataset == sys.Dataset && c.System == sys.System).ToString(CultureInfo.InvariantCulture),
                    u.Count == 0 ? "–" : string.Join(", ", u.GroupBy(c => c.Fault).OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Count().ToString(CultureInfo.InvariantCulture)}"))]);
            }
        }
        return OneBlock("tab:datasets", "Datasets",
            "Fault-injection cases used in every table and figure, per dataset and system. Left out: cases whose normal-period data is absent from "
                + "this copy of the dataset (no method can run on them); they appear in no score. Fault types count the cases used.",
            [new TableColumn("Dataset", "dataset", Key: true), new TableColumn("System", "system", Key: true), new TableColumn("Cases used", "cases"),
                new TableColumn("Left out", "left_out"), new TableColumn("Fault types (cases)", "faults", Key: true)],
            block);
    }

    private static string Slug(string s) => ExperimentReport.Slug(s).Replace('-', '_');
}
