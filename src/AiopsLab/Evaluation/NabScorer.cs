using System.Globalization;

using AiopsLab.Datasets;

namespace AiopsLab.Evaluation;

/// <summary>One scored point: its anomaly score, its sweep score (weighted reward or penalty) and the window it lies in.</summary>
/// <param name="Window">Global window index; <see cref="NabScorer.NoWindow"/> outside any window, <see cref="NabScorer.Probationary"/>
/// in the probationary period (never scored).</param>
public readonly record struct NabPoint(double AnomalyScore, double SweepScore, int Window);

/// <summary>Score of a detector at one threshold, with its confusion counts (NAB's <c>ThresholdScore</c>).</summary>
public sealed record NabThresholdScore(double Threshold, double Score, int Tp, int Tn, int Fp, int Fn)
{
    public int Total => Tp + Tn + Fp + Fn;
}

/// <summary>
/// The Numenta Anomaly Benchmark scoring rules (Lavin &amp; Ahmad, "Evaluating Real-time Anomaly Detection Algorithms —
/// the Numenta Anomaly Benchmark", ICMLA 2015; NAB v1.1 <c>nab/sweeper.py</c>, <c>nab/optimizer.py</c>,
/// <c>nab/runner.py</c>), written from their description:
/// <list type="bullet">
/// <item>The first <c>min(⌊0.15·n⌋, 0.15·5000)</c> points of a series are probationary and never scored.</item>
/// <item>A point inside a labelled window at relative position p = −(r − i + 1)/w (r = the window's last index, w its
/// width in points) is worth σ(p)·tpWeight/σ(−1), where σ(p) = 2/(1 + e^{5p}) − 1 (the scaled sigmoid; −1 beyond p &gt; 3),
/// so the window's first point is worth exactly tpWeight and its last about 0.</item>
/// <item>A point after a window at distance d points from its end is worth σ(d/(w − 1))·fpWeight (negative); a point
/// before the first window −fpWeight.</item>
/// <item>A detection is a point whose anomaly score is ≥ the threshold. Each window contributes the largest worth among
/// its detections (its earliest), or −fnWeight when none; every detection outside windows adds its (negative) worth.</item>
/// <item>The corpus score is the sum over series; it is normalised as 100·(S − S_null)/(S_perfect − S_null), where
/// S_null is the score of a detector that never alarms and S_perfect = tpWeight × the number of labelled windows.</item>
/// <item>The threshold is optimised per detector and profile over the whole corpus: every distinct anomaly score is a
/// candidate (plus 1.1, no detection) and the best total wins.</item>
/// </list>
/// </summary>
public static class NabScorer
{
    public const int NoWindow = -1;
    public const int Probationary = -2;

    /// <summary>NAB's probationary length for a series of <paramref name="n"/> points.</summary>
    public static double ProbationaryLength(int n, double probationPercent = 0.15) =>
        Math.Min(Math.Floor(probationPercent * n), probationPercent * 5000);

    /// <summary>NAB's scaled sigmoid of a relative position.</summary>
    public static double ScaledSigmoid(double relativePosition) =>
        relativePosition > 3.0 ? -1.0 : 2 * (1 / (1 + Math.Exp(5 * relativePosition))) - 1.0;

    /// <summary>
    /// Scores every point of one series (NAB's <c>calcSweepScore</c>). Windows are index ranges [start, end] (inclusive),
    /// sorted and disjoint; <paramref name="firstWindowId"/> numbers them globally so series can be combined.
    /// </summary>
    public static NabPoint[] Sweep(ReadOnlySpan<double> anomalyScores, IReadOnlyList<(int Start, int End)> windows, NabCostMatrix cost,
        int firstWindowId = 0, double probationPercent = 0.15)
    {
        int n = anomalyScores.Length;
        var points = new NabPoint[n];
        double maxTp = ScaledSigmoid(-1.0);
        double probation = ProbationaryLength(n, probationPercent);
        int next = 0;             // next window to enter
        int cur = -1;             // index of the current window, or -1
        int prevRight = -1, prevWidth = 0;
        for (int i = 0; i < n; i++)
        {
            if (cur < 0 && next < windows.Count && i == windows[next].Start) cur = next++;
            double worth;
            if (cur >= 0)
            {
                var (s, e) = windows[cur];
                double width = e - s + 1;
                worth = ScaledSigmoid(-(e - i + 1) / width) * cost.TpWeight / maxTp;
            }
            else if (prevRight < 0) worth = -1.0 * cost.FpWeight;
            else worth = ScaledSigmoid(Math.Abs(prevRight - i) / (double)(prevWidth - 1)) * cost.FpWeight;
            int label = i >= probation ? (cur >= 0 ? firstWindowId + cur : NoWindow) : Probationary;
            points[i] = new NabPoint(anomalyScores[i], worth, label);
            if (cur >= 0 && i == windows[cur].End)
            {
                prevRight = i;
                prevWidth = windows[cur].End - windows[cur].Start + 1;
                cur = -1;
            }
        }
        return points;
    }

