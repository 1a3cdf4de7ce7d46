using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace AiopsLab.Data;

/// <summary>
/// Reads a wide metrics table from an Apache Parquet file (with Parquet.Net): a time column plus one numeric column per
/// metric, the same table as a wide CSV, checked by the same rules (<see cref="WideTable"/>). Time: integer or
/// floating Unix seconds (a fraction rounded as in <see cref="Csv.ParseUnixSeconds"/>), a Parquet timestamp (UTC), or
/// text read by <see cref="CsvFrameOptions.ParseTime"/>. Metrics: any integer, floating or decimal column; a null is a
/// missing value (NaN). <see cref="CsvFrameOptions.TimeColumn"/> and <see cref="CsvFrameOptions.ExcludeColumns"/> apply;
/// the header options do not (Parquet names its columns itself).
/// </summary>
public static class ParquetFrame
{
    /// <summary>Reads every row group of the file into one frame.</summary>
    /// <exception cref="DataFormatException">Missing or unreadable (not Parquet, truncated) file, a missing or repeated
    /// time column, a nested or non-numeric metric column, an unreadable time, or a time not after the previous row's;
    /// the message names the file, the column and, for a value, its 1-based row.</exception>
    public static MetricFrame Read(string path, CsvFrameOptions? options = null)
    {
        options ??= new CsvFrameOptions();
        if (!File.Exists(path)) throw new DataFormatException(path, null, null, "file not found.");
        try
        {
            // Parquet.Net's API is asynchronous only; run it off any synchronization context (notebook kernels have one).
            return Task.Run(() => ReadAsync(path, options)).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not AiopsLabException and not OperationCanceledException)
        {
            throw new DataFormatException(path, null, null, "cannot read it as Parquet (truncated, or not a Parquet file?): " + e.Message);
        }
    }

    private static async Task<MetricFrame> ReadAsync(string path, CsvFrameOptions options)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var fields = reader.Schema.Fields;
        var header = fields.Select(f => f.Name).ToArray();
        var (timeCol, keep, names) = WideTable.Columns(header, header.Length, options, j => header[j],
            (j, problem) => new DataFormatException(path, null, j + 1, problem));
        var timeField = Data(timeCol);
        var metricFields = keep.Select(Data).ToArray();
        for (int k = 0; k < keep.Length; k++)
            if (!IsNumber(metricFields[k].ClrType))
                throw new DataFormatException(path, null, keep[k] + 1, $"column '{names[k]}' holds {Describe(metricFields[k].ClrType)} values, not numbers.");
        if (!IsText(timeField.ClrType) && timeField.ClrType != typeof(DateTime) && !IsNumber(timeField.ClrType))
            throw new DataFormatException(path, null, timeCol + 1, $"time column '{timeField.Name}' holds {Describe(timeField.ClrType)} values, not Unix seconds, a timestamp or text.");
        var parseTime = options.ParseTime ?? Csv.ParseUnixSeconds;
        var time = new List<long>();
        var cols = names.Select(_ => new List<double>()).ToArray();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = checked((int)rg.RowCount);
            int row0 = time.Count;
            foreach (var (t, i) in (await ReadTimes(rg, timeField, n, parseTime)).Select((t, i) => (t, i)))
            {
                var at = (row0 + i + 1).ToString(CultureInfo.InvariantCulture);
                var ok = t ?? throw new DataFormatException(path, null, timeCol + 1, $"row {at}: cannot read the time (null or not a time).");
                if (WideTable.AddTime(time, ok) is { } late) throw new DataFormatException(path, null, timeCol + 1, $"row {at}: {late}");
            }
            for (int k = 0; k < keep.Length; k++) cols[k].AddRange(await ReadNumbers(rg, metricFields[k], n));
        }
        return new MetricFrame(time.ToArray(), names, cols.Select(c => c.ToArray()).ToArray());

        DataField Data(int j) => fields[j] is DataField { IsArray: false } d ? d
            : throw new DataFormatException(path, null, j + 1, $"column '{fields[j].Name}' is nested (a list, map or struct), not one value per row.");
    }

    // Parquet.Net 6 gives a UTF-8 text column the type ReadOnlyMemory<char>.
    private static bool IsText(Type t) => t == typeof(string) || t == typeof(ReadOnlyMemory<char>);

    private static string Describe(Type t) => IsText(t) ? "text" : t.Name;

    private static bool IsNumber(Type t) =>
        t == typeof(double) || t == typeof(float) || t == typeof(decimal) || t == typeof(long) || t == typeof(int) || t == typeof(short)
        || t == typeof(sbyte) || t == typeof(ulong) || t == typeof(uint) || t == typeof(ushort) || t == typeof(byte);

    private static async Task<double[]> ReadNumbers(ParquetRowGroupReader rg, DataField f, int n)
    {
        var t = f.ClrType;
        if (t == typeof(double)) return await Values<double>(rg, f, n, v => v);
        if (t == typeof(float)) return await Values<float>(rg, f, n, v => v);
        if (t == typeof(decimal)) return await Values<decimal>(rg, f, n, v => (double)v);
        if (t == typeof(long)) return await Values<long>(rg, f, n, v => v);
        if (t == typeof(int)) return await Values<int>(rg, f, n, v => v);
        if (t == typeof(short)) return await Values<short>(rg, f, n, v => v);
        if (t == typeof(sbyte)) return await Values<sbyte>(rg, f, n, v => v);
        if (t == typeof(ulong)) return await Values<ulong>(rg, f, n, v => v);
        if (t == typeof(uint)) return await Values<uint>(rg, f, n, v => v);
        if (t == typeof(ushort)) return await Values<ushort>(rg, f, n, v => v);
        return await Values<byte>(rg, f, n, v => v);
    }

    private static async Task<long?[]> ReadTimes(ParquetRowGroupReader rg, DataField f, int n, Func<string, long?> parseText)
    {
        var t = f.ClrType;
        if (IsText(t))
        {
            var text = new string[n];
            await rg.ReadAsync(f, text.AsMemory());
            return text.Select(s => s is null ? null : parseText(s)).ToArray();
        }
        if (t == typeof(DateTime))
            return (await Values<DateTime>(rg, f, n, d => (d - DateTime.UnixEpoch).TotalSeconds)).Select(Seconds).ToArray();
        return (await ReadNumbers(rg, f, n)).Select(Seconds).ToArray();

        static long? Seconds(double s) => double.IsFinite(s) ? (long)Math.Round(s, MidpointRounding.AwayFromZero) : null;
    }

    /// <summary>A column's values as doubles; a null is NaN.</summary>
    private static async Task<double[]> Values<T>(ParquetRowGroupReader rg, DataField f, int n, Func<T, double> toDouble) where T : struct
    {
        var result = new double[n];
        if (f.IsNullable)
        {
            var buf = new T?[n];
            await rg.ReadAsync(f, buf.AsMemory());
            for (int i = 0; i < n; i++) result[i] = buf[i] is { } v ? toDouble(v) : double.NaN;
        }
        else
        {
            var buf = new T[n];
            await rg.ReadAsync(f, buf.AsMemory());
            for (int i = 0; i < n; i++) result[i] = toDouble(buf[i]);
        }
        return result;
    }
}
