using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using AiopsLab.Data;
using AiopsLab.Rca;
using AiopsLab.Reporting.Figures;
using AiopsLab.Methods;

namespace AiopsLab.Reporting.Notebook;

/// <summary>HTML shown as it is by <c>display()</c> (what <c>HTML("…")</c> returns in a notebook).</summary>
public sealed record HtmlContent(string Html)
{
    public override string ToString() => Html;
}

/// <summary>
/// How notebooks show AiopsLab's objects: an HTML rendering (for the notebook's <c>text/html</c> output) and a plain-text
/// one (<c>text/plain</c>, also what a file-based app prints). A <see cref="MetricFrame"/> shows its shape and its first
/// rows; an <see cref="RcaResult"/> its top of the ranking and its diagnostics; a <see cref="ReportTable"/> its blocks
/// with the best values marked; a <see cref="PlotlyFigure"/> draws with plotly.js; a <see cref="DirectedGraph"/> lists
/// its edges; any other sequence of records (classes, records, tuples, anonymous objects) becomes a table with one column
/// per public property or field; scalars are formatted with the invariant culture.
/// </summary>
public static class RichView
{
    /// <summary>Rows shown of a frame or sequence; columns shown of a frame.</summary>
    public const int MaxRows = 20, MaxFrameColumns = 12, MaxRankingRows = 10;

    /// <summary>plotly.js loaded by figure outputs when the page has no <c>Plotly</c> yet (a notebook front end fetches it):
    /// the npm package plotly.js-dist-min at the version scripts/install-plotly.sh pins.</summary>
    public const string PlotlyCdn = "https://cdn.jsdelivr.net/npm/plotly.js-dist-min@4.1.2/plotly.min.js";

    private static int _figureCounter;

    /// <summary>The object as an HTML fragment, or null when it has no HTML form (strings and scalars show as text only).</summary>
    public static string? Html(object? value) => value switch
    {
        null => null,
        HtmlContent h => h.Html,
        string => null,
        PlotlyFigure f => FigureHtml(f),
        Plotly.NET.GenericChart c => Plotly.NET.GenericChart.toChartHTML(c),
        ReportTable t => ReportTableHtml(t),
        _ when Tabulate(value) is { } t => TableHtml(t),
        _ => null,
    };

    /// <summary>The object as plain text.</summary>
    public static string Text(object? value) => value switch
    {
        null => "null",
        HtmlContent h => h.Html,
        string s => s,
        PlotlyFigure f => $"PlotlyFigure \"{f.Title}\": {f.Traces.Count} trace(s) (an HTML output draws it)",
        Plotly.NET.GenericChart c => $"Plotly.NET chart: {Plotly.NET.GenericChart.getTraces(c).Length} trace(s) (an HTML output draws it)",
        ReportTable t => t.ToMarkdown(),
        _ when Tabulate(value) is { } t => (t.Caption is { Length: > 0 } c ? c + "\n" : "") + TextTable.Render(t.Header, t.Rows) + (t.Footer is { Length: > 0 } f ? f + "\n" : ""),
        _ => Scalar(value),
    };

    /// <summary>A table view of the object: header, rows, a caption above and a footer below; null when it is not tabular.</summary>
    public sealed record Table(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows, string? Caption = null, string? Footer = null);

    /// <summary>The tabular view of <paramref name="value"/>, or null for scalars, strings and objects without properties.</summary>
    public static Table? Tabulate(object? value)
    {
        switch (value)
        {
            case null or string or HtmlContent or PlotlyFigure or Plotly.NET.GenericChart or ReportTable: return null;
            case MetricFrame f: return Frame(f);
            case RcaResult r: return Ranking(r);
            case DirectedGraph g:
                return new Table(["from", "to"], g.Edges.Take(200).Select(e => (IReadOnlyList<string>)[e.From, e.To]).ToArray(),
                    $"DirectedGraph: {g.NodeCount} nodes, {g.EdgeCount} edges", g.EdgeCount > 200 ? $"… {g.EdgeCount - 200} more edges" : null);
            case IDictionary d:
                {
                    var rows = new List<IReadOnlyList<string>>();
                    foreach (DictionaryEntry e in d) { if (rows.Count == MaxRows * 5) break; rows.Add([Scalar(e.Key), Scalar(e.Value)]); }
                    return new Table(["key", "value"], rows, null, d.Count > rows.Count ? $"… {d.Count - rows.Count} more" : null);
                }
            case IEnumerable seq:
                return Records(seq.Cast<object?>());
        }
        if (IsScalar(value.GetType())) return null;
        var members = Members(value.GetType());
        if (members.Count == 0) return null;
        return new Table(["property", "value"], members.Select(m => (IReadOnlyList<string>)[m.Name, Scalar(m.Get(value))]).ToArray(), value.GetType().Name);
    }