    /// <summary>The score at one threshold (detection = anomaly score ≥ threshold) of points from one or more series.</summary>
    public static NabThresholdScore ScoreAt(IEnumerable<NabPoint> points, double threshold, NabCostMatrix cost)
    {
        var best = new Dictionary<int, double>();
        double fp = 0;
        int tp = 0, tn = 0, fpCount = 0, fn = 0;
        foreach (var p in points)
        {
            if (p.Window == Probationary) continue;
            bool detected = p.AnomalyScore >= threshold;
            if (p.Window >= 0)
            {
                if (!best.ContainsKey(p.Window)) best[p.Window] = -cost.FnWeight;
                if (detected) { tp++; best[p.Window] = Math.Max(best[p.Window], p.SweepScore); }
                else fn++;
            }
            else if (detected) { fpCount++; fp += p.SweepScore; }
            else tn++;
        }
        return new NabThresholdScore(threshold, fp + best.Values.Sum(), tp, tn, fpCount, fn);
    }

    /// <summary>
    /// Scores at every candidate threshold (NAB's <c>calcScoreByThreshold</c>): 1.1 (nothing detected), then each distinct
    /// anomaly score in decreasing order, each including every point whose score is at least it.
    /// </summary>
    public static IReadOnlyList<NabThresholdScore> ScoreByThreshold(IReadOnlyList<NabPoint> points, NabCostMatrix cost)
    {
        var scorable = points.Where(p => p.Window != Probationary).ToArray();
        // Stable sort by decreasing anomaly score (NAB sorts with Python's stable sort).
        var order = Enumerable.Range(0, scorable.Length).OrderByDescending(i => scorable[i].AnomalyScore).ToArray();
        var parts = new Dictionary<int, double>();
        foreach (var p in scorable) if (p.Window >= 0) parts[p.Window] = -cost.FnWeight;
        double fpSum = 0, windowSum = parts.Values.Sum();
        int tn = scorable.Count(p => p.Window < 0), fn = scorable.Length - tn, tp = 0, fp = 0;
        var result = new List<NabThresholdScore>();
        double threshold = 1.1;
        foreach (var i in order)
        {
            var p = scorable[i];
            if (p.AnomalyScore != threshold)
            {
                result.Add(new NabThresholdScore(threshold, fpSum + windowSum, tp, tn, fp, fn));
                threshold = p.AnomalyScore;
            }
            if (p.Window >= 0)
            {
                tp++; fn--;
                double old = parts[p.Window];
                if (p.SweepScore > old) { windowSum += p.SweepScore - old; parts[p.Window] = p.SweepScore; }
            }
            else { fp++; tn--; fpSum += p.SweepScore; }
        }
        result.Add(new NabThresholdScore(threshold, fpSum + windowSum, tp, tn, fp, fn));
        return result;
    }

    /// <summary>The threshold with the best total score (NAB's optimizer; the first of equal bests, in decreasing threshold order).</summary>
    public static NabThresholdScore Optimize(IReadOnlyList<NabPoint> points, NabCostMatrix cost)
    {
        NabThresholdScore? best = null;
        foreach (var s in ScoreByThreshold(points, cost))
            if (best is null || s.Score > best.Score) best = s;
        return best!;
    }

    /// <summary>100·(raw − null)/(perfect − null) with perfect = tpWeight × windows.</summary>
    public static double Normalize(double raw, double nullScore, int windowCount, NabCostMatrix cost)
    {
        double perfect = windowCount * cost.TpWeight;
        return 100 * (raw - nullScore) / (perfect - nullScore);
    }

    /// <summary>The raw score of a detector that never alarms: −fnWeight for every window with a scorable point.</summary>
    public static double NullScore(IEnumerable<NabPoint> points, NabCostMatrix cost) =>
        -cost.FnWeight * points.Where(p => p.Window >= 0).Select(p => p.Window).Distinct().Count();

    public static string Format(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
}
