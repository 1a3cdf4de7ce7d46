using AiopsLab.Data;
using AiopsLab.Methods;

namespace AiopsLab.Rca;

/// <summary>
/// MicroRank (Yu, Chen, Wang et al., "MicroRank: End-to-End Latency Issue Localization with Extended Spectrum Analysis in
/// Microservice Environments", WWW 2021). Traces of the faulty window are split into anomalous and normal ones by the
/// latency of their operations against the fault-free period (§3.2); over each set a personalized PageRank runs on the
/// graph of operations (caller → callee) and traces (trace ↔ the operations it visits) (§3.3), and its scores weight the
/// spectrum counts of each operation — e_f, n_f over anomalous traces, e_p, n_p over normal ones — which a spectrum
/// formula turns into a suspiciousness score (§3.4, DStar² by default). Services are ranked by their best operation.
/// </summary>
/// <remarks>
/// <para>Choices the paper leaves open follow the authors' code (github.com/IntelligentDDS/MicroRank, as refactored in
/// RCAEval's <c>e2e/microrank.py</c>): an operation is <c>service + operation name</c>; a trace of the faulty window is
/// anomalous when its end-to-end duration exceeds Σ over its spans of (mean + σ) of their operation in the normal period
/// plus 50 ms (the original's <c>trace_anormaly_detect</c>; operations never seen in the normal period add nothing; RCAEval
/// instead flags spans beyond mean + 3σ); 25 power iterations with damping d = 0.85 and operation-to-operation weight
/// α = 0.01, each vector rescaled to max 1; the PageRank weight of an operation is its score × Σ scores / #operations; an
/// operation missing from one set gets 10⁻⁷ counts there (and e_p = (1 + w)·count when only normal).</para>
/// <para>The preference vector over traces: normal traces ∝ 1/kind (kind = number of traces with the same set of
/// operations); anomalous traces mix 1/kind and 1/#operations half and half (the paper's §3.3; the code's closed form
/// differs in normalisation only).</para>
/// <para>Faulty window: [anomaly time, + <see cref="Options.Window"/> s) (0 = the rest of the case). Without anomalous
/// traces there is nothing to rank and the result is empty (diagnostic <c>anomalous_traces</c> = 0).</para>
/// </remarks>
[Method("microrank", Summary = "MicroRank: anomalous vs normal traces, personalized PageRank over operations and traces, weighted spectrum analysis (DStar²).", Citation = "Yu et al., MicroRank, WWW 2021", Needs = "traces")]
public sealed class MicroRank : IRootCauseLocalizer
{
    /// <summary>Spectrum formula of <see cref="MicroRank"/>.</summary>
    public enum Spectrum { DStar2, Ochiai, Tarantula, Jaccard }

    /// <summary>Options of <see cref="MicroRank"/>.</summary>
    public sealed record Options
    {
        /// <summary>Length of the faulty window in seconds from the anomaly time (0 = to the end of the case).</summary>
        public double Window { get; set; }
        /// <summary>k in the trace anomaly rule: duration &gt; Σ over its spans of (mean + k·σ) + margin.</summary>
        public double Sigmas { get; set; } = 1;
        /// <summary>Margin of the trace anomaly rule in ms.</summary>
        public double MarginMs { get; set; } = 50;
        /// <summary>PageRank damping d.</summary>
        public double Damping { get; set; } = 0.85;
        /// <summary>Weight α of operation-to-operation links.</summary>
        public double Alpha { get; set; } = 0.01;
        /// <summary>Power iterations.</summary>
        public int Iterations { get; set; } = 25;
        /// <summary>Spectrum formula.</summary>
        public Spectrum Formula { get; set; } = Spectrum.DStar2;
    }

    private readonly Options _o;

    public MicroRank() : this(new Options()) { }

