namespace AiopsLab.Data;

/// <summary>
/// Base of every error AiopsLab reports to a user on purpose. The message is complete on its own:
/// it names the file, the line or column, or the bad name, and says what is wrong. The CLI prints it
/// as one line and exits non-zero; it never prints a stack trace for these.
/// </summary>
public class AiopsLabException : Exception
{
    public AiopsLabException(string message) : base(ErrorText.Limit(message)) { }
    public AiopsLabException(string message, Exception inner) : base(ErrorText.Limit(message), inner) { }
}

/// <summary>Malformed or unexpected input data. <see cref="Location"/> is "file:line:column" (parts omitted where unknown).</summary>
public sealed class DataFormatException : AiopsLabException
{
    public string File { get; }
    public int? Line { get; }
    public int? Column { get; }
    public string Problem { get; }

    public DataFormatException(string file, int? line, int? column, string problem)
        : base(Format(file, line, column, problem))
    {
        File = file; Line = line; Column = column; Problem = ErrorText.Limit(problem);
    }

    public string Location => Format(File, Line, Column, null);

    private static string Format(string file, int? line, int? column, string? problem)
    {
        var s = ErrorText.Limit(file, 500);
        if (line is { } l) s += ":" + l.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // A file without lines (Parquet) names the column alone: "file: column 3".
        if (column is { } c) s += (line is null ? ": column " : ":") + c.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return problem is null ? s : s + ": " + ErrorText.Limit(problem);
    }
}

/// <summary>A name (dataset, method, option, column) that does not exist. The message lists the valid names.</summary>
public sealed class UnknownNameException : AiopsLabException
{
    public UnknownNameException(string kind, string name, IEnumerable<string> known)
        : base($"unknown {kind} '{name}'. Known: {string.Join(", ", known.OrderBy(k => k, StringComparer.Ordinal))}.") { }
}

/// <summary>
/// A case exists in the dataset but cannot be given to a method as it is, for example because the dataset
/// copy lacks its normal-period data. The runner records every method on that case as <c>failed</c> with this message.
/// </summary>
public sealed class CaseUnavailableException : AiopsLabException
{
    public CaseUnavailableException(string message) : base(message) { }
}

/// <summary>
/// Bounds error text that is shown, stored in a run store or written to result files: a cell, a file name or an inner
/// exception's message can be megabytes long (a 40 MB non-numeric cell). Longer text is cut, with a note saying so.
/// </summary>
public static class ErrorText
{
    /// <summary>Default limit in characters of a message.</summary>
    public const int MaxLength = 2000;

    /// <summary>The text itself when at most <paramref name="max"/> characters; otherwise its start and a note of the cut.</summary>
    public static string Limit(string text, int max = MaxLength)
    {
        if (text.Length <= max) return text;
        var cut = text.Length - max;
        return text[..max] + $"… [{cut.ToString(System.Globalization.CultureInfo.InvariantCulture)} more characters cut]";
    }
}
