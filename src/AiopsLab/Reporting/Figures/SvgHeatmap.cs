using System.Text;

namespace AiopsLab.Reporting.Figures;

/// <summary>
/// A heatmap written as SVG: rows × columns of values in [0, 1] (e.g. Avg@5 of a method on a dataset), each cell shaded
/// from white (0) to dark blue (1) on a sequential scale and printed with its value (two decimals; "–" and no shade when
/// undefined), with a colour bar. Text turns white on dark cells so it stays legible.
/// </summary>
public sealed record SvgHeatmap
{
    public required string Title { get; init; }
    public required IReadOnlyList<string> Rows { get; init; }
    public required IReadOnlyList<string> Columns { get; init; }
    /// <summary>Values[row][column].</summary>
    public required IReadOnlyList<IReadOnlyList<double>> Values { get; init; }
    public int CellWidth { get; init; } = 74;

    public string Render()
    {
        int labelW = 14 + (int)(7.4 * Rows.Select(r => r.Length).DefaultIfEmpty(8).Max());
        // column headers are wrapped on spaces into at most two lines
        var headers = Columns.Select(Wrap).ToArray();
        int headerLines = headers.Max(h => h.Length);
        double top = 34 + 16 * headerLines + 6, cellH = 21;
        int width = labelW + CellWidth * Columns.Count + 70;
        int height = (int)(top + cellH * Rows.Count + 16);
        var sb = new StringBuilder(Svg.Header(width, height));
        sb.Append($"<text x=\"{Svg.N(width / 2.0)}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{Svg.T(Title)}</text>\n");
        for (int c = 0; c < Columns.Count; c++)
            for (int l = 0; l < headers[c].Length; l++)
                sb.Append($"<text x=\"{Svg.N(labelW + CellWidth * (c + 0.5))}\" y=\"{Svg.N(top - 6 - 16 * (headers[c].Length - 1 - l))}\" text-anchor=\"middle\">{Svg.T(headers[c][l])}</text>\n");
        for (int r = 0; r < Rows.Count; r++)
        {
            double y = top + cellH * r;
            sb.Append($"<text x=\"{Svg.N(labelW - 8)}\" y=\"{Svg.N(y + cellH / 2 + 4)}\" text-anchor=\"end\">{Svg.T(Rows[r])}</text>\n");
            for (int c = 0; c < Columns.Count; c++)
            {
                double v = c < Values[r].Count ? Values[r][c] : double.NaN;
                double x = labelW + CellWidth * c;
                sb.Append($"<rect x=\"{Svg.N(x)}\" y=\"{Svg.N(y)}\" width=\"{CellWidth}\" height=\"{Svg.N(cellH)}\" fill=\"{(double.IsFinite(v) ? Shade(v) : "#ffffff")}\" stroke=\"white\"/>\n");
                string text = double.IsFinite(v) ? v.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "–";
                string color = double.IsFinite(v) && v > 0.55 ? "white" : "#111";
                sb.Append($"<text x=\"{Svg.N(x + CellWidth / 2.0)}\" y=\"{Svg.N(y + cellH / 2 + 4)}\" text-anchor=\"middle\" fill=\"{color}\">{text}</text>\n");
            }
        }
        // colour bar
        double bx = labelW + CellWidth * Columns.Count + 18, bh = cellH * Rows.Count;
        for (int i = 0; i < 20; i++)
            sb.Append($"<rect x=\"{Svg.N(bx)}\" y=\"{Svg.N(top + bh * (19 - i) / 20)}\" width=\"14\" height=\"{Svg.N(bh / 20 + 0.5)}\" fill=\"{Shade((i + 0.5) / 20)}\"/>\n");
        sb.Append($"<rect x=\"{Svg.N(bx)}\" y=\"{Svg.N(top)}\" width=\"14\" height=\"{Svg.N(bh)}\" fill=\"none\" stroke=\"#444\"/>\n");
        sb.Append($"<text x=\"{Svg.N(bx + 18)}\" y=\"{Svg.N(top + 10)}\">1</text>\n<text x=\"{Svg.N(bx + 18)}\" y=\"{Svg.N(top + bh)}\">0</text>\n");
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>White (0) to dark blue (1), linear in each RGB channel.</summary>
    public static string Shade(double v)
    {
        v = Math.Clamp(v, 0, 1);
        int R(double a, double b) => (int)Math.Round(a + (b - a) * v);
        return $"#{R(255, 8):x2}{R(255, 48):x2}{R(255, 107):x2}";
    }

    private string[] Wrap(string h)
    {
        int max = Math.Max(6, CellWidth / 8);
        if (h.Length <= max) return [h];
        int cut = h.LastIndexOf(' ', Math.Min(h.Length - 1, max));
        return cut <= 0 ? [h] : [h[..cut], h[(cut + 1)..]];
    }
}