    public MicroRank(Options options)
    {
        if (options.Damping is < 0 or >= 1) throw new ArgumentException("microrank: damping must be in [0, 1).");
        if (options.Iterations < 1) throw new ArgumentException("microrank: iterations must be ≥ 1.");
        _o = options;
    }

    public string Name => "microrank";

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var s = TelemetryWindows.SpansOf(problem, Name);
        var (nt, nrows) = TelemetryWindows.NormalSpans(problem, s);
        var slo = TelemetryWindows.DurationStats(nt, nrows, r => Op(nt, r));
        var traces = TelemetryWindows.FaultTraces(problem, s, _o.Window);
        var anomalous = new List<int[]>();
        var normal = new List<int[]>();
        foreach (var t in traces)
        {
            // Trace-level rule of the authors' code (anormaly_detector.trace_anormaly_detect): the trace's end-to-end
            // duration exceeds Σ over its spans of (mean + σ) of their operation, plus a margin.
            long first = long.MaxValue, last = long.MinValue;
            double expect = 0;
            foreach (var r in t)
            {
                first = Math.Min(first, s.StartMicros[r]);
                last = Math.Max(last, s.StartMicros[r] + s.DurationMicros[r]);
                if (slo.TryGetValue(Op(s, r), out var m)) expect += m.Mean + (double.IsFinite(m.Std) ? _o.Sigmas * m.Std : 0);
            }
            bool bad = (last - first) > expect + _o.MarginMs * 1000;
            (bad ? anomalous : normal).Add(t);
        }
        var diag = new Dictionary<string, double> { ["anomalous_traces"] = anomalous.Count, ["normal_traces"] = normal.Count };
        if (anomalous.Count == 0) return new RcaResult([], diag);
        ct.ThrowIfCancellationRequested();
        var (aw, an) = Weights(s, anomalous, true);
        var (nw, nn) = normal.Count > 0 ? Weights(s, normal, false) : ([], []);
        var ops = aw.Keys.Concat(nw.Keys).Distinct(StringComparer.Ordinal).ToArray();
        var score = new Dictionary<string, double>(StringComparer.Ordinal);
        const double eps = 1e-7;
        foreach (var op in ops)
        {
            double ef, nf, ep, np;
            if (aw.TryGetValue(op, out var wa))
            {
                ef = wa * an[op]; nf = wa * (anomalous.Count - an[op]);
                if (nw.TryGetValue(op, out var wn)) { ep = wn * nn[op]; np = wn * (normal.Count - nn[op]); }
                else { ep = eps; np = eps; }
            }
            else { ep = (1 + nw[op]) * nn[op]; np = normal.Count - nn[op]; ef = eps; nf = eps; }
            score[op] = Suspiciousness(_o.Formula, ef, nf, ep, np);
        }
        var serviceOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in traces) foreach (var r in t) serviceOf.TryAdd(Op(s, r), s.Service[r]);
        var best = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (op, v) in score)
            if (!best.TryGetValue(serviceOf[op], out var b) || v > b || double.IsNaN(b)) best[serviceOf[op]] = v;
        return TelemetryWindows.Result(problem, TelemetryWindows.ByScore(best), diag);
    }

    private static string Op(SpanTable s, int r) => s.Service[r] + "#" + s.Operation[r];

    /// <summary>A spectrum formula over (weighted) counts: e_f, n_f = failing runs covering / not covering the element,
    /// e_p, n_p = passing runs covering / not covering it.</summary>
    public static double Suspiciousness(Spectrum f, double ef, double nf, double ep, double np) => f switch
    {
        Spectrum.DStar2 => ef * ef / (ep + nf),
        Spectrum.Ochiai => ef / Math.Sqrt((ep + ef) * (ef + nf)),
        Spectrum.Tarantula => ef / (ef + nf) / (ef / (ef + nf) + ep / (ep + np)),
        Spectrum.Jaccard => ef / (ef + ep + nf),
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    /// <summary>PageRank weight and trace count of every operation over <paramref name="traces"/> (§3.3).</summary>
    private (Dictionary<string, double> Weight, Dictionary<string, int> Count) Weights(SpanTable s, List<int[]> traces, bool anomalous)
    {
        var opIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        int OpId(int r) { var k = Op(s, r); if (!opIndex.TryGetValue(k, out var i)) { i = opIndex.Count; opIndex[k] = i; } return i; }
        var traceOps = new List<int[]>(traces.Count);
        var traceLen = new int[traces.Count];
        var children = new List<HashSet<int>>();
        for (int t = 0; t < traces.Count; t++)
        {
            var rows = traces[t];
            var ids = rows.Select(OpId).ToArray();
            while (children.Count < opIndex.Count) children.Add([]);
            var parent = TelemetryWindows.Parents(s, rows);
            for (int k = 0; k < rows.Length; k++)
                if (parent[rows[k]] is var p && p >= 0) children[OpId(p)].Add(ids[k]);
            traceOps.Add(ids.Distinct().Order().ToArray());
            traceLen[t] = rows.Length;
        }
        int n = opIndex.Count, m = traces.Count;
        while (children.Count < n) children.Add([]);
        var tracesOf = new List<int>[n];
        for (int i = 0; i < n; i++) tracesOf[i] = [];
        for (int t = 0; t < m; t++) foreach (var o in traceOps[t]) tracesOf[o].Add(t);
        // Kind = traces with the same set of operations.
        var kindCount = new Dictionary<string, int>(StringComparer.Ordinal);
        var kindKey = traceOps.Select(o => string.Join(',', o)).ToArray();
        foreach (var k in kindKey) kindCount[k] = kindCount.GetValueOrDefault(k) + 1;
        var v = new double[m];
        double sumKind = 0, sumLen = 0;
        for (int t = 0; t < m; t++) { sumKind += 1.0 / kindCount[kindKey[t]]; sumLen += 1.0 / traceLen[t]; }
        for (int t = 0; t < m; t++)
            v[t] = anomalous ? 0.5 * (1.0 / kindCount[kindKey[t]]) / sumKind + 0.5 * (1.0 / traceLen[t]) / sumLen
                : (1.0 / kindCount[kindKey[t]]) / sumKind;

        var sv = Enumerable.Repeat(1.0 / (n + m), n).ToArray();
        var rv = Enumerable.Repeat(1.0 / (n + m), m).ToArray();
        var ns = new double[n];
        var nr = new double[m];
        for (int it = 0; it < _o.Iterations; it++)
        {
            Array.Clear(ns);
            // operation ← traces (p_sr: trace t spreads 1/|ops(t)| to each operation) and ← callers (p_ss: 1/|children|).
            for (int t = 0; t < m; t++) foreach (var o in traceOps[t]) ns[o] += rv[t] / traceOps[t].Length;
            for (int o = 0; o < n; o++)
                foreach (var c in children[o]) ns[c] += _o.Alpha * sv[o] / children[o].Count;
            for (int o = 0; o < n; o++) ns[o] *= _o.Damping;
            // trace ← operations (p_rs: operation o spreads 1/|traces(o)|) plus restart.
            for (int t = 0; t < m; t++) nr[t] = (1 - _o.Damping) * v[t];
            for (int o = 0; o < n; o++) foreach (var t in tracesOf[o]) nr[t] += _o.Damping * sv[o] / tracesOf[o].Count;
            Rescale(ns, sv);
            Rescale(nr, rv);
        }
        double total = sv.Sum();
        var weight = new Dictionary<string, double>(StringComparer.Ordinal);
        var count = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (op, i) in opIndex) { weight[op] = sv[i] * total / n; count[op] = tracesOf[i].Count; }
        return (weight, count);
    }

    private static void Rescale(double[] x, double[] into)
    {
        double max = x.Max();
        for (int i = 0; i < x.Length; i++) into[i] = max > 0 ? x[i] / max : x[i];
    }
}
