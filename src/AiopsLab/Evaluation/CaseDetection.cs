using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Detection;
using AiopsLab.Methods;
using AiopsLab.Rca;
using AiopsLab.Preparation;
using AiopsLab.Catalog;

namespace AiopsLab.Evaluation;

/// <summary>Which columns of a fault case a detector watches in <see cref="CaseDetection"/>.</summary>
public enum DetectionSeries
{
    /// <summary>The case's service-level indicators (front-end latency, error rate) where the dataset names them, else latency and error columns, else all.</summary>
    Auto,
    /// <summary>Every latency and error column (what BARO's detector watches).</summary>
    LatencyError,
    /// <summary>Every column.</summary>
    All,
}

/// <summary>Outcome of one detector on one fault case.</summary>
public enum DetectionOutcome { TruePositive, FalsePositive, FalseNegative, Failed }

/// <summary>One detector on one case: the first alarm over the watched columns and what it means.</summary>
public sealed record CaseDetectionRow(
    string Dataset, string Case, string System, string Fault, string Detector, DetectionOutcome Outcome,
    long? FirstAlarm, string? AlarmColumn, double? DelaySeconds, int Series, double Seconds, string? Error);

/// <summary>Per dataset × detector: counts, precision, recall, F1 and delay.</summary>
public sealed record CaseDetectionSummary(
    string Dataset, string Detector, int Cases, int Tp, int Fp, int Fn, int Failed,
    double Precision, double Recall, double F1, double MedianDelay, double MeanDelay, double MedianSeconds);

/// <summary>
/// Case-level anomaly detection on fault-injection datasets, in the style of BARO's Table 2 (Pham, Ha &amp; Zhang, FSE 2024, §5.2):
/// a detector runs over each watched column of the whole case (normal period, then the fault); a point alarms when its score is
/// above the detector's threshold. The case's <b>first alarm</b> over all watched columns decides: before the inject time it is a
/// false positive (the detector cried wolf in normal operation and never gets to report the fault first); at or after it, a true
/// positive with delay = first alarm − inject time; no alarm at all, a false negative. Precision = TP/(TP + FP), recall = TP/(cases
/// that ran), F1 their harmonic mean. A detector that throws marks the case failed; failed cases are counted apart and never scored.
/// <b>Warm-up</b> (<see cref="WarmupRule"/>, default <see cref="WarmupRule.Probation"/>): each detector first learns from the opening
/// min(⌊0.15·n⌋, 750) points of the case — the way its doc recommends (<see cref="DetectorWarmup"/>: SPOT's calibration, EWMA's Phase I,
/// NAB's probationary period) — and an alarm there is not counted; the rest of the normal period still tests for false alarms. The
/// length never depends on the label.
/// </summary>
public static class CaseDetection
{
    /// <summary>The columns watched for <paramref name="mode"/>.</summary>
    public static IReadOnlyList<string> SeriesOf(FaultCase c, DetectionSeries mode)
    {
        if (mode == DetectionSeries.All) return c.Metrics.Names;
        if (mode == DetectionSeries.Auto && c.Slis.Count > 0) return c.Slis;
        var le = MetricKinds.LatencyAndError(c.Metrics.Names, c.Naming);
        return le.Count > 0 ? le : c.Metrics.Names;
    }

    /// <summary>The alarm threshold of a detector: <paramref name="overrideThreshold"/>, else its own default.</summary>
    public static double ThresholdOf(IAnomalyDetector detector, string spec, double? overrideThreshold) =>
        overrideThreshold ?? (detector as IAlarmThreshold)?.AlarmThreshold
        ?? throw new AiopsLabException($"detector '{spec}' has no default alarm threshold; give one with --threshold.");

