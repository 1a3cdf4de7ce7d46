using System.Globalization;
using AiopsLab.Catalog;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Methods;

namespace AiopsLab.Reporting;

/// <summary>
/// The paper's multi-modal table (<c>results/paper/multimodal.*</c>) and its macros, from the run store of
/// <c>experiments/paper/multimodal.yaml</c> (<c>results/multimodal/runs.db</c>): every method on Nezha's Train Ticket faults,
/// in three groups — metric-only (a metric method on the metrics), multi-source (the same method with the derived log and
/// trace series beside the metrics, <c>--sources metrics,logs,traces</c>) and native (methods that read spans and log lines
/// themselves, <see cref="MethodAttribute.Needs"/>). Scores are AC@1/3/5 at the service level (Nezha's AS@k) and at the
/// inner-service level (AIS@k, only for methods that rank inner-service units), beside Nezha's published Table 3 and the
/// original code's figures from <c>published.yaml</c> (experiment <c>multimodal</c>, groups <c>as1</c>, <c>as3</c>, <c>as5</c>).
/// </summary>
public static class PaperMultimodal
{
    /// <summary>The experiment (spec and results folder) this table reads.</summary>
    public const string Experiment = "multimodal";

    private static readonly int[] Ks = [1, 3, 5];

    /// <summary>The full-window runs at the label's anomaly time, or null when the store does not exist.</summary>
    public static List<CaseOutcome>? Load(string results)
    {
        var dir = Path.Combine(results, Experiment);
        if (!File.Exists(Path.Combine(dir, RunStore.FileName))) return null;
        using var store = RunStore.Open(dir);
        return PaperTables.PrimaryRows(ExperimentReport.LoadRows(store).Where(r => r.Window == "full")).ToList();
    }

    /// <summary>True when the run read the derived log and trace series beside the metrics (a <c>sources</c> dataset option).</summary>
    public static bool MultiSource(CaseOutcome r) => r.Dataset.Contains("sources=", StringComparison.Ordinal);

    private static MethodInfo? Info(string method) => MethodCatalog.FindAll(method).FirstOrDefault(d => d.Kind == MethodKind.Localizer);

    /// <summary>The telemetry a method cannot work without (<see cref="MethodAttribute.Needs"/>), empty for a metric method.</summary>
    public static string Needs(string method) => Info(method)?.Needs ?? "";

    /// <summary>Everything a native method reads (<see cref="MethodAttribute.Needs"/> and <see cref="MethodAttribute.Uses"/>), in the order metrics, logs, traces.</summary>
    public static string Reads(string method)
    {
        var all = $"{Info(method)?.Needs},{Info(method)?.Uses}".Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return string.Join(" + ", new[] { "metrics", "logs", "traces" }.Where(all.Contains));
    }

    /// <summary>The table's groups: (group name, what the methods read, the runs), in print order.</summary>
    public static IEnumerable<(string Group, Func<string, string> Reads, List<CaseOutcome> Rows)> Groups(IReadOnlyList<CaseOutcome> rows)
    {
        var metric = rows.Where(r => Needs(r.Method).Length == 0).ToList();
        yield return ("metric-only", _ => "metrics", metric.Where(r => !MultiSource(r)).ToList());
        yield return ("multi-source", _ => "metrics + derived log/trace series", metric.Where(MultiSource).ToList());
        // A native method reads its own telemetry whatever the dataset's `sources` option: its runs under the plain entry are kept.
        yield return ("native", Reads, rows.Where(r => Needs(r.Method).Length > 0 && !MultiSource(r)).ToList());
    }

    /// <summary>AC@k over a group of runs (failed runs count as misses).</summary>
    public static double As(IEnumerable<CaseOutcome> g, int k) => RankingMetrics.AcAt(Summary.Ranks(g), k);

    /// <summary>AIS@k over the runs whose case has an inner-service label; NaN when the method ranks no inner-service unit.</summary>
    public static double Ais(IReadOnlyCollection<CaseOutcome> g, int k) =>
        g.All(r => r.InnerRank is null) ? double.NaN : RankingMetrics.AcAt(Summary.InnerRanks(g), k);

