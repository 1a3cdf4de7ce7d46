using AiopsLab.Datasets;
using AiopsLab.Detection;
using AiopsLab.Methods;
using BenchmarkDotNet.Attributes;
using AiopsLab.Catalog;

namespace AiopsLab.Benchmarks.Detection;

/// <summary>
/// Every registered detector over the whole NAB corpus (58 series, 365,558 points) at its default options, one series after the
/// other on one thread. Targets (issue 5): all streaming detectors together under 10 s on 2 cores; spectral residual and n-sigma
/// under 1 s each. Reads NAB from the data root; where it is absent, 58 generated series of the same lengths stand in.
/// </summary>
[SimpleJob(warmupCount: 1, iterationCount: 5)]
public class NabCorpusDetectorBenchmarks
{
    private double[][] _series = [];

    public static IEnumerable<string> Detectors() => MethodCatalog.OfKind(MethodKind.Detector).Select(m => m.Name);

    [ParamsSource(nameof(Detectors))]
    public string Detector { get; set; } = "";

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
        foreach (var s in _series) acc += det.Score(s)[^1];
        return acc;
    }
}
