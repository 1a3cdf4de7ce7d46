using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Numerics;

namespace AiopsLab.Datasets.Synthetic;

/// <summary>Parameters of the synthetic benchmark. Every field is also a <c>--dataset-option</c> (kebab-case).</summary>
public sealed record SyntheticOptions
{
    /// <summary>Number of fault cases.</summary>
    public int Cases { get; set; } = 50;
    /// <summary>Benchmark seed: same seed, same cases, bit for bit.</summary>
    public long Seed { get; set; } = 42;
    /// <summary>Number of distinct systems (random call graphs); each case runs on one of them.</summary>
    public int Systems { get; set; } = 3;
    /// <summary>Services per system.</summary>
    public int Services { get; set; } = 10;
    /// <summary>Normal steps before the injection.</summary>
    public int Normal { get; set; } = 300;
    /// <summary>Steps from the injection on.</summary>
    public int Anomalous { get; set; } = 120;
    /// <summary>Seconds between steps.</summary>
    public int Step { get; set; } = 1;
    /// <summary>Fault types, assigned round-robin: any of cpu, mem, delay, error, code (code: visible only in logs and
    /// traces). Default: cpu, mem, delay, error for <c>easy</c>; the same plus code for <c>hard</c>.</summary>
    public string[]? Faults { get; set; }
    /// <summary><c>hard</c> (default): code faults, and in half of the cases a distractor — an unrelated transient spike at
    /// another service during the fault. <c>easy</c>: the generator as it was before traces and logs were added (same
    /// metrics bit for bit; experiments/paper/synthetic.yaml uses it).</summary>
    public string Difficulty { get; set; } = "hard";
    /// <summary>Sampled requests (traces) per step; each writes one span and one log line per service it reaches.</summary>
    public double TraceRate { get; set; } = 2;
    /// <summary>Smallest fault size, in standard deviations of the root-cause metric over the normal period.</summary>
    public double MinMagnitude { get; set; } = 3;
    /// <summary>Largest fault size (drawn uniformly between the two).</summary>
    public double MaxMagnitude { get; set; } = 8;
    /// <summary>AR(1) coefficient of every noise process (0 = white noise).</summary>
    public double Ar { get; set; } = 0.5;
    /// <summary>Multiplies every noise standard deviation.</summary>
    public double NoiseScale { get; set; } = 1.0;
}

/// <summary>One generated system: its call graph and the coefficients of its structural model.</summary>
public sealed class SyntheticSystem
{
    internal SyntheticSystem(string name, string[] services, List<(int Caller, int Callee, double Fraction, double LatencyWeight, double ErrorWeight)> calls, ServiceParams[] p, double workload, double period, double phase)
    {
        Name = name; Services = services; Calls = calls; Params = p; Workload = workload; Period = period; Phase = phase;
        CallGraph = new DirectedGraph(calls.Select(c => (services[c.Caller], services[c.Callee])), services);
    }

    public string Name { get; }
    public IReadOnlyList<string> Services { get; }
    public DirectedGraph CallGraph { get; }
    internal List<(int Caller, int Callee, double Fraction, double LatencyWeight, double ErrorWeight)> Calls { get; }
    internal ServiceParams[] Params { get; }
    internal double Workload { get; }
    internal double Period { get; }
    internal double Phase { get; }

    /// <summary>Metric kinds per service, in column order.</summary>
    public static readonly string[] Kinds = ["load", "cpu", "mem", "latency", "error"];

    /// <summary>The true causal graph over the columns (cause → effect) implied by the structural model.</summary>
    public DirectedGraph CausalGraph()
    {
        var edges = new List<(string, string)>();
        string C(int i, string k) => Services[i] + "_" + k;
        for (int i = 0; i < Services.Count; i++)
        {
            edges.Add((C(i, "load"), C(i, "cpu")));
            edges.Add((C(i, "load"), C(i, "mem")));
            edges.Add((C(i, "cpu"), C(i, "latency")));
            edges.Add((C(i, "mem"), C(i, "latency")));
        }
        foreach (var (a, b, _, _, _) in Calls)
        {
            edges.Add((C(a, "load"), C(b, "load")));
            edges.Add((C(b, "latency"), C(a, "latency")));
            edges.Add((C(b, "error"), C(a, "error")));
        }
        return new DirectedGraph(edges, Services.SelectMany(s => Kinds.Select(k => s + "_" + k)));
    }
}

