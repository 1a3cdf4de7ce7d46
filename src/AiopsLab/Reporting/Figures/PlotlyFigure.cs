using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Plotly.NET;
using System.Text.Json.Nodes;

namespace AiopsLab.Reporting.Figures;

/// <summary>One Plotly.js trace (a line/marker series or a bar series) with optional symmetric or asymmetric error bars.</summary>
public sealed record PlotlyTrace
{
    /// <summary>Plotly trace type: <c>scatter</c> or <c>bar</c>.</summary>
    public string Type { get; init; } = "scatter";
    /// <summary>For scatter: <c>lines</c>, <c>markers</c> or <c>lines+markers</c>.</summary>
    public string? Mode { get; init; }
    public required string Name { get; init; }
    /// <summary>x values: numbers or category names.</summary>
    public required IReadOnlyList<object> X { get; init; }
    public required IReadOnlyList<double> Y { get; init; }
    /// <summary>Error bar above each y (y_hi − y); null = none.</summary>
    public IReadOnlyList<double>? ErrorPlus { get; init; }
    /// <summary>Error bar below each y (y − y_lo); null = same as <see cref="ErrorPlus"/>.</summary>
    public IReadOnlyList<double>? ErrorMinus { get; init; }
    /// <summary>Hover label of the whole trace (e.g. a method's full spec when <see cref="Name"/> is a short display name).</summary>
    public string? Hover { get; init; }
    /// <summary>Hover text per point (e.g. the full spec of each bar's method).</summary>
    public IReadOnlyList<string>? HoverText { get; init; }
    /// <summary>Line and marker colour (CSS); null = Plotly's cycle.</summary>
    public string? Color { get; init; }
    /// <summary>Marker symbol (Plotly name, e.g. <c>diamond-open</c>); null = default.</summary>
    public string? Symbol { get; init; }
    public bool ShowLegend { get; init; } = true;
    /// <summary>For lines: <c>dash</c>, <c>dot</c>; null = solid.</summary>
    public string? Dash { get; init; }
}

/// <summary>
/// A small figure model that writes Plotly.js figure JSON (<c>{"data": [...], "layout": {...}}</c>, the schema of
/// plotly.js's <c>Plotly.newPlot(div, data, layout)</c>) and a standalone HTML page that draws it with a local
/// <c>plotly.min.js</c> beside it (<see cref="PlotlyJs.WriteBeside"/>: the copy Plotly.NET carries, or scripts/install-plotly.sh's). Only the few attributes the
/// reports use are modelled; NaN values are written as null (a gap).
/// </summary>
public sealed record PlotlyFigure
{
    public required string Title { get; init; }
    public string XTitle { get; init; } = "";
    public string YTitle { get; init; } = "";
    public IReadOnlyList<PlotlyTrace> Traces { get; init; } = [];
    /// <summary>y-axis range; null = automatic.</summary>
    public (double Min, double Max)? YRange { get; init; }
    /// <summary><c>group</c> for side-by-side bars.</summary>
    public string? BarMode { get; init; }
    /// <summary>Treat x as categories even when they look like numbers.</summary>
    public bool CategoricalX { get; init; }
    public int Width { get; init; } = 900;
    public int Height { get; init; } = 520;

