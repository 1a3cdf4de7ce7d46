using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Numerics;
using AiopsLab.Telemetry;

namespace AiopsLab.Datasets.Synthetic;

/// <summary>
/// Traces and logs of a synthetic case, consistent with its metrics: sampled requests walk the call graph, each span lasts
/// what the service's <c>latency</c> metric says at that step and fails as often as its <c>error</c> metric says, and every
/// span writes a log line. A <c>code</c> fault (no metric effect) makes the root service's spans fail and log a new
/// exception template; failures propagate to callers' spans, which log that a downstream call failed.
/// </summary>
/// <remarks>
/// Per step, <see cref="SyntheticOptions.TraceRate"/> requests are sampled (rounded with a Bernoulli draw for the
/// fraction). A request enters at service 0 and calls each callee j of service i with probability f_{i,j} (the call
/// fraction of the structural model). Span duration = latency_i(t) · exp(0.1 ε) ms; a child starts 0.1–1 ms after its parent.
/// A span fails with probability error_i(t) / 100 (the metric is a percentage), with probability p_code at the root during
/// a code fault (p_code ~ U(0.3, 0.7)), and with probability 0.5 when one of its children failed. Log lines: INFO
/// <c>&lt;Service&gt;Controller handled &lt;op&gt; for request &lt;id&gt; in &lt;ms&gt; ms</c> for a success; a failed span logs
/// the code fault's <c>ERROR &lt;Service&gt;ServiceImpl#&lt;line&gt; NullPointerException …</c>, a downstream failure
/// <c>ERROR … call to &lt;callee&gt; failed …</c>, or an own failure <c>ERROR … request &lt;id&gt; failed with status 503</c>.
/// Everything comes from the stream <c>Rng.For(seed, "telemetry", case id)</c>, so the metrics are the same with or without it.
/// </remarks>
internal static class SyntheticTelemetry
{
    public static (SpanTable Spans, LogTable Logs) Generate(SyntheticSystem system, MetricFrame metrics, int root, string fault,
        int t0, double traceRate, Rng rng)
    {
        int n = system.Services.Count, K = SyntheticSystem.Kinds.Length;
        var callees = Enumerable.Range(0, n).Select(_ => new List<(int J, double F)>()).ToArray();
        foreach (var (a, b, f, _, _) in system.Calls) callees[a].Add((b, f));
        double pCode = rng.Uniform(0.3, 0.7);
        int codeLine = 40 + rng.NextInt(400);
        var spans = new SpanTableBuilder();
        var logs = new LogTableBuilder();
        var time = metrics.Time;
        long step = metrics.RowCount > 1 ? time[1] - time[0] : 1;
        long traceNo = 0, spanNo = 0;
        string Svc(int i) => system.Services[i];
        string Cap(string s) => char.ToUpperInvariant(s[0]) + s[1..];
        for (int t = 0; t < metrics.RowCount; t++)
        {
            int requests = (int)Math.Floor(traceRate) + (rng.NextDouble() < traceRate - Math.Floor(traceRate) ? 1 : 0);
            for (int q = 0; q < requests; q++)
            {
                var traceId = (++traceNo).ToString("x16", CultureInfo.InvariantCulture);
                long start = time[t] * 1_000_000 + (long)(rng.NextDouble() * step * 1_000_000);
                Call(0, null, start, traceId, t);
            }
        }
        return (spans.Build(), logs.Build());

        // Emits the span of service i (and its callees); returns whether it failed.
        bool Call(int i, string? parent, long start, string traceId, int t)
        {
            var spanId = (++spanNo).ToString("x8", CultureInfo.InvariantCulture);
            double lat = Math.Max(0.1, metrics.Column(i * K + 3)[t]) * Math.Exp(0.1 * rng.NextNormal());
            long dur = (long)(lat * 1000);
            string? failedCallee = null;
            foreach (var (j, f) in callees[i])
                if (rng.NextDouble() < f && Call(j, spanId, start + 100 + (long)(rng.NextDouble() * 900), traceId, t)) failedCallee ??= Svc(j);
            bool code = fault == "code" && i == root && t >= t0 && rng.NextDouble() < pCode;
            bool own = rng.NextDouble() < Math.Clamp(metrics.Column(i * K + 4)[t] / 100, 0, 1);
            bool down = failedCallee is not null && rng.NextDouble() < 0.5;
            bool failed = code || own || down;
            var op = "GET /api/" + Svc(i);
            spans.Add(new SpanRow(traceId, spanId, parent, Svc(i), Svc(i) + "-0", op, start, dur, failed ? SpanStatus.Error : SpanStatus.Ok));
            long logAt = start + dur;
            string msg = code ? $"ERROR {Cap(Svc(i))}ServiceImpl#{codeLine} NullPointerException: order {traceId[^6..]} has no price"
                : down ? $"ERROR {Cap(Svc(i))}Client#88 call to {failedCallee} failed for request {traceId[^6..]}: status 500"
                : own ? $"ERROR {Cap(Svc(i))}Controller#31 request {traceId[^6..]} failed with status 503"
                : $"INFO {Cap(Svc(i))}Controller#27 handled {op} for request {traceId[^6..]} in {(int)lat} ms";
            logs.Add(new LogRow(logAt, Svc(i), Svc(i) + "-0", traceId, spanId, msg));
            return failed;
        }
    }
}
