using AiopsLab.Numerics;
using MathNet.Numerics.Distributions;

namespace AiopsLab.Evaluation;

/// <summary>Result of a Friedman test with the Nemenyi post-hoc critical difference.</summary>
/// <param name="Blocks">N: complete blocks (cases) compared.</param>
/// <param name="Treatments">k: methods compared.</param>
/// <param name="AverageRanks">R_j: each method's mean rank over the blocks (1 = best).</param>
/// <param name="ChiSquare">χ²_F = 12N/(k(k+1))·[Σ R_j² − k(k+1)²/4] (Demšar 2006, eq. after Table 5; no tie correction).</param>
/// <param name="ChiSquarePValue">P(χ²_{k−1} ≥ χ²_F).</param>
/// <param name="ChiSquareTieCorrected">χ²_F divided by 1 − Σ(t³−t)/(N·k·(k²−1)) over tied groups within blocks (as scipy's friedmanchisquare).</param>
/// <param name="ChiSquareTieCorrectedPValue">P(χ²_{k−1} ≥ tie-corrected χ²_F).</param>
/// <param name="FF">Iman–Davenport F_F = (N−1)χ²_F/(N(k−1) − χ²_F).</param>
/// <param name="FFPValue">P(F_{k−1,(k−1)(N−1)} ≥ F_F).</param>
/// <param name="FFTieCorrected">F_F computed from the tie-corrected χ² (read this one when many blocks have ties).</param>
/// <param name="FFTieCorrectedPValue">P(F_{k−1,(k−1)(N−1)} ≥ tie-corrected F_F).</param>
/// <param name="Alpha">Significance level of <see cref="QAlpha"/> and <see cref="CriticalDifference"/>.</param>
/// <param name="QAlpha">Nemenyi critical value q_α (Demšar Table 5(a)).</param>
/// <param name="CriticalDifference">CD = q_α·√(k(k+1)/(6N)): two methods differ when their average ranks differ by at least CD.</param>
public sealed record FriedmanResult(int Blocks, int Treatments, IReadOnlyList<double> AverageRanks,
    double ChiSquare, double ChiSquarePValue, double ChiSquareTieCorrected, double ChiSquareTieCorrectedPValue,
    double FF, double FFPValue, double Alpha, double QAlpha, double CriticalDifference, double FFTieCorrected = double.NaN, double FFTieCorrectedPValue = double.NaN)
{
    /// <summary>True when methods i and j differ significantly by the Nemenyi test.</summary>
    public bool Differ(int i, int j) => Math.Abs(AverageRanks[i] - AverageRanks[j]) >= CriticalDifference;
}

/// <summary>
/// The Friedman test (Friedman, JASA 1937) with Iman and Davenport's F statistic and the Nemenyi post-hoc critical
/// difference, as Demšar describes them for comparing k methods over N data sets ("Statistical comparisons of
/// classifiers over multiple data sets", JMLR 7, 2006, §3.2.2); here the blocks are cases (or case × seed runs).
/// </summary>
public static class FriedmanNemenyi
{
    /// <summary>
    /// Tests <paramref name="scores"/> (N blocks × k methods). Within each block methods are ranked 1..k, the best
    /// (highest score when <paramref name="higherIsBetter"/>) first, ties sharing their average rank.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 blocks or methods, ragged rows, or NaN.</exception>
    public static FriedmanResult Test(IReadOnlyList<double[]> scores, bool higherIsBetter = true, double alpha = 0.05)
    {
        int n = scores.Count;
        if (n < 2) throw new ArgumentException("the Friedman test needs at least 2 blocks.");
        int k = scores[0].Length;
        if (k < 2) throw new ArgumentException("the Friedman test needs at least 2 methods.");
        var sums = new double[k];
        double ties = 0;
        foreach (var row in scores)
        {
            if (row.Length != k) throw new ArgumentException("every block needs one score per method.");
            var r = Ranks.Average(higherIsBetter ? row.Select(v => -v).ToArray() : row);
            for (int j = 0; j < k; j++) sums[j] += r[j];
            ties += Ranks.TieSum(r);
        }
        var avg = sums.Select(s => s / n).ToArray();
        double sumSq = avg.Sum(r => r * r);
        double chi = 12.0 * n / (k * (k + 1.0)) * (sumSq - k * (k + 1.0) * (k + 1.0) / 4);
        double chiP = 1 - ChiSquared.CDF(k - 1, Math.Max(0, chi));
        double c = 1 - ties / (n * k * (k * k - 1.0));
        double chiT = c > 0 ? chi / c : double.NaN;
        double chiTP = double.IsNaN(chiT) ? double.NaN : 1 - ChiSquared.CDF(k - 1, Math.Max(0, chiT));
        double denom = n * (k - 1.0) - chi;
        double ff = denom > 0 ? (n - 1.0) * chi / denom : double.PositiveInfinity;
        double ffP = double.IsPositiveInfinity(ff) ? 0 : 1 - FisherSnedecor.CDF(k - 1, (k - 1.0) * (n - 1), Math.Max(0, ff));
        double q = StudentizedRange.NemenyiQ(k, alpha);
        double cd = q * Math.Sqrt(k * (k + 1.0) / (6.0 * n));
        var (ffT, ffTP) = ImanDavenport(chiT, n, k);
        return new FriedmanResult(n, k, avg, chi, chiP, chiT, chiTP, ff, ffP, alpha, q, cd, ffT, ffTP);
    }

    /// <summary>Iman–Davenport F_F = (N−1)χ²/(N(k−1) − χ²) and its upper-tail p-value on (k−1, (k−1)(N−1)) df.</summary>
    public static (double F, double P) ImanDavenport(double chi, int n, int k)
    {
        if (double.IsNaN(chi)) return (double.NaN, double.NaN);
        double denom = n * (k - 1.0) - chi;
        if (denom <= 0) return (double.PositiveInfinity, 0);
        double f = (n - 1.0) * chi / denom;
        return (f, 1 - FisherSnedecor.CDF(k - 1, (k - 1.0) * (n - 1), Math.Max(0, f)));
    }

    /// <summary>
    /// Groups of methods not significantly different (for a critical-difference diagram): with methods sorted by
    /// average rank, each maximal run whose first and last ranks differ by less than CD, skipping runs contained in
    /// another. Returned as index lists into the original order, best first.
    /// </summary>
    public static IReadOnlyList<int[]> Cliques(FriedmanResult f)
    {
        var order = Enumerable.Range(0, f.Treatments).OrderBy(i => f.AverageRanks[i]).ThenBy(i => i).ToArray();
        var runs = new List<(int From, int To)>();
        for (int a = 0; a < order.Length; a++)
        {
            int b = a;
            while (b + 1 < order.Length && f.AverageRanks[order[b + 1]] - f.AverageRanks[order[a]] < f.CriticalDifference) b++;
            if (b > a && !runs.Any(r => r.From <= a && r.To >= b)) runs.Add((a, b));
        }
        return runs.Select(r => order[r.From..(r.To + 1)]).ToArray();
    }
}