    /// <summary>
    /// The figure as a Plotly.NET chart: each trace is made by Plotly.NET.CSharp (<c>Chart.Column</c> for bars,
    /// <c>Chart.Scatter</c> otherwise) and combined with <c>Chart.Combine</c>; what the typed C# API does not cover
    /// (asymmetric error bars, per-point hover text, NaN as a gap, the layout) is set on Plotly.NET's dynamic trace and
    /// layout objects under plotly.js's attribute names.
    /// </summary>
    public GenericChart ToChart()
    {
        var (data, layoutSpec) = Spec();
        var charts = new List<GenericChart>();
        for (int i = 0; i < Traces.Count; i++)
        {
            var t = Traces[i];
            var x = t.X.Select(v => v as IConvertible ?? Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray();
            var y = t.Y.Select(v => double.IsFinite(v) ? v : 0).ToArray();
            var chart = t.Type == "bar"
                ? Plotly.NET.CSharp.Chart.Column<double, IConvertible, string>(values: y, Keys: x, Name: t.Name, UseDefaults: false)
                : Plotly.NET.CSharp.Chart.Scatter<IConvertible, double, string>(x: x, y: y, mode: t.Mode switch
                {
                    "lines" => StyleParam.Mode.Lines, "markers" => StyleParam.Mode.Markers, _ => StyleParam.Mode.Lines_Markers,
                }, Name: t.Name, UseDefaults: false);
            foreach (var trace in GenericChart.getTraces(chart))
                foreach (var (key, value) in data[i])
                    if (key is not ("type" or "name" or "mode")) trace.SetProperty(key, Dynamic(value));
            charts.Add(chart);
        }
        var combined = charts.Count == 0 ? Plotly.NET.CSharp.Chart.Invisible() : Plotly.NET.CSharp.Chart.Combine(charts);
        var layout = GenericChart.getLayout(combined);
        foreach (var (key, value) in layoutSpec) layout.SetProperty(key, Dynamic(value));
        return combined;
    }

    /// <summary>A JSON value as what Plotly.NET's dynamic objects serialise back to the same JSON (null stays null: a gap).</summary>
    private static object? Dynamic(JsonNode? node)
    {
        switch (node)
        {
            case null: return null;
            case JsonObject o:
                var d = new DynamicObj.DynamicObj();
                foreach (var (k, v) in o) d.SetProperty(k, Dynamic(v));
                return d;
            case JsonArray a: return a.Select(Dynamic).ToArray();
            case JsonValue v when v.TryGetValue<bool>(out var b): return b;
            case JsonValue v when v.TryGetValue<double>(out var n): return n;
            case JsonValue v when v.TryGetValue<long>(out var l): return l;
            case JsonValue v when v.TryGetValue<int>(out var i): return i;
            default: return node.GetValue<string>();
        }
    }

    /// <summary>The figure as Plotly.js figure JSON (<c>{"data": [...], "layout": {...}}</c>), written by Plotly.NET.</summary>
    public string ToJson() => GenericChart.toFigureJson(ToChart());

    /// <summary>The traces and layout under plotly.js's attribute names.</summary>
    private (List<JsonObject> Data, JsonObject Layout) Spec()
    {
        var data = new List<JsonObject>();
        foreach (var t in Traces)
        {
            var o = new JsonObject { ["type"] = t.Type, ["name"] = t.Name, ["x"] = Values(t.X), ["y"] = Numbers(t.Y) };
            if (t.Mode is not null) o["mode"] = t.Mode;
            if (!t.ShowLegend) o["showlegend"] = false;
            if (t.HoverText is not null) { var h = new JsonArray(); foreach (var x in t.HoverText) h.Add(x); o["hovertext"] = h; o["hoverinfo"] = "text+y"; }
            else if (t.Hover is not null) o["hovertemplate"] = t.Hover.Replace("%", "%%", StringComparison.Ordinal) + "<br>%{x}: %{y:.3f}<extra></extra>";
            if (t.Color is not null || t.Symbol is not null)
            {
                var marker = new JsonObject();
                if (t.Color is not null) marker["color"] = t.Color;
                if (t.Symbol is not null) { marker["symbol"] = t.Symbol; marker["size"] = 10; }
                o["marker"] = marker;
            }
            if (t.Color is not null || t.Dash is not null)
            {
                var line = new JsonObject();
                if (t.Color is not null) line["color"] = t.Color;
                if (t.Dash is not null) line["dash"] = t.Dash;
                o["line"] = line;
            }
            if (t.ErrorPlus is not null)
                o["error_y"] = new JsonObject
                {
                    ["type"] = "data", ["symmetric"] = t.ErrorMinus is null, ["array"] = Numbers(t.ErrorPlus),
                    ["arrayminus"] = Numbers(t.ErrorMinus ?? t.ErrorPlus), ["visible"] = true,
                };
            data.Add(o);
        }
        // automargin: plotly grows the margins to fit tick labels and axis titles, so neither is cut off nor overlaps
        var yaxis = new JsonObject { ["title"] = new JsonObject { ["text"] = YTitle, ["standoff"] = 8 }, ["zeroline"] = false, ["automargin"] = true };
        if (YRange is { } r) yaxis["range"] = new JsonArray(r.Min, r.Max);
        var xaxis = new JsonObject { ["title"] = new JsonObject { ["text"] = XTitle, ["standoff"] = 12 }, ["zeroline"] = false, ["automargin"] = true };
        if (CategoricalX) xaxis["type"] = "category";
        var layout = new JsonObject
        {
            ["title"] = new JsonObject { ["text"] = Title, ["x"] = 0.01, ["xanchor"] = "left" },
            ["xaxis"] = xaxis, ["yaxis"] = yaxis,
            // no fixed width: the chart fills its page (Width only sizes the PNG screenshot)
            ["autosize"] = true, ["height"] = Height,
            ["font"] = new JsonObject { ["family"] = "DejaVu Sans, Arial, sans-serif", ["size"] = 14 },
            // legend in a row above the plot, so it never pushes the plot off a narrow page
            ["legend"] = new JsonObject { ["orientation"] = "h", ["x"] = 0, ["y"] = 1.0, ["xanchor"] = "left", ["yanchor"] = "bottom" },
            ["margin"] = new JsonObject { ["l"] = 60, ["r"] = 20, ["t"] = 110, ["b"] = 60 },
            ["paper_bgcolor"] = "white", ["plot_bgcolor"] = "white",
        };
        if (BarMode is not null) layout["barmode"] = BarMode;
        return (data, layout);
    }

    /// <summary>A standalone page drawing the figure with <paramref name="plotlyScript"/> (a path relative to the page).</summary>
    public string ToHtml(string plotlyScript = "plotly.min.js")
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(WebUtility.HtmlEncode(Title)).Append("</title>\n");
        sb.Append("<script src=\"").Append(WebUtility.HtmlEncode(plotlyScript)).Append("\"></script>\n");
        sb.Append("<style>body{margin:0;background:#fff} #fig{width:100%;height:")
          .Append(Height.ToString(CultureInfo.InvariantCulture)).Append("px}</style>\n</head>\n<body>\n<div id=\"fig\"></div>\n");
        sb.Append("<script>\nconst figure = ").Append(ToJson().Replace("</", "<\\/", StringComparison.Ordinal)).Append(";\n");
        sb.Append("if (typeof Plotly === 'undefined') {\n  document.getElementById('fig').innerText = 'plotly.js is missing: aiopslab report writes plotly.min.js beside this file; copy it here, then reload.';\n");
        sb.Append("} else {\n  Plotly.newPlot('fig', figure.data, figure.layout, {displayModeBar: false, responsive: true});\n}\n</script>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static JsonArray Numbers(IReadOnlyList<double> v)
    {
        var a = new JsonArray();
        foreach (var x in v) a.Add(double.IsFinite(x) ? JsonValue.Create(x) : null);
        return a;
    }

    private static JsonArray Values(IReadOnlyList<object> v)
    {
        var a = new JsonArray();
        foreach (var x in v)
            a.Add(x switch
            {
                double d => double.IsFinite(d) ? JsonValue.Create(d) : null,
                long l => JsonValue.Create(l),
                int i => JsonValue.Create(i),
                _ => JsonValue.Create(Convert.ToString(x, CultureInfo.InvariantCulture)),
            });
        return a;
    }
}