internal sealed record ServiceParams(
    double Cpu0, double CpuPerLoad, double CpuSd,
    double Mem0, double MemPerLoad, double MemSd,
    double Lat0, double LatPerCpu, double LatPerMem, double LatSd,
    double Err0, double ErrSd, double LoadSd);

/// <summary>
/// The synthetic fault-injection benchmark, AiopsLab's embedded default dataset.
/// </summary>
/// <remarks>
/// <para><b>Call graph.</b> Services 0..n−1 in topological order; service 0 (<c>frontend</c>) takes the external
/// workload. Each later service i gets one caller, or with probability 0.3 two, drawn uniformly from services 0..i−1,
/// so the graph is a connected DAG (edge caller → callee).</para>
/// <para><b>Structural model</b> (a linear SEM over time; every noise term ν is an independent stationary AR(1) process
/// ν_t = φ·ν_{t−1} + √(1−φ²)·σ·ε_t, ε ~ N(0,1), so its standard deviation is σ):</para>
/// <list type="bullet">
/// <item>load_0(t) = W·(1 + 0.2·sin(2πt/P + θ)) + ν; load_i(t) = Σ_{callers c} f_{c,i}·load_c(t) + ν (requests/s)</item>
/// <item>cpu_i = a_i + b_i·load_i + ν + Δcpu (percent); mem_i = m_i + q_i·load_i + ν + Δmem (MB)</item>
/// <item>latency_i = l_i + κ_i·cpu_i + μ_i·mem_i + Σ_{callees j} g_{i,j}·latency_j + ν + Δdelay (ms)</item>
/// <item>error_i = e_i + Σ_{callees j} h_{i,j}·error_j + ν + Δerror (percent)</item>
/// </list>
/// <para><b>Faults</b>, at one root-cause service r from the inject step on: <c>cpu</c> adds a step Δ to cpu_r;
/// <c>mem</c> adds a leak ramping linearly from 0 to 2Δ over the anomalous period to mem_r; <c>delay</c> adds Δ to
/// latency_r; <c>error</c> adds Δ to error_r. Δ = magnitude × the standard deviation of that metric over the normal
/// period, magnitude ~ U(min, max). The model carries the fault to r's other metrics and up the call graph to its callers.
/// The root-cause metric is <c>r_cpu</c>, <c>r_mem</c>, <c>r_latency</c> or <c>r_error</c>. A <c>code</c> fault changes no
/// metric: it shows only in traces and logs (<see cref="SyntheticTelemetry"/>); it has no root-cause metric.</para>
/// <para><b>Difficulty.</b> <c>hard</c> (default) adds code faults and, in half of the cases (own random stream), a
/// distractor: at another service, cpu, mem or latency gains 1.5 × U(min, max) normal standard deviations for 5 to
/// anomalous/4 steps inside the anomalous period (it propagates like a fault). <c>easy</c> is the earlier generator.</para>
/// <para><b>Traces and logs</b>: <see cref="SyntheticTelemetry"/>, generated lazily from the metrics.</para>
/// <para><b>Determinism.</b> System s is drawn from <c>Rng.For(seed, "system", s)</c> and case k from
/// <c>Rng.For(seed, "case", k)</c>, so any case can be generated alone, in any order, with the same values.</para>
/// </remarks>
public sealed class SyntheticBenchmark : IDataset
{
    public const string DatasetName = "synthetic";
    public const long EpochStart = 1_700_000_000;
    private static readonly string[] ServiceNames =
        ["frontend", "checkout", "cart", "catalog", "payment", "shipping", "email", "currency", "recommend", "ads",
         "user", "auth", "order", "inventory", "search", "review", "notify", "pricing", "media", "geo"];

