using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Rca;

/// <summary>
/// PDiagnose (Hou, Jia, Wang et al., "Diagnosing Performance Issues in Microservices with Heterogeneous Data Source",
/// IEEE ISPA 2021). Each data source names the services it finds anomalous, with a severity: <b>metrics</b> — a service's
/// metrics against their fault-free values; <b>logs</b> — the rise of error-keyword log lines; <b>traces</b> — the
/// latency of the service's spans against its fault-free spans (and failed spans). The sources then <b>vote</b>: a
/// service's score is the number of sources that flag it, ties broken by the sum of its severities, each scaled by the
/// largest severity of that source (so no source's units dominate).
/// </summary>
/// <remarks>
/// <para>No public code of PDiagnose was found (searched by name); the detectors are our reading of the paper's §III:
/// a metric is anomalous when its largest robust z-score in the faulty window, |x − median| / (1.4826·MAD) against the
/// normal window, exceeds <see cref="Options.Threshold"/> (a MAD of 0 counts as the metric's IQR, then 1); a service's
/// log severity is its error-line rate under the fault minus its normal rate (lines containing <c>error</c>,
/// <c>exception</c> or <c>fail</c>, any case), anomalous when positive and at least <see cref="Options.MinErrorLines"/>
/// lines; a service's trace severity is (P90 of its span durations under the fault − normal mean) / normal σ, anomalous
/// above <see cref="Options.Threshold"/>, or any failed span under the fault when none failed before.</para>
/// <para>A source without data (no logs, no metric columns) casts no vote. Normal period: see <see cref="TelemetryWindows"/>;
/// faulty window: [anomaly time, + <see cref="Options.Window"/> s) (0 = the rest of the case).</para>
/// </remarks>
[Method("pdiagnose", Summary = "PDiagnose: votes over metric, log (error keywords) and trace (span latency) anomalies per service.", Citation = "Hou et al., PDiagnose, ISPA 2021", Needs = "traces", Uses = "metrics,logs")]
public sealed class PDiagnose : IRootCauseLocalizer
{
    /// <summary>Options of <see cref="PDiagnose"/>.</summary>
    public sealed record Options
    {
        /// <summary>Length of the faulty window in seconds from the anomaly time (0 = to the end of the case).</summary>
        public double Window { get; set; }
        /// <summary>Robust z (metrics) and σ (trace latency) above which a source flags a service.</summary>
        public double Threshold { get; set; } = 3;
        /// <summary>Fewest error lines under the fault for the log source to flag a service.</summary>
        public int MinErrorLines { get; set; } = 1;
    }

    private static readonly string[] ErrorWords = ["error", "exception", "fail"];
    private readonly Options _o;

    public PDiagnose() : this(new Options()) { }

    public PDiagnose(Options options)
    {
        if (!(options.Threshold > 0)) throw new ArgumentException("pdiagnose: threshold must be > 0.");
        _o = options;
    }

    public string Name => "pdiagnose";

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var spans = TelemetryWindows.SpansOf(problem, Name);
        var (from, to) = TelemetryWindows.FaultWindow(problem, 0, _o.Window);
        var sources = new List<Dictionary<string, double>>
        {
            TraceSeverity(problem, spans, from, to),
            MetricSeverity(problem),
        };
        ct.ThrowIfCancellationRequested();
        if (TelemetryWindows.LogsOf(problem) is { } logs) sources.Add(LogSeverity(problem, logs, from, to));

