using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AiopsLab.Data;

namespace AiopsLab.Datasets;

/// <summary>
/// Writes a fault case in other formats: the generic layout (<c>metrics.csv</c> + <c>case.json</c>, datasets/README.md),
/// and OpenMetrics text for a TSDB (Prometheus' <c>promtool tsdb create-blocks-from openmetrics</c>). Numbers are written
/// round-trippably, so reading the case back gives the same values bit for bit.
/// </summary>
public static class CaseExport
{
    /// <summary>Prefix of every exported metric family name (import strips it: <see cref="Prometheus.PrometheusMapping.StripPrefixes"/>).</summary>
    public const string MetricPrefix = "aiopslab_";

    private static readonly Regex NotMetricChar = new("[^a-zA-Z0-9_:]", RegexOptions.CultureInvariant);

    /// <summary>Writes <c>metrics.csv</c> (time + one column per metric) and <c>case.json</c> (label, call graph, naming) into <paramref name="folder"/>.</summary>
    public static void WriteGeneric(FaultCase c, string folder, MetricFrame? metrics = null)
    {
        Directory.CreateDirectory(folder);
        WriteAtomically(Path.Combine(folder, "metrics.csv"), w => Csv.WriteFrame(w, metrics ?? c.Metrics));
        WriteAtomically(Path.Combine(folder, "case.json"), w => w.Write(CaseJson(c)));
    }

    /// <summary>
    /// The case's <c>case.json</c> for the generic layout. With <paramref name="withColumnOrder"/> it also lists the metric
    /// columns in frame order (<c>columns</c>), which a TSDB does not keep: <c>datasets import</c> restores that order.
    /// </summary>
    public static string CaseJson(FaultCase c, bool withColumnOrder = false)
    {
        var o = new Dictionary<string, object?>
        {
            ["root_cause"] = c.Label.RootCause,
            ["fault_type"] = c.Label.FaultType,
            ["inject_time"] = c.Label.InjectTime,
            ["system"] = c.System,
            ["metrics"] = "metrics.csv",
        };
        if (c.Label.RootCauseMetric is { } m) o["root_cause_metric"] = m;
        if (c.Label.FaultClass is { } fc) o["fault_class"] = fc;
        if (c.Naming is DelimitedNaming dn) o["separator"] = dn.Separator;
        var services = c.Metrics.Names.Select(n => (Entity: c.Naming.Parse(n).Entity, Service: c.Naming.ServiceOf(n))).Distinct()
            .Where(p => p.Entity != p.Service).OrderBy(p => p.Entity, StringComparer.Ordinal).ToArray();
        if (services.Length > 0) o["service_map"] = services.ToDictionary(p => p.Entity, p => p.Service, StringComparer.Ordinal);
        if (c.CallGraph is { } g)
            o["call_graph"] = g.Edges.OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal).Select(e => new[] { e.From, e.To }).ToArray();
        if (withColumnOrder) o["columns"] = c.Metrics.Names.ToArray();
        return JsonSerializer.Serialize(o, new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>
    /// Writes the case's metrics as OpenMetrics text: one gauge family <c>aiopslab_&lt;kind&gt;</c> per metric kind (characters
    /// outside [a-zA-Z0-9_:] become <c>_</c>, and the exact kind is kept in a <c>kind</c> label when that changed it), one
    /// series per entity (label <c>service</c>), a sample per row with its timestamp; missing values are left out.
    /// </summary>
    public static void WriteOpenMetrics(FaultCase c, TextWriter w)
    {
        var inv = CultureInfo.InvariantCulture;
        var byKind = c.Metrics.Names.Select((n, j) => (Ref: c.Naming.Parse(n), Index: j))
            .GroupBy(x => x.Ref.Kind).OrderBy(g => g.Key, StringComparer.Ordinal);
        var time = c.Metrics.Time;
        foreach (var g in byKind)
        {
            var family = MetricPrefix + NotMetricChar.Replace(g.Key, "_");
            var kindLabel = family == MetricPrefix + g.Key ? "" : ",kind=\"" + EscapeLabel(g.Key) + "\"";
            w.Write("# TYPE "); w.Write(family); w.Write(" gauge\n");
            foreach (var (r, j) in g.OrderBy(x => x.Ref.Entity, StringComparer.Ordinal))
            {
                var prefix = family + "{service=\"" + EscapeLabel(r.Entity) + "\"" + kindLabel + "} ";
                var col = c.Metrics.Column(j);
                for (int i = 0; i < time.Length; i++)
                {
                    if (double.IsNaN(col[i])) continue;
                    w.Write(prefix);
                    w.Write(FormatValue(col[i]));
                    w.Write(' ');
                    w.Write(time[i].ToString(inv));
                    w.Write('\n');
                }
            }
        }
        w.Write("# EOF\n");
    }

    /// <summary>OpenMetrics number text: round-trippable decimal, <c>+Inf</c>, <c>-Inf</c>.</summary>
    public static string FormatValue(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string EscapeLabel(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Writes through a temporary sibling file and renames it, so a failure never leaves half a file.</summary>
    public static void WriteAtomically(string path, Action<TextWriter> write)
    {
        var tmp = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        try
        {
            using (var w = new StreamWriter(tmp, false, new UTF8Encoding(false))) write(w);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
