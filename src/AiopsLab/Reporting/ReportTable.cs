using System.Globalization;
using System.Text;
using AiopsLab.Data;

namespace AiopsLab.Reporting;

/// <summary>Which way a column's values are better, for marking the best and second best.</summary>
public enum Better { None, Higher, Lower }

/// <summary>A column: its header, CSV name, whether it is a key (group label) and which values are better.</summary>
public sealed record TableColumn(string Header, string CsvName, Better Better = Better.None, bool Key = false)
{
    /// <summary>LaTeX header (default: the escaped <see cref="Header"/>).</summary>
    public string? Latex { get; init; }
    /// <summary>LaTeX column type overriding the default <c>l</c>/<c>r</c>, e.g. <c>p{0.5\textwidth}</c> for text that wraps.</summary>
    public string? LatexAlign { get; init; }
}

/// <summary>
/// One cell: the text shown, and for numbers the value (already rounded as shown, so visible ties are ties), an
/// optional confidence interval (written to CSV as <c>name_lo</c>/<c>name_hi</c>) and the text with the interval.
/// </summary>
public sealed record TableCell(string Text, double? Value = null)
{
    public double? Lo { get; init; }
    public double? Hi { get; init; }
    /// <summary>Markdown/LaTeX text with the interval, e.g. <c>0.620 ± 0.050</c>; null = <see cref="Text"/>.</summary>
    public string? WithInterval { get; init; }

    public static implicit operator TableCell(string s) => new(s);

    /// <summary>A number shown with <paramref name="decimals"/> decimals; NaN shows as "–" and has no value.</summary>
    public static TableCell Number(double v, int decimals) =>
        double.IsNaN(v) ? new TableCell("–") : new TableCell(v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), Math.Round(v, decimals));
}

/// <summary>
/// A results table for a paper: blocks of rows (e.g. one block per dataset × fault, one row per method); within each
/// block the best value of every column that has a direction is marked bold and the second best underlined. Written as
/// Markdown, CSV (plain values, intervals as extra columns, no marks) and LaTeX (booktabs: \toprule, \midrule between
/// blocks, \bottomrule; \textbf for best, \underline for second).
/// </summary>
public sealed class ReportTable
{
    public required string Title { get; init; }
    /// <summary>LaTeX label, e.g. <c>tab:accuracy</c>.</summary>
    public required string Label { get; init; }
    public string Caption { get; init; } = "";
    public required IReadOnlyList<TableColumn> Columns { get; init; }
    public List<List<TableCell[]>> Blocks { get; } = [];
    public List<string> Notes { get; } = [];
    /// <summary>Shrink the LaTeX table to the line width when it is wider (needs \usepackage{adjustbox}); never enlarges it.</summary>
    public bool FitWidth { get; init; }
    /// <summary>LaTeX: span both columns of a two-column page (<c>table*</c>).</summary>
    public bool Wide { get; init; }
    /// <summary>
    /// Rows (by their first cell) that are never marked best or second best, e.g. the random baseline: a reference point,
    /// not a contender.
    /// </summary>
    public IReadOnlySet<string> Unranked { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Marks of a block: for each row and column, 1 = best, 2 = second best, 0 = none.</summary>
    /// <remarks>Ranks distinct values: every row holding the best value is best; the next distinct value is second.
    /// Nothing is marked in a column with fewer than two values in the block, and no second best with fewer than three.</remarks>
    public int[,] Marks(IReadOnlyList<TableCell[]> block)
    {
        var m = new int[block.Count, Columns.Count];
        for (int j = 0; j < Columns.Count; j++)
        {
            var better = Columns[j].Better;
            if (better == Better.None) continue;
            // undefined values, unranked rows (the random baseline) and, where higher is better, zeros are never marked
            var values = block.Select(r => j < r.Length && !Unranked.Contains(r[0].Text) && r[j].Value is { } x && !(better == Better.Higher && x <= 0) ? r[j].Value : null).ToArray();
            var distinct = values.Where(v => v is { } x && !double.IsNaN(x)).Select(v => v!.Value).Distinct()
                .OrderBy(v => better == Better.Higher ? -v : v).ToArray();
            if (values.Count(v => v is not null) < 2) continue;
            for (int i = 0; i < block.Count; i++)
            {
                if (values[i] is not { } v) continue;
                if (distinct.Length > 0 && v == distinct[0]) m[i, j] = 1;
                else if (distinct.Length > 1 && v == distinct[1] && values.Count(x => x is not null) >= 3) m[i, j] = 2;
            }
        }
        return m;
    }

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("### ").Append(Title).Append("\n\n");
        if (Caption.Length > 0) sb.Append(Caption).Append("\n\n");
        sb.Append("| ").Append(string.Join(" | ", Columns.Select(c => c.Header))).Append(" |\n");
        sb.Append('|').Append(string.Join("|", Columns.Select(c => c.Key ? "---" : "---:"))).Append("|\n");
        foreach (var block in Blocks)
        {
            var marks = Marks(block);
            for (int i = 0; i < block.Count; i++)
            {
                var cells = new List<string>();
                for (int j = 0; j < Columns.Count; j++)
                {
                    var c = j < block[i].Length ? block[i][j] : "";
                    var text = Repeats(block, i, j) ? "" : MdEscape(c.WithInterval ?? c.Text);
                    cells.Add(marks[i, j] switch { 1 => "**" + text + "**", 2 => "<u>" + text + "</u>", _ => text });
                }
                sb.Append("| ").Append(string.Join(" | ", cells)).Append(" |\n");
            }
        }
        if (Notes.Count > 0) sb.Append('\n').Append(string.Join("\n", Notes.Select(n => "- " + n))).Append('\n');
        if (Columns.Any(c => c.Better != Better.None)) sb.Append("\nBest value per block in **bold**, second best <u>underlined</u>.\n");
        return sb.ToString();
    }

