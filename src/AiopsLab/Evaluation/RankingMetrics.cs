namespace AiopsLab.Evaluation;

/// <summary>
/// Root-cause ranking metrics as RCAEval and BARO define them (Pham et al., ASE 2024 §IV-C; Pham et al., FSE 2024 §5.1):
/// AC@k, the fraction of cases whose root cause is among the top k, and Avg@k = (1/k)·Σ_{j=1..k} AC@j.
/// A case whose root cause is not ranked at all (or whose method failed) counts as a miss at every k.
/// Pure functions over 1-based ranks (null = not ranked).
/// </summary>
public static class RankingMetrics
{
    /// <summary>1-based position of <paramref name="item"/> in <paramref name="ranking"/> (ordinal match), or null.</summary>
    public static int? RankOf(IReadOnlyList<string> ranking, string item)
    {
        for (int i = 0; i < ranking.Count; i++)
            if (string.Equals(ranking[i], item, StringComparison.Ordinal)) return i + 1;
        return null;
    }

    /// <summary>AC@k: fraction of cases with rank ≤ k. NaN for no cases.</summary>
    public static double AcAt(IReadOnlyCollection<int?> ranks, int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k));
        return ranks.Count == 0 ? double.NaN : (double)ranks.Count(r => r is { } x && x <= k) / ranks.Count;
    }

    /// <summary>Avg@k = (1/k)·Σ_{j=1..k} AC@j.</summary>
    public static double AvgAt(IReadOnlyCollection<int?> ranks, int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k));
        if (ranks.Count == 0) return double.NaN;
        double s = 0;
        for (int j = 1; j <= k; j++) s += AcAt(ranks, j);
        return s / k;
    }

    /// <summary>Mean reciprocal rank; a miss contributes 0.</summary>
    public static double Mrr(IReadOnlyCollection<int?> ranks) =>
        ranks.Count == 0 ? double.NaN : ranks.Sum(r => r is { } x ? 1.0 / x : 0.0) / ranks.Count;

    /// <summary>Chance AC@k for one case with <paramref name="n"/> ranked candidates: min(k, n)/n.</summary>
    public static double ChanceAcAt(int n, int k) => n <= 0 ? 0 : (double)Math.Min(k, n) / n;

    /// <summary>Chance Avg@k for one case with n candidates: (1/k)·Σ_{j=1..k} min(j, n)/n.</summary>
    public static double ChanceAvgAt(int n, int k)
    {
        if (n <= 0) return 0;
        double s = 0;
        for (int j = 1; j <= k; j++) s += ChanceAcAt(n, j);
        return s / k;
    }

    /// <summary>Chance MRR for n candidates: H_n / n.</summary>
    public static double ChanceMrr(int n)
    {
        if (n <= 0) return 0;
        double h = 0;
        for (int i = 1; i <= n; i++) h += 1.0 / i;
        return h / n;
    }

    /// <summary>Mean chance Avg@k over cases with the given candidate counts.</summary>
    public static double ChanceAvgAt(IReadOnlyCollection<int> candidateCounts, int k) =>
        candidateCounts.Count == 0 ? double.NaN : candidateCounts.Average(n => ChanceAvgAt(n, k));

    /// <summary>
    /// Standard error of the mean Avg@k of one uniformly random ranking per case (the random baseline at one seed) over cases
    /// with the given candidate counts: a case whose root cause lands at rank r scores max(0, k + 1 − r)/k, each rank with
    /// probability 1/n, so its variance is E[v²] − E[v]²; the mean over N independent cases has variance Σ var / N².
    /// </summary>
    public static double ChanceAvgAtStandardError(IReadOnlyCollection<int> candidateCounts, int k)
    {
        if (candidateCounts.Count == 0) return double.NaN;
        double total = 0;
        foreach (int n in candidateCounts)
        {
            if (n <= 0) continue;
            double m1 = 0, m2 = 0;
            for (int r = 1; r <= Math.Min(k, n); r++) { double v = (double)(k + 1 - r) / k; m1 += v / n; m2 += v * v / n; }
            total += m2 - m1 * m1;
        }
        return Math.Sqrt(total) / candidateCounts.Count;
    }
}
