using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AiopsLab.Notebooks;

/// <summary>
/// Makes the Plotly charts of an executed notebook draw offline. Plotly.NET.Interactive 6.0.0's formatter writes each chart
/// as a div and a script that loads plotly.js 2.28.0 from cdn.plot.ly through require.js (itself loaded from cdnjs when the
/// page has none). In the executed copy, the first chart output of a notebook carries Plotly.NET's own plotly.js (the same
/// version, embedded in the Plotly.NET package) inline, defining <c>window.Plotly</c>; every chart's loader is replaced by a
/// call with <c>window.Plotly</c>, so no chart fetches anything. Later charts rely on the first one's script, as the outputs of a
/// notebook share one page in VS Code and Jupyter. The chart data, layout and config are left as Plotly.NET wrote them.
/// An output in another form is left unchanged.
/// </summary>
internal sealed partial class PlotlyOffline
{
    private bool _carried;

    /// <summary>Rewrites the <c>text/html</c> of every display and result output in place.</summary>
    public void Apply(JsonArray outputs)
    {
        foreach (var o in outputs.OfType<JsonObject>())
        {
            if (o["data"] is not JsonObject data || data["text/html"] is not JsonArray lines) continue;
            var html = string.Concat(lines.Select(l => l!.GetValue<string>()));
            if (Rewrite(html) is { } offline) data["text/html"] = NotebookDocument.SourceLines(offline);
        }
    }

    /// <summary>The chart output without its CDN loader (plotly.js inline when it is the notebook's first), or null when <paramref name="html"/> is not a Plotly.NET chart.</summary>
    internal string? Rewrite(string html)
    {
        var open = RequireOpen().Match(html);
        if (!open.Success) return null;
        var close = RequireClose().Match(html, open.Index + open.Length);
        if (!close.Success) return null;
        var sb = new StringBuilder(html.Length + (_carried ? 0 : 3_700_000));
        if (!_carried) { sb.Append(InlineScript()); _carried = true; }
        sb.Append(html, 0, open.Index).Append("(function(Plotly) {")
          .Append(html, open.Index + open.Length, close.Index - open.Index - open.Length)
          .Append("})(window.Plotly);\n};\n").Append(close.Groups["render"].Value).Append("();")
          .Append(html, close.Index + close.Length, html.Length - close.Index - close.Length);
        return sb.ToString();
    }

    /// <summary>plotly.js as a script that defines <c>window.Plotly</c> even where a page has an AMD loader (require.js).</summary>
    internal static string InlineScript()
    {
        var name = Reporting.Figures.PlotlyJs.EmbeddedName();
        using var s = typeof(Plotly.NET.GenericChart).Assembly.GetManifestResourceStream(name)!;
        var js = new StreamReader(s).ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
        // plotly.js's UMD header registers with define() or exports when present; hiding them makes it set self.Plotly.
        return "<script type=\"text/javascript\">if (typeof window.Plotly === 'undefined') (function (define, exports, module) {\n"
            + js + "\n})();</script>\n";
    }

    [GeneratedRegex(@"var fsharpPlotlyRequire = requirejs\.config\(\{context:'fsharp-plotly',paths:\{plotly:'[^']*'\}\}\) \|\| require;\s*fsharpPlotlyRequire\(\['plotly'\], function\(Plotly\) \{")]
    private static partial Regex RequireOpen();

    [GeneratedRegex(@"\}\);\s*\};\s*if \(\(typeof\(requirejs\)[\s\S]*?else \{\s*(?<render>renderPlotly_\w+)\(\);\s*\}")]
    private static partial Regex RequireClose();
}