    public string ToCsv()
    {
        var w = new StringWriter { NewLine = "\n" };
        bool anyCi = Blocks.SelectMany(b => b).SelectMany(r => r).Any(c => c.Lo is not null);
        var ciCols = Enumerable.Range(0, Columns.Count).Where(j => Blocks.SelectMany(b => b).Any(r => j < r.Length && r[j].Lo is not null)).ToArray();
        var header = new List<string>();
        for (int j = 0; j < Columns.Count; j++)
        {
            header.Add(Columns[j].CsvName);
            if (anyCi && ciCols.Contains(j)) { header.Add(Columns[j].CsvName + "_lo"); header.Add(Columns[j].CsvName + "_hi"); }
        }
        Csv.WriteRow(w, header);
        foreach (var row in Blocks.SelectMany(b => b))
        {
            var f = new List<string>();
            for (int j = 0; j < Columns.Count; j++)
            {
                var c = j < row.Length ? row[j] : "";
                f.Add(c.Value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : c.Text == "–" ? "" : c.Text);
                if (anyCi && ciCols.Contains(j))
                {
                    f.Add(c.Lo is { } lo ? lo.ToString("R", CultureInfo.InvariantCulture) : "");
                    f.Add(c.Hi is { } hi ? hi.ToString("R", CultureInfo.InvariantCulture) : "");
                }
            }
            Csv.WriteRow(w, f);
        }
        return w.ToString();
    }

