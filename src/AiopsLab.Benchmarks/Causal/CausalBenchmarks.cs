using AiopsLab.Causal;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Rca;
using BenchmarkDotNet.Attributes;
using AiopsLab.Catalog;

namespace AiopsLab.Benchmarks.Causal;

/// <summary>
/// PC with Fisher-z tests on 50 variables × 1,200 samples of a sparse random linear-Gaussian DAG (expected degree 2),
/// the correlation matrix included, on one and on two threads; Granger and DirectLiNGAM on the same data for scale.
/// <c>dotnet run -c Release --project src/AiopsLab.Benchmarks -- --filter '*CausalDiscovery*'</c>
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 7)]
public class CausalDiscoveryBenchmarks
{
    private SimulatedData _data = null!;

    [GlobalSetup]
    public void Setup() => _data = SemSimulator.Linear(50, 2.0 / 49, 1200, new Rng(2024));

    [Benchmark(Description = "PC-stable Fisher-z, 50 vars x 1200, 1 thread")]
    public CausalGraph PcOneThread() => Pc.Run(new FisherZ(_data.Columns), _data.Names, new PcOptions { Parallelism = 1 }).Graph;

    [Benchmark(Description = "PC-stable Fisher-z, 50 vars x 1200, 2 threads")]
    public CausalGraph PcTwoThreads() => Pc.Run(new FisherZ(_data.Columns), _data.Names, new PcOptions { Parallelism = 2 }).Graph;

    [Benchmark(Description = "Granger (lags 1-3), 50 vars x 1200, 2 threads")]
    public CausalGraph Granger50() => Granger.Run(_data.Columns, _data.Names, new GrangerOptions { Parallelism = 2 });

    [Benchmark(Description = "DirectLiNGAM, 50 vars x 1200, 2 threads")]
    public CausalGraph Lingam50() => DirectLingam.Run(_data.Columns, _data.Names, new DirectLingamOptions { Parallelism = 2 }).Graph;
}

/// <summary>
/// Every graph-based localizer on one rcd-sockshop case (carts-cpu/1: 574 rows × 38 metrics, all columns, default
/// options). RCAEval reports 1.5 s per case for PC-PageRank on this data (ASE 2024, Table 6).
/// <c>dotnet run -c Release --project src/AiopsLab.Benchmarks -- --filter '*GraphRca*'</c>
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 7)]
public class GraphRcaBenchmarks : SockShopCaseBenchmark
{
    private IRootCauseLocalizer _localizer = null!;

    [Params("pc-pagerank", "pc-randomwalk", "granger-pagerank", "granger-randomwalk", "lingam-pagerank", "lingam-randomwalk", "rcd", "circa",
        "pc-pagerank(rcaeval=true)")]
    public string Method { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        LoadCase();
        _localizer = MethodCatalog.CreateLocalizer(Method);
    }

    [Benchmark(Description = "one rcd-sockshop case")]
    public RcaResult Localize() => _localizer.Localize(Case);
}
