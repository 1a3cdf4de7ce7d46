using System.Globalization;
using System.Text;
using AiopsLab.Evaluation;
using AiopsLab.Reporting.Figures;

namespace AiopsLab.Reporting;

/// <summary>The report's paired comparison of methods per dataset (Friedman, Nemenyi, Wilcoxon with Holm).</summary>
public static partial class ExperimentReport
{
    // ---------------------------------------------------------------- significance

    private static (string Markdown, ReportTable? Pairs, ReportTable? Ranks, string? CdSvg) Significance(
        IReadOnlyList<CaseOutcome> rows, string ds, IReadOnlyList<string> methods, ReportOptions o)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("### ").Append(ds).Append(": paired comparison of methods\n\n");
        var present = methods.Where(m => rows.Any(r => r.Method == m)).ToArray();
        // Blocks are cases: a method's value on a case is its reciprocal rank averaged over the seeds it ran with, so
        // repeated seeds of a deterministic method (identical runs) do not count as independent evidence.
        var byBlock = rows.GroupBy(r => r.CaseOrd)
            .Select(g => (Case: g.Key, Rr: present.Select(m => g.Where(r => r.Method == m).Select(r => r.Rr).DefaultIfEmpty(double.NaN).Average()).ToArray()))
            .Where(b => b.Rr.All(double.IsFinite)).OrderBy(b => b.Case).Select(b => b.Rr).ToArray();
        if (present.Length < 2 || byBlock.Length < 2)
        {
            sb.Append("Needs at least two methods and two complete runs; nothing to compare.\n");
            return (sb.ToString(), null, null, null);
        }
        var f = FriedmanNemenyi.Test(byBlock, higherIsBetter: true, alpha: o.Alpha);
        sb.Append(string.Create(inv, $"Reciprocal rank of the root cause (0 when missed, failed or timed out), averaged over seeds per case; N = {f.Blocks} cases that every method ran on, k = {f.Treatments} methods.\n\n"));
        sb.Append(string.Create(inv, $"- Friedman (Demšar's formulas): χ²_F = {f.ChiSquare:0.###} (p {Eq(f.ChiSquarePValue)}); Iman–Davenport F_F = {f.FF:0.###} with ({f.Treatments - 1}, {(f.Treatments - 1) * (f.Blocks - 1)}) df (p {Eq(f.FFPValue)}).\n"));
        sb.Append(string.Create(inv, $"- With the correction for ties within runs (as scipy and R apply it; read these when many runs tie, e.g. every method ranks the root cause first): χ² = {f.ChiSquareTieCorrected:0.###} (p {Eq(f.ChiSquareTieCorrectedPValue)}); F_F = {f.FFTieCorrected:0.###} (p {Eq(f.FFTieCorrectedPValue)}).\n"));
        sb.Append(string.Create(inv, $"- Nemenyi: q_{o.Alpha:0.##} = {f.QAlpha:0.###}, critical difference CD = {f.CriticalDifference:0.###}: two methods differ when their average ranks differ by at least CD.\n\n"));

        var ranks = new ReportTable
        {
            Title = $"{ds}: average ranks", Label = "tab:ranks-" + Slug(ds),
            Columns = [new("Method", "method", Key: true), new("average rank", "average_rank", Better.Lower), new("mean RR", "mean_rr", Better.Higher)],
        };
        ranks.Blocks.Add(Enumerable.Range(0, present.Length).OrderBy(i => f.AverageRanks[i]).ThenBy(i => i)
            .Select(i => new TableCell[] { present[i], TableCell.Number(f.AverageRanks[i], 3), TableCell.Number(byBlock.Average(b => b[i]), 3) }).ToList());
        sb.Append(ranks.ToMarkdown().Replace("### ", "#### ", StringComparison.Ordinal)).Append('\n');

        var pairs = new List<(int A, int B, WilcoxonResult? W, string? Error)>();
        for (int a = 0; a < present.Length; a++)
            for (int b = a + 1; b < present.Length; b++)
            {
                var x = byBlock.Select(r => r[a]).ToArray();
                var y = byBlock.Select(r => r[b]).ToArray();
                try { pairs.Add((a, b, WilcoxonSignedRank.Test(x, y, o.Zeros), null)); }
                catch (ArgumentException e) { pairs.Add((a, b, null, e.Message)); }
            }
        var valid = pairs.Where(p => p.W is not null).ToArray();
        var holm = Holm.Adjust(valid.Select(p => p.W!.PValue).ToArray());
        var table = new ReportTable
        {
            Title = $"{ds}: pairwise Wilcoxon signed-rank tests", Label = "tab:wilcoxon-" + Slug(ds),
            Caption = $"{ds}: two-sided Wilcoxon signed-rank tests on the per-case reciprocal rank (mean over seeds) (zeros: {o.Zeros.ToString().ToLowerInvariant()}), p-values Holm-adjusted over {valid.Length} pairs; Nemenyi at α = {o.Alpha.ToString("0.##", inv)}.",
            Columns =
            [
                new("A", "method_a", Key: true), new("B", "method_b", Key: true), new("N", "n"), new("mean RR A", "mean_rr_a"), new("mean RR B", "mean_rr_b"),
                new("R+", "r_plus"), new("R−", "r_minus"), new("p", "p"), new("p (Holm)", "p_holm"), new("exact", "exact"), new("Nemenyi", "nemenyi_differ"),
            ],
        };
        var blockRows = new List<TableCell[]>();
        int vi = 0;
        foreach (var (a, b, w, err) in pairs)
        {
            var ma = byBlock.Average(r => r[a]);
            var mb = byBlock.Average(r => r[b]);
            if (w is null)
            {
                blockRows.Add([present[a], present[b], "0", TableCell.Number(ma, 3), TableCell.Number(mb, 3), "–", "–", "–", "–", "–", f.Differ(a, b) ? "yes" : "no"]);
                table.Notes.Add($"{present[a]} vs {present[b]}: {err}");
                continue;
            }
            blockRows.Add([present[a], present[b], w.N.ToString(inv), TableCell.Number(ma, 3), TableCell.Number(mb, 3),
                new TableCell(w.RPlus.ToString("0.#", inv), w.RPlus), new TableCell(w.RMinus.ToString("0.#", inv), w.RMinus),
                new TableCell(P(w.PValue), w.PValue), new TableCell(P(holm[vi]), holm[vi]), w.Exact ? "yes" : "no", f.Differ(a, b) ? "yes" : "no"]);
            vi++;
        }
        table.Blocks.Add(blockRows);
        sb.Append(table.ToMarkdown().Replace("### ", "#### ", StringComparison.Ordinal)).Append('\n');
        var cd = CriticalDifferenceDiagram.Render(f, present, $"{ds}: critical difference (Nemenyi, α = {o.Alpha.ToString("0.##", inv)}, N = {f.Blocks})");
        sb.Append("![critical difference diagram](cd-").Append(Slug(ds)).Append(".svg)\n");
        return (sb.ToString(), table, ranks, cd);
    }

    private static string Eq(double p) => P(p) is var t && t.StartsWith('<') ? t : "= " + t;

    /// <summary>A p-value for text: "&lt; 1e-16" below double precision's resolution (a computed 0 is not an exact 0), scientific below 1e-4.</summary>
    internal static string P(double p) => double.IsNaN(p) ? "–" : p < 1e-16 ? "< 1e-16" : p < 1e-4 ? p.ToString("0.0e+0", CultureInfo.InvariantCulture) : p.ToString("0.0000", CultureInfo.InvariantCulture);
}
