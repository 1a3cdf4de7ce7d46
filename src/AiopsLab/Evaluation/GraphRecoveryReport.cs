using System.Globalization;
using AiopsLab.Datasets.Synthetic;
using AiopsLab.Numerics;
using AiopsLab.Rca;
using AiopsLab.Causal;
using AiopsLab.Preparation;
using AiopsLab.Methods;

namespace AiopsLab.Evaluation;

/// <summary>Mean structure-recovery scores of one discovery method on one benchmark.</summary>
public sealed record GraphRecoveryRow(string Benchmark, string Method, int Cases, double SkeletonF1, double ArrowF1, double Shd, double MedianMilliseconds);

/// <summary>
/// Structure recovery of PC, Granger and DirectLiNGAM on data with a known causal graph, scored with
/// <see cref="GraphMetrics"/> (RCAEval's F1, F1-S and SHD): the synthetic fault-injection benchmark
/// (<see cref="SyntheticBenchmark"/>, <c>FaultCase.TrueCausalGraph</c>) and CIRCA-style vector auto-regressions
/// (<see cref="SemSimulator.CircaVar"/>, RCAEval's "CIRCA10" setting: 10 nodes, 20 edges, 1,440 samples).
/// </summary>
public static class GraphRecoveryReport
{
    /// <summary>
    /// Scores on <paramref name="cases"/> cases of the synthetic benchmark (default options, seed 42), learning from each
    /// case's whole series (normal and anomalous rows, as the localizers do).
    /// </summary>
    public static IReadOnlyList<GraphRecoveryRow> Synthetic(int cases, CancellationToken ct = default)
    {
        var bench = new SyntheticBenchmark(new SyntheticOptions { Cases = cases });
        var data = bench.Cases.Select(d => bench.Load(d, ct)).Select(c =>
        {
            var p = new RcaProblem(c.Metrics, c.Label.InjectTime, c.CallGraph, c.Naming);
            var w = PreparedWindow.Of(p, WindowRecipe.Graph(0));
            return (w.Names, w.Columns, Truth: CausalGraph.FromDirectedGraph(c.TrueCausalGraph!, w.Names));
        }).ToList();
        return Score("synthetic", data, absolute: false, ct);
    }

    /// <summary>
    /// Scores on CIRCA-style data: <paramref name="graphs"/> random graphs × <paramref name="casesPerGraph"/> samples
    /// each, <paramref name="nodes"/> nodes and <paramref name="edges"/> edges, 1,440 samples. With
    /// <paramref name="absolute"/>, PC and LiNGAM see |x| as in RCAEval's <c>rq1.py</c> (<c>np.absolute</c>); Granger
    /// always sees the raw series (as there).
    /// </summary>
    public static IReadOnlyList<GraphRecoveryRow> Circa(int graphs, int casesPerGraph, int nodes = 10, int edges = 20, bool absolute = true, CancellationToken ct = default)
    {
        var data = new List<(IReadOnlyList<string>, IReadOnlyList<double[]>, CausalGraph)>();
        for (int g = 0; g < graphs; g++)
            for (int c = 0; c < casesPerGraph; c++)
            {
                // One graph per g (same seed for the structure), new noise per case.
                var structure = Rng.For(519, "circa-graph", g.ToString(CultureInfo.InvariantCulture));
                var sim = SemSimulator.CircaVar(nodes, edges, 1440, structure, noise: Rng.For(519, "circa-case", g.ToString(CultureInfo.InvariantCulture), c.ToString(CultureInfo.InvariantCulture)));
                data.Add((sim.Names, sim.Columns, sim.Truth));
            }
        return Score($"circa{nodes}{(absolute ? "-abs" : "")}", data, absolute, ct);
    }

    private static IReadOnlyList<GraphRecoveryRow> Score(string bench, IReadOnlyList<(IReadOnlyList<string> Names, IReadOnlyList<double[]> Columns, CausalGraph Truth)> data, bool absolute, CancellationToken ct)
    {
        var methods = new (string Name, bool UsesAbsolute, Func<IReadOnlyList<double[]>, IReadOnlyList<string>, CausalGraph> Run)[]
        {
            ("PC (stable)", true, (c, n) => Pc.Run(new FisherZ(c), n, new PcOptions(), null, ct).Graph),
            ("PC (original order-dependent)", true, (c, n) => Pc.Run(new FisherZ(c), n, new PcOptions { Stable = false }, null, ct).Graph),
            ("Granger (F-test)", false, (c, n) => Granger.Run(c, n, new GrangerOptions(), ct)),
            ("Granger (RCAEval average)", false, (c, n) => Granger.Run(c, n, new GrangerOptions { Test = GrangerTest.RcaEvalAverage }, ct)),
            ("DirectLiNGAM", true, (c, n) => DirectLingam.Run(c, n, null, ct).Graph),
        };
        var rows = new List<GraphRecoveryRow>();
        foreach (var (name, usesAbs, run) in methods)
        {
            var scores = new List<GraphComparison>();
            var ms = new List<double>();
            foreach (var (names, cols, truth) in data)
            {
                ct.ThrowIfCancellationRequested();
                var input = absolute && usesAbs ? cols.Select(c => c.Select(Math.Abs).ToArray()).ToArray() : cols;
                var sw = System.Diagnostics.Stopwatch.StartNew();
                var g = run(input, names);
                ms.Add(sw.Elapsed.TotalMilliseconds);
                scores.Add(GraphMetrics.Compare(truth, g));
            }
            ms.Sort();
            rows.Add(new GraphRecoveryRow(bench, name, data.Count, scores.Average(s => s.SkeletonF1), scores.Average(s => s.ArrowF1),
                scores.Average(s => s.Shd), ms[ms.Count / 2]));
        }
        return rows;
    }

    /// <summary>The rows as a Markdown table.</summary>
    public static string Markdown(IEnumerable<GraphRecoveryRow> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            "| benchmark | method | cases | F1 (arrows) | F1-S (skeleton) | SHD | median ms |",
            "|---|---|---:|---:|---:|---:|---:|",
        };
        lines.AddRange(rows.Select(r => string.Create(inv,
            $"| {r.Benchmark} | {r.Method} | {r.Cases} | {r.ArrowF1:F2} | {r.SkeletonF1:F2} | {r.Shd:F1} | {r.MedianMilliseconds:F1} |")));
        return string.Join("\n", lines);
    }
}
