using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AiopsLab.Evaluation;
using AiopsLab.Reporting;
using AiopsLab.Reporting.Figures;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Reporting;

/// <summary>Report figures that read well (issue 19 item 5): sizes, labels, chance line, p-values, critical-difference scaling.</summary>
public class FigureLayoutTests
{
    /// <summary>Nineteen methods with long option specs (as in the Sock Shop report), ten cases of five services each.</summary>
    private static List<CaseOutcome> ManyMethods(out string[] methods)
    {
        methods = Enumerable.Range(0, 19).Select(i => i % 3 == 0
            ? $"rcd(exclude-kinds=lat_50;lat_99,preprocessing=sock-shop,seed-offset={i})"
            : $"method-{i:00}(exclude-kinds=lat_50;lat_99,rcaeval=true)").ToArray();
        var rows = new List<CaseOutcome>();
        for (int c = 0; c < 10; c++)
            for (int m = 0; m < methods.Length; m++)
                rows.Add(new CaseOutcome
                {
                    Dataset = "rcd-sockshop", CaseId = "c" + c, System = "s", Fault = "cpu", RootCause = "svc0", Method = methods[m],
                    Status = RunStatus.Ok, Rank = 1 + (c + m) % 5, ServiceCount = 5, CaseOrd = c, ConfigOrd = m,
                });
        return rows;
    }

    [Fact]
    public void Short_names_keep_the_option_values_and_drop_the_excluded_kinds()
    {
        Assert.Equal("baro", ExperimentReport.ShortName("baro"));
        Assert.Equal("random(per-service=false)", ExperimentReport.ShortName("random(per-service=false)"));
        Assert.Equal("rcd(preprocessing=sock-shop)", ExperimentReport.ShortName("rcd(exclude-kinds=lat_50;lat_99,preprocessing=sock-shop)"));
        Assert.Equal("rcd(sock-shop,7)", ExperimentReport.ShortName("rcd(exclude-kinds=lat_50;lat_99,preprocessing=sock-shop,seed-offset=7)"));
        Assert.True(ExperimentReport.ShortName("x(" + new string('a', 80) + "=" + new string('b', 80) + ")").Length <= 32);
    }

    [Fact]
    public void The_accuracy_chart_has_a_chance_line_interval_bars_short_labels_and_the_full_spec_in_the_hover()
    {
        var rows = ManyMethods(out var methods);
        var fig = ExperimentReport.AccuracyFigure(rows, "rcd-sockshop", methods, new ReportOptions { OutDir = "." });
        using var json = JsonDocument.Parse(fig.ToJson());
        var data = json.RootElement.GetProperty("data");
        var chance = data[data.GetArrayLength() - 1];
        // 5 services: chance Avg@5 = (1+2+3+4+5)/5/5 = 0.6, independent of the implementation's formula
        Assert.All(chance.GetProperty("y").EnumerateArray(), y => Assert.Equal(0.6, y.GetDouble(), 12));
        var bars = data[2];
        Assert.Equal("Avg@5", bars.GetProperty("name").GetString());
        Assert.All(bars.GetProperty("x").EnumerateArray(), x => Assert.True(x.GetString()!.Length <= 32, x.GetString()));
        Assert.Contains(methods[0], bars.GetProperty("hovertext")[0].GetString());
        var plus = bars.GetProperty("error_y").GetProperty("array").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Contains(plus, p => p > 0); // ranks vary over cases, so the bootstrap interval has width
        var layout = json.RootElement.GetProperty("layout");
        Assert.False(layout.TryGetProperty("width", out _), "a fixed width pushes title and legend off a narrow page");
    }

    [Fact]
    public void P_values_below_double_resolution_print_as_a_bound()
    {
        Assert.Equal("< 1e-16", ExperimentReport.P(0));
        Assert.Equal("< 1e-16", ExperimentReport.P(3e-20));
        Assert.Equal("0.0312", ExperimentReport.P(0.03123));
        Assert.Equal("$p < 10^{-16}$", PaperNumbers.PValue(0));
    }

