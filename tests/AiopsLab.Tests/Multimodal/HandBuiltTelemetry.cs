using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Tests.Multimodal;

/// <summary>
/// A small system whose root cause is known by construction. Requests enter at <c>front</c>, which calls one of three
/// paths: <c>front → a → b</c>, <c>front → c → b</c> or <c>front → e</c> (one request a second, paths in turn). Every span
/// writes two log lines with a Java-style code location (<c>x.&lt;svc&gt;#10</c>, then <c>#11</c>). Metrics: one CPU
/// usage-rate column per service, every 60 s.
/// A fault in a service can be: <see cref="Fault.Slow"/> (its own work takes 100 ms more, so its callers slow down too —
/// the root cause is the service every slow request passes through, not the callers that merely wait),
/// <see cref="Fault.Code"/> (its spans fail and its second log line becomes <c>x.&lt;svc&gt;#99 … exception</c>; durations
/// unchanged), <see cref="Fault.Cpu"/> (its CPU usage rate reads 95 % from the fault on and its own work takes 80 ms more)
/// or <see cref="Fault.Network"/> (its responses reach the caller 400 ms late: the caller's span ends 400 ms after the
/// service's own span, which is unchanged).
/// </summary>
public static class HandBuiltTelemetry
{
    public enum Fault { Slow, Code, Cpu, Network }

    public static readonly string[] Services = ["a", "b", "c", "e", "front"];

    /// <summary>Anomaly time (Unix s), on a minute boundary.</summary>
    public const long FaultAt = 1_700_000_040;

    /// <summary>A case: 600 s before the fault, 240 s after (metrics 540 s after); no separate normal period
    /// unless <paramref name="separateNormal"/> (then the normal period is 300 s recorded an hour earlier).</summary>
    public static RcaProblem Case(string root, Fault fault, ulong seed = 1, bool separateNormal = false)
    {
        var c = FaultCaseOf(root, fault, seed, separateNormal);
        return new RcaProblem(c.Metrics, FaultAt, c.CallGraph, c.Naming) { Telemetry = c.Telemetry, Seed = seed };
    }

    /// <summary>The call graph of the system (caller → callee).</summary>
    public static DirectedGraph CallGraph { get; } = new([("front", "a"), ("a", "b"), ("front", "c"), ("c", "b"), ("front", "e")]);

    /// <summary>Four cases with known root causes, one per fault kind: b slow, b code fault, c CPU, b network.</summary>
    public static IReadOnlyList<FaultCase> Cases() =>
    [
        FaultCaseOf("b", Fault.Slow, 1, false), FaultCaseOf("b", Fault.Code, 2, false),
        FaultCaseOf("c", Fault.Cpu, 3, true), FaultCaseOf("b", Fault.Network, 4, true),
    ];

    /// <summary>The case as a dataset would give it (label included).</summary>
    public static FaultCase FaultCaseOf(string root, Fault fault, ulong seed = 1, bool separateNormal = false)
    {
        var rng = new Rng(seed);
        var spans = new SpanBuilder();
        var logs = new LogBuilder();
        long start = FaultAt - 600, end = FaultAt + 240;
        for (long t = start; t < end; t++)
            Request(spans, logs, rng, t, (int)(t % 3), t >= FaultAt ? (root, fault) : null);
        var normalSpans = new SpanBuilder();
        var normalLogs = new LogBuilder();
        if (separateNormal)
            for (long t = start - 3600; t < start - 3300; t++) Request(normalSpans, normalLogs, rng, t, (int)(t % 3), null);

        var time = Enumerable.Range(0, 20).Select(i => start + 60L * i).ToArray();
        var names = Services.Select(s => s + "_CpuUsageRate(%)").ToArray();
        var cols = Services.Select(s => time.Select(t => (fault == Fault.Cpu && s == root && t >= FaultAt ? 95.0 : 20.0) + rng.NextDouble()).ToArray()).ToArray();
        var telemetry = separateNormal
            ? new CaseTelemetry(spans.Build, logs.Build, normalSpans.Build, normalLogs.Build)
            : new CaseTelemetry(spans.Build, logs.Build);
        var label = new FaultLabel(root, fault.ToString().ToLowerInvariant(), FaultAt, fault == Fault.Cpu ? root + "_CpuUsageRate(%)" : null,
            fault == Fault.Code ? "code" : "resource");
        return new FaultCase($"{root}-{fault}/{seed}", "hand-built", "hand-built", new MetricFrame(time, names, cols), label, CallGraph, new DelimitedNaming("_"))
        {
            Telemetry = telemetry,
        };
    }

