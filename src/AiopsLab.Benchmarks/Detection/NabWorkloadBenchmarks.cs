using AiopsLab.Catalog;
using AiopsLab.Datasets;
using AiopsLab.Detection;
using AiopsLab.Evaluation;
using BenchmarkDotNet.Attributes;

namespace AiopsLab.Benchmarks.Detection;

/// <summary>
/// The slowest streaming detectors over the whole NAB corpus on one thread, in two workloads: at their defaults (what
/// <see cref="NabCorpusDetectorBenchmarks"/> runs) and as <c>nab run</c> runs them (<see cref="NabBenchmark.ForSeries"/>: a
/// configurable warm-up set to each series' probationary period, e.g. SPOT's n_init = min(⌊0.15·n⌋, 750) instead of 200).
/// The two differ in work, not in harness: docs/detection.md, "Speed", explains SPOT's gap between the two benchmarks with it.
/// </summary>
[SimpleJob(warmupCount: 1, iterationCount: 5)]
public class NabWorkloadBenchmarks
{
    private double[][] _series = [];

    [Params("spot", "dspot", "context-ose", "knncad")]
    public string Detector { get; set; } = "";

    /// <summary>False: the detector's defaults; true: NAB's probationary warm-up per series, as <c>nab run</c> does.</summary>
    [Params(false, true)]
    public bool NabWarmup { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var dir = BenchData.Root.For("nab");
        if (!Directory.Exists(dir)) throw new InvalidOperationException($"NAB is needed at {dir} (set AIOPSLAB_DATA).");
        var corpus = NabCorpus.Open(dir);
        _series = corpus.Files.Select(f => corpus.Load(f).Values).ToArray();
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
