using System.Text;

namespace AiopsLab.Reporting;

/// <summary>Plain-text and Markdown tables for terminals and logs: left-aligned text, right-aligned numbers.</summary>
public static class TextTable
{
    /// <summary>Columns padded to their widest cell, a dashed rule under the header.</summary>
    public static string Render(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var w = header.Select((h, j) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => j < r.Count ? r[j].Length : 0))).ToArray();
        var numeric = header.Select((_, j) => all.Count > 0 && all.All(r => j >= r.Count || r[j].Length == 0 || IsNumber(r[j]))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            for (int j = 0; j < header.Count; j++)
            {
                var c = j < cells.Count ? cells[j] : "";
                sb.Append(numeric[j] ? c.PadLeft(w[j]) : c.PadRight(w[j]));
                if (j < header.Count - 1) sb.Append("  ");
            }
            while (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
            sb.Append('\n');
        }
        Line(header);
        sb.Append(string.Join("  ", w.Select(x => new string('-', x)))).Append('\n');
        foreach (var r in all) Line(r);
        return sb.ToString();
    }

    /// <summary>A GitHub-flavoured Markdown table (numbers right-aligned).</summary>
    public static string Markdown(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var numeric = header.Select((_, j) => all.Count > 0 && all.All(r => j >= r.Count || r[j].Length == 0 || IsNumber(r[j]))).ToArray();
        var sb = new StringBuilder();
        sb.Append("| ").Append(string.Join(" | ", header.Select(Esc))).Append(" |\n");
        sb.Append('|').Append(string.Join("|", numeric.Select(n => n ? "---:" : "---"))).Append("|\n");
        foreach (var r in all) sb.Append("| ").Append(string.Join(" | ", header.Select((_, j) => j < r.Count ? Esc(r[j]) : ""))).Append(" |\n");
        return sb.ToString();
    }

    private static string Esc(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);

    private static bool IsNumber(string s) =>
        double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
}
