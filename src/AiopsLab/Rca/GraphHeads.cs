using AiopsLab.Causal;
using AiopsLab.Numerics;
using AiopsLab.Preparation;

namespace AiopsLab.Rca;

/// <summary>How the PageRank head builds its personalization (restart) vector.</summary>
public enum Personalization
{
    /// <summary>Uniform restart: plain PageRank, as RCAEval's PageRank heads (scikit-network's default seeds).</summary>
    Uniform,
    /// <summary>Restart proportional to each metric's N-sigma anomaly score (<see cref="PreparedWindow.AnomalyScores"/>): personalized PageRank on the anomaly graph.</summary>
    Anomaly,
}

/// <summary>How the random-walk head weighs nodes (the relevances sᵢ of <see cref="RandomWalk"/>).</summary>
public enum WalkRelevance
{
    /// <summary>|Pearson correlation| of each metric with the start metric over the window (CloudRanger, MicroCause).</summary>
    Correlation,
    /// <summary>N-sigma anomaly scores (<see cref="PreparedWindow.AnomalyScores"/>).</summary>
    Anomaly,
    /// <summary>
    /// All relevances 0, so every step jumps uniformly to any node and the graph is ignored: what RCAEval's
    /// <c>random_walk</c> head does, since it passes no scores to <c>RandomWalkScorer</c>. For replication only.
    /// </summary>
    Uniform,
}

/// <summary>
/// The second half of a graph-based localizer: turns a causal graph (cause → effect) over a prepared window's columns
/// into one score per column, higher = more likely root cause. Pairs with any <see cref="IGraphDiscovery"/>.
/// </summary>
public interface IGraphScoringHead
{
    /// <summary>Short name used in specs (<c>pagerank</c>, <c>randomwalk</c>).</summary>
    string Name { get; }

    /// <summary>One score per column of <paramref name="window"/> (its randomness only from the problem's seed).</summary>
    double[] Score(CausalGraph graph, PreparedWindow window, CancellationToken ct = default);
}

/// <summary>
/// PageRank on the reversed causal graph (Page et al. 1999; MicroRCA, Wu et al., NOMS 2020, §III-C/D): by default
/// personalized PageRank on the <i>anomaly graph</i>; with <see cref="PageRankHeadOptions.Rcaeval"/>, RCAEval's plain
/// PageRank (see <see cref="PageRankHeadOptions"/>).
/// </summary>
public sealed class PageRankHead : IGraphScoringHead
{
    private readonly PageRankHeadOptions _o;
    private readonly bool _pcPairing;

    /// <param name="options">Head options.</param>
    /// <param name="rcaevalPcPairing">
    /// With <see cref="PageRankHeadOptions.Rcaeval"/>: reproduce RCAEval 0.1.6's <c>pc_pagerank</c> pairing bug (see
    /// <see cref="RcaevalPcPageRank"/>). Set by the PC-based localizers only: RCAEval's Granger and LiNGAM heads pass the
    /// full adjacency matrix and pair names correctly.
    /// </param>
    public PageRankHead(PageRankHeadOptions options, bool rcaevalPcPairing = false)
    {
        if (!(options.Damping >= 0 && options.Damping < 1)) throw new ArgumentException("damping must be in [0, 1).");
        if (options.Iterations < 1) throw new ArgumentException("iterations must be at least 1.");
        if (!(options.Tolerance > 0)) throw new ArgumentException("tolerance must be positive.");
        if (!(options.AnomalyThreshold >= 0)) throw new ArgumentException("anomaly-threshold must be ≥ 0.");
        _o = options;
        _pcPairing = rcaevalPcPairing;
    }

    public string Name => "pagerank";

    /// <summary>
    /// What RCAEval 0.1.6's <c>pc_pagerank</c> computes, bug included: it builds a networkx graph from the PC edges, so
    /// isolated metrics are not nodes; PageRank (scikit-network, uniform restart, 10 iterations) runs on the reversed
    /// graph of the m non-isolated metrics in column order, and its m scores are zipped with the <i>first m column
    /// names</i>, so the k-th non-isolated metric's score is reported for column k and columns m.. are left out of the
    /// ranking (NaN here: they rank last, by name). With no edge at all the code fails and RCAEval's <c>@rca</c>
    /// wrapper returns the columns in their order (here: scores n − j).
    /// </summary>
    public static double[] RcaevalPcPageRank(CausalGraph graph)
    {
        int n = graph.Count;
        var live = Enumerable.Range(0, n).Where(i => Enumerable.Range(0, n).Any(j => j != i && graph.Adjacent(i, j))).ToArray();
        var scores = new double[n];
        if (live.Length == 0)
        {
            for (int j = 0; j < n; j++) scores[j] = n - j;
            return scores;
        }
        var position = new int[n];
        Array.Fill(position, -1);
        for (int k = 0; k < live.Length; k++) position[live[k]] = k;
        var sub = CausalGraph.FromArrows(live.Select(i => graph.Names[i]).ToArray(),
            graph.Arrows.Select(a => (position[a.From], position[a.To])));
        var pr = PageRank.Compute(sub.Reverse(), null, 0.85, 10, 1e-6, DanglingRule.ScikitNetwork);
        Array.Fill(scores, double.NaN);
        for (int k = 0; k < live.Length; k++) scores[k] = pr[k]; // column k, not column live[k]: RCAEval's zip
        return scores;
    }

