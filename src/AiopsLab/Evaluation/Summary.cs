namespace AiopsLab.Evaluation;

/// <summary>Scores of one method on one group of cases (a fault type, or <c>all</c>).</summary>
public sealed record SummaryRow(
    string Dataset, string Method, string Fault, int Cases,
    double Ac1, double Ac3, double Avg5, double Mrr,
    double ChanceAvg5, int Failed, int TimedOut, double MedianSeconds,
    int MetricLabelled, double MetricAc1, double MetricAvg5)
{
    /// <summary>Runs whose case has an inner-service label (<see cref="CaseOutcome.InnerRootCause"/>), the denominator of the AIS@k scores.</summary>
    public int InnerLabelled { get; init; }
    /// <summary>Inner-service AIS@1, AIS@3, AIS@5 (<see cref="InnerServiceRank"/>) over the inner-labelled runs; NaN when there are none.</summary>
    public double Ais1 { get; init; } = double.NaN;
    public double Ais3 { get; init; } = double.NaN;
    public double Ais5 { get; init; } = double.NaN;

    /// <summary>Avg@5 over chance Avg@5 (1 = chance).</summary>
    public double Lift => ChanceAvg5 > 0 ? Avg5 / ChanceAvg5 : double.NaN;
}

/// <summary>One summary row with the setting it belongs to (experiment runs; a shortcut run has one setting).</summary>
public sealed record SettingSummary(long Delay, string Window, string Detection, SummaryRow Row);

/// <summary>
/// Groups outcomes by (dataset, method, fault) and adds one <c>all</c> row per (dataset, method). Failed and timed-out
/// runs stay in the denominator (as misses), so a method cannot look better by failing on hard cases; the
/// <c>failed</c> column says how many there were. The one place a group of runs is scored: every table (summary.csv,
/// the report, the paper's tables) calls <see cref="Score"/>, <see cref="Avg5"/> or <see cref="Ranks"/>.
/// </summary>
public static class Summary
{
    public const string AllFaults = "all";

    /// <summary>
    /// Rows in order: datasets ordinal, methods in order of first appearance, fault types ordinal, then <c>all</c>.
    /// </summary>
    public static IReadOnlyList<SummaryRow> Build(IEnumerable<CaseOutcome> outcomes) =>
        Group(outcomes, bySetting: false).Select(s => s.Row).ToArray();

    /// <summary>
    /// As <see cref="Build"/>, with one block per setting (delay, window, detection; in order of first appearance)
    /// within each dataset; seeds are pooled.
    /// </summary>
    public static IReadOnlyList<SettingSummary> BuildBySetting(IEnumerable<CaseOutcome> outcomes) => Group(outcomes, bySetting: true);

    private static List<SettingSummary> Group(IEnumerable<CaseOutcome> outcomes, bool bySetting)
    {
        var list = outcomes as IReadOnlyList<CaseOutcome> ?? outcomes.ToList();
        var methodOrder = new Dictionary<string, int>(StringComparer.Ordinal);
        var settingOrder = new Dictionary<(long, string, string), int>();
        foreach (var o in list)
        {
            methodOrder.TryAdd(o.Method, methodOrder.Count);
            settingOrder.TryAdd(SettingOf(o, bySetting), settingOrder.Count);
        }
        var rows = new List<SettingSummary>();
        foreach (var g in list.GroupBy(o => (o.Dataset, Setting: SettingOf(o, bySetting), o.Method))
                              .OrderBy(g => g.Key.Dataset, StringComparer.Ordinal)
                              .ThenBy(g => settingOrder[g.Key.Setting]).ThenBy(g => methodOrder[g.Key.Method]))
        {
            var (delay, window, detection) = g.Key.Setting;
            var all = g.ToList();
            foreach (var byFault in all.GroupBy(o => o.Fault).OrderBy(f => f.Key, StringComparer.Ordinal))
                rows.Add(new SettingSummary(delay, window, detection, Score(g.Key.Dataset, g.Key.Method, byFault.Key, byFault.ToList())));
            rows.Add(new SettingSummary(delay, window, detection, Score(g.Key.Dataset, g.Key.Method, AllFaults, all)));
        }
        return rows;
    }

    private static (long, string, string) SettingOf(CaseOutcome o, bool bySetting) => bySetting ? (o.Delay, o.Window, o.Detection) : (0L, "", "");

    /// <summary>Service-level ranks of a group of runs, a failed or timed-out run as not ranked.</summary>
    public static int?[] Ranks(IEnumerable<CaseOutcome> g) => g.Select(o => o.Status == RunStatus.Ok ? o.Rank : null).ToArray();

    /// <summary>Service-level Avg@5 of a group of runs (seeds pooled; failures are misses); NaN for no runs.</summary>
    public static double Avg5(IEnumerable<CaseOutcome> g) => RankingMetrics.AvgAt(Ranks(g), 5);

    /// <summary>Every score of one group of runs.</summary>
    public static SummaryRow Score(string dataset, string method, string fault, IReadOnlyList<CaseOutcome> g)
    {
        var ranks = Ranks(g);
        var labelled = g.Where(o => o.RootCauseMetric is not null).ToArray();
        var metricRanks = labelled.Select(o => o.Status == RunStatus.Ok ? o.MetricRank : null).ToArray();
        var known = g.Where(o => o.ServiceCount > 0).Select(o => o.ServiceCount).ToArray();
        var innerRanks = InnerRanks(g);
        return new SummaryRow(dataset, method, fault, g.Count,
            RankingMetrics.AcAt(ranks, 1), RankingMetrics.AcAt(ranks, 3), RankingMetrics.AvgAt(ranks, 5), RankingMetrics.Mrr(ranks),
            RankingMetrics.ChanceAvgAt(known, 5),
            g.Count(o => o.Status == RunStatus.Failed), g.Count(o => o.Status == RunStatus.Timeout),
            MedianSeconds(g),
            labelled.Length,
            labelled.Length == 0 ? double.NaN : RankingMetrics.AcAt(metricRanks, 1),
            labelled.Length == 0 ? double.NaN : RankingMetrics.AvgAt(metricRanks, 5))
        {
            InnerLabelled = innerRanks.Length,
            Ais1 = innerRanks.Length == 0 ? double.NaN : RankingMetrics.AcAt(innerRanks, 1),
            Ais3 = innerRanks.Length == 0 ? double.NaN : RankingMetrics.AcAt(innerRanks, 3),
            Ais5 = innerRanks.Length == 0 ? double.NaN : RankingMetrics.AcAt(innerRanks, 5),
        };
    }

    /// <summary>
    /// Inner-service ranks of the runs whose case has an inner-service label (failed and timed-out runs as not ranked);
    /// AIS@k is AC@k over these (Nezha, Yu et al., ESEC/FSE 2023, §4.1).
    /// </summary>
    public static int?[] InnerRanks(IEnumerable<CaseOutcome> g) =>
        g.Where(o => o.InnerRootCause is not null).Select(o => o.Status == RunStatus.Ok ? o.InnerRank : null).ToArray();

    /// <summary>Median seconds of the ok runs of a group; NaN when none is ok.</summary>
    public static double MedianSeconds(IEnumerable<CaseOutcome> g)
    {
        var secs = g.Where(o => o.Status == RunStatus.Ok).Select(o => o.Seconds).OrderBy(x => x).ToArray();
        return secs.Length == 0 ? double.NaN : Median(secs);
    }

    /// <summary>Median of a sorted array.</summary>
    public static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
}
