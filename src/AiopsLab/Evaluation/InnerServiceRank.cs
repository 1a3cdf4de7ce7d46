using AiopsLab.Data;

namespace AiopsLab.Evaluation;

/// <summary>
/// The inner-service level of Nezha's evaluation (Yu et al., ESEC/FSE 2023, §4.1, AIS@k): a ranked entry is right when it
/// names the root-cause service and, inside it, the labelled resource (<c>CpuUsageRate(%)</c>, <c>NetworkP90(ms)</c>) or
/// code region (two log statements, <c>A_B</c> in <c>construct_data/root_cause_*.json</c>).
/// </summary>
/// <remarks>
/// A ranked name is read with the case's <see cref="MetricNaming"/> as (service, inner part): a metric column
/// <c>svc_CpuUsageRate(%)</c> gives inner <c>CpuUsageRate(%)</c>, and the native multi-modal localizers name
/// <c>svc_&lt;resource&gt;</c> or <c>svc_&lt;source event&gt; -&gt; &lt;target event&gt;</c>. As in Nezha's evaluation
/// (<c>pattern_ranker.py</c>: <c>root_cause[0] in template(source) and root_cause[1] in template(target)</c>), each
/// <c>_</c>-separated part of the label must occur in the inner part, in order and without overlap. The rank is the position
/// of the first match (1-based), as for AC@k; Nezha's own script lets entries with equal score and depth share a rank.
/// </remarks>
public static class InnerServiceRank
{
    /// <summary>True when <paramref name="inner"/> of <paramref name="service"/> matches the inner label of <paramref name="rootCause"/>.</summary>
    public static bool Matches(string service, string inner, string rootCause, string label)
    {
        if (!string.Equals(service, rootCause, StringComparison.Ordinal)) return false;
        int at = 0;
        foreach (var part in label.Split('_'))
        {
            int i = inner.IndexOf(part, at, StringComparison.Ordinal);
            if (i < 0) return false;
            at = i + part.Length;
        }
        return true;
    }

    /// <summary>1-based position of the first entry of <paramref name="ranked"/> matching (<paramref name="rootCause"/>,
    /// <paramref name="label"/>), or null when none does.</summary>
    public static int? RankOf(IReadOnlyList<string> ranked, MetricNaming naming, string rootCause, string label)
    {
        for (int i = 0; i < ranked.Count; i++)
        {
            var r = naming.Parse(ranked[i]);
            if (Matches(naming.ServiceOfEntity(r.Entity), r.Kind, rootCause, label)) return i + 1;
        }
        return null;
    }
}
