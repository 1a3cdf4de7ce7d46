namespace AiopsLab.Data;

/// <summary>
/// Base of every error AiopsLab reports to a user on purpose. The message is complete on its own:
/// it names the file, the line or column, or the bad name, and says what is wrong. The CLI prints it
/// as one line and exits non-zero; it never prints a stack trace for these.
/// </summary>
public class AiopsLabException : Exception
{
    public AiopsLabException(string message) : base(message) { }
    public AiopsLabException(string message, Exception inner) : base(message, inner) { }
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
        File = file; Line = line; Column = column; Problem = problem;
    }

    public string Location => Format(File, Line, Column, null);

    private static string Format(string file, int? line, int? column, string? problem)
    {
        var s = file;
        if (line is { } l) s += ":" + l.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (column is { } c) s += ":" + c.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return problem is null ? s : s + ": " + problem;
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
