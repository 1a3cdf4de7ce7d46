using System.Globalization;
using System.Text;

namespace AiopsLab.Data;

/// <summary>One CSV record with the 1-based line number it starts on.</summary>
public readonly record struct CsvRecord(int Line, string[] Fields);

/// <summary>Options for <see cref="Csv.ReadFrame"/>.</summary>
public sealed record CsvFrameOptions
{
    /// <summary>Name of the time column in the (last) header row. Compared ordinally, ignoring case.</summary>
    public string TimeColumn { get; init; } = "time";

    /// <summary>Parses a time cell to Unix seconds; return null for an unparseable cell. Default: integer or decimal seconds, rounded.</summary>
    public Func<string, long?>? ParseTime { get; init; }

    /// <summary>Columns to leave out (text columns such as a pod name), compared ordinally.</summary>
    public IReadOnlySet<string>? ExcludeColumns { get; init; }

    /// <summary>Number of rows before the data that are not data. The last of them is the header that names the columns.</summary>
    public int HeaderRows { get; init; } = 1;

    /// <summary>Builds a column's name from all header rows (index = header row). Default: the last header row's cell.</summary>
    public Func<IReadOnlyList<string>, string>? ComposeName { get; init; }
}

/// <summary>
/// A small RFC 4180 CSV reader and writer. Reading tracks line and column so that every error names
/// <c>file:line:column</c>; numbers are parsed with the invariant culture, an empty cell or <c>nan</c> is NaN.
/// </summary>
public static class Csv
{
    /// <summary>Reads all records of a CSV file (quoted fields, doubled quotes, CRLF or LF). A <c>.gz</c> file is
    /// decompressed on the fly, and a missing <c>x.csv</c> is read from <c>x.csv.gz</c> when that exists.</summary>
    /// <exception cref="DataFormatException">The file is missing, or a quoted field is not closed, or compressed data
    /// is corrupt or ends early (a truncated <c>.gz</c>): the message names the file and the line reached.</exception>
    public static IEnumerable<CsvRecord> ReadRecords(string path)
    {
        var actual = TextFiles.Resolve(path) ?? throw new DataFormatException(path, null, null, "file not found (nor " + Path.GetFileName(path) + ".gz).");
        return ReadRecords(TextFiles.OpenText(actual), actual);
    }

    /// <summary>Reads records from a reader; <paramref name="name"/> names the source in errors.</summary>
    public static IEnumerable<CsvRecord> ReadRecords(TextReader reader, string name)
    {
        using (reader)
        {
            var fields = new List<string>();
            var sb = new StringBuilder();
            int line = 0;
            string? text;
            while ((text = TextFiles.ReadLine(reader, name, line)) is not null)
            {
                line++;
                if (text.Length == 0) continue; // blank lines separate nothing in these formats
                int start = line;
                fields.Clear();
                sb.Clear();
                int i = 0;
                bool inQuotes = false;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        if (inQuotes)
                        {
                            // A quoted field spans lines.
                            text = TextFiles.ReadLine(reader, name, line);
                            if (text is null) throw new DataFormatException(name, start, fields.Count + 1, "a quoted field is not closed before the end of the file.");
                            line++;
                            sb.Append('\n');
                            i = 0;
                            continue;
                        }
                        fields.Add(sb.ToString());
                        break;
                    }
                    char ch = text[i];
                    if (inQuotes)
                    {
                        if (ch == '"')
                        {
                            if (i + 1 < text.Length && text[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                            inQuotes = false; i++; continue;
                        }
                        sb.Append(ch); i++;
                    }
                    else if (ch == ',') { fields.Add(sb.ToString()); sb.Clear(); i++; }
                    else if (ch == '"' && sb.Length == 0) { inQuotes = true; i++; }
                    else { sb.Append(ch); i++; }
                }
                yield return new CsvRecord(start, fields.ToArray());
            }
        }
    }

    /// <summary>The index of column <paramref name="name"/> in a header record of <paramref name="path"/>, or a
    /// <see cref="DataFormatException"/> naming the file, the header line and the missing column.</summary>
    public static int Column(CsvRecord header, string name, string path) =>
        Array.IndexOf(header.Fields, name) is var k and >= 0 ? k : throw new DataFormatException(path, header.Line, 1, $"no column '{name}'.");

