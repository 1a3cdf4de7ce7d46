using System.Text;
using AiopsLab.Evaluation;

namespace AiopsLab.Reporting.Figures;

/// <summary>
/// A critical-difference diagram (Demšar, JMLR 7, 2006, Fig. 1) written as SVG: an axis of average ranks from 1 (best,
/// left) to k, each method marked at its average rank and labelled to the left (better half) or right (worse half), the
/// Nemenyi critical difference drawn as a bar above the axis, and a thick line joining each group of methods whose
/// average ranks differ by less than CD (not significantly different).
/// </summary>
public static class CriticalDifferenceDiagram
{
    /// <remarks>
    /// Scales to many methods: the label margins fit the longest name (7.4 px per character at 13 px), the axis gets at
    /// least 34 px per rank (the image widens beyond <paramref name="width"/> when needed), and rank ticks are labelled
    /// every 1, 2 or 5 ranks so their numbers never run together.
    /// </remarks>
    public static string Render(FriedmanResult f, IReadOnlyList<string> names, string title, int width = 900)
    {
        int k = f.Treatments;
        if (names.Count != k) throw new ArgumentException("one name per method is needed.");
        double margin = 40 + 7.4 * (names.Max(n => n.Length) + 7);
        width = Math.Max(width, (int)Math.Ceiling(2 * margin + 34 * Math.Max(1, k - 1)));
        int every = k <= 12 ? 1 : k <= 24 ? 2 : 5;
        var order = Enumerable.Range(0, k).OrderBy(i => f.AverageRanks[i]).ThenBy(i => i).ToArray();
        var cliques = FriedmanNemenyi.Cliques(f);
        int half = (k + 1) / 2;
        double left = margin, right = width - left;
        double axisY = 90;
        double X(double rank) => k == 1 ? left : left + (rank - 1) / (k - 1) * (right - left);
        int rowsPerSide = Math.Max(half, k - half);
        double cliqueTop = axisY + 18;
        double labelsTop = cliqueTop + 12 * cliques.Count + 22;
        int height = (int)(labelsTop + 24 * rowsPerSide + 30);
        var sb = new StringBuilder(Svg.Header(width, height));
        sb.Append($"<text x=\"{Svg.N(width / 2.0)}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Svg.T(title)}</text>\n");
        // CD bar
        double cdY = 48;
        sb.Append($"<line x1=\"{Svg.N(X(1))}\" y1=\"{Svg.N(cdY)}\" x2=\"{Svg.N(X(1) + f.CriticalDifference / Math.Max(1, k - 1) * (right - left))}\" y2=\"{Svg.N(cdY)}\" stroke=\"black\" stroke-width=\"2\"/>\n");
        foreach (var x in new[] { X(1), X(1) + f.CriticalDifference / Math.Max(1, k - 1) * (right - left) })
            sb.Append($"<line x1=\"{Svg.N(x)}\" y1=\"{Svg.N(cdY - 5)}\" x2=\"{Svg.N(x)}\" y2=\"{Svg.N(cdY + 5)}\" stroke=\"black\" stroke-width=\"2\"/>\n");
        sb.Append($"<text x=\"{Svg.N(X(1) + f.CriticalDifference / Math.Max(1, k - 1) * (right - left) / 2)}\" y=\"{Svg.N(cdY - 8)}\" text-anchor=\"middle\">CD = {Svg.Fmt(f.CriticalDifference)} (α = {Svg.Fmt(f.Alpha)})</text>\n");
        // axis
        sb.Append($"<line x1=\"{Svg.N(X(1))}\" y1=\"{Svg.N(axisY)}\" x2=\"{Svg.N(X(k))}\" y2=\"{Svg.N(axisY)}\" stroke=\"black\" stroke-width=\"1.5\"/>\n");
        for (int r = 1; r <= k; r++)
        {
            sb.Append($"<line x1=\"{Svg.N(X(r))}\" y1=\"{Svg.N(axisY - 6)}\" x2=\"{Svg.N(X(r))}\" y2=\"{Svg.N(axisY)}\" stroke=\"black\"/>\n");
            if (r == 1 || r == k || r % every == 0)
                sb.Append($"<text x=\"{Svg.N(X(r))}\" y=\"{Svg.N(axisY - 10)}\" text-anchor=\"middle\">{r}</text>\n");
        }
        // cliques
        for (int c = 0; c < cliques.Count; c++)
        {
            var g = cliques[c];
            double y = cliqueTop + 12 * c;
            sb.Append($"<line x1=\"{Svg.N(X(f.AverageRanks[g[0]]) - 4)}\" y1=\"{Svg.N(y)}\" x2=\"{Svg.N(X(f.AverageRanks[g[^1]]) + 4)}\" y2=\"{Svg.N(y)}\" stroke=\"black\" stroke-width=\"4\" stroke-linecap=\"round\"/>\n");
        }
        // labels: better half to the left, worse half to the right
        for (int p = 0; p < k; p++)
        {
            int i = order[p];
            double x = X(f.AverageRanks[i]);
            bool leftSide = p < half;
            int row = leftSide ? p : k - 1 - p;
            double y = labelsTop + 24 * row;
            double tx = leftSide ? left - 10 : right + 10;
            sb.Append($"<polyline fill=\"none\" stroke=\"#333\" points=\"{Svg.N(x)},{Svg.N(axisY)} {Svg.N(x)},{Svg.N(y)} {Svg.N(tx)},{Svg.N(y)}\"/>\n");
            sb.Append($"<text x=\"{Svg.N(leftSide ? tx - 4 : tx + 4)}\" y=\"{Svg.N(y + 4)}\" text-anchor=\"{(leftSide ? "end" : "start")}\">{Svg.T(names[i])} ({f.AverageRanks[i].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)})</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
