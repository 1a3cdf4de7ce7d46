using System.Text.RegularExpressions;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Paper;

/// <summary>The paper's prose quotes results only through generated macros (issue 19: "numbers in the text come from the results").</summary>
public class PaperNumbersTests
{
    private static string MainTex => File.ReadAllText(Path.Combine(TestData.RepoRoot, "paper", "main.tex"));

    private static HashSet<string> Defined() =>
        Regex.Matches(File.ReadAllText(Path.Combine(TestData.RepoRoot, "results", "paper", "numbers.tex")), @"\\newcommand\{\\(res[A-Za-z]+)\}")
            .Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Every_result_macro_the_paper_uses_is_generated()
    {
        var used = Regex.Matches(MainTex, @"\\(res[A-Z][A-Za-z]*)").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.True(used.Count >= 40, $"the paper quotes only {used.Count} generated numbers");
        var missing = used.Except(Defined()).Order(StringComparer.Ordinal).ToArray();
        Assert.True(missing.Length == 0, "used in paper/main.tex but not defined in results/paper/numbers.tex: " + string.Join(", ", missing));
    }

    /// <summary>
    /// No digit in the prose except inside generated macros, math, references, figure options and the TikZ picture, and
    /// the metric names AC@k / Avg@k / AS@k / AIS@k (also written AS@1/3/5): a number typed by hand would go stale when the results are regenerated.
    /// </summary>
    [Fact]
    public void The_prose_types_no_number_by_hand()
    {
        var body = MainTex[MainTex.IndexOf(@"\begin{document}", StringComparison.Ordinal)..];
        body = Regex.Replace(body, @"(?m)(?<!\\)%.*$", "");
        body = Regex.Replace(body, @"\\begin\{tikzpicture\}.*?\\end\{tikzpicture\}", "", RegexOptions.Singleline);
        body = Regex.Replace(body, @"\$[^$]*\$", "");
        body = Regex.Replace(body, @"\\(cite|ref|label|includegraphics|fig|generated|bibliography|bibliographystyle|begin|end)(\[[^\]]*\])?\{[^}]*\}", "");
        body = Regex.Replace(body, @"(AC|Avg|AS|AIS)@(\d+(/\d+)*|\$k\$)", "");
        var digits = Regex.Matches(body, @"[^\s]*\d[^\s]*").Select(m => m.Value).ToArray();
        Assert.True(digits.Length == 0, "numbers typed into paper/main.tex (use a \\res… macro of results/paper/numbers.tex): " + string.Join(" | ", digits));
    }
}
