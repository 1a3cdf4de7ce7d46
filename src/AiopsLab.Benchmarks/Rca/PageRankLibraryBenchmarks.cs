using AiopsLab.Causal;
using AiopsLab.Numerics;
using AiopsLab.Rca;
using BenchmarkDotNet.Attributes;
using QuikGraph;
using QuikGraph.Algorithms.Ranking;

namespace AiopsLab.Benchmarks.Rca;

/// <summary>
/// Our PageRank (<see cref="PageRank.Compute"/>) against QuikGraph 2.5.0's <c>PageRankAlgorithm</c> on the same random
/// directed graphs (every node 1–5 out-links, so no dangling node: the case both define the same way), uniform restart,
/// damping 0.85, tolerance 1e-10. QuikGraph has no personalization vector and drops a dangling node's mass, so only this
/// case can be compared; <see cref="Setup"/> checks that both give the same ranking (QuikGraph's ranks sum to n: divided
/// by n they must match ours within 1e-6) before anything is timed. QuikGraph's graph is built once in the setup; ours is
/// given a <see cref="CausalGraph"/> and builds its adjacency lists on every call, as the RCA heads call it.
/// <c>dotnet run -c Release --project src/AiopsLab.Benchmarks -- --filter '*PageRankLibrary*'</c>; results in docs/libraries.md.
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 9)]
public class PageRankLibraryBenchmarks
{
    [Params(40, 400)]
    public int Nodes { get; set; }

    private CausalGraph _ours = null!;
    private BidirectionalGraph<int, Edge<int>> _quik = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(5);
        var arrows = new List<(int, int)>();
        for (int i = 0; i < Nodes; i++)
        {
            int links = 1 + rng.NextInt(5);
            foreach (var j in Enumerable.Range(0, Nodes).Where(j => j != i).OrderBy(_ => rng.NextDouble()).Take(links)) arrows.Add((i, j));
        }
        _ours = CausalGraph.FromArrows(Enumerable.Range(0, Nodes).Select(i => "m" + i).ToArray(), arrows);
        _quik = new BidirectionalGraph<int, Edge<int>>();
        _quik.AddVertexRange(Enumerable.Range(0, Nodes));
        _quik.AddEdgeRange(arrows.Select(a => new Edge<int>(a.Item1, a.Item2)));

        var a = Ours();
        var b = QuikGraphRanks();
        double worst = Enumerable.Range(0, Nodes).Max(i => Math.Abs(a[i] - b.Ranks[i] / Nodes));
        if (worst > 1e-6) throw new InvalidOperationException($"the two PageRanks disagree by {worst} on {Nodes} nodes.");
    }

    [Benchmark(Baseline = true, Description = "AiopsLab PageRank.Compute")]
    public double[] Ours() => PageRank.Compute(_ours, damping: 0.85, iterations: 1000, tolerance: 1e-10);

    [Benchmark(Description = "QuikGraph PageRankAlgorithm")]
    public PageRankAlgorithm<int, Edge<int>> QuikGraphRanks()
    {
        var pr = new PageRankAlgorithm<int, Edge<int>>(_quik) { Damping = 0.85, Tolerance = 1e-10, MaxIterations = 1000 };
        pr.Compute();
        return pr;
    }
}