    /// <summary>
    /// Parses a number: invariant culture, exponent allowed; empty, <c>nan</c>, <c>null</c> and <c>NA</c> are NaN;
    /// <c>inf</c>/<c>-inf</c>/<c>Infinity</c> are infinities. Returns false for anything else.
    /// </summary>
    public static bool TryParseNumber(ReadOnlySpan<char> s, out double value)
    {
        s = s.Trim();
        if (s.Length == 0 || s.Equals("nan", StringComparison.OrdinalIgnoreCase) || s.Equals("null", StringComparison.OrdinalIgnoreCase)
            || s.Equals("na", StringComparison.OrdinalIgnoreCase) || s.Equals("none", StringComparison.OrdinalIgnoreCase))
        { value = double.NaN; return true; }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        var t = s.TrimStart('+');
        if (t.Equals("inf", StringComparison.OrdinalIgnoreCase) || t.Equals("infinity", StringComparison.OrdinalIgnoreCase)) { value = double.PositiveInfinity; return true; }
        if (t.Equals("-inf", StringComparison.OrdinalIgnoreCase) || t.Equals("-infinity", StringComparison.OrdinalIgnoreCase)) { value = double.NegativeInfinity; return true; }
        return false;
    }

    /// <summary>Default time parser: integer or decimal Unix seconds (a fraction is rounded to the nearest second).</summary>
    public static long? ParseUnixSeconds(string s)
    {
        var t = s.AsSpan().Trim();
        if (long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return l;
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return (long)Math.Round(d, MidpointRounding.AwayFromZero);
        return null;
    }

    /// <summary>
    /// Reads a wide CSV (one time column, one column per metric) into a <see cref="MetricFrame"/>.
    /// </summary>
    /// <exception cref="DataFormatException">Missing file, missing time column, a row of the wrong width, a cell that is
    /// not a number, or a timestamp not after the previous one; the message names file, line and column.</exception>
    public static MetricFrame ReadFrame(string path, CsvFrameOptions? options = null)
    {
        options ??= new CsvFrameOptions();
        path = TextFiles.Resolve(path) ?? path;
        var parseTime = options.ParseTime ?? ParseUnixSeconds;
        using var e = ReadRecords(path).GetEnumerator();
        var headers = new List<string[]>();
        for (int h = 0; h < options.HeaderRows; h++)
        {
            if (!e.MoveNext()) throw new DataFormatException(path, h + 1, null, h == 0 ? "the file is empty." : "the header ends early.");
            headers.Add(e.Current.Fields);
        }
        var header = headers[^1];
        int width = headers[0].Length;
        var (timeCol, keep, names) = WideTable.Columns(header, width, options,
            j => options.ComposeName is null ? (j < header.Length ? header[j] : "") : options.ComposeName(headers.Select(r => j < r.Length ? r[j] : "").ToList()),
            (j, problem) => new DataFormatException(path, options.HeaderRows, j + 1, problem));
        var time = new List<long>();
        var cols = names.Select(_ => new List<double>()).ToArray();
        while (e.MoveNext())
        {
            var (line, f) = e.Current;
            if (f.Length != width)
                throw new DataFormatException(path, line, null, $"expected {width} fields as in the header, found {f.Length}.");
            var t = parseTime(f[timeCol]) ?? throw new DataFormatException(path, line, timeCol + 1, $"cannot read '{f[timeCol]}' as a time.");
            if (WideTable.AddTime(time, t) is { } late) throw new DataFormatException(path, line, timeCol + 1, late);
            for (int k = 0; k < keep.Length; k++)
            {
                if (!TryParseNumber(f[keep[k]], out var v))
                    throw new DataFormatException(path, line, keep[k] + 1, $"cannot read '{f[keep[k]]}' as a number (column '{names[k]}').");
                cols[k].Add(v);
            }
        }
        return new MetricFrame(time.ToArray(), names, cols.Select(c => c.ToArray()).ToArray());
    }

    /// <summary>Quotes a field when it contains a comma, quote or line break.</summary>
    public static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Writes one record, escaping as needed, followed by '\n'.</summary>
    public static void WriteRow(TextWriter w, IEnumerable<string> fields)
    {
        bool first = true;
        foreach (var f in fields)
        {
            if (!first) w.Write(',');
            w.Write(Escape(f));
            first = false;
        }
        w.Write('\n');
    }

    /// <summary>Invariant, round-trippable text for a number ("" for NaN).</summary>
    public static string Format(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Writes a frame as a wide CSV with a <c>time</c> column.</summary>
    public static void WriteFrame(TextWriter w, MetricFrame frame)
    {
        WriteRow(w, frame.Names.Prepend("time"));
        var t = frame.Time;
        for (int i = 0; i < frame.RowCount; i++)
        {
            var row = new string[frame.ColumnCount + 1];
            row[0] = t[i].ToString(CultureInfo.InvariantCulture);
            for (int j = 0; j < frame.ColumnCount; j++) row[j + 1] = Format(frame.Column(j)[i]);
            WriteRow(w, row);
        }
    }
}