    public double[] Score(CausalGraph graph, PreparedWindow w, CancellationToken ct = default)
    {
        var o = _o;
        if (o.Rcaeval)
            return _pcPairing ? RcaevalPcPageRank(graph) : PageRank.Compute(graph.Reverse(), null, 0.85, 10, 1e-6, DanglingRule.ScikitNetwork);
        var anomaly = w.AnomalyScores();
        var v = o.Personalization == Personalization.Anomaly ? anomaly : null;
        var keep = Enumerable.Range(0, graph.Count).Where(i => anomaly[i] >= o.AnomalyThreshold).ToArray();
        if (o.AnomalyThreshold <= 0 || keep.Length == 0 || keep.Length == graph.Count)
            return PageRank.Compute(graph.Reverse(), v, o.Damping, o.Iterations, o.Tolerance, o.Dangling);
        // The anomaly graph: the subgraph on anomalous metrics. The others rank after them, by anomaly score.
        var position = new int[graph.Count];
        Array.Fill(position, -1);
        for (int k = 0; k < keep.Length; k++) position[keep[k]] = k;
        var sub = CausalGraph.FromArrows(keep.Select(i => graph.Names[i]).ToArray(),
            graph.Arrows.Where(a => position[a.From] >= 0 && position[a.To] >= 0).Select(a => (position[a.From], position[a.To])));
        var pr = PageRank.Compute(sub.Reverse(), v is null ? null : keep.Select(i => v[i]).ToArray(), o.Damping, o.Iterations, o.Tolerance, o.Dangling);
        var scores = anomaly.Select(a => -1 / (1 + a)).ToArray(); // in (−1, 0): below every PageRank score
        for (int k = 0; k < keep.Length; k++) scores[keep[k]] = pr[k];
        return scores;
    }
}

/// <summary>
/// The random walk with backtracking (<see cref="RandomWalk"/>; MonitorRank, CloudRanger, MicroCause): by default
/// MicroCause's walk and final score; with <see cref="RandomWalkHeadOptions.Rcaeval"/>, RCAEval's graph-blind walk
/// (see <see cref="RandomWalkHeadOptions"/>).
/// </summary>
public sealed class RandomWalkHead : IGraphScoringHead
{
    private readonly RandomWalkHeadOptions _o;

    public RandomWalkHead(RandomWalkHeadOptions options)
    {
        if (options.Steps < 1) throw new ArgumentException("steps must be at least 1.");
        if (!(options.Rho >= 0)) throw new ArgumentException("rho must be ≥ 0.");
        if (!(options.AnomalyWeight >= 0 && options.AnomalyWeight <= 1)) throw new ArgumentException("anomaly-weight must be in [0, 1].");
        _o = options;
    }

    public string Name => "randomwalk";

    public double[] Score(CausalGraph graph, PreparedWindow w, CancellationToken ct = default)
    {
        var o = _o;
        int n = w.Names.Count;
        var anomaly = w.AnomalyScores();
        var rng = Rng.For(w.Problem.Seed, "random-walk");
        if (o.Rcaeval)
            return RandomWalk.Visits(graph, new double[n], rng.NextInt(n), n, 0.5, rng, ct);
        int start = StartNode(w, anomaly);
        double[] relevance = o.Relevance switch
        {
            WalkRelevance.Uniform => new double[n],
            WalkRelevance.Anomaly => anomaly,
            _ => Enumerable.Range(0, n).Select(j => w.AbsCorrelation(j, start)).ToArray(),
        };
        var visits = RandomWalk.Visits(graph, relevance, start, o.Steps, o.Rho, rng, ct);
        if (!(o.AnomalyWeight > 0)) return visits;
        // MicroCause's final score γ = λ·visits/max visits + (1 − λ)·η/max η, η the anomaly degree.
        double vmax = visits.Max(), amax = anomaly.Max();
        return visits.Select((v, i) => (1 - o.AnomalyWeight) * (vmax > 0 ? v / vmax : 0) + o.AnomalyWeight * (amax > 0 ? anomaly[i] / amax : 0)).ToArray();
    }

    /// <summary>
    /// Where the walk starts: among the dataset's SLIs that are kept columns, the most anomalous one (the violated
    /// front-end indicator MonitorRank and CloudRanger start from); without SLIs, the metric with the largest N-sigma
    /// score. Ties go to the first column.
    /// </summary>
    internal static int StartNode(PreparedWindow w, double[] anomaly)
    {
        var names = w.Names.ToList();
        int best = -1;
        foreach (var sli in w.Problem.Slis)
        {
            int k = names.IndexOf(sli);
            if (k >= 0 && (best < 0 || anomaly[k] > anomaly[best])) best = k;
        }
        if (best >= 0) return best;
        best = 0;
        for (int j = 1; j < anomaly.Length; j++) if (anomaly[j] > anomaly[best]) best = j;
        return best;
    }
}