        var services = new SortedSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < spans.Count; i++) services.Add(spans.Service[i]);
        var score = services.ToDictionary(s => s, _ => 0.0, StringComparer.Ordinal);
        foreach (var src in sources)
        {
            double max = src.Values.Where(v => v > 0).DefaultIfEmpty(0).Max();
            foreach (var (svc, sev) in src)
            {
                if (!(sev > 0) || !score.ContainsKey(svc)) continue;
                score[svc] += 1 + 0.999 * Math.Min(1, sev / max) / sources.Count;   // one vote, plus a tie-breaking share < 1
            }
        }
        var diag = new Dictionary<string, double>
        {
            ["trace_flags"] = sources[0].Count(kv => kv.Value > 0), ["metric_flags"] = sources[1].Count(kv => kv.Value > 0),
            ["log_flags"] = sources.Count > 2 ? sources[2].Count(kv => kv.Value > 0) : double.NaN,
        };
        return TelemetryWindows.Result(problem, TelemetryWindows.ByScore(score), diag);
    }

    /// <summary>Per service: (P90 of fault-window span durations − normal mean)/normal σ when above the threshold; failed spans
    /// new under the fault also flag (severity = the threshold). Non-positive = not anomalous.</summary>
    private Dictionary<string, double> TraceSeverity(RcaProblem p, SpanTable s, long from, long to)
    {
        var (nt, nrows) = TelemetryWindows.NormalSpans(p, s);
        var normal = nrows.GroupBy(r => nt.Service[r], StringComparer.Ordinal).ToDictionary(g => g.Key,
            g => (Stat: Stats.MeanStd(g.Select(r => (double)nt.DurationMicros[r]).ToArray(), 1), Errors: g.Count(r => nt.Status[r] == SpanStatus.Error)),
            StringComparer.Ordinal);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var g in TelemetryWindows.Rows(s, from, to).GroupBy(r => s.Service[r], StringComparer.Ordinal))
        {
            if (!normal.TryGetValue(g.Key, out var n)) continue;
            double p90 = Stats.Quantile(g.Select(r => (double)s.DurationMicros[r]).ToArray(), 0.9);
            double z = n.Stat.Std > 0 ? (p90 - n.Stat.Mean) / n.Stat.Std : 0;
            double sev = z > _o.Threshold ? z : 0;
            if (sev == 0 && n.Errors == 0 && g.Any(r => s.Status[r] == SpanStatus.Error)) sev = _o.Threshold;
            result[g.Key] = sev;
        }
        return result;
    }

    /// <summary>Per service: the largest robust z of its metrics when above the threshold.</summary>
    private Dictionary<string, double> MetricSeverity(RcaProblem p)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        var normal = p.Normal;
        var anomalous = p.Anomalous;
        if (normal.RowCount < 2 || anomalous.RowCount == 0) return result;
        for (int j = 0; j < p.Metrics.ColumnCount; j++)
        {
            var sorted = Stats.SortedFinite(normal.Column(j));
            if (sorted.Length < 2) continue;
            double med = Stats.QuantileSorted(sorted, 0.5);
            var dev = sorted.Select(v => Math.Abs(v - med)).Order().ToArray();
            double scale = 1.4826 * Stats.QuantileSorted(dev, 0.5);
            if (scale == 0) scale = Stats.IqrSorted(sorted);
            if (scale == 0) scale = 1;
            double z = 0;
            foreach (var v in anomalous.Column(j))
                if (double.IsFinite(v)) z = Math.Max(z, Math.Abs(v - med) / scale);
            if (z <= _o.Threshold) continue;
            var svc = p.Naming.ServiceOf(p.Metrics.Names[j]);
            result[svc] = Math.Max(result.GetValueOrDefault(svc), z);
        }
        return result;
    }

    /// <summary>Per service: error-line rate under the fault minus its normal rate, when positive with enough error lines.</summary>
    private Dictionary<string, double> LogSeverity(RcaProblem p, LogTable logs, long from, long to)
    {
        static Dictionary<string, (int Lines, int Errors)> Count(LogTable t, int[] rows)
        {
            var d = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
            foreach (var r in rows)
            {
                var (l, e) = d.GetValueOrDefault(t.Service[r]);
                bool err = ErrorWords.Any(w => t.Message[r].Contains(w, StringComparison.OrdinalIgnoreCase));
                d[t.Service[r]] = (l + 1, e + (err ? 1 : 0));
            }
            return d;
        }
        var normalLogs = TelemetryWindows.NormalLogs(p, logs);
        var before = normalLogs is { } nl ? Count(nl.Table, nl.Rows) : [];
        var during = Count(logs, TelemetryWindows.Rows(logs, from, to));
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (svc, (lines, errors)) in during)
        {
            var (nl2, ne) = before.GetValueOrDefault(svc);
            double rise = (double)errors / lines - (nl2 > 0 ? (double)ne / nl2 : 0);
            result[svc] = errors >= _o.MinErrorLines && rise > 0 ? rise : 0;
        }
        return result;
    }
}
