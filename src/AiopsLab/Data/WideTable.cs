using System.Globalization;

namespace AiopsLab.Data;

/// <summary>
/// The checks every wide metrics table gets, whatever its file format (<see cref="Csv.ReadFrame"/>,
/// <see cref="ParquetFrame.Read"/>): one time column and only one, every other column named, no name twice, excluded
/// columns left out, and time strictly increasing. The readers turn a problem into a <see cref="DataFormatException"/>
/// with their own location (CSV: line and column; Parquet: column).
/// </summary>
internal static class WideTable
{
    /// <summary>Finds the time column and the metric columns of a header.</summary>
    /// <param name="header">Column names as written, used to find the time column.</param>
    /// <param name="width">Number of columns.</param>
    /// <param name="nameOf">The metric name of column j (CSV may compose it from several header rows).</param>
    /// <param name="error">Makes the error for a 0-based column (null: the table as a whole) and a problem.</param>
    public static (int TimeColumn, int[] Keep, string[] Names) Columns(IReadOnlyList<string> header, int width, CsvFrameOptions options,
        Func<int, string> nameOf, Func<int?, string, DataFormatException> error)
    {
        int timeCol = -1;
        for (int j = 0; j < header.Count && timeCol < 0; j++) if (IsTime(header[j])) timeCol = j;
        if (timeCol < 0) throw error(null, $"missing column '{options.TimeColumn}'.");
        var keep = new List<int>();
        var names = new List<string>();
        for (int j = 0; j < width; j++)
        {
            if (j == timeCol) continue;
            var name = nameOf(j);
            if (options.ExcludeColumns?.Contains(name) == true) continue;
            if (j < header.Count && IsTime(header[j]))
                throw error(j, $"a second time column '{header[j]}' (the first is column {(timeCol + 1).ToString(CultureInfo.InvariantCulture)}).");
            if (string.IsNullOrWhiteSpace(name)) throw error(j, "a column has no name.");
            if (names.Contains(name, StringComparer.Ordinal)) throw error(j, $"column '{name}' appears twice.");
            keep.Add(j);
            names.Add(name);
        }
        return (timeCol, keep.ToArray(), names.ToArray());

        bool IsTime(string h) => string.Equals(h.Trim(), options.TimeColumn, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Appends <paramref name="t"/> when it is after the last time; otherwise returns the problem and appends nothing.</summary>
    public static string? AddTime(List<long> time, long t)
    {
        if (time.Count > 0 && t <= time[^1])
            return $"time {t.ToString(CultureInfo.InvariantCulture)} is not after the previous row's {time[^1].ToString(CultureInfo.InvariantCulture)}.";
        time.Add(t);
        return null;
    }
}

/// <summary>Reads a wide metrics table by its file name: <c>.parquet</c> with <see cref="ParquetFrame.Read"/>, anything
/// else (<c>.csv</c>, <c>.csv.gz</c>) with <see cref="Csv.ReadFrame"/>. Both give the same frame for the same table.</summary>
public static class MetricFiles
{
    /// <summary>True for a <c>.parquet</c> file name.</summary>
    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the wide table at <paramref name="path"/> in the format its name says.</summary>
    /// <exception cref="DataFormatException">As <see cref="Csv.ReadFrame"/> or <see cref="ParquetFrame.Read"/>.</exception>
    public static MetricFrame ReadFrame(string path, CsvFrameOptions? options = null) =>
        IsParquet(path) ? ParquetFrame.Read(path, options) : Csv.ReadFrame(path, options);
}
