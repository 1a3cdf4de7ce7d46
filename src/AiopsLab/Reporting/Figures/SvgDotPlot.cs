using System.Text;

namespace AiopsLab.Reporting.Figures;

/// <summary>
/// A Cleveland dot plot written as SVG: one row per item (e.g. a method), one marker per series (e.g. a setting) at the
/// item's value on a shared horizontal axis, a legend above the plot. Reads well for many items with a few settings each,
/// where a line chart over settings would tangle. NaN values are left out.
/// </summary>
public sealed record SvgDotPlot
{
    public required string Title { get; init; }
    public string XTitle { get; init; } = "";
    public required IReadOnlyList<string> Rows { get; init; }
    /// <summary>Series name and one value per row.</summary>
    public required IReadOnlyList<(string Name, IReadOnlyList<double> Values)> Series { get; init; }
    public (double Min, double Max) XRange { get; init; } = (0, 1);
    public int Width { get; init; } = 520;

    /// <summary>Marker shapes cycled over the series, so the chart also reads in grey scale.</summary>
    private static readonly string[] Shapes = ["circle", "square", "diamond", "triangle", "cross"];

    public string Render()
    {
        int labelW = 14 + (int)(7.4 * Rows.Select(r => r.Length).DefaultIfEmpty(8).Max());
        // legend: as many entries per line as fit
        var legendItems = Series.Select(s => (s.Name, W: 34 + 7.4 * s.Name.Length)).ToArray();
        var legendLines = new List<List<int>> { new() };
        double lineW = 0, avail = Width - 20;
        for (int i = 0; i < legendItems.Length; i++)
        {
            if (lineW + legendItems[i].W > avail && legendLines[^1].Count > 0) { legendLines.Add([]); lineW = 0; }
            legendLines[^1].Add(i);
            lineW += legendItems[i].W;
        }
        double top = 40 + 20 * legendLines.Count + 8, rowH = 20;
        double left = labelW, right = Width - 20, bottom = top + rowH * Rows.Count;
        int height = (int)(bottom + 48);
        double Px(double x) => left + (Math.Clamp(x, XRange.Min, XRange.Max) - XRange.Min) / (XRange.Max - XRange.Min) * (right - left);
        var sb = new StringBuilder(Svg.Header(Width, height));
        sb.Append($"<text x=\"{Svg.N(Width / 2.0)}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{Svg.T(Title)}</text>\n");
        for (int l = 0; l < legendLines.Count; l++)
        {
            double x = 10, y = 44 + 20 * l;
            foreach (var i in legendLines[l])
            {
                sb.Append(Marker(Shapes[i % Shapes.Length], x + 8, y - 4, Svg.Colors[i % Svg.Colors.Length]));
                sb.Append($"<text x=\"{Svg.N(x + 20)}\" y=\"{Svg.N(y)}\">{Svg.T(Series[i].Name)}</text>\n");
                x += legendItems[i].W;
            }
        }
        foreach (var t in Svg.Ticks(XRange.Min, XRange.Max))
        {
            sb.Append($"<line x1=\"{Svg.N(Px(t))}\" y1=\"{Svg.N(top)}\" x2=\"{Svg.N(Px(t))}\" y2=\"{Svg.N(bottom)}\" stroke=\"#e5e5e5\"/>\n");
            sb.Append($"<text x=\"{Svg.N(Px(t))}\" y=\"{Svg.N(bottom + 16)}\" text-anchor=\"middle\">{Svg.Fmt(t)}</text>\n");
        }
        sb.Append($"<line x1=\"{Svg.N(left)}\" y1=\"{Svg.N(bottom)}\" x2=\"{Svg.N(right)}\" y2=\"{Svg.N(bottom)}\" stroke=\"#444\"/>\n");
        sb.Append($"<text x=\"{Svg.N((left + right) / 2)}\" y=\"{Svg.N(bottom + 38)}\" text-anchor=\"middle\">{Svg.T(XTitle)}</text>\n");
        for (int r = 0; r < Rows.Count; r++)
        {
            double y = top + rowH * (r + 0.5);
            sb.Append($"<line x1=\"{Svg.N(left)}\" y1=\"{Svg.N(y)}\" x2=\"{Svg.N(right)}\" y2=\"{Svg.N(y)}\" stroke=\"#f0f0f0\"/>\n");
            sb.Append($"<text x=\"{Svg.N(left - 8)}\" y=\"{Svg.N(y + 4)}\" text-anchor=\"end\">{Svg.T(Rows[r])}</text>\n");
            for (int s = 0; s < Series.Count; s++)
                if (r < Series[s].Values.Count && double.IsFinite(Series[s].Values[r]))
                    sb.Append(Marker(Shapes[s % Shapes.Length], Px(Series[s].Values[r]), y, Svg.Colors[s % Svg.Colors.Length]));
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    internal static string Marker(string shape, double x, double y, string color, bool hollow = false)
    {
        string fill = hollow ? "white" : color, a = Svg.N(x), b = Svg.N(y);
        return shape switch
        {
            "square" => $"<rect x=\"{Svg.N(x - 4)}\" y=\"{Svg.N(y - 4)}\" width=\"8\" height=\"8\" fill=\"{fill}\" stroke=\"{color}\" stroke-width=\"1.5\" fill-opacity=\"0.85\"/>\n",
            "diamond" => $"<polygon points=\"{a},{Svg.N(y - 5.5)} {Svg.N(x + 5.5)},{b} {a},{Svg.N(y + 5.5)} {Svg.N(x - 5.5)},{b}\" fill=\"{fill}\" stroke=\"{color}\" stroke-width=\"1.5\" fill-opacity=\"0.85\"/>\n",
            "triangle" => $"<polygon points=\"{a},{Svg.N(y - 5.5)} {Svg.N(x + 5)},{Svg.N(y + 4)} {Svg.N(x - 5)},{Svg.N(y + 4)}\" fill=\"{fill}\" stroke=\"{color}\" stroke-width=\"1.5\" fill-opacity=\"0.85\"/>\n",
            "cross" => $"<path d=\"M{Svg.N(x - 4.5)},{Svg.N(y - 4.5)} L{Svg.N(x + 4.5)},{Svg.N(y + 4.5)} M{Svg.N(x - 4.5)},{Svg.N(y + 4.5)} L{Svg.N(x + 4.5)},{Svg.N(y - 4.5)}\" stroke=\"{color}\" stroke-width=\"2.2\"/>\n",
            _ => $"<circle cx=\"{a}\" cy=\"{b}\" r=\"4.5\" fill=\"{fill}\" stroke=\"{color}\" stroke-width=\"1.5\" fill-opacity=\"0.85\"/>\n",
        };
    }
}
