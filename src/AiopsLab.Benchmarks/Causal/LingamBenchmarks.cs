using AiopsLab.Causal;
using AiopsLab.Datasets;
using AiopsLab.Methods;
using AiopsLab.Preparation;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AiopsLab.Benchmarks.Causal;

/// <summary>
/// DirectLiNGAM on the windows the graph localizers give it (300 rows each side, constant columns dropped) in two real
/// cases: PetShop <c>high_traffic/train/issue_0</c> (248 columns × 305 rows) and Nezha Train Ticket
/// <c>2023-01-29/04</c> (525 columns × 15 rows); the causal order alone and the whole fit (order and adaptive lasso),
/// on two threads as in <c>reproduce</c>. Figures in docs/causal.md (DirectLiNGAM speed).
/// <c>dotnet src/AiopsLab.Benchmarks/bin/Release/net10.0/AiopsLab.Benchmarks.dll --filter '*Lingam*'</c>: one in-process job,
/// 1 warm-up and 5 iterations (no generated project to build, and <c>--inProcess</c> is not needed: it would add a
/// second job).
/// </summary>
[Config(typeof(InProcessFive))]
public class LingamBenchmarks
{
    /// <summary>In-process, 1 warm-up, 5 iterations.</summary>
    public sealed class InProcessFive : ManualConfig
    {
        /// <summary>The one job.</summary>
        public InProcessFive() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(5));
    }

    private PreparedWindow _window = null!;

    [Params("petshop:high_traffic/train/issue_0", "nezha:2023-01-29/04")]
    public string Case { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var (dataset, id) = (Case[..Case.IndexOf(':')], Case[(Case.IndexOf(':') + 1)..]);
        var ds = DatasetCatalog.Open(dataset, BenchData.Root);
        var c = ds.Load(ds.Cases.Single(x => x.Id == id));
        _window = PreparedWindow.Of(new RcaProblem(c.Metrics, c.Label.InjectTime, c.CallGraph, c.Naming), WindowRecipe.Graph(300));
    }

    [Benchmark(Description = "DirectLiNGAM causal order, 2 threads")]
    public int[] Order() => DirectLingam.CausalOrder(_window.Columns, new DirectLingamOptions { Parallelism = 2 });

    [Benchmark(Description = "DirectLiNGAM order + adaptive lasso, 2 threads")]
    public double[,] Fit() => DirectLingam.Run(_window.Columns, _window.Names, new DirectLingamOptions { Parallelism = 2 }).Coefficients;
}
