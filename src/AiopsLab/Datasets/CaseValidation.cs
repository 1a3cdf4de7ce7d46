using AiopsLab.Data;

namespace AiopsLab.Datasets;

/// <summary>
/// Checks a loaded case's label against its data before any method sees it, so that a mislabelled case is an error
/// rather than a scored miss: the frame has rows, the inject time has rows before it and from it on, the root-cause service is among the services of the metric columns,
/// and a labelled root-cause metric is one of the columns. Listed in docs/datasets.md ("What is validated").
/// </summary>
public static class CaseValidation
{
    /// <summary>Throws a <see cref="DataFormatException"/> naming <paramref name="labelFile"/> (or the case) and the problem.</summary>
    public static void Check(FaultCase c, string? labelFile = null)
    {
        var where = labelFile ?? $"{c.Dataset}/{c.Id}";
        var m = c.Metrics;
        if (m.RowCount == 0) throw new DataFormatException(where, null, null, "the case's metrics have no rows.");
        if (m.ColumnCount == 0) throw new DataFormatException(where, null, null, "the case's metrics have no metric columns.");
        int a = m.RowAtOrAfter(c.Label.InjectTime);
        if (a == 0 || a >= m.RowCount)
            throw new DataFormatException(where, null, null, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"inject time {c.Label.InjectTime} is outside the data (rows from {m.StartTime} to {m.EndTime}): a case needs rows before it and from it on."));
        var services = c.Naming.Services(m.Names);
        if (!services.Contains(c.Label.RootCause, StringComparer.Ordinal))
            throw new DataFormatException(where, null, null,
                $"root cause '{c.Label.RootCause}' is not a service of the case's metrics (services: {ErrorText.Limit(string.Join(", ", services.Order(StringComparer.Ordinal)), 300)}).");
        if (c.Label.RootCauseMetric is { } rcm && !m.Contains(rcm))
            throw new DataFormatException(where, null, null, $"root_cause_metric '{rcm}' is not a column of the case's metrics.");
    }
}
