using System.Globalization;
using Deedle;

namespace AiopsLab.Data;

/// <summary>
/// Conversions between <see cref="MetricFrame"/> and a Deedle <see cref="Frame{TRowKey, TColumnKey}"/> (Deedle 8,
/// <c>Frame&lt;DateTime, string&gt;</c>): the time index becomes the row keys (UTC <see cref="DateTime"/>s), each metric a
/// column of doubles, in the frame's column order. Deedle treats <see cref="double.NaN"/> as a missing value, so a
/// missing value of a <see cref="MetricFrame"/> (NaN) is missing in Deedle and a missing Deedle value comes back as NaN:
/// the round trip is exact.
/// </summary>
/// <remarks>
/// A Deedle frame must meet <see cref="MetricFrame"/>'s rules to come back: row keys strictly increasing, UTC or
/// unspecified kind (read as UTC; a <see cref="DateTimeKind.Local"/> key depends on the machine's time zone and is refused),
/// whole seconds, and every column numeric (Deedle converts integer columns to double). A violation is an
/// <see cref="AiopsLabException"/> naming the row or column. Sort a frame with Deedle's <c>SortRowsByKey()</c> first.
/// </remarks>
public static class DeedleFrames
{
    /// <summary>The frame as a Deedle frame: UTC time index, one column per metric, NaN as missing.</summary>
    public static Frame<DateTime, string> ToDeedleFrame(this MetricFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var keys = new DateTime[frame.RowCount];
        for (int i = 0; i < keys.Length; i++) keys[i] = DateTime.UnixEpoch.AddSeconds(frame.Time[i]);
        var columns = new KeyValuePair<string, Series<DateTime, double>>[frame.ColumnCount];
        for (int j = 0; j < columns.Length; j++)
            columns[j] = new(frame.Names[j], new Series<DateTime, double>(keys, frame.ColumnCopy(j)));
        var result = Frame.FromColumns(columns);
        // FromColumns of no columns forgets the rows: keep the time index of a frame that has rows but no metrics.
        return frame.ColumnCount == 0 && keys.Length > 0 ? Frame.FromRowKeys(keys) : result;
    }

    /// <summary>A Deedle frame as a <see cref="MetricFrame"/>: its row keys as Unix seconds, missing values as NaN.</summary>
    /// <exception cref="AiopsLabException">Unordered, repeated, local-time or fractional-second row keys, or a non-numeric column.</exception>
    public static MetricFrame ToMetricFrame(this Frame<DateTime, string> frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var keys = frame.RowKeys.ToArray();
        var time = new long[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            time[i] = UnixSeconds(keys[i], i);
            if (i > 0 && time[i] <= time[i - 1])
                throw new AiopsLabException(
                    $"Deedle frame: row {i} ({Format(keys[i])}) is not after row {i - 1} ({Format(keys[i - 1])}): row keys must be strictly increasing (use SortRowsByKey() and remove repeated keys).");
        }
        var names = frame.ColumnKeys.ToArray();
        var types = frame.ColumnTypes.ToArray();
        var columns = new double[names.Length][];
        for (int j = 0; j < names.Length; j++)
        {
            if (names[j] is null || names[j].Length == 0) throw new AiopsLabException($"Deedle frame: column {j} has an empty name.");
            // Deedle would parse a text column ("1.5") with Convert.ChangeType: refuse text, as the CSV reader refuses a non-number.
            if (types[j] == typeof(string) || types[j] == typeof(char))
                throw new AiopsLabException($"Deedle frame: column '{names[j]}' is not numeric: its values are {types[j].Name}.");
            Series<DateTime, double> series;
            try { series = frame.GetColumn<double>(names[j]); }
            catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
            {
                throw new AiopsLabException($"Deedle frame: column '{names[j]}' is not numeric: {e.Message}", e);
            }
            var values = new double[keys.Length];
            int r = 0;
            foreach (var v in series.GetAllValues()) values[r++] = v.HasValue ? v.Value : double.NaN;
            columns[j] = values;
        }
        return new MetricFrame(time, names, columns);
    }

    private static long UnixSeconds(DateTime key, int row)
    {
        if (key.Kind == DateTimeKind.Local)
            throw new AiopsLabException($"Deedle frame: row {row} ({Format(key)}) is local time; give UTC (or unspecified) row keys.");
        long ticks = key.Ticks - DateTime.UnixEpoch.Ticks;
        if (ticks % TimeSpan.TicksPerSecond != 0)
            throw new AiopsLabException($"Deedle frame: row {row} ({Format(key)}) is not a whole second; MetricFrame times are Unix seconds.");
        return ticks / TimeSpan.TicksPerSecond;
    }

    private static string Format(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
}
