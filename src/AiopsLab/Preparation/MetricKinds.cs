using AiopsLab.Data;

namespace AiopsLab.Preparation;

/// <summary>
/// Classifies metric kinds (the part of a column name after the entity, as a dataset's <see cref="MetricNaming"/> parses
/// it) into the families methods select by. Only the kind is looked at, never the entity and never a label, so the
/// same rule works on every dataset: <c>lat_90</c> (Sock Shop), <c>latency-50</c> (RCAEval RE2),
/// <c>PodClientLatencyP90(s)</c> (Nezha), <c>latency/p90</c> (PetShop) are latency; <c>error</c>, <c>PodSuccessRate(%)</c>,
/// <c>availability</c> are error-rate kinds (success rate and availability are the complement of an error rate).
/// </summary>
public static class MetricKinds
{
    /// <summary>Latency or response-time kinds: contains "latency", "duration" or "response", or is "lat"/"lat_…"/"lat-…".</summary>
    public static bool IsLatency(string kind)
    {
        var k = kind.ToLowerInvariant();
        return k.Contains("latency", StringComparison.Ordinal) || k.Contains("duration", StringComparison.Ordinal)
            || k.Contains("response", StringComparison.Ordinal) || k == "lat" || k.StartsWith("lat_", StringComparison.Ordinal)
            || k.StartsWith("lat-", StringComparison.Ordinal) || k == "rt";
    }

    /// <summary>Error-rate kinds: contains "error", "fail", "success" or "availability".</summary>
    public static bool IsError(string kind)
    {
        var k = kind.ToLowerInvariant();
        return k.Contains("error", StringComparison.Ordinal) || k.Contains("fail", StringComparison.Ordinal)
            || k.Contains("success", StringComparison.Ordinal) || k.Contains("availability", StringComparison.Ordinal);
    }

    /// <summary>
    /// Memory kinds, which RCAEval converts from bytes to megabytes (<c>convert_mem_mb</c>): "mem" (Sock Shop's
    /// <c>carts_mem</c>) or containing "memory" (Nezha's <c>PodMemory…</c>, RCAEval RE2's <c>memory</c>).
    /// </summary>
    public static bool IsMemory(string kind) =>
        kind.Equals("mem", StringComparison.OrdinalIgnoreCase) || kind.Contains("memory", StringComparison.OrdinalIgnoreCase);

    /// <summary>The columns whose kind is latency or error rate, in column order.</summary>
    public static IReadOnlyList<string> LatencyAndError(IEnumerable<string> columns, MetricNaming naming) =>
        columns.Where(c => { var k = naming.KindOf(c); return IsLatency(k) || IsError(k); }).ToArray();
}