    private static Table Frame(MetricFrame f)
    {
        int cols = Math.Min(f.ColumnCount, MaxFrameColumns), rows = Math.Min(f.RowCount, MaxRows);
        var header = new List<string> { "time" };
        for (int j = 0; j < cols; j++) header.Add(f.Names[j]);
        var body = new List<IReadOnlyList<string>>();
        for (int i = 0; i < rows; i++)
        {
            var r = new List<string> { Scalar(f.Time[i]) };
            for (int j = 0; j < cols; j++) r.Add(Number(f.Column(j)[i]));
            body.Add(r);
        }
        var caption = string.Create(CultureInfo.InvariantCulture, $"MetricFrame: {f.RowCount} rows × {f.ColumnCount} columns")
            + (f.RowCount > 0 ? string.Create(CultureInfo.InvariantCulture, $", time {f.StartTime}–{f.EndTime}") : "");
        var more = new List<string>();
        if (f.RowCount > rows) more.Add($"{f.RowCount - rows} more rows");
        if (f.ColumnCount > cols) more.Add($"{f.ColumnCount - cols} more columns");
        return new Table(header, body, caption, more.Count > 0 ? "… " + string.Join(", ", more) : null);
    }

    private static Table Ranking(RcaResult r)
    {
        var rows = r.Ranking.Take(MaxRankingRows).Select((m, i) => (IReadOnlyList<string>)[(i + 1).ToString(CultureInfo.InvariantCulture), m.Metric, Number(m.Score)]).ToList();
        var footer = new List<string>();
        if (r.Ranking.Count > rows.Count) footer.Add($"… {r.Ranking.Count - rows.Count} more metrics ranked");
        if (r.Diagnostics.Count > 0) footer.Add("diagnostics: " + string.Join(", ", r.Diagnostics.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + Number(kv.Value))));
        return new Table(["rank", "metric", "score"], rows, $"RcaResult: {r.Ranking.Count} metrics ranked", footer.Count > 0 ? string.Join("\n", footer) : null);
    }

    private static Table? Records(IEnumerable<object?> seq)
    {
        var items = new List<object?>();
        int total = 0;
        foreach (var x in seq) { if (items.Count < MaxRows * 5) items.Add(x); total++; }
        var footer = total > items.Count ? $"… {total - items.Count} more" : null;
        var first = items.FirstOrDefault(x => x is not null);
        if (first is null || IsScalar(first.GetType()) || first is string)
            return new Table(["value"], items.Select(x => (IReadOnlyList<string>)[Scalar(x)]).ToArray(), null, footer);
        var members = Members(first.GetType());
        if (members.Count == 0) return new Table(["value"], items.Select(x => (IReadOnlyList<string>)[Scalar(x)]).ToArray(), null, footer);
        var rows = items.Select(x => (IReadOnlyList<string>)members.Select(m => x is null || !m.Declaring.IsInstanceOfType(x) ? "" : Scalar(m.Get(x))).ToArray()).ToArray();
        return new Table(members.Select(m => m.Name).ToArray(), rows, null, footer);
    }

    private sealed record Member(string Name, Type Declaring, Func<object, object?> Get);

    private static List<Member> Members(Type t)
    {
        var list = new List<Member>();
        if (t.IsGenericType && t.FullName is { } n && n.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
        {
            foreach (var f in t.GetFields(BindingFlags.Public | BindingFlags.Instance)) list.Add(new Member(f.Name, t, f.GetValue));
            return list;
        }
        foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || !p.CanRead) continue;
            if (p.Name == "EqualityContract") continue;
            list.Add(new Member(p.Name, t, o => p.GetValue(o)));
        }
        foreach (var f in t.GetFields(BindingFlags.Public | BindingFlags.Instance)) list.Add(new Member(f.Name, t, f.GetValue));
        return list;
    }

    private static bool IsScalar(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(decimal) || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(TimeSpan) || t == typeof(Guid)
        || (Nullable.GetUnderlyingType(t) is { } u && IsScalar(u));

    /// <summary>A value as one cell: numbers with up to 4 significant decimals (invariant), sequences joined by ", ".</summary>
    public static string Scalar(object? v) => v switch
    {
        null => "",
        string s => s,
        double d => Number(d),
        float f => Number(f),
        IFormattable x when IsScalar(v.GetType()) => x.ToString(null, CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        ITuple t => "(" + string.Join(", ", Enumerable.Range(0, t.Length).Select(i => Scalar(t[i]))) + ")",
        IEnumerable e => Join(e),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Join(IEnumerable e)
    {
        var parts = e.Cast<object?>().Take(11).Select(Scalar).ToList();
        return parts.Count > 10 ? string.Join(", ", parts.Take(10)) + ", …" : string.Join(", ", parts);
    }

    /// <summary>NaN as "NaN"; otherwise the shortest of G6 (invariant).</summary>
    public static string Number(double d) => double.IsNaN(d) ? "NaN" : d.ToString("G6", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>An HTML table of <paramref name="t"/> (numbers right-aligned).</summary>
    public static string TableHtml(Table t)
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"aiopslab-table\">");
        if (t.Caption is { Length: > 0 }) sb.Append("<div><b>").Append(E(t.Caption)).Append("</b></div>");
        sb.Append("<table><thead><tr>");
        foreach (var h in t.Header) sb.Append("<th>").Append(E(h)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var r in t.Rows)
        {
            sb.Append("<tr>");
            for (int j = 0; j < t.Header.Count; j++)
            {
                var c = j < r.Count ? r[j] : "";
                bool num = double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
                sb.Append(num ? "<td style=\"text-align:right\">" : "<td>").Append(E(c)).Append("</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (t.Footer is { Length: > 0 }) sb.Append("<div><i>").Append(E(t.Footer).Replace("\n", "<br>", StringComparison.Ordinal)).Append("</i></div>");
        sb.Append("</div>");
        return sb.ToString();
    }

    /// <summary>A results table as HTML: best value per block bold, second best underlined, blocks separated by a rule.</summary>
    public static string ReportTableHtml(ReportTable t)
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"aiopslab-table\"><div><b>").Append(E(t.Title)).Append("</b></div>");
        if (t.Caption.Length > 0) sb.Append("<div>").Append(E(t.Caption)).Append("</div>");
        sb.Append("<table><thead><tr>");
        foreach (var c in t.Columns) sb.Append("<th>").Append(E(c.Header)).Append("</th>");
        sb.Append("</tr></thead>");
        foreach (var block in t.Blocks)
        {
            var marks = t.Marks(block);
            sb.Append("<tbody style=\"border-top:1px solid #888\">");
            for (int i = 0; i < block.Count; i++)
            {
                sb.Append("<tr>");
                for (int j = 0; j < t.Columns.Count; j++)
                {
                    var cell = j < block[i].Length ? block[i][j] : "";
                    var text = E(cell.WithInterval ?? cell.Text);
                    text = marks[i, j] switch { 1 => "<b>" + text + "</b>", 2 => "<u>" + text + "</u>", _ => text };
                    sb.Append(t.Columns[j].Key ? "<td>" : "<td style=\"text-align:right\">").Append(text).Append("</td>");
                }
                sb.Append("</tr>");
            }
            sb.Append("</tbody>");
        }
        sb.Append("</table>");
        foreach (var n in t.Notes) sb.Append("<div><i>").Append(E(n)).Append("</i></div>");
        sb.Append("</div>");
        return sb.ToString();
    }

    /// <summary>
    /// A figure as a notebook output: a div and a script that draws it with plotly.js, loading plotly.js (<see cref="PlotlyCdn"/>)
    /// when the page has none yet, through require.js where the front end uses it (classic Jupyter).
    /// </summary>
    public static string FigureHtml(PlotlyFigure f)
    {
        var id = "aiopslab-fig-" + Interlocked.Increment(ref _figureCounter).ToString(CultureInfo.InvariantCulture);
        var json = f.ToJson().Replace("</", "<\\/", StringComparison.Ordinal);
        var cdn = PlotlyCdn;
        var amd = "{paths: {plotly: '" + cdn[..^3] + "'}}";
        return $$"""
            <div id="{{id}}" style="width:{{f.Width.ToString(CultureInfo.InvariantCulture)}}px;height:{{f.Height.ToString(CultureInfo.InvariantCulture)}}px"></div>
            <script type="text/javascript">
            (function () {
              var fig = {{json}};
              var draw = function (P) { P.newPlot('{{id}}', fig.data, fig.layout, {displayModeBar: false}); };
              if (window.Plotly) { draw(window.Plotly); }
              else if (typeof require === 'function' && require.config) { require.config({{amd}}); require(['plotly'], draw); }
              else { var s = document.createElement('script'); s.src = '{{cdn}}'; s.onload = function () { draw(window.Plotly); }; document.head.appendChild(s); }
            })();
            </script>
            """;
    }

    /// <summary>Resets the figure id counter (the runner does so per notebook, so executed notebooks are reproducible).</summary>
    public static void ResetIds() => Interlocked.Exchange(ref _figureCounter, 0);
}