    private readonly SyntheticOptions _o;
    private readonly SyntheticSystem[] _systems;
    private readonly MetricNaming _naming = new DelimitedNaming("_");
    private readonly string[] _faults;

    private bool Hard => _o.Difficulty == "hard";

    private static string FaultClass(string fault) => fault == "code" ? "code" : "resource";

    /// <summary>An unrelated transient spike: column <paramref name="Column"/> gains <paramref name="Size"/> normal
    /// standard deviations for <paramref name="Length"/> steps from <paramref name="From"/> steps after the injection.</summary>
    public sealed record Distractor(int Column, double Size, int From, int Length);

    public SyntheticBenchmark(SyntheticOptions? options = null, string name = DatasetName)
    {
        _o = options ?? new SyntheticOptions();
        if (_o.Cases < 0) throw new AiopsLabException("synthetic: cases must be ≥ 0.");
        if (_o.Services < 2) throw new AiopsLabException("synthetic: services must be ≥ 2.");
        if (_o.Systems < 1) throw new AiopsLabException("synthetic: systems must be ≥ 1.");
        if (_o.Normal < 2 || _o.Anomalous < 1) throw new AiopsLabException("synthetic: normal must be ≥ 2 and anomalous ≥ 1.");
        if (_o.Step < 1) throw new AiopsLabException("synthetic: step must be ≥ 1 second.");
        if (_o.MinMagnitude < 0 || _o.MaxMagnitude < _o.MinMagnitude) throw new AiopsLabException("synthetic: need 0 ≤ min-magnitude ≤ max-magnitude.");
        if (_o.Ar is < 0 or >= 1) throw new AiopsLabException("synthetic: ar must be in [0, 1).");
        if (_o.Difficulty is not ("easy" or "hard")) throw new UnknownNameException("synthetic difficulty", _o.Difficulty, ["easy", "hard"]);
        if (_o.TraceRate is < 0 or > 1000 || double.IsNaN(_o.TraceRate)) throw new AiopsLabException("synthetic: trace-rate must be in [0, 1000].");
        _faults = _o.Faults ?? (Hard ? ["cpu", "mem", "delay", "error", "code"] : ["cpu", "mem", "delay", "error"]);
        if (_faults.Length == 0) throw new AiopsLabException("synthetic: faults must name at least one of cpu, mem, delay, error, code.");
        foreach (var f in _faults)
            if (f is not ("cpu" or "mem" or "delay" or "error" or "code"))
                throw new UnknownNameException("synthetic fault type", f, ["cpu", "mem", "delay", "error", "code"]);
        Name = name;
        _systems = Enumerable.Range(0, _o.Systems).Select(BuildSystem).ToArray();
        var cases = new CaseDescriptor[_o.Cases];
        for (int k = 0; k < cases.Length; k++)
        {
            var (sys, root, fault, _) = Draw(k);
            cases[k] = new CaseDescriptor(CaseId(k), sys.Name, fault, sys.Services[root], FaultClass(fault));
        }
        Cases = cases;
    }

    public SyntheticOptions Options => _o;
    public string Name { get; }
    public string Location => "(generated)";
    public IReadOnlyList<CaseDescriptor> Cases { get; }
    public IReadOnlyList<SyntheticSystem> Systems => _systems;
    public IReadOnlyList<string> Notes =>
        [string.Create(CultureInfo.InvariantCulture, $"Generated ({_o.Difficulty}): seed {_o.Seed}, {_o.Systems} systems x {_o.Services} services, {_o.Normal}+{_o.Anomalous} steps of {_o.Step} s, magnitude {_o.MinMagnitude}..{_o.MaxMagnitude} sd, faults {string.Join(",", _faults)}, {_o.TraceRate} traces per step.")];

