using System.Text;

namespace AiopsLab.Reporting.Figures;

/// <summary>
/// A labelled scatter plot written as SVG: each point is one item (e.g. a method) with its name beside it; x may be on a
/// log scale (e.g. seconds per case); points of a second kind (e.g. a published reference) are drawn hollow and listed in
/// the legend. Labels are placed right of their point, or left when they would leave the plot, and moved down when they
/// would overlap an earlier label.
/// </summary>
public sealed record SvgScatter : SvgChart
{
    public required IReadOnlyList<(string Label, double X, double Y, bool Hollow)> Points { get; init; }
    public bool LogX { get; init; }
    public (double Min, double Max) YRange { get; init; } = (0, 1);
    public string FilledName { get; init; } = "";
    public string HollowName { get; init; } = "";
    public int Width { get; init; } = 520;
    public int Height { get; init; } = 400;

    public override string Render()
    {
        var pts = Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogX || p.X > 0)).ToArray();
        double T(double x) => LogX ? Math.Log10(x) : x;
        double x0 = pts.Length == 0 ? 0 : pts.Min(p => T(p.X)), x1 = pts.Length == 0 ? 1 : pts.Max(p => T(p.X));
        if (LogX) { x0 = Math.Floor(x0); x1 = Math.Ceiling(x1); }
        if (x1 <= x0) x1 = x0 + 1;
        double left = 62, right = Width - 16, top = 58, bottom = Height - 52;
        double Px(double x) => left + (T(x) - x0) / (x1 - x0) * (right - left);
        double Py(double y) => bottom - (y - YRange.Min) / (YRange.Max - YRange.Min) * (bottom - top);
        var sb = new StringBuilder(Svg.Header(Width, Height));
        Svg.Title(sb, Title, Width, 20, 14);
        double lx = left;
        if (FilledName.Length > 0) { sb.Append(SvgDotPlot.Marker("circle", lx + 5, 38, Svg.Colors[0])); sb.Append($"<text x=\"{Svg.N(lx + 14)}\" y=\"42\">{Svg.T(FilledName)}</text>\n"); lx += 30 + 7.4 * FilledName.Length; }
        if (HollowName.Length > 0 && pts.Any(p => p.Hollow)) { sb.Append(SvgDotPlot.Marker("diamond", lx + 5, 38, Svg.Colors[3], hollow: true)); sb.Append($"<text x=\"{Svg.N(lx + 14)}\" y=\"42\">{Svg.T(HollowName)}</text>\n"); }
        Svg.YGrid(sb, Svg.Ticks(YRange.Min, YRange.Max), Py, left, right, 6);
        var xt = LogX ? Enumerable.Range((int)x0, (int)(x1 - x0) + 1).Select(e => Math.Pow(10, e)).ToArray() : Svg.Ticks(x0, x1);
        foreach (var t in xt)
        {
            sb.Append($"<line x1=\"{Svg.N(Px(t))}\" y1=\"{Svg.N(top)}\" x2=\"{Svg.N(Px(t))}\" y2=\"{Svg.N(bottom)}\" stroke=\"#e5e5e5\"/>\n");
            sb.Append($"<text x=\"{Svg.N(Px(t))}\" y=\"{Svg.N(bottom + 16)}\" text-anchor=\"middle\">{(LogX ? t.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : Svg.Fmt(t))}</text>\n");
        }
        sb.Append($"<rect x=\"{Svg.N(left)}\" y=\"{Svg.N(top)}\" width=\"{Svg.N(right - left)}\" height=\"{Svg.N(bottom - top)}\" fill=\"none\" stroke=\"#444\"/>\n");
        Svg.AxisTitles(sb, XTitle, YTitle, left, right, top, bottom, Height - 12, 16);
        // labels: the first candidate position (right, left, then shifted up or down) that overlaps no label, no marker and stays inside the plot
        var placed = new List<(double X0, double X1, double Y)>();
        var marks = pts.Select(p => (X: Px(p.X), Y: Py(p.Y))).ToArray();
        foreach (var p in pts.OrderByDescending(p => p.Y).ThenBy(p => p.Label, StringComparer.Ordinal))
        {
            double x = Px(p.X), y = Py(p.Y), w = 6.4 * p.Label.Length;
            sb.Append(p.Hollow ? SvgDotPlot.Marker("diamond", x, y, Svg.Colors[3], hollow: true) : SvgDotPlot.Marker("circle", x, y, Svg.Colors[0]));
            (double A, double Y) best = (x + 8, y + 4);
            foreach (var dy in new[] { 0.0, -12, 12, -22, 22, -32, 32 })
            {
                bool found = false;
                foreach (var a in new[] { x + 8, x - 8 - w })
                {
                    double ty = y + 4 + dy;
                    if (a < left + 2 || a + w > right - 2 || ty - 10 < top || ty > bottom - 2) continue;
                    if (placed.Any(q => q.X0 < a + w && a < q.X1 && Math.Abs(q.Y - ty) < 12)) continue;
                    if (marks.Any(mk => mk.X + 5 > a && mk.X - 5 < a + w && mk.Y + 5 > ty - 10 && mk.Y - 5 < ty + 2)) continue;
                    best = (a, ty); found = true; break;
                }
                if (found) break;
            }
            placed.Add((best.A, best.A + w, best.Y));
            sb.Append($"<text x=\"{Svg.N(best.A)}\" y=\"{Svg.N(best.Y)}\" font-size=\"11\">{Svg.T(p.Label)}</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
