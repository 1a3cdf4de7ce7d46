using System.Text.RegularExpressions;
using AiopsLab.Notebooks;
using AiopsLab.Reporting.Figures;
using AiopsLab.Tests.Reporting;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Formatting;
using Xunit;

namespace AiopsLab.Tests.Notebooks;

/// <summary>Plotly.NET.Interactive's chart outputs, made to draw offline in executed notebooks (<see cref="PlotlyOffline"/>).</summary>
[Collection(NotebookCollection.Name)]
public sealed class PlotlyOfflineTests
{
    /// <summary>Anything that would fetch a script: a src attribute or require.js path to a URL.</summary>
    internal static readonly Regex Loader = new(@"src=""https?:|setAttribute\(""src"", ""https?:|paths:\s*\{\s*plotly:\s*'https?:|requirejs\.config", RegexOptions.Compiled);

    private static async Task<string> FormatterHtml(Plotly.NET.GenericChart chart)
    {
        using var kernel = new CSharpKernel();
        await ((Microsoft.DotNet.Interactive.IKernelExtension)new Plotly.NET.Interactive.FormatterKernelExtension()).OnLoadAsync(kernel);
        return chart.ToDisplayString(HtmlFormatter.MimeType);
    }

    private static Plotly.NET.GenericChart Chart(string name) =>
        new PlotlyFigure { Title = name, Traces = [new PlotlyTrace { Name = name, Mode = "lines", X = [0.0, 1.0, 2.0], Y = [1.0, 3.0, 2.0] }] }.ToChart();

    [Fact]
    public async Task The_first_chart_carries_plotly_js_and_no_chart_loads_from_a_cdn()
    {
        var html = await FormatterHtml(Chart("a"));
        Assert.Matches(Loader, html); // the formatter's own output loads plotly.js (and require.js) from CDNs
        Assert.Contains("https://cdn.plot.ly/plotly-2.28.0.min", html);

        var offline = new PlotlyOffline();
        var first = offline.Rewrite(html)!;
        var second = offline.Rewrite(await FormatterHtml(Chart("b")))!;

        Assert.DoesNotMatch(Loader, first);
        Assert.DoesNotMatch(Loader, second);
        Assert.Single(Regex.Matches(first, Regex.Escape("plotly.js v2.28.0")));
        Assert.DoesNotContain("plotly.js v2.28.0", second);
        Assert.Contains("})(window.Plotly);", second);
        // The chart itself is kept as Plotly.NET wrote it.
        var data = Regex.Match(html, @"var data = .*;").Value;
        Assert.Contains(data, first);
        Assert.Null(offline.Rewrite("<div>not a chart</div>"));
    }

    [ChromiumFact]
    public async Task Rewritten_charts_draw_in_headless_chromium_without_network()
    {
        var offline = new PlotlyOffline();
        var outputs = new[] { offline.Rewrite(await FormatterHtml(Chart("first")))!, offline.Rewrite(await FormatterHtml(Chart("second")))! };
        var dir = Infrastructure.CliRunner.TempDir("plotly-offline");
        var page = Path.Combine(dir, "outputs.html");
        // The outputs of one notebook on one page, as VS Code and Jupyter show them; then count what plotly.js drew.
        File.WriteAllText(page, "<!DOCTYPE html><html><body>" + string.Join("\n", outputs)
            + "<script>setTimeout(function(){document.title='drawn:'+document.querySelectorAll('.main-svg').length+';traces:'+document.querySelectorAll('.scatterlayer .trace').length;},500);</script></body></html>");
        var dom = Chromium.DumpDom(Chromium.Find()!, page, 800, 1400);
        // Two charts: plotly draws each into its own main svgs (at least one per chart) and one scatter trace per chart.
        var m = Regex.Match(dom, @"<title>drawn:(\d+);traces:(\d+)</title>");
        Assert.True(m.Success, "the page did not finish: " + dom[..Math.Min(300, dom.Length)]);
        Assert.True(int.Parse(m.Groups[1].Value) >= 2, m.Value);
        Assert.Equal("2", m.Groups[2].Value);
    }
}
