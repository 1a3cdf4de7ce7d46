using AiopsLab.Data;

namespace AiopsLab.Telemetry;

/// <summary>Which log series to derive.</summary>
/// <param name="Drain">Parser settings for templates (default: Nezha's Train Ticket settings).</param>
/// <param name="Templates">Also one count series per (service, template) — RCAEval's <c>logts</c>; many columns.</param>
public sealed record LogFeatureOptions(DrainOptions? Drain = null, bool Templates = false);

/// <summary>
/// Features of log records per service per time bin: line counts, error-line counts and (optionally) counts per Drain
/// template, on the metric grid with the binning and gap rules of <see cref="TraceFeatures"/>.
/// </summary>
/// <remarks>
/// An error line is one whose message contains a level word <c>ERROR</c>, <c>FATAL</c> or <c>SEVERE</c> as a whole token, or a
/// token ending in <c>Exception</c> or <c>Error</c> (a Java exception class name), compared ordinally. Templates are learnt with
/// one <see cref="Drain"/> over the lines in time order, service by service, so ids are stable for the same input.
/// Columns: <c>&lt;service&gt;_LogLines</c>, <c>&lt;service&gt;_LogErrors</c>, <c>&lt;service&gt;_LogTemplate&lt;id&gt;</c>.
/// </remarks>
public static class LogFeatures
{
    public const string Lines = "LogLines", Errors = "LogErrors", TemplatePrefix = "LogTemplate";

    /// <summary>True when the message reads as an error line (see remarks).</summary>
    public static bool IsError(string message)
    {
        foreach (var range in message.AsSpan().Split(' '))
        {
            var t = message.AsSpan()[range].Trim(":[],;()");
            if (t.Length < 5) continue;
            if (t.SequenceEqual("ERROR") || t.SequenceEqual("FATAL") || t.SequenceEqual("SEVERE")
                || t.EndsWith("Exception", StringComparison.Ordinal) || (t.EndsWith("Error", StringComparison.Ordinal) && char.IsUpper(t[0])))
                return true;
        }
        return false;
    }

    /// <summary>Template id of every line, parsed service by service in time order with one parser.</summary>
    public static int[] TemplateIds(LogTable logs, Drain parser)
    {
        var ids = new int[logs.Count];
        foreach (var i in Enumerable.Range(0, logs.Count).OrderBy(i => logs.Service[i], StringComparer.Ordinal).ThenBy(i => i))
            ids[i] = parser.Add(logs.Message[i]);
        return ids;
    }

    /// <summary>The derived series on <paramref name="grid"/> (see <see cref="TraceFeatures.Series"/> for the bins).</summary>
    public static MetricFrame Series(LogTable logs, long[] grid, long step, LogFeatureOptions? options = null)
    {
        options ??= new LogFeatureOptions();
        var bin = TraceFeatures.Bins(logs.TimeMicros, grid, step);
        var covered = new bool[grid.Length];
        foreach (var b in bin) if (b >= 0) covered[b] = true;
        int[]? tpl = options.Templates ? TemplateIds(logs, new Drain(options.Drain ?? DrainOptions.NezhaTrainTicket)) : null;
        var byService = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < logs.Count; i++)
        {
            if (bin[i] < 0) continue;
            if (!byService.TryGetValue(logs.Service[i], out var l)) byService[logs.Service[i]] = l = [];
            l.Add(i);
        }
        var names = new List<string>();
        var cols = new List<double[]>();
        foreach (var (svc, rows) in byService)
        {
            var lines = TraceFeatures.Filled(grid.Length, covered, 0);
            var errors = TraceFeatures.Filled(grid.Length, covered, 0);
            var perTemplate = new SortedDictionary<int, double[]>();
            foreach (var i in rows)
            {
                lines[bin[i]]++;
                if (IsError(logs.Message[i])) errors[bin[i]]++;
                if (tpl is not null)
                {
                    if (!perTemplate.TryGetValue(tpl[i], out var c)) perTemplate[tpl[i]] = c = TraceFeatures.Filled(grid.Length, covered, 0);
                    c[bin[i]]++;
                }
            }
            names.Add(svc + "_" + Lines); cols.Add(lines);
            names.Add(svc + "_" + Errors); cols.Add(errors);
            foreach (var (id, c) in perTemplate)
            {
                names.Add(svc + "_" + TemplatePrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                cols.Add(c);
            }
        }
        return new MetricFrame(grid, names, cols);
    }
}
