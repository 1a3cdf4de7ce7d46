using System.Globalization;
using System.Net;
using System.Text;

namespace AiopsLab.Reporting.Figures;

/// <summary>Tiny helpers for writing SVG by hand: invariant numbers, escaped text, a fixed colour cycle.</summary>
internal static class Svg
{
    /// <summary>Plotly's default colour cycle, so SVG and HTML figures colour methods alike.</summary>
    public static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    public static string T(string s) => WebUtility.HtmlEncode(s);

    public static string Header(int width, int height) =>
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"13\">\n" +
        $"<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n";

    /// <summary>"Nice" tick values covering [lo, hi] (about <paramref name="count"/> of them): steps of 1, 2 or 5 × 10^k.</summary>
    public static double[] Ticks(double lo, double hi, int count = 5)
    {
        if (!(hi > lo)) return [lo];
        double raw = (hi - lo) / Math.Max(1, count);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2, 5, 10 }.Select(m => m * mag).First(s => s >= raw);
        var t = new List<double>();
        for (double v = Math.Ceiling(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) t.Add(Math.Round(v / step) * step + 0.0);
        return t.ToArray();
    }

    public static string Fmt(double v) => (v == 0 ? 0.0 : v).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>A title centred over a chart <paramref name="width"/> wide, its baseline at <paramref name="y"/>.</summary>
    public static void Title(StringBuilder sb, string title, int width, double y, int fontSize) =>
        sb.Append($"<text x=\"{N(width / 2.0)}\" y=\"{N(y)}\" text-anchor=\"middle\" font-size=\"{fontSize}\">{T(title)}</text>\n");

    /// <summary>A light horizontal grid line from <paramref name="left"/> to <paramref name="right"/> at each y tick
    /// (<paramref name="py"/> maps a value to its pixel row), labelled <paramref name="labelGap"/> pixels left of the plot.</summary>
    public static void YGrid(StringBuilder sb, IEnumerable<double> ticks, Func<double, double> py, double left, double right, double labelGap)
    {
        foreach (var t in ticks)
        {
            sb.Append($"<line x1=\"{N(left)}\" y1=\"{N(py(t))}\" x2=\"{N(right)}\" y2=\"{N(py(t))}\" stroke=\"#e5e5e5\"/>\n");
            sb.Append($"<text x=\"{N(left - labelGap)}\" y=\"{N(py(t) + 4)}\" text-anchor=\"end\">{Fmt(t)}</text>\n");
        }
    }

    /// <summary>The x title centred under the plot [<paramref name="left"/>, <paramref name="right"/>] with its baseline at
    /// <paramref name="xTitleY"/>, and the y title turned a quarter left at x = <paramref name="yTitleX"/>, centred on the plot's height.</summary>
    public static void AxisTitles(StringBuilder sb, string xTitle, string yTitle, double left, double right, double top, double bottom, double xTitleY, double yTitleX)
    {
        double mid = (top + bottom) / 2;
        sb.Append($"<text x=\"{N((left + right) / 2)}\" y=\"{N(xTitleY)}\" text-anchor=\"middle\">{T(xTitle)}</text>\n");
        sb.Append($"<text x=\"{N(yTitleX)}\" y=\"{N(mid)}\" text-anchor=\"middle\" transform=\"rotate(-90 {N(yTitleX)} {N(mid)})\">{T(yTitle)}</text>\n");
    }
}

/// <summary>What every x–y chart written as SVG has: a title and the two axis titles.</summary>
public abstract record SvgChart
{
    public required string Title { get; init; }
    public string XTitle { get; init; } = "";
    public string YTitle { get; init; } = "";

    /// <summary>The chart as a standalone SVG document.</summary>
    public abstract string Render();
}
