using AiopsLab.Datasets;
using AiopsLab.Detection;
using AiopsLab.Evaluation;
using AiopsLab.Methods;
using BenchmarkDotNet.Attributes;
using AiopsLab.Catalog;

namespace AiopsLab.Benchmarks.Detection;

/// <summary>
/// Every registered detector over the whole NAB corpus (58 series, 365,558 points) at its default options, one series after the
/// other on one thread. Targets (issue 5): all streaming detectors together under 10 s on 2 cores; spectral residual and n-sigma
/// under 1 s each. Reads NAB from the data root; where it is absent, 58 generated series of the same lengths stand in.
/// Two workloads: the detector's defaults (<see cref="NabWarmup"/> false), and as <c>nab run</c> runs it (true:
/// <see cref="NabBenchmark.ForSeries"/>, a configurable warm-up set to each series' probationary period, e.g. SPOT's n_init =
/// min(⌊0.15·n⌋, 750) instead of 200) — they differ in work, not in harness (docs/detection.md, "Speed").
/// </summary>
[SimpleJob(warmupCount: 1, iterationCount: 5)]
public class NabCorpusDetectorBenchmarks
{
    private double[][] _series = [];

    /// <summary>Every registered detector, or only those named in <c>AIOPSLAB_BENCH_DETECTORS</c> (comma-separated), since
    /// BenchmarkDotNet's <c>--filter</c> does not select parameter values.</summary>
    public static IEnumerable<string> Detectors()
    {
        var only = Environment.GetEnvironmentVariable("AIOPSLAB_BENCH_DETECTORS")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return MethodCatalog.OfKind(MethodKind.Detector).Select(m => m.Name).Where(n => only is null || only.Contains(n, StringComparer.Ordinal));
    }

    [ParamsSource(nameof(Detectors))]
    public string Detector { get; set; } = "";

    /// <summary>False: the detector's defaults; true: NAB's probationary warm-up per series, as <c>nab run</c> does.</summary>
    [Params(false, true)]
    public bool NabWarmup { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var dir = BenchData.Root.For("nab");
        if (Directory.Exists(dir))
        {
            var corpus = NabCorpus.Open(dir);
            _series = corpus.Files.Select(f => corpus.Load(f).Values).ToArray();
        }
        else
        {
            var rng = Numerics.Rng.For(1, "nab-standin");
            _series = Enumerable.Range(0, 58).Select(_ => Enumerable.Range(0, 6303).Select(i => 10 + Math.Sin(i / 50.0) + rng.NextNormal()).ToArray()).ToArray();
        }
    }

    [Benchmark]
    public double WholeCorpus()
    {
        var det = MethodCatalog.CreateDetector(Detector);
        double acc = 0;
        foreach (var s in _series) acc += (NabWarmup ? NabBenchmark.ForSeries(det, s.Length) : det).Score(s)[^1];
        return acc;
    }
}
