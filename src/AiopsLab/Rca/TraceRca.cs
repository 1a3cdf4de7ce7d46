using AiopsLab.Data;
using AiopsLab.Methods;

namespace AiopsLab.Rca;

/// <summary>
/// TraceRCA (Li, Yu, Chen et al., "Practical Root Cause Localization for Microservice Systems via Trace Analysis",
/// IWQoS 2021). Each invocation (parent span's service → child span's service) of the faulty window is marked anomalous
/// against the fault-free period (§III-B); a trace is anomalous when one of its invocations is. A trace's item set is the
/// set of services it involves; association-rule mining over anomalous traces (§III-C) scores an item set by the Jaccard
/// index of support P(set | anomalous) and confidence P(anomalous | set), JI = 1/(1/sup + 1/conf − 1), and an item's
/// final score is JI × |in − out|, where in / out count the anomalous traces in which the service is the callee / the
/// caller of an anomalous invocation (a service that receives anomalous calls but makes none is the likely origin).
/// </summary>
/// <remarks>
/// <para>Following the authors' code (github.com/NetManAIOps/TraceRCA, <c>run_localization_association_rule_mining</c>):
/// only single-service item sets contribute to an item's score (longer frequent sets are mined but skipped there), item sets
/// need support ≥ <see cref="Options.MinSupport"/> (0.1) among anomalous traces, sup and conf are floored at 10⁻⁴, items
/// never frequent score −1 and rank after the rest.</para>
/// <para>Invocation anomaly detection: the paper selects, per invocation kind, the features (latency, status) whose
/// history makes them useful and flags values beyond their normal range; we flag an invocation whose latency is ≥ mean +
/// <see cref="Options.Sigmas"/>·σ of the same (caller, callee, operation) in the normal period, or whose span failed.
/// The reference code's name exclusion (<c>gateway</c>) is not applied.</para>
/// <para>Faulty window: [anomaly time, + <see cref="Options.Window"/> s) (0 = the rest of the case).</para>
/// </remarks>
[Method("tracerca", Summary = "TraceRCA: anomalous invocations, association-rule mining of services over anomalous traces (Jaccard of support and confidence × in/out difference).", Citation = "Li et al., TraceRCA, IWQoS 2021", Needs = "traces")]
public sealed class TraceRca : IRootCauseLocalizer
{
    /// <summary>Options of <see cref="TraceRca"/>.</summary>
    public sealed record Options
    {
        /// <summary>Length of the faulty window in seconds from the anomaly time (0 = to the end of the case).</summary>
        public double Window { get; set; }
        /// <summary>k in the invocation anomaly rule latency ≥ mean + k·σ.</summary>
        public double Sigmas { get; set; } = 3;
        /// <summary>Minimum support of an item set among anomalous traces.</summary>
        public double MinSupport { get; set; } = 0.1;
    }

    private readonly Options _o;

    public TraceRca() : this(new Options()) { }

    public TraceRca(Options options)
    {
        if (options.MinSupport is < 0 or > 1) throw new ArgumentException("tracerca: min-support must be in [0, 1].");
        _o = options;
    }

    public string Name => "tracerca";

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var s = TelemetryWindows.SpansOf(problem, Name);
        var (nt, nrows) = TelemetryWindows.NormalSpans(problem, s);
        var nparent = TelemetryWindows.Parents(nt, nrows);
        var history = TelemetryWindows.DurationStats(nt, nrows.Where(r => nparent[r] >= 0), r => Kind(nt, nparent[r], r));
        var traces = TelemetryWindows.FaultTraces(problem, s, _o.Window);
        int abnormalTraces = 0;
        var containing = new Dictionary<string, int>(StringComparer.Ordinal);          // traces containing the service
        var abnormalContaining = new Dictionary<string, int>(StringComparer.Ordinal);  // anomalous traces containing it
        var inCount = new Dictionary<string, int>(StringComparer.Ordinal);             // anomalous traces where it is an anomalous callee
        var outCount = new Dictionary<string, int>(StringComparer.Ordinal);            // … an anomalous caller
        foreach (var rows in traces)
        {
            ct.ThrowIfCancellationRequested();
            var parent = TelemetryWindows.Parents(s, rows);
            var items = new HashSet<string>(rows.Select(r => s.Service[r]), StringComparer.Ordinal);
            var callees = new HashSet<string>(StringComparer.Ordinal);
            var callers = new HashSet<string>(StringComparer.Ordinal);
            foreach (var r in rows)
            {
                int p = parent[r];
                if (p < 0 || string.Equals(s.Service[p], s.Service[r], StringComparison.Ordinal)) continue;
                bool bad = s.Status[r] == SpanStatus.Error
                    || (history.TryGetValue(Kind(s, p, r), out var h) && double.IsFinite(h.Std) && s.DurationMicros[r] >= h.Mean + _o.Sigmas * h.Std);
                if (bad) { callees.Add(s.Service[r]); callers.Add(s.Service[p]); }
            }
            bool abnormal = callees.Count > 0;
            if (abnormal) abnormalTraces++;
            foreach (var it in items)
            {
                containing[it] = containing.GetValueOrDefault(it) + 1;
                if (!abnormal) continue;
                abnormalContaining[it] = abnormalContaining.GetValueOrDefault(it) + 1;
                if (callees.Contains(it)) inCount[it] = inCount.GetValueOrDefault(it) + 1;
                if (callers.Contains(it)) outCount[it] = outCount.GetValueOrDefault(it) + 1;
            }
        }
        var diag = new Dictionary<string, double> { ["anomalous_traces"] = abnormalTraces, ["traces"] = traces.Count };
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (item, all) in containing)
        {
            int ab = abnormalContaining.GetValueOrDefault(item);
            double sup = abnormalTraces > 0 ? (double)ab / abnormalTraces : 0;
            if (abnormalTraces == 0 || sup < _o.MinSupport) { scores[item] = -1; continue; }
            double conf = (double)ab / all;
            scores[item] = Jaccard(sup, conf) * Math.Abs(inCount.GetValueOrDefault(item) - outCount.GetValueOrDefault(item));
        }
        return TelemetryWindows.Result(problem, TelemetryWindows.ByScore(scores), diag);
    }

    /// <summary>Jaccard index of support and confidence, 1/(1/sup + 1/conf − 1), each floored at 10⁻⁴ (TraceRCA §III-C).</summary>
    public static double Jaccard(double support, double confidence) =>
        1 / (1 / Math.Max(support, 1e-4) + 1 / Math.Max(confidence, 1e-4) - 1);

    private static string Kind(SpanTable s, int parent, int child) => s.Service[parent] + "→" + s.Service[child] + "#" + s.Operation[child];
}