    /// <summary>Runs one detector on one case.</summary>
    public static CaseDetectionRow Evaluate(FaultCase c, IAnomalyDetector detector, string spec, double threshold, DetectionSeries mode,
        WarmupRule warmup = WarmupRule.Probation, CancellationToken ct = default)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var cols = SeriesOf(c, mode);
        long? first = null; string? firstCol = null;
        try
        {
            var time = c.Metrics.Time.ToArray();
            int skip = DetectorWarmup.Points(warmup, time.Length);
            var det = DetectorWarmup.Prepare(detector, skip);
            DateTime[]? times = null; // a detector that reads the time of each point (ITimedDetector) is given it
            foreach (var col in cols)
            {
                ct.ThrowIfCancellationRequested();
                var s = det is ITimedDetector timed ? timed.Score(c.Metrics.Column(col), times ??= time.Select(t => DateTime.UnixEpoch.AddSeconds(t)).ToArray())
                    : det.Score(c.Metrics.Column(col));
                for (int i = skip; i < s.Length; i++)
                {
                    if (!(s[i] > threshold)) continue;
                    if (first is null || time[i] < first || (time[i] == first && string.CompareOrdinal(col, firstCol) < 0)) { first = time[i]; firstCol = col; }
                    break;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new CaseDetectionRow(c.Dataset, c.Id, c.System, c.Label.FaultType, spec, DetectionOutcome.Failed, null, null, null, cols.Count, sw.Elapsed.TotalSeconds, e.Message);
        }
        var outcome = first is null ? DetectionOutcome.FalseNegative : first < c.Label.InjectTime ? DetectionOutcome.FalsePositive : DetectionOutcome.TruePositive;
        double? delay = outcome == DetectionOutcome.TruePositive ? first - c.Label.InjectTime : null;
        return new CaseDetectionRow(c.Dataset, c.Id, c.System, c.Label.FaultType, spec, outcome, first, firstCol, delay, cols.Count, sw.Elapsed.TotalSeconds, null);
    }

    /// <summary>
    /// Runs every detector on every case of <paramref name="dataset"/> (cases in parallel, rows in case then detector order, so the
    /// output does not depend on <paramref name="jobs"/>). Unavailable cases and load errors become failed rows.
    /// </summary>
    public static IReadOnlyList<CaseDetectionRow> Run(IDataset dataset, IReadOnlyList<string> specs, double? threshold, DetectionSeries mode,
        int jobs, Func<CaseDescriptor, bool>? filter = null, Action<int, int>? progress = null, CancellationToken ct = default,
        WarmupRule warmup = WarmupRule.Probation) =>
        Run(dataset, specs.Select(s => (s, threshold)).ToArray(), mode, jobs, filter, progress, ct, warmup);

    /// <summary>As above, with an alarm threshold per detector (null: the detector's own, <see cref="ThresholdOf"/>), so that
    /// detectors run at different thresholds share one load of each case.</summary>
    public static IReadOnlyList<CaseDetectionRow> Run(IDataset dataset, IReadOnlyList<(string Spec, double? Threshold)> specs, DetectionSeries mode,
        int jobs, Func<CaseDescriptor, bool>? filter = null, Action<int, int>? progress = null, CancellationToken ct = default,
        WarmupRule warmup = WarmupRule.Probation)
    {
        var detectors = specs.Select(s => (s.Spec, Det: MethodCatalog.CreateDetector(s.Spec))).ToArray();
        var thresholds = detectors.Select((d, k) => ThresholdOf(d.Det, d.Spec, specs[k].Threshold)).ToArray();
        var cases = dataset.Cases.Where(d => filter?.Invoke(d) ?? true).ToArray();
        var rows = new CaseDetectionRow[cases.Length][];
        int done = 0;
        Parallel.For(0, cases.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs), CancellationToken = ct }, i =>
        {
            var d = cases[i];
            try
            {
                if (d.Problem is not null) throw new CaseUnavailableException(d.Problem);
                var c = dataset.Load(d, ct);
                rows[i] = detectors.Select((x, k) => Evaluate(c, x.Det, x.Spec, thresholds[k], mode, warmup, ct)).ToArray();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                rows[i] = detectors.Select(x => new CaseDetectionRow(dataset.Name, d.Id, d.System, d.FaultType, x.Spec, DetectionOutcome.Failed, null, null, null, 0, 0, e.Message)).ToArray();
            }
            progress?.Invoke(Interlocked.Increment(ref done), cases.Length);
        });
        return rows.SelectMany(r => r).ToArray();
    }

    /// <summary>Per dataset × detector, in first-appearance order.</summary>
    public static IReadOnlyList<CaseDetectionSummary> Summarize(IEnumerable<CaseDetectionRow> rows) =>
        rows.GroupBy(r => (r.Dataset, r.Detector)).Select(g =>
        {
            int tp = g.Count(r => r.Outcome == DetectionOutcome.TruePositive), fp = g.Count(r => r.Outcome == DetectionOutcome.FalsePositive);
            int fn = g.Count(r => r.Outcome == DetectionOutcome.FalseNegative), failed = g.Count(r => r.Outcome == DetectionOutcome.Failed);
            int ran = tp + fp + fn;
            double precision = tp + fp > 0 ? (double)tp / (tp + fp) : 0, recall = ran > 0 ? (double)tp / ran : 0;
            var delays = g.Where(r => r.DelaySeconds is not null).Select(r => r.DelaySeconds!.Value).OrderBy(v => v).ToArray();
            var secs = g.Where(r => r.Outcome != DetectionOutcome.Failed).Select(r => r.Seconds).OrderBy(v => v).ToArray();
            return new CaseDetectionSummary(g.Key.Dataset, g.Key.Detector, g.Count(), tp, fp, fn, failed, precision, recall,
                Prf.Of(precision, recall).F1,
                delays.Length > 0 ? Numerics.Stats.QuantileSorted(delays, 0.5) : double.NaN,
                delays.Length > 0 ? delays.Average() : double.NaN,
                secs.Length > 0 ? Numerics.Stats.QuantileSorted(secs, 0.5) : double.NaN);
        }).ToArray();

    public static string OutcomeName(DetectionOutcome o) => o switch
    {
        DetectionOutcome.TruePositive => "tp", DetectionOutcome.FalsePositive => "fp", DetectionOutcome.FalseNegative => "fn", _ => "failed",
    };

    /// <summary>Writes <c>detection.csv</c> (one row per case × detector).</summary>
    public static void WriteRows(string path, IEnumerable<CaseDetectionRow> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        using var w = new StreamWriter(path);
        w.WriteLine("dataset,case,system,fault,detector,outcome,first_alarm,alarm_column,delay_seconds,series,seconds,error");
        foreach (var r in rows)
            w.WriteLine(string.Join(",", new[]
            {
                r.Dataset, r.Case, r.System, r.Fault, r.Detector, OutcomeName(r.Outcome), r.FirstAlarm?.ToString(inv) ?? "", r.AlarmColumn ?? "",
                r.DelaySeconds?.ToString("R", inv) ?? "", r.Series.ToString(inv), r.Seconds.ToString("0.######", inv), r.Error ?? "",
            }.Select(Csv.Escape)));
    }

    /// <summary>Reads rows written by <see cref="WriteRows"/> (for rebuilding tables without rerunning).</summary>
    public static IReadOnlyList<CaseDetectionRow> ReadRows(string path)
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = new List<CaseDetectionRow>();
        string[]? header = null;
        foreach (var rec in Csv.ReadRecords(path))
        {
            if (header is null) { header = rec.Fields; continue; }
            var fields = rec.Fields;
            string F(string name)
            {
                int i = Array.IndexOf(header, name);
                if (i < 0) throw new DataFormatException(path, 1, null, $"missing column '{name}'");
                if (i >= fields.Length) throw new DataFormatException(path, rec.Line, null, $"too few fields (no '{name}')");
                return fields[i];
            }
            var outcome = F("outcome") switch
            {
                "tp" => DetectionOutcome.TruePositive, "fp" => DetectionOutcome.FalsePositive, "fn" => DetectionOutcome.FalseNegative,
                "failed" => DetectionOutcome.Failed, var o => throw new DataFormatException(path, rec.Line, null, $"unknown outcome '{o}'"),
            };
            rows.Add(new CaseDetectionRow(F("dataset"), F("case"), F("system"), F("fault"), F("detector"), outcome,
                F("first_alarm") is { Length: > 0 } fa ? long.Parse(fa, inv) : null, F("alarm_column") is { Length: > 0 } ac ? ac : null,
                F("delay_seconds") is { Length: > 0 } d ? double.Parse(d, inv) : null, int.Parse(F("series"), inv), double.Parse(F("seconds"), inv),
                F("error") is { Length: > 0 } e ? e : null));
        }
        return rows;
    }
}