    private static void Request(SpanBuilder s, LogBuilder l, Rng rng, long second, int path, (string Svc, Fault Kind)? fault)
    {
        string trace = "t" + second.ToString("D12", System.Globalization.CultureInfo.InvariantCulture);
        long t0 = second * 1_000_000 + (long)(rng.NextDouble() * 1000);
        string[] chain = path switch { 0 => ["front", "a", "b"], 1 => ["front", "c", "b"], _ => ["front", "e"] };
        // Own work of each hop; a hop's span covers its own work and its callee's span.
        var own = chain.Select(svc => 1000 + (long)(rng.NextDouble() * 200) + (fault is { } f && f.Svc == svc
            ? f.Kind switch { Fault.Slow => 100_000, Fault.Cpu => 80_000, _ => 0 } : 0)).ToArray();
        var dur = new long[chain.Length];
        for (int i = chain.Length - 1; i >= 0; i--)
        {
            bool late = i + 1 < chain.Length && fault is { Kind: Fault.Network } n && n.Svc == chain[i + 1];
            dur[i] = own[i] + (late ? 400_000 : 0) + (i + 1 < chain.Length ? dur[i + 1] : 0);
        }
        string? parent = null;
        long at = t0;
        for (int i = 0; i < chain.Length; i++)
        {
            string id = trace + "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            bool code = fault is { Kind: Fault.Code } g && g.Svc == chain[i];
            s.Add(trace, id, parent, chain[i], chain[i] + "-op", at, dur[i], code ? SpanStatus.Error : SpanStatus.Ok);
            l.Add(at + 100, chain[i], trace, id, $"12:00:00.000 INFO  x.{chain[i]}#10 TraceID: {trace} SpanID: {id} handling");
            l.Add(at + 200, chain[i], trace, id, code
                ? $"12:00:00.000 ERROR  x.{chain[i]}#99 TraceID: {trace} SpanID: {id} exception thrown"
                : $"12:00:00.000 INFO  x.{chain[i]}#11 TraceID: {trace} SpanID: {id} done");
            parent = id;
            at += 300;
        }
    }

    private sealed class SpanBuilder
    {
        private readonly List<(string T, string S, string? P, string Svc, string Op, long Start, long Dur, SpanStatus St)> _rows = [];
        public void Add(string t, string s, string? p, string svc, string op, long start, long dur, SpanStatus st) => _rows.Add((t, s, p, svc, op, start, dur, st));
        public SpanTable Build() => new(
            _rows.Select(r => r.T).ToArray(), _rows.Select(r => r.S).ToArray(), _rows.Select(r => r.P).ToArray(),
            _rows.Select(r => r.Svc).ToArray(), _rows.Select(r => r.Svc + "-pod").ToArray(), _rows.Select(r => r.Op).ToArray(),
            _rows.Select(r => r.Start).ToArray(), _rows.Select(r => r.Dur).ToArray(), _rows.Select(r => r.St).ToArray());
    }

    private sealed class LogBuilder
    {
        private readonly List<(long Time, string Svc, string T, string S, string Msg)> _rows = [];
        public void Add(long time, string svc, string t, string s, string msg) => _rows.Add((time, svc, t, s, msg));
        public LogTable Build() => new(
            _rows.Select(r => r.Time).ToArray(), _rows.Select(r => r.Svc).ToArray(), _rows.Select(r => r.Svc + "-pod").ToArray(),
            _rows.Select(r => (string?)r.T).ToArray(), _rows.Select(r => (string?)r.S).ToArray(), _rows.Select(r => r.Msg).ToArray());
    }
}