    [Fact]
    public void A_critical_difference_diagram_of_twenty_methods_keeps_every_label_inside_and_its_ticks_apart()
    {
        int k = 20, n = 30;
        var names = Enumerable.Range(0, k).Select(i => $"granger-randomwalk(rcaeval=true,variant={i:00})").ToArray();
        var blocks = Enumerable.Range(0, n).Select(b => Enumerable.Range(0, k).Select(i => (double)((i * 7 + b) % k) + (i == 0 ? 100 : 0)).ToArray()).ToArray();
        var f = FriedmanNemenyi.Test(blocks, higherIsBetter: true, alpha: 0.05);
        var svg = XDocument.Parse(CriticalDifferenceDiagram.Render(f, names, "twenty"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        double width = double.Parse(svg.Root!.Attribute("width")!.Value, CultureInfo.InvariantCulture);
        foreach (var t in svg.Descendants(ns + "text").Where(t => t.Value.Contains("granger", StringComparison.Ordinal)))
        {
            double x = double.Parse(t.Attribute("x")!.Value, CultureInfo.InvariantCulture), w = 7.4 * t.Value.Length; // DejaVu Sans 13 px: < 7.4 px per character
            var anchor = t.Attribute("text-anchor")?.Value;
            double lo = anchor == "end" ? x - w : x, hi = anchor == "end" ? x : x + w;
            Assert.True(lo >= 0 && hi <= width, $"label '{t.Value}' spans {lo:0}–{hi:0} outside 0–{width:0}");
        }
        var ticks = svg.Descendants(ns + "text").Where(t => Regex.IsMatch(t.Value, "^[0-9]+$"))
            .Select(t => double.Parse(t.Attribute("x")!.Value, CultureInfo.InvariantCulture)).Order().ToArray();
        Assert.True(ticks.Length >= 3);
        for (int i = 1; i < ticks.Length; i++) Assert.True(ticks[i] - ticks[i - 1] >= 24, $"tick labels {ticks[i - 1]:0} and {ticks[i]:0} run together");
    }

    /// <summary>
    /// Draws the accuracy chart of nineteen long-named methods in headless chromium at a 1,200 px window, with the plotly.js
    /// the report writes beside its pages, and measures what plotly drew: the bars exist, and the title, both axis titles,
    /// the tick labels and the legend lie inside the window, with the x-axis title below the tick labels.
    /// </summary>
    [ChromiumFact]
    public void The_accuracy_chart_draws_in_chromium_with_title_axes_and_legend_inside_the_image()
    {
        var rows = ManyMethods(out var methods);
        var fig = ExperimentReport.AccuracyFigure(rows, "rcd-sockshop", methods, new ReportOptions { OutDir = "." });
        var dir = CliRunner.TempDir("layout");
        PlotlyJs.WriteBeside(dir);
        const string probe = """
            <script>
            setTimeout(function () {
              var out = {W: window.innerWidth, H: window.innerHeight, boxes: {}};
              [['title', '.gtitle'], ['xtitle', '.xtitle'], ['ytitle', '.ytitle'], ['legend', '.legend'], ['xticks', '.xtick text'], ['bars', '.bars path']].forEach(function (p) {
                var b = null;
                document.querySelectorAll(p[1]).forEach(function (e) {
                  var r = e.getBoundingClientRect();
                  if (r.width === 0 && r.height === 0) return;
                  b = b ? {l: Math.min(b.l, r.left), t: Math.min(b.t, r.top), r: Math.max(b.r, r.right), b: Math.max(b.b, r.bottom), n: b.n + 1}
                        : {l: r.left, t: r.top, r: r.right, b: r.bottom, n: 1};
                });
                out.boxes[p[0]] = b;
              });
              var pre = document.createElement('pre'); pre.id = 'layout-check'; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
            }, 1500);
            </script>
            """;
        var html = Path.Combine(dir, "accuracy.html");
        File.WriteAllText(html, fig.ToHtml().Replace("</body>", probe + "</body>", StringComparison.Ordinal));
        // the window is taller than the figure, so the viewport never clips it; the image is the figure's 1,200 × Height box
        var dom = Chromium.DumpDom(Chromium.Find()!, html, 1200, fig.Height + 200);
        var m = Regex.Match(dom, "<pre id=\"layout-check\">(.*?)</pre>", RegexOptions.Singleline);
        Assert.True(m.Success, "the page recorded no layout: plotly.js did not draw.\n" + dom[..Math.Min(2000, dom.Length)]);
        using var j = JsonDocument.Parse(WebUtility.HtmlDecode(m.Groups[1].Value));
        double w = j.RootElement.GetProperty("W").GetDouble(), h = fig.Height;
        var boxes = j.RootElement.GetProperty("boxes");
        foreach (var name in new[] { "title", "xtitle", "ytitle", "legend", "xticks", "bars" })
        {
            var b = boxes.GetProperty(name);
            Assert.True(b.ValueKind == JsonValueKind.Object, $"{name} was not drawn");
            double l = b.GetProperty("l").GetDouble(), r = b.GetProperty("r").GetDouble(), t = b.GetProperty("t").GetDouble(), bb = b.GetProperty("b").GetDouble();
            Assert.True(l >= -0.5 && r <= w + 0.5 && t >= -0.5 && bb <= h + 0.5, $"{name} spans ({l:0},{t:0})–({r:0},{bb:0}), outside the {w:0}×{h:0} image");
        }
        Assert.True(boxes.GetProperty("bars").GetProperty("n").GetInt32() >= 3 * methods.Length, "not every bar was drawn");
        Assert.True(boxes.GetProperty("xtitle").GetProperty("t").GetDouble() >= boxes.GetProperty("xticks").GetProperty("b").GetDouble() - 1,
            "the x-axis title overlaps the tick labels");
        // and a screenshot of the page is a drawn image, not a blank one
        var png = Path.Combine(dir, "accuracy.png");
        Chromium.Screenshot(Chromium.Find()!, Path.Combine(dir, "accuracy.html"), png, 1200, fig.Height);
        Assert.True(new FileInfo(png).Length > 20_000, "the screenshot is nearly empty: the chart did not draw.");
    }
}
