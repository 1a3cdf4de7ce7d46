using System.Text;

namespace AiopsLab.Reporting.Figures;

/// <summary>
/// A simple static line chart written directly as SVG (no browser needed): numeric x, one polyline with markers per
/// series, axes with "nice" ticks, a legend on the right. Used for robustness curves (a score against the delay tΔ).
/// NaN points break the line.
/// </summary>
public sealed record SvgLineChart : SvgChart
{
    public required IReadOnlyList<(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)> Series { get; init; }
    public (double Min, double Max)? YRange { get; init; }
    public int Width { get; init; } = 900;
    public int Height { get; init; } = 520;

    public override string Render()
    {
        var xs = Series.SelectMany(s => s.X).Where(double.IsFinite).ToArray();
        var ys = Series.SelectMany(s => s.Y).Where(double.IsFinite).ToArray();
        double x0 = xs.Length == 0 ? 0 : xs.Min(), x1 = xs.Length == 0 ? 1 : xs.Max();
        if (x1 <= x0) { x0 -= 1; x1 += 1; }
        double y0 = YRange?.Min ?? (ys.Length == 0 ? 0 : ys.Min()), y1 = YRange?.Max ?? (ys.Length == 0 ? 1 : ys.Max());
        if (y1 <= y0) { y0 -= 0.5; y1 += 0.5; }
        int legendW = 64 + (int)(7.8 * Series.Select(s => s.Name.Length).DefaultIfEmpty(10).Max());
        double left = 70, right = Width - legendW - 20, top = 50, bottom = Height - 60;
        double Px(double x) => left + (x - x0) / (x1 - x0) * (right - left);
        double Py(double y) => bottom - (y - y0) / (y1 - y0) * (bottom - top);
        var sb = new StringBuilder(Svg.Header(Width, Height));
        Svg.Title(sb, Title, Width, 28, 16);
        Svg.YGrid(sb, Svg.Ticks(y0, y1), Py, left, right, 8);
        var xticks = xs.Distinct().Count() <= 12 ? xs.Distinct().OrderBy(x => x).ToArray() : Svg.Ticks(x0, x1);
        foreach (var t in xticks)
        {
            sb.Append($"<line x1=\"{Svg.N(Px(t))}\" y1=\"{Svg.N(bottom)}\" x2=\"{Svg.N(Px(t))}\" y2=\"{Svg.N(bottom + 5)}\" stroke=\"#444\"/>\n");
            sb.Append($"<text x=\"{Svg.N(Px(t))}\" y=\"{Svg.N(bottom + 20)}\" text-anchor=\"middle\">{Svg.Fmt(t)}</text>\n");
        }
        sb.Append($"<line x1=\"{Svg.N(left)}\" y1=\"{Svg.N(bottom)}\" x2=\"{Svg.N(right)}\" y2=\"{Svg.N(bottom)}\" stroke=\"#444\"/>\n");
        sb.Append($"<line x1=\"{Svg.N(left)}\" y1=\"{Svg.N(top)}\" x2=\"{Svg.N(left)}\" y2=\"{Svg.N(bottom)}\" stroke=\"#444\"/>\n");
        Svg.AxisTitles(sb, XTitle, YTitle, left, right, top, bottom, Height - 18, 18);
        for (int k = 0; k < Series.Count; k++)
        {
            var (name, x, y) = Series[k];
            var color = Svg.Colors[k % Svg.Colors.Length];
            // past the colour cycle, dashes tell series of the same colour apart
            var dash = k >= Svg.Colors.Length ? " stroke-dasharray=\"6 3\"" : "";
            var seg = new List<string>();
            void Flush()
            {
                if (seg.Count > 1) sb.Append($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash} points=\"{string.Join(" ", seg)}\"/>\n");
                seg.Clear();
            }
            for (int i = 0; i < x.Count; i++)
            {
                if (!double.IsFinite(x[i]) || !double.IsFinite(y[i])) { Flush(); continue; }
                seg.Add(Svg.N(Px(x[i])) + "," + Svg.N(Py(y[i])));
                sb.Append($"<circle cx=\"{Svg.N(Px(x[i]))}\" cy=\"{Svg.N(Py(y[i]))}\" r=\"3.5\" fill=\"{color}\"/>\n");
            }
            Flush();
            double ly = top + 10 + 22 * k;
            sb.Append($"<line x1=\"{Svg.N(right + 20)}\" y1=\"{Svg.N(ly)}\" x2=\"{Svg.N(right + 44)}\" y2=\"{Svg.N(ly)}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n");
            sb.Append($"<text x=\"{Svg.N(right + 50)}\" y=\"{Svg.N(ly + 4)}\">{Svg.T(name)}</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
