namespace AiopsLab.Evaluation;

/// <summary>Precision, recall and F1 of one evaluation.</summary>
public readonly record struct Prf(double Precision, double Recall, double F1)
{
    public static Prf Of(double precision, double recall) =>
        new(precision, recall, precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0);
}

/// <summary>
/// Point-wise anomaly-detection metrics on a labelled series (labels: true = anomalous point; scores: higher = more anomalous;
/// predictions: alarms). Threshold-free: AUC-ROC, AUC-PR, average precision, and the range-based R-AUC and VUS of Paparrizos et al.
/// Threshold-based: point-wise, point-adjusted and event-wise (composite) F1, and detection delay. NaN scores rank lowest.
/// </summary>
public static class DetectionMetrics
{
    /// <summary>
    /// Area under the ROC curve as the Mann–Whitney statistic U / (n₊ n₋) with mid-ranks for ties (Hanley &amp; McNeil, Radiology
    /// 143, 1982): the probability that a random anomalous point outscores a random normal one, ties counting one half.
    /// NaN when either class is empty.
    /// </summary>
    public static double AucRoc(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        Check(labels, scores);
        int n = labels.Length;
        var order = SortedAscending(scores);
        double rankSumPos = 0; long pos = 0;
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && Clean(scores[order[j + 1]]) == Clean(scores[order[i]])) j++;
            double midRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) if (labels[order[k]]) { rankSumPos += midRank; pos++; }
            i = j + 1;
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double)pos * neg);
    }

    /// <summary>
    /// Area under the precision–recall curve by the trapezoidal rule over the curve's points at every distinct score threshold,
    /// starting from (recall 0, precision 1) — the convention of scikit-learn's <c>auc(recall, precision)</c> that TSB-UAD and
    /// Paparrizos et al. report as AUC-PR. NaN without anomalous points.
    /// </summary>
    public static double AucPr(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        var (recall, precision) = PrCurve(labels, scores);
        if (recall.Length == 0) return double.NaN;
        double area = 0, r0 = 0, p0 = 1;
        for (int k = 0; k < recall.Length; k++) { area += (recall[k] - r0) * (precision[k] + p0) / 2; r0 = recall[k]; p0 = precision[k]; }
        return area;
    }

    /// <summary>Average precision Σ (R_k − R_{k−1}) P_k over the distinct thresholds (the step-wise area; no interpolation).</summary>
    public static double AveragePrecision(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        var (recall, precision) = PrCurve(labels, scores);
        if (recall.Length == 0) return double.NaN;
        double ap = 0, r0 = 0;
        for (int k = 0; k < recall.Length; k++) { ap += (recall[k] - r0) * precision[k]; r0 = recall[k]; }
        return ap;
    }

    /// <summary>Recall and precision at each distinct score threshold, from the highest score down.</summary>
    private static (double[] Recall, double[] Precision) PrCurve(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        Check(labels, scores);
        int n = labels.Length, pos = 0;
        foreach (var l in labels) if (l) pos++;
        if (pos == 0) return ([], []);
        var order = SortedAscending(scores);
        var rec = new List<double>(); var prec = new List<double>();
        int tp = 0, taken = 0;
        for (int i = n - 1; i >= 0;)
        {
            int j = i;
            while (j - 1 >= 0 && Clean(scores[order[j - 1]]) == Clean(scores[order[i]])) j--;
            for (int k = j; k <= i; k++) { taken++; if (labels[order[k]]) tp++; }
            rec.Add((double)tp / pos); prec.Add((double)tp / taken);
            i = j - 1;
        }
        return (rec.ToArray(), prec.ToArray());
    }

    /// <summary>Point-wise precision, recall and F1 of alarms against labels.</summary>
    public static Prf PointF1(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predictions)
    {
        if (labels.Length != predictions.Length) throw new ArgumentException("labels and predictions differ in length.");
        int tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (predictions[i] && labels[i]) tp++;
            else if (predictions[i]) fp++;
            else if (labels[i]) fn++;
        }
        return Prf.Of(tp + fp > 0 ? (double)tp / (tp + fp) : 0, tp + fn > 0 ? (double)tp / (tp + fn) : 0);
    }

    /// <summary>
    /// Point-adjusted F1 (Xu et al., "Unsupervised Anomaly Detection via Variational Auto-Encoder for Seasonal KPIs in Web
    /// Applications" (Donut), WWW 2018, §4.1): an alarm anywhere inside a labelled segment counts as detecting every point of it;
    /// then point-wise F1. Known to inflate scores (Kim et al., AAAI 2022); reported because the literature uses it.
    /// </summary>
    public static Prf PointAdjustedF1(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predictions) =>
        PointF1(labels, PointAdjust(labels, predictions));

    /// <summary>The point-adjusted predictions: every labelled segment with at least one alarm is alarmed throughout.</summary>
    public static bool[] PointAdjust(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predictions)
    {
        if (labels.Length != predictions.Length) throw new ArgumentException("labels and predictions differ in length.");
        var adjusted = predictions.ToArray();
        foreach (var (s, e) in Segments(labels))
        {
            bool hit = false;
            for (int i = s; i <= e && !hit; i++) hit = predictions[i];
            if (hit) for (int i = s; i <= e; i++) adjusted[i] = true;
        }
        return adjusted;
    }

    /// <summary>
    /// Event-wise (composite) F1 (Garg et al., "An Evaluation of Anomaly Detection and Diagnosis in Multivariate Time Series",
    /// IEEE TNNLS 33(6), 2022, §IV): recall over events (a labelled segment counts as found when any of its points alarms), precision
    /// over points, F1 their harmonic mean.
    /// </summary>
    public static Prf EventF1(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predictions)
    {
        var point = PointF1(labels, predictions);
        var segs = Segments(labels);
        if (segs.Count == 0) return Prf.Of(point.Precision, 0);
        int found = 0;
        foreach (var (s, e) in segs)
            for (int i = s; i <= e; i++) if (predictions[i]) { found++; break; }
        return Prf.Of(point.Precision, (double)found / segs.Count);
    }

    /// <summary>Per labelled segment: points from its start to its first alarm, or null when it has none.</summary>
    public static IReadOnlyList<int?> DetectionDelays(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predictions)
    {
        var delays = new List<int?>();
        foreach (var (s, e) in Segments(labels))
        {
            int? d = null;
            for (int i = s; i <= e; i++) if (predictions[i]) { d = i - s; break; }
            delays.Add(d);
        }
        return delays;
    }

    /// <summary>Maximal runs of true labels as inclusive (start, end) pairs.</summary>
    public static List<(int Start, int End)> Segments(ReadOnlySpan<bool> labels)
    {
        var list = new List<(int, int)>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (!labels[i]) continue;
            int j = i;
            while (j + 1 < labels.Length && labels[j + 1]) j++;
            list.Add((i, j));
            i = j;
        }
        return list;
    }

    /// <summary>The range-based AUCs of one buffer length ℓ (<see cref="RangeAuc"/>).</summary>
    public readonly record struct RangeAucResult(double Roc, double Pr);

    /// <summary>
    /// Range-AUC-ROC and Range-AUC-PR with buffer ℓ (Paparrizos, Boniol, Palpanas, Tsay, Elmore &amp; Franklin, "Volume Under the
    /// Surface: A New Accuracy Evaluation Measure for Time-Series Anomaly Detection", PVLDB 15(11), 2022, §4.1–4.2). Each labelled
    /// segment gets a soft buffer of ⌊ℓ/2⌋ points on each side, weighted √(1 − d/ℓ) at distance d (labels capped at 1). At a
    /// threshold: TP = Σ label·alarm, P̃ = (P + Σ label)/2 with P the original anomalous points, recall = min(1, TP/P̃), TPR =
    /// recall × the fraction of (buffered, merged) segments with an alarm (existence reward), FPR = (alarms − TP)/(n − P̃),
    /// precision = TP/alarms. The curves run over <paramref name="thresholds"/> thresholds at evenly spaced ranks of the sorted scores
    /// (the reference's 250), from (0, 0) to (1, 1); areas by the trapezoidal rule, the PR curve starting at precision 1.
    /// </summary>
    public static RangeAucResult RangeAuc(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores, int buffer, int thresholds = 250)
    {
        if (buffer < 0) throw new ArgumentOutOfRangeException(nameof(buffer), "the buffer length must be ≥ 0.");
        var (segs, clean, levels) = PrepareRange(labels, scores, thresholds);
        return segs.Count == 0 ? new RangeAucResult(double.NaN, double.NaN) : RangeAucAt(segs, clean, levels, buffer);
    }

    /// <summary>
    /// VUS-ROC and VUS-PR (Paparrizos et al., PVLDB 2022, §4.3): the mean of <see cref="RangeAuc"/> over every buffer length
    /// ℓ = 0, 1, …, <paramref name="maxBuffer"/> (the reference sets the maximum to twice the sliding-window length of the detector,
    /// or the median anomaly length). The scores are sorted and the thresholds chosen once for all buffer lengths.
    /// </summary>
    public static RangeAucResult Vus(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores, int maxBuffer, int thresholds = 250)
    {
        if (maxBuffer < 0) throw new ArgumentOutOfRangeException(nameof(maxBuffer));
        var (segs, clean, levels) = PrepareRange(labels, scores, thresholds);
        if (segs.Count == 0) return new RangeAucResult(double.NaN, double.NaN);
        double roc = 0, pr = 0;
        for (int l = 0; l <= maxBuffer; l++)
        {
            var r = RangeAucAt(segs, clean, levels, l);
            roc += r.Roc; pr += r.Pr;
        }
        return new RangeAucResult(roc / (maxBuffer + 1), pr / (maxBuffer + 1));
    }

    /// <summary>Labelled segments, NaN-cleaned scores, and the threshold values at evenly spaced ranks of the sorted scores.</summary>
    private static (List<(int Start, int End)> Segments, double[] Clean, double[] Levels) PrepareRange(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores, int thresholds)
    {
        Check(labels, scores);
        if (thresholds < 1) throw new ArgumentOutOfRangeException(nameof(thresholds));
        int n = labels.Length;
        var clean = new double[n];
        for (int i = 0; i < n; i++) clean[i] = Clean(scores[i]);
        var sorted = (double[])clean.Clone();
        Array.Sort(sorted);
        Array.Reverse(sorted);
        var levels = new double[n == 0 ? 0 : thresholds];
        for (int k = 0; k < levels.Length; k++) levels[k] = sorted[thresholds == 1 ? 0 : (int)((double)k * (n - 1) / (thresholds - 1))];
        return (Segments(labels), clean, levels);
    }

    /// <summary>R-AUC-ROC and R-AUC-PR at one buffer length (see <see cref="RangeAuc"/>).</summary>
    private static RangeAucResult RangeAucAt(List<(int Start, int End)> segs, double[] clean, double[] levels, int buffer)
    {
        int n = clean.Length;
        var soft = new double[n];
        int half = buffer / 2;
        double p = 0;
        foreach (var (s, e) in segs)
        {
            for (int i = s; i <= e; i++) soft[i] = 1;
            p += e - s + 1;
            for (int d = 1; d <= half; d++)
            {
                double w = Math.Sqrt(1 - (double)d / buffer);
                if (s - d >= 0) soft[s - d] = Math.Min(1, soft[s - d] + w);
                if (e + d < n) soft[e + d] = Math.Min(1, soft[e + d] + w);
            }
        }
        double sumSoft = 0;
        foreach (var v in soft) sumSoft += v;
        // Buffered segments for the existence reward; two segments whose buffers overlap count as one event.
        var merged = new List<(int S, int E)>();
        foreach (var (s, e) in segs)
        {
            int a = Math.Max(0, s - half), b = Math.Min(n - 1, e + half);
            if (merged.Count > 0 && a <= merged[^1].E) merged[^1] = (merged[^1].S, b);
            else merged.Add((a, b));
        }
        double pTilde = (p + sumSoft) / 2, nTilde = n - pTilde;
        var tpr = new List<double> { 0 }; var fpr = new List<double> { 0 }; var prec = new List<double> { 1 };
        foreach (double th in levels)
        {
            double tp = 0; int alarms = 0;
            for (int i = 0; i < n; i++) if (clean[i] >= th) { alarms++; tp += soft[i]; }
            int exist = 0;
            foreach (var (s, e) in merged)
                for (int i = s; i <= e; i++) if (soft[i] > 0 && clean[i] >= th) { exist++; break; }
            double recall = Math.Min(1, tp / pTilde);
            tpr.Add(recall * exist / merged.Count);
            fpr.Add((alarms - tp) / nTilde);
            prec.Add(tp / alarms);
        }
        tpr.Add(1); fpr.Add(1);
        double roc = 0, pr = 0;
        for (int k = 1; k < tpr.Count; k++) roc += (fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1]) / 2;
        for (int k = 1; k < prec.Count; k++) pr += (tpr[k] - tpr[k - 1]) * (prec[k] + prec[k - 1]) / 2;
        return new RangeAucResult(roc, pr);
    }

    private static double Clean(double s) => double.IsNaN(s) ? double.NegativeInfinity : s;

    private static int[] SortedAscending(ReadOnlySpan<double> scores)
    {
        var keys = new double[scores.Length];
        for (int i = 0; i < keys.Length; i++) keys[i] = Clean(scores[i]);
        var order = Enumerable.Range(0, scores.Length).ToArray();
        Array.Sort(keys, order);
        return order;
    }

    private static void Check(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        if (labels.Length != scores.Length) throw new ArgumentException($"labels ({labels.Length}) and scores ({scores.Length}) differ in length.");
    }
}
