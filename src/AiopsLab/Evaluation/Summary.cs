using AiopsLab.Experiments;

namespace AiopsLab.Evaluation;

/// <summary>Scores of one method on one group of cases (a fault type, or <c>all</c>).</summary>
public sealed record SummaryRow(
    string Dataset, string Method, string Fault, int Cases,
    double Ac1, double Ac3, double Avg5, double Mrr,
    double ChanceAvg5, int Failed, int TimedOut, double MedianSeconds,
    int MetricLabelled, double MetricAc1, double MetricAvg5)
{
    /// <summary>Avg@5 over chance Avg@5 (1 = chance).</summary>
    public double Lift => ChanceAvg5 > 0 ? Avg5 / ChanceAvg5 : double.NaN;
}

/// <summary>
/// Groups outcomes by (dataset, method, fault) and adds one <c>all</c> row per (dataset, method). Failed and timed-out
/// runs stay in the denominator (as misses), so a method cannot look better by failing on hard cases; the
/// <c>failed</c> column says how many there were.
/// </summary>
public static class Summary
{
    public const string AllFaults = "all";

    public static IReadOnlyList<SummaryRow> Build(IEnumerable<CaseOutcome> outcomes)
    {
        var list = outcomes.ToList();
        var methodOrder = list.Select(o => o.Method).Distinct().Select((m, i) => (m, i)).ToDictionary(x => x.m, x => x.i, StringComparer.Ordinal);
        var rows = new List<SummaryRow>();
        foreach (var byDm in list.GroupBy(o => (o.Dataset, o.Method))
                                  .OrderBy(g => g.Key.Dataset, StringComparer.Ordinal).ThenBy(g => methodOrder[g.Key.Method]))
        {
            foreach (var byFault in byDm.GroupBy(o => o.Fault).OrderBy(g => g.Key, StringComparer.Ordinal))
                rows.Add(Score(byDm.Key.Dataset, byDm.Key.Method, byFault.Key, byFault.ToList()));
            rows.Add(Score(byDm.Key.Dataset, byDm.Key.Method, AllFaults, byDm.ToList()));
        }
        return rows;
    }

    public static SummaryRow Score(string dataset, string method, string fault, IReadOnlyList<CaseOutcome> g)
    {
        var ranks = g.Select(o => o.Status == RunStatus.Ok ? o.Rank : null).ToArray();
        var labelled = g.Where(o => o.RootCauseMetric is not null).ToArray();
        var metricRanks = labelled.Select(o => o.Status == RunStatus.Ok ? o.MetricRank : null).ToArray();
        var secs = g.Where(o => o.Status == RunStatus.Ok).Select(o => o.Seconds).OrderBy(x => x).ToArray();
        var known = g.Where(o => o.ServiceCount > 0).Select(o => o.ServiceCount).ToArray();
        return new SummaryRow(dataset, method, fault, g.Count,
            RankingMetrics.AcAt(ranks, 1), RankingMetrics.AcAt(ranks, 3), RankingMetrics.AvgAt(ranks, 5), RankingMetrics.Mrr(ranks),
            RankingMetrics.ChanceAvgAt(known, 5),
            g.Count(o => o.Status == RunStatus.Failed), g.Count(o => o.Status == RunStatus.Timeout),
            secs.Length == 0 ? double.NaN : Median(secs),
            labelled.Length,
            labelled.Length == 0 ? double.NaN : RankingMetrics.AcAt(metricRanks, 1),
            labelled.Length == 0 ? double.NaN : RankingMetrics.AvgAt(metricRanks, 5));
    }

    /// <summary>Median of a sorted array.</summary>
    public static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
}
