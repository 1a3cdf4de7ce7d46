using System.Globalization;
using System.Net;

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
}
