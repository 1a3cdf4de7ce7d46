using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Evaluation;

namespace AiopsLab.Reporting;

/// <summary>
/// The side-by-side speed measurement of the original Python implementations (<c>results/external/rcaeval-timing-rcd-sockshop.csv</c>,
/// columns <c>method,case,python_seconds,aiopslab_seconds</c>; how it was measured is in <c>results/external/README.md</c>) as
/// macros the paper's speed section quotes: per method the median seconds per case of each side and the ratio of the medians.
/// </summary>
public static class PaperExternal
{
    /// <summary>The timing file, relative to the results folder.</summary>
    public static readonly string TimingFile = Path.Combine("external", "rcaeval-timing-rcd-sockshop.csv");

    /// <summary>Methods of the file → macro id.</summary>
    private static readonly (string Method, string Id)[] Methods =
        [("baro", "Baro"), ("nsigma", "Nsigma"), ("circa(rcaeval=true)", "Circa"), ("pc-pagerank(rcaeval=true)", "Pcpagerank")];

    /// <summary>Per method: (cases, median Python seconds, median AiopsLab seconds); empty when the file is absent.</summary>
    public static IReadOnlyDictionary<string, (int Cases, double Python, double Ours)> Medians(string results)
    {
        var path = Path.Combine(results, TimingFile);
        var map = new Dictionary<string, (int, double, double)>(StringComparer.Ordinal);
        if (!File.Exists(path)) return map;
        var records = Csv.ReadRecords(path).ToList();
        if (records.Count == 0) return map;
        int Col(string name) => Csv.Column(records[0], name, path);
        int cm = Col("method"), cp = Col("python_seconds"), co = Col("aiopslab_seconds");
        double Num(CsvRecord r, int c) => double.TryParse(r.Fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v
            : throw new DataFormatException(path, r.Line, c + 1, $"'{r.Fields[c]}' is not a number of seconds.");
        var rows = records.Skip(1).Select(r => (Method: r.Fields[cm], Py: Num(r, cp), Ours: Num(r, co))).ToList();
        foreach (var g in rows.GroupBy(r => r.Method))
            map[g.Key] = (g.Count(), Summary.Median(g.Select(r => r.Py).Order().ToArray()), Summary.Median(g.Select(r => r.Ours).Order().ToArray()));
        return map;
    }

    /// <summary>Adds <c>\resPy{Id}PyMs</c>, <c>\resPy{Id}OursMs</c>, <c>\resPy{Id}Ratio</c> per method, and the smallest and largest ratio.</summary>
    public static void Numbers(string results, SortedDictionary<string, string> m)
    {
        var med = Medians(results);
        var inv = CultureInfo.InvariantCulture;
        var ratios = new List<double>();
        foreach (var (method, id) in Methods)
        {
            if (!med.TryGetValue(method, out var v) || v.Ours <= 0) continue;
            double ratio = v.Python / v.Ours;
            ratios.Add(ratio);
            m[$"resPy{id}PyMs"] = (v.Python * 1000).ToString(v.Python < 0.1 ? "0.0" : "#,0", inv).Replace(",", "{,}", StringComparison.Ordinal);
            m[$"resPy{id}OursMs"] = (v.Ours * 1000).ToString("0.0", inv);
            m[$"resPy{id}Ratio"] = ratio.ToString("0", inv);
            m["resPyCases"] = v.Cases.ToString(inv);
        }
        if (ratios.Count == 0) return;
        m["resPyRatioMin"] = ratios.Min().ToString("0", inv);
        m["resPyRatioMax"] = ratios.Max().ToString("0", inv);
    }
}