    private static string CaseId(int k) => "case-" + k.ToString("D5", CultureInfo.InvariantCulture);

    private ulong Seed => unchecked((ulong)_o.Seed);

    private SyntheticSystem BuildSystem(int s)
    {
        var rng = Rng.For(Seed, "system", s.ToString(CultureInfo.InvariantCulture));
        int n = _o.Services;
        var names = Enumerable.Range(0, n).Select(i => i < ServiceNames.Length ? ServiceNames[i] : "svc" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var calls = new List<(int, int, double, double, double)>();
        for (int i = 1; i < n; i++)
        {
            int k = Math.Min(i, rng.NextDouble() < 0.3 ? 2 : 1);
            var callers = Enumerable.Range(0, i).ToList();
            rng.Shuffle(callers);
            foreach (var c in callers.Take(k).OrderBy(c => c))
                calls.Add((c, i, rng.Uniform(0.4, 1.0), rng.Uniform(0.5, 1.0), rng.Uniform(0.5, 1.0)));
        }
        var p = new ServiceParams[n];
        for (int i = 0; i < n; i++)
            p[i] = new ServiceParams(
                Cpu0: rng.Uniform(5, 30), CpuPerLoad: rng.Uniform(0.05, 0.2), CpuSd: rng.Uniform(0.5, 1.5),
                Mem0: rng.Uniform(100, 800), MemPerLoad: rng.Uniform(0.05, 0.5), MemSd: rng.Uniform(1, 5),
                Lat0: rng.Uniform(5, 50), LatPerCpu: rng.Uniform(0.2, 1.0), LatPerMem: rng.Uniform(0.01, 0.05), LatSd: rng.Uniform(0.5, 2),
                Err0: rng.Uniform(0.1, 1.0), ErrSd: rng.Uniform(0.05, 0.2), LoadSd: rng.Uniform(0.5, 2));
        return new SyntheticSystem("synth-" + (char)('A' + s % 26) + (s >= 26 ? (s / 26).ToString(CultureInfo.InvariantCulture) : ""),
            names, calls, p, rng.Uniform(50, 200), rng.Uniform(200, 900), rng.Uniform(0, 2 * Math.PI));
    }

    private (SyntheticSystem System, int Root, string Fault, Rng Rng) Draw(int k)
    {
        var rng = Rng.For(Seed, "case", k.ToString(CultureInfo.InvariantCulture));
        var sys = _systems[rng.NextInt(_systems.Length)];
        int root = rng.NextInt(sys.Services.Count);
        return (sys, root, _faults[k % _faults.Length], rng);
    }

    public FaultCase Load(CaseDescriptor descriptor, CancellationToken ct = default)
    {
        if (!descriptor.Id.StartsWith("case-", StringComparison.Ordinal) || !int.TryParse(descriptor.Id.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k >= Cases.Count)
            throw new UnknownNameException("synthetic case", descriptor.Id, ["case-00000 .. " + CaseId(Math.Max(0, Cases.Count - 1))]);
        var (sys, root, fault, rng) = Draw(k);
        double magnitude = rng.Uniform(_o.MinMagnitude, _o.MaxMagnitude);
        long start = EpochStart + (long)k * 100_000;
        Distractor? distractor = null;
        if (Hard)
        {
            // Its own stream, so the case's fault and noise are those of the easy generator.
            var dr = Rng.For(Seed, "distractor", k.ToString(CultureInfo.InvariantCulture));
            if (dr.NextDouble() < 0.5 && sys.Services.Count > 1)
            {
                int other = (root + 1 + dr.NextInt(sys.Services.Count - 1)) % sys.Services.Count;
                int len = dr.NextInt(5, Math.Max(6, _o.Anomalous / 4));
                distractor = new Distractor(other * SyntheticSystem.Kinds.Length + 1 + dr.NextInt(3), dr.Uniform(_o.MinMagnitude, _o.MaxMagnitude) * 1.5,
                    dr.NextInt(Math.Max(1, _o.Anomalous - len)), len);
            }
        }
        return Simulate(sys, root, fault, magnitude, rng, start, CaseId(k), distractor);
    }

    /// <summary>Generates one case on <paramref name="system"/> with a fault of <paramref name="fault"/> at service index
    /// <paramref name="root"/> (and an optional distractor spike elsewhere).</summary>
    public FaultCase Simulate(SyntheticSystem system, int root, string fault, double magnitude, Rng rng, long start, string id, Distractor? distractor = null)
    {
        int n = system.Services.Count, T = _o.Normal + _o.Anomalous, t0 = _o.Normal;
        double phi = _o.Ar, innov = Math.Sqrt(1 - phi * phi), ns = _o.NoiseScale;
        var p = system.Params;
        var callees = Enumerable.Range(0, n).Select(_ => new List<(int J, double G, double H)>()).ToArray();
        var callers = Enumerable.Range(0, n).Select(_ => new List<(int C, double F)>()).ToArray();
        foreach (var (a, b, f, g, h) in system.Calls) { callees[a].Add((b, g, h)); callers[b].Add((a, f)); }

        // Columns: per service load, cpu, mem, latency, error.
        int K = SyntheticSystem.Kinds.Length;
        var cols = new double[n * K][];
        for (int j = 0; j < cols.Length; j++) cols[j] = new double[T];
        var noise = new double[n * K];
        var noiseSd = new double[n * K];
        for (int i = 0; i < n; i++)
        {
            noiseSd[i * K + 0] = (i == 0 ? 0.05 * system.Workload : p[i].LoadSd) * ns;
            noiseSd[i * K + 1] = p[i].CpuSd * ns;
            noiseSd[i * K + 2] = p[i].MemSd * ns;
            noiseSd[i * K + 3] = p[i].LatSd * ns;
            noiseSd[i * K + 4] = p[i].ErrSd * ns;
        }
        for (int j = 0; j < noise.Length; j++) noise[j] = noiseSd[j] * rng.NextNormal();

        int rootCol = root * K + fault switch { "cpu" => 1, "mem" => 2, "delay" => 3, _ => 4 };
        double delta = 0, spike = 0;
        for (int t = 0; t < T; t++)
        {
            if (t > 0) for (int j = 0; j < noise.Length; j++) noise[j] = phi * noise[j] + innov * noiseSd[j] * rng.NextNormal();
            if (t == t0) delta = magnitude * Sd(cols[rootCol], t0);
            if (t == t0 && distractor is not null) spike = distractor.Size * Sd(cols[distractor.Column], t0);
            double Dis(int col) => distractor is not null && col == distractor.Column && t >= t0 + distractor.From && t < t0 + distractor.From + distractor.Length ? spike : 0;
            double df(string kind) => t >= t0 && fault == kind ? (kind == "mem" ? 2 * delta * (t - t0 + 1) / _o.Anomalous : delta) : 0;
            // Services are in topological order: callers before callees for load, callees after for latency/errors.
            for (int i = 0; i < n; i++)
            {
                double load = i == 0
                    ? system.Workload * (1 + 0.2 * Math.Sin(2 * Math.PI * t * _o.Step / system.Period + system.Phase))
                    : callers[i].Sum(c => c.F * cols[c.C * K][t]);
                cols[i * K][t] = load + noise[i * K];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                bool r = i == root;
                double load = cols[i * K][t];
                double cpu = p[i].Cpu0 + p[i].CpuPerLoad * load + noise[i * K + 1] + (r ? df("cpu") : 0) + Dis(i * K + 1);
                double mem = p[i].Mem0 + p[i].MemPerLoad * load + noise[i * K + 2] + (r ? df("mem") : 0) + Dis(i * K + 2);
                double lat = p[i].Lat0 + p[i].LatPerCpu * cpu + p[i].LatPerMem * (mem - p[i].Mem0) + noise[i * K + 3] + (r ? df("delay") : 0) + Dis(i * K + 3);
                double err = p[i].Err0 + noise[i * K + 4] + (r ? df("error") : 0);
                foreach (var (j, g, h) in callees[i]) { lat += g * cols[j * K + 3][t]; err += h * cols[j * K + 4][t]; }
                cols[i * K + 1][t] = cpu;
                cols[i * K + 2][t] = mem;
                cols[i * K + 3][t] = lat;
                cols[i * K + 4][t] = err;
            }
        }
        var names = system.Services.SelectMany(s => SyntheticSystem.Kinds.Select(k => s + "_" + k)).ToArray();
        var time = new long[T];
        for (int t = 0; t < T; t++) time[t] = start + (long)t * _o.Step;
        var frame = new MetricFrame(time, names, cols);
        var label = new FaultLabel(system.Services[root], fault, time[t0], fault == "code" ? null : names[rootCol], FaultClass(fault));
        var telemetry = new Lazy<(SpanTable, LogTable)>(() => SyntheticTelemetry.Generate(system, frame, root, fault, t0, _o.TraceRate,
            Rng.For(Seed, "telemetry", id)));
        return new FaultCase(id, Name, system.Name, frame, label, system.CallGraph, _naming)
        {
            TrueCausalGraph = system.CausalGraph(),
            Slis = [system.Services[0] + "_latency", system.Services[0] + "_error"],
            Telemetry = _o.TraceRate > 0 ? new CaseTelemetry(() => telemetry.Value.Item1, () => telemetry.Value.Item2) : null,
        };

    }

    private static double Sd(double[] x, int count)
    {
        double m = 0;
        for (int i = 0; i < count; i++) m += x[i];
        m /= count;
        double s = 0;
        for (int i = 0; i < count; i++) s += (x[i] - m) * (x[i] - m);
        return Math.Sqrt(s / Math.Max(1, count - 1));
    }

    /// <summary>
    /// Four easy cases for the conformance suite: 8 services, a large fault (magnitude 25 sd), low noise, one case each
    /// of <c>cpu</c>, <c>delay</c>, <c>error</c> and <c>mem</c> at different services. A localizer that works should put
    /// the root cause at or near the top of nearly all of them.
    /// </summary>
    public static IReadOnlyList<FaultCase> EasyCases()
    {
        var b = new SyntheticBenchmark(new SyntheticOptions { Cases = 0, Seed = 7, Systems = 1, Services = 8, Normal = 240, Anomalous = 90, MinMagnitude = 25, MaxMagnitude = 25 }, "synthetic-easy");
        var sys = b.Systems[0];
        var faults = new[] { ("cpu", 5), ("delay", 3), ("error", 6), ("mem", 2) };
        return faults.Select((f, k) => b.Simulate(sys, f.Item2, f.Item1, 25, Rng.For(7, "easy", k.ToString(CultureInfo.InvariantCulture)),
            EpochStart + k * 100_000L, "easy-" + f.Item1)).ToArray();
    }
}

/// <summary>Opens the synthetic benchmark; dataset options are the fields of <see cref="SyntheticOptions"/>.</summary>
[DatasetLayout("synthetic", DetectOrder = 1000)]
public sealed class SyntheticLayout : IDatasetLayout
{
    public IReadOnlyList<(string Key, string Meaning, string Default)> OptionHelp =>
        Methods.OptionsBinder.Settable(typeof(SyntheticOptions))
            .Select(p => (Methods.OptionsBinder.Kebab(p.Name), p.Name, Methods.OptionsBinder.FormatValue(p.GetValue(new SyntheticOptions()))))
            .ToArray();

    public bool Detect(string folder) => false;

    public IDataset Open(string folder, string name, DatasetOptions options)
    {
        var o = (SyntheticOptions)Methods.OptionsBinder.Bind(typeof(SyntheticOptions), options.Values, name);
        return new SyntheticBenchmark(o, name);
    }
}
