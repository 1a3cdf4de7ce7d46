using AiopsLab.Data;
using AiopsLab.External;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Rca;
using BenchmarkDotNet.Attributes;

namespace AiopsLab.Benchmarks.External;

/// <summary>
/// Cost of the external-method protocol per case on a 600 × 40 frame (seeded random walks, anomaly at row 300): a
/// method that does no work (<c>noop.py</c>: decode the request, rank the columns in order) through a warm python3
/// worker, against the same no-op in-process; the difference is the protocol's overhead (serialize, pipe, decode in
/// Python, reply, parse and check). NSigma in-process against py-nsigma (clients/python/examples) shows a real method.
/// Workers are started in the setup (start-up is paid once per worker, not per case).
/// <c>dotnet run -c Release --project src/AiopsLab.Benchmarks -- --filter '*ExternalBenchmarks*'</c> (needs python3 on PATH
/// or $AIOPSLAB_PYTHON).
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class ExternalBenchmarks
{
    private RcaProblem _problem = null!;
    private ExternalLocalizer _base64 = null!, _json = null!, _csv = null!, _pyNsigma = null!;
    private readonly NSigma _nsigma = new();

    private sealed class NoOp : IRootCauseLocalizer
    {
        public string Name => "noop";
        public RcaResult Localize(RcaProblem problem, CancellationToken ct = default) =>
            new(problem.Metrics.Names.Select(n => new RankedMetric(n, double.NaN)).ToArray());
    }

    private readonly NoOp _noop = new();

    [GlobalSetup]
    public void Setup()
    {
        const int rows = 600, cols = 40;
        var rng = new Rng(17);
        var time = Enumerable.Range(0, rows).Select(i => 1_700_000_000L + 5 * i).ToArray();
        var names = Enumerable.Range(0, cols).Select(j => $"svc{j / 4}_kind{j % 4}").ToArray();
        var columns = names.Select((_, j) =>
        {
            var x = new double[rows];
            double v = 100;
            for (int i = 0; i < rows; i++) { v += rng.NextNormal() + (j == 7 && i >= 300 ? 3 : 0); x[i] = v; }
            return x;
        }).ToArray();
        _problem = new RcaProblem(new MetricFrame(time, names, columns), time[300], null, new DelimitedNaming("_"));

        var root = BenchData.RepoRoot();
        var python = Environment.GetEnvironmentVariable("AIOPSLAB_PYTHON") ?? "python3";
        var noop = new ExternalManifest
        {
            File = Path.Combine(root, "src", "AiopsLab.Benchmarks", "External", "noop.method.yaml"), Name = "noop", Kind = MethodKind.Localizer,
            Command = [python, Path.Combine(root, "src", "AiopsLab.Benchmarks", "External", "noop.py")],
        };
        var none = new Dictionary<string, string>();
        _base64 = new ExternalLocalizer(noop, none);
        _json = new ExternalLocalizer(noop with { Encoding = "json" }, none);
        _csv = new ExternalLocalizer(noop with { Transport = "csv" }, none);
        var nsigma = ExternalManifest.Load(Path.Combine(root, "clients", "python", "examples", "py-nsigma" + ExternalManifest.FileSuffix));
        _pyNsigma = new ExternalLocalizer(nsigma with { Command = [python, .. nsigma.Command.Skip(1)] }, none);
        foreach (var l in new[] { _base64, _json, _csv, _pyNsigma }) l.Localize(_problem); // start the workers
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var l in new[] { _base64, _json, _csv, _pyNsigma }) l.Dispose();
    }

    [Benchmark(Baseline = true, Description = "no-op in-process, 600x40")]
    public RcaResult NoOpInProcess() => _noop.Localize(_problem);

    [Benchmark(Description = "no-op via protocol, inline base64-f64le")]
    public RcaResult NoOpBase64() => _base64.Localize(_problem);

    [Benchmark(Description = "no-op via protocol, inline json numbers")]
    public RcaResult NoOpJson() => _json.Localize(_problem);

    [Benchmark(Description = "no-op via protocol, csv file")]
    public RcaResult NoOpCsv() => _csv.Localize(_problem);

    [Benchmark(Description = "nsigma in-process, 600x40")]
    public RcaResult NSigmaInProcess() => _nsigma.Localize(_problem);

    [Benchmark(Description = "py-nsigma via protocol (plain Python), 600x40")]
    public RcaResult PyNSigma() => _pyNsigma.Localize(_problem);
}
