using System.Text;
using AiopsLab.Methods;

namespace AiopsLab.Catalog;

/// <summary>
/// The README's method table, generated from the catalog (<c>aiopslab methods --markdown</c>), so it cannot drift from
/// the registered methods; a test keeps README.md equal to it.
/// </summary>
public static class MethodMarkdown
{
    /// <summary>A Markdown table: one row per registered method, by kind (localizer, reducer, detector, anomaly-time
    /// source), then name; columns method, kind, paper, summary. Ends with a newline.</summary>
    public static string Table()
    {
        var sb = new StringBuilder();
        sb.Append("| method | kind | paper | what it does |\n|---|---|---|---|\n");
        foreach (var m in MethodCatalog.All.OrderBy(m => m.Kind).ThenBy(m => m.Name, StringComparer.Ordinal))
            sb.Append("| `").Append(m.Name).Append("` | ").Append(m.Kind.Text()).Append(" | ")
              .Append(Cell(m.Citation)).Append(" | ").Append(Cell(m.Summary)).Append(" |\n");
        return sb.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
