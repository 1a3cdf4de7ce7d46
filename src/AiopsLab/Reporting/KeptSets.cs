using System.Globalization;
using System.Text;
using AiopsLab.Data;
using AiopsLab.Evaluation;

namespace AiopsLab.Reporting;

/// <summary>
/// The metrics each reduced method (<c>metricsifter+baro</c> and the like) kept, case by case, as the run store holds them
/// (<see cref="CaseOutcome.Kept"/>): <c>kept.csv</c> beside the report, one row per (dataset, case, method, seed, delay)
/// with the number kept and their names, and a one-line summary per method for the report page.
/// </summary>
public static class KeptSets
{
    /// <summary>Header of <c>kept.csv</c>.</summary>
    public static readonly string[] Columns = ["dataset", "case", "method", "seed", "delay", "kept_count", "kept"];

    /// <summary>Writes <c>kept.csv</c> into <paramref name="dir"/> and returns its path; null (no file) when no run has a kept set.</summary>
    public static string? Write(IReadOnlyList<CaseOutcome> rows, string dir)
    {
        if (!rows.Any(r => r.Kept is not null)) return null;
        var path = Path.Combine(dir, "kept.csv");
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        Csv.WriteRow(w, Columns);
        foreach (var r in rows)
            if (r.Kept is { } k)
                Csv.WriteRow(w, [r.Dataset, r.CaseId, r.Method, r.Seed.ToString(CultureInfo.InvariantCulture), r.Delay.ToString(CultureInfo.InvariantCulture),
                    k.Count.ToString(CultureInfo.InvariantCulture), string.Join(";", k)]);
        return path;
    }

    /// <summary>
    /// Markdown lines, one per reduced method: runs with a kept set, and the median number of metrics kept of the case's
    /// columns (empty when no run has a kept set).
    /// </summary>
    public static string Summary(IReadOnlyList<CaseOutcome> rows)
    {
        var sb = new StringBuilder();
        foreach (var g in rows.Where(r => r.Kept is not null).GroupBy(r => r.Method, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var counts = g.Select(r => (double)r.Kept!.Count).Order().ToArray();
            double median = counts.Length % 2 == 1 ? counts[counts.Length / 2] : (counts[counts.Length / 2 - 1] + counts[counts.Length / 2]) / 2;
            sb.Append(CultureInfo.InvariantCulture, $"- `{g.Key}`: kept sets of {counts.Length} runs in [kept.csv](kept.csv); median {median:0.#} metrics kept.\n");
        }
        return sb.ToString();
    }
}