    /// <summary>The reference figures of <paramref name="method"/>: published and original AS@1/3/5 (null where none).</summary>
    public static (double?[] Published, double?[] Original) References(IReadOnlyList<PublishedFigure> published, string method)
    {
        var refs = published.Where(p => p.Experiment == Experiment && p.Method == method).ToArray();
        double? Get(int k, bool pub)
        {
            var f = refs.FirstOrDefault(p => p.Group == "as" + k.ToString(CultureInfo.InvariantCulture));
            if (f is null) return null;
            if (pub) return f.Published;
            return f.Original is { } o && double.TryParse(o, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        return (Ks.Select(k => Get(k, true)).ToArray(), Ks.Select(k => Get(k, false)).ToArray());
    }

    /// <summary>The table: one block per group, one row per method.</summary>
    public static ReportTable Table(IReadOnlyList<CaseOutcome> rows, IReadOnlyList<PublishedFigure> published)
    {
        int cases = rows.Select(r => r.CaseId).Distinct().Count();
        var source = published.FirstOrDefault(p => p.Experiment == Experiment)?.Source ?? "none";
        static string Triple(double?[] v) => v.All(x => x is null) ? "–"
            : string.Join(" / ", v.Select(x => x is { } d ? d.ToString("0.00", CultureInfo.InvariantCulture) : "–"));
        var table = new ReportTable
        {
            FitWidth = true,
            Wide = true,
            Title = "Multi-modal RCA on Nezha's Train Ticket: metric-only, multi-source and native methods",
            Label = "tab:multimodal",
            Caption = $"Nezha's Train Ticket ({cases.ToString(CultureInfo.InvariantCulture)} faults, seed 0, anomaly time = the label's): AC@k of the faulty service (AS@k) and of the "
                + "faulty inner-service cause (AIS@k: the faulty resource or code region inside the service, only for methods that rank such units; – otherwise). Metric-only: the method on the metrics; multi-source: the same method with "
                + "one series per log template and per traced operation beside the metrics; native: methods that read spans and log lines themselves. "
                + $"Published and original AS@1 / AS@3 / AS@5: {ReportTable.Tex(source)}. Best in bold, second underlined, within each group.",
            Columns =
            [
                new TableColumn("Method", "method", Key: true), new TableColumn("Group", "group"), new TableColumn("Reads", "reads"),
                .. Ks.Select(k => new TableColumn($"AS@{k}", $"as{k}", Better.Higher)),
                .. Ks.Select(k => new TableColumn($"AIS@{k}", $"ais{k}", Better.Higher)),
                new TableColumn("Published AS@1/3/5", "published"), new TableColumn("Original AS@1/3/5", "original"),
            ],
        };
        foreach (var (group, reads, g) in Groups(rows))
        {
            var block = new List<TableCell[]>();
            foreach (var m in g.Select(r => r.Method).Distinct().Order(StringComparer.Ordinal))
            {
                var runs = g.Where(r => r.Method == m).ToList();
                var (pub, orig) = group == "multi-source" ? (new double?[3], new double?[3]) : References(published, m);
                block.Add([m, group, reads(m),
                    .. Ks.Select(k => TableCell.Number(As(runs, k), 2)),
                    .. Ks.Select(k => Ais(runs, k) is var a && double.IsNaN(a) ? new TableCell("–") : TableCell.Number(a, 2)),
                    Triple(pub), Triple(orig)]);
            }
            if (block.Count > 0) table.Blocks.Add(block);
        }
        return table;
    }

    /// <summary>Writes the table of <paramref name="rows"/> (<see cref="Load"/>) when there are any; returns the files written.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<CaseOutcome>? rows, IReadOnlyList<PublishedFigure> published, string outDir) =>
        rows is { Count: > 0 } ? Table(rows, published).Write(outDir, "multimodal") : [];

    /// <summary>The macros the prose quotes (<c>\resMm…</c>): Nezha's AS@k and AIS@k, its references, BARO metric-only vs multi-source, the best other native method.</summary>
    public static void Numbers(IReadOnlyList<CaseOutcome>? rows, IReadOnlyList<PublishedFigure> published, SortedDictionary<string, string> m)
    {
        if (rows is not { Count: > 0 }) return;
        var inv = CultureInfo.InvariantCulture;
        string F2(double v) => double.IsNaN(v) ? "--" : v.ToString("0.00", inv);
        string[] words = ["One", "Three", "Five"];
        m["resMmCases"] = rows.Select(r => r.CaseId).Distinct().Count().ToString(inv);
        var groups = Groups(rows).ToDictionary(g => g.Group, g => g.Rows);
        var native = groups["native"];
        if (native.Any(r => r.Method == "nezha"))
        {
            var nz = native.Where(r => r.Method == "nezha").ToList();
            var (pub, orig) = References(published, "nezha");
            for (int i = 0; i < Ks.Length; i++)
            {
                m["resMmNezhaAs" + words[i]] = F2(As(nz, Ks[i]));
                m["resMmNezhaAis" + words[i]] = F2(Ais(nz, Ks[i]));
                if (pub[i] is { } p) m["resMmNezhaPubAs" + words[i]] = F2(p);
                if (orig[i] is { } o) m["resMmNezhaOrigAs" + words[i]] = F2(o);
            }
        }
        var others = native.Where(r => r.Method != "nezha").GroupBy(r => r.Method)
            .Select(g => (Method: g.Key, As1: As(g, 1))).OrderByDescending(x => x.As1).ThenBy(x => x.Method, StringComparer.Ordinal).ToArray();
        if (others.Length > 0)
        {
            m["resMmBestOtherNativeMethod"] = "\\texttt{" + ReportTable.Tex(others[0].Method) + "}";
            m["resMmBestOtherNativeAsOne"] = F2(others[0].As1);
        }
        foreach (var (method, id) in new[] { ("baro", "Baro"), ("nsigma", "Nsigma") })
        {
            var metric = groups["metric-only"].Where(r => r.Method == method).ToList();
            var multi = groups["multi-source"].Where(r => r.Method == method).ToList();
            if (metric.Count == 0 || multi.Count == 0) continue;
            m[$"resMm{id}MetricAsOne"] = F2(As(metric, 1));
            m[$"resMm{id}MultiAsOne"] = F2(As(multi, 1));
            m[$"resMm{id}MetricAvgFive"] = F2(Summary.Avg5(metric));
            m[$"resMm{id}MultiAvgFive"] = F2(Summary.Avg5(multi));
        }
    }
}