    public string ToLatex()
    {
        var sb = new StringBuilder();
        sb.Append("% Generated by `aiopslab report`; needs \\usepackage{booktabs}.\n");
        sb.Append(Wide ? "\\begin{table*}[t]\n" : "\\begin{table}[t]\n").Append("\\centering\n\\small\n");
        sb.Append("\\caption{").Append(Tex(Caption.Length > 0 ? Caption : Title)).Append("}\n");
        sb.Append("\\label{").Append(Label).Append("}\n");
        if (FitWidth) sb.Append("\\begin{adjustbox}{max width=\\linewidth}\n");
        sb.Append("\\begin{tabular}{").Append(string.Concat(Columns.Select(c => c.LatexAlign ?? (c.Key ? "l" : "r")))).Append("}\n\\toprule\n");
        sb.Append(string.Join(" & ", Columns.Select(c => c.Latex ?? Tex(c.Header)))).Append(" \\\\\n");
        for (int b = 0; b < Blocks.Count; b++)
        {
            sb.Append("\\midrule\n");
            var block = Blocks[b];
            var marks = Marks(block);
            for (int i = 0; i < block.Count; i++)
            {
                var cells = new List<string>();
                for (int j = 0; j < Columns.Count; j++)
                {
                    var c = j < block[i].Length ? block[i][j] : "";
                    if (Repeats(block, i, j)) { cells.Add(""); continue; }
                    string main = Tex(c.Text == "–" ? "--" : c.Text);
                    main = marks[i, j] switch { 1 => "\\textbf{" + main + "}", 2 => "\\underline{" + main + "}", _ => main };
                    if (c.Lo is { } lo && c.Hi is { } hi && c.Value is not null)
                        main += "{\\scriptsize$\\pm$" + ((hi - lo) / 2).ToString("F" + Decimals(c.Text).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + "}";
                    cells.Add(main);
                }
                sb.Append(string.Join(" & ", cells)).Append(" \\\\\n");
            }
        }
        sb.Append("\\bottomrule\n\\end{tabular}\n");
        if (FitWidth) sb.Append("\\end{adjustbox}\n");
        sb.Append(Wide ? "\\end{table*}\n" : "\\end{table}\n");
        return sb.ToString();
    }

    /// <summary>A key cell repeating the row above is left blank, but only while every key column up to it repeats too.</summary>
    private bool Repeats(IReadOnlyList<TableCell[]> block, int i, int j)
    {
        if (i == 0 || !Columns[j].Key) return false;
        for (int k = 0; k <= j; k++)
            if (Columns[k].Key && block[i][k].Text != block[i - 1][k].Text) return false;
        return true;
    }

    private static int Decimals(string text)
    {
        int dot = text.IndexOf('.');
        return dot < 0 ? 0 : text.Length - dot - 1;
    }

    /// <summary>Escapes LaTeX's special characters.</summary>
    public static string Tex(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
            sb.Append(c switch
            {
                '\\' => "\\textbackslash{}", '&' => "\\&", '%' => "\\%", '$' => "\\$", '#' => "\\#", '_' => "\\_",
                '{' => "\\{", '}' => "\\}", '~' => "\\textasciitilde{}", '^' => "\\textasciicircum{}", '±' => "$\\pm$", 'α' => "$\\alpha$",
                'ε' => "$\\varepsilon$", 'Δ' => "$\\Delta$", 'χ' => "$\\chi$", 'σ' => "$\\sigma$", '−' => "$-$", '–' => "--", '²' => "$^2$",
                '|' => "$|$", '≤' => "$\\le$", '≥' => "$\\ge$", '×' => "$\\times$",
                _ => c.ToString(),
            });
        return sb.ToString();
    }

    private static string MdEscape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>Writes <c>name.md</c>, <c>name.csv</c> and <c>name.tex</c> into <paramref name="folder"/>; returns the paths.</summary>
    public IReadOnlyList<string> Write(string folder, string name)
    {
        var paths = new[] { Path.Combine(folder, name + ".md"), Path.Combine(folder, name + ".csv"), Path.Combine(folder, name + ".tex") };
        File.WriteAllText(paths[0], ToMarkdown());
        File.WriteAllText(paths[1], ToCsv());
        File.WriteAllText(paths[2], ToLatex());
        return paths;
    }
}
