using AiopsLab.Causal;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Preparation;

namespace AiopsLab.Rca;

/// <summary>How the PageRank head builds its personalization (restart) vector.</summary>
public enum Personalization
{
    /// <summary>Uniform restart: plain PageRank, as RCAEval's PageRank heads (scikit-network's default seeds).</summary>
    Uniform,
    /// <summary>Restart proportional to each metric's N-sigma anomaly score (<see cref="GraphWindow.AnomalyScores"/>): personalized PageRank on the anomaly graph.</summary>
    Anomaly,
}

/// <summary>How the random-walk head weighs nodes (the relevances sᵢ of <see cref="RandomWalk"/>).</summary>
public enum WalkRelevance
{
    /// <summary>|Pearson correlation| of each metric with the start metric over the window (CloudRanger, MicroCause).</summary>
    Correlation,
    /// <summary>N-sigma anomaly scores (<see cref="GraphWindow.AnomalyScores"/>).</summary>
    Anomaly,
    /// <summary>
    /// All relevances 0, so every step jumps uniformly to any node and the graph is ignored: what RCAEval's
    /// <c>random_walk</c> head does, since it passes no scores to <c>RandomWalkScorer</c>. For replication only.
    /// </summary>
    Uniform,
}

/// <summary>Options every graph-based localizer shares: the data window and the head.</summary>
public abstract record GraphLocalizerOptions
{
    /// <summary>Rows kept before and from the anomaly time (RCAEval: 300 each); 0 keeps every row.</summary>
    public int Window { get; set; } = 300;

    /// <summary>Metric kinds left out and not ranked (RCAEval's Sock Shop rule: <c>lat_50;lat_99</c>).</summary>
    public string[] ExcludeKinds { get; set; } = [];

    /// <summary>Threads for causal discovery; 0 uses every core. Results do not depend on it.</summary>
    public int Parallelism { get; set; }
}

/// <summary>
/// Options of the PageRank head. The defaults run personalized PageRank on the reversed <i>anomaly graph</i>
/// (MicroRCA, Wu et al., NOMS 2020, §III-C/D): only metrics with an N-sigma score of at least 3 take part, the restart
/// vector is proportional to those scores, and the iteration runs to convergence. <see cref="Rcaeval"/> switches to
/// RCAEval's head instead: plain PageRank on the whole reversed graph, uniform restart, scikit-network's 10 power
/// iterations and dangling rule.
/// </summary>
public abstract record PageRankHeadOptions : GraphLocalizerOptions
{
    /// <summary>Damping factor d (0.85, the usual value and scikit-network's default).</summary>
    public double Damping { get; set; } = 0.85;

    /// <summary>Largest number of power iterations.</summary>
    public int Iterations { get; set; } = 100;

    /// <summary>Stop when the L1 change falls below this.</summary>
    public double Tolerance { get; set; } = 1e-10;

    /// <summary>Restart vector.</summary>
    public Personalization Personalization { get; set; } = Personalization.Anomaly;

    /// <summary>Treatment of nodes without out-links.</summary>
    public DanglingRule Dangling { get; set; } = DanglingRule.Personalization;

    /// <summary>Walk only on the anomaly graph: metrics whose N-sigma score is at least this (three-sigma rule); 0 keeps every metric.</summary>
    public double AnomalyThreshold { get; set; } = 3;

    /// <summary>
    /// Replicate RCAEval's PageRank head exactly (overrides the options above): uniform restart, the whole graph,
    /// damping 0.85, scikit-network 0.31's dangling rule, 10 iterations, tolerance 1e-6.
    /// </summary>
    public bool Rcaeval { get; set; }
}

/// <summary>
/// Options of the random-walk head. The defaults follow MicroCause (Meng et al., IWQoS 2020, §III-D/E): relevance is
/// |correlation| with the start metric, backward weight ρ = 0.2, and the final score mixes the visit frequency with the
/// anomaly degree, γ = λ·visits/max + (1 − λ)·η/max with λ = 0.5 (η: N-sigma scores here, SPOT in the paper).
/// <see cref="Rcaeval"/> switches to RCAEval's head: no relevances (so the walk ignores the graph), one step per node,
/// visits only.
/// </summary>
public abstract record RandomWalkHeadOptions : GraphLocalizerOptions
{
    /// <summary>Walk length.</summary>
    public int Steps { get; set; } = 10_000;

    /// <summary>Weight ρ of backward moves to effects (MicroCause's 0.2).</summary>
    public double Rho { get; set; } = 0.2;

    /// <summary>Node relevances.</summary>
    public WalkRelevance Relevance { get; set; } = WalkRelevance.Correlation;

    /// <summary>Weight 1 − λ of the anomaly degree in the final score (MicroCause: λ = 0.5); 0 ranks by visits alone (CloudRanger).</summary>
    public double AnomalyWeight { get; set; } = 0.5;

    /// <summary>
    /// Replicate RCAEval's random-walk head exactly (overrides the options above): all relevances 0, which makes every
    /// step uniform over all metrics whatever the graph, as many steps as metrics, ranking by visits.
    /// </summary>
    public bool Rcaeval { get; set; }
}

/// <summary>
/// A localizer made of causal discovery on the case's window and a ranking head (PageRank on the reversed graph, or a
/// random walk with backtracking), as RCAEval composes its PC-PageRank, PC-RW, Granger-PageRank, Granger-RW,
/// LiNGAM-PageRank and LiNGAM-RW baselines (Pham et al., ASE 2024, §2.3; <c>RCAEval/e2e/pc_pagerank.py</c>,
/// <c>pc_randomwalk.py</c>, <c>granger_pagerank.py</c>, <c>lingam_pagerank.py</c>).
/// </summary>
/// <remarks>
/// Differences from RCAEval's code, on purpose: (1) RCAEval's <c>pc_pagerank</c> builds its PageRank matrix from the
/// non-isolated nodes only but zips the scores with all column names, so with an isolated node every later score is
/// attached to the wrong metric and the last metrics are not ranked; here every metric keeps its own score. (2) RCAEval's
/// LiNGAM variants run ICA-LiNGAM; these run DirectLiNGAM. (3) RCAEval's random-walk head ignores the graph
/// (<see cref="WalkRelevance.Uniform"/>); here the walk is the MonitorRank/CloudRanger walk by default. (4) Ties are
/// broken by metric name, not column order.
/// </remarks>
public abstract class GraphLocalizer : IRootCauseLocalizer
{
    private readonly GraphLocalizerOptions _options;

    protected GraphLocalizer(GraphLocalizerOptions options)
    {
        _options = options;
        if (options.Window < 0) throw new ArgumentException("window must be ≥ 0 (0 keeps every row).");
        switch (options)
        {
            case PageRankHeadOptions pr:
                if (!(pr.Damping >= 0 && pr.Damping < 1)) throw new ArgumentException("damping must be in [0, 1).");
                if (pr.Iterations < 1) throw new ArgumentException("iterations must be at least 1.");
                if (!(pr.Tolerance > 0)) throw new ArgumentException("tolerance must be positive.");
                if (!(pr.AnomalyThreshold >= 0)) throw new ArgumentException("anomaly-threshold must be ≥ 0.");
                break;
            case RandomWalkHeadOptions rw:
                if (rw.Steps < 1) throw new ArgumentException("steps must be at least 1.");
                if (!(rw.Rho >= 0)) throw new ArgumentException("rho must be ≥ 0.");
                if (!(rw.AnomalyWeight >= 0 && rw.AnomalyWeight <= 1)) throw new ArgumentException("anomaly-weight must be in [0, 1].");
                break;
        }
    }

    /// <summary>Throws a clear error for a significance level outside (0, 1).</summary>
    protected static double CheckAlpha(double alpha) =>
        alpha > 0 && alpha < 1 ? alpha : throw new ArgumentException("alpha must be in (0, 1).");

    /// <summary>Throws a clear error for a lag below 1.</summary>
    protected static int CheckLag(int lag) =>
        lag >= 1 ? lag : throw new ArgumentException("max-lag must be at least 1.");

    public abstract string Name { get; }

    /// <summary>The discovery step, configured from the options.</summary>
    protected abstract IGraphDiscovery Discovery { get; }

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var w = GraphWindow.Of(problem, _options.Window, _options.ExcludeKinds);
        if (w.Names.Count == 0) return w.Result([]);
        var graph = Discovery.Discover(w, ct);
        ct.ThrowIfCancellationRequested();
        var scores = _options switch
        {
            PageRankHeadOptions pr => PageRankHead(graph, w, pr),
            RandomWalkHeadOptions rw => WalkHead(graph, w, problem, rw, ct),
            _ => throw new InvalidOperationException("unknown head."),
        };
        return w.Result(scores, new Dictionary<string, double>
        {
            ["graph_adjacencies"] = graph.AdjacencyCount,
            ["graph_arrows"] = graph.ArrowCount,
        });
    }

    private static double[] PageRankHead(CausalGraph graph, GraphWindow w, PageRankHeadOptions o)
    {
        if (o.Rcaeval)
            return PageRank.Compute(graph.Reverse(), null, 0.85, 10, 1e-6, DanglingRule.ScikitNetwork);
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

    private static double[] WalkHead(CausalGraph graph, GraphWindow w, RcaProblem problem, RandomWalkHeadOptions o, CancellationToken ct)
    {
        int n = w.Names.Count;
        var anomaly = w.AnomalyScores();
        var rng = Rng.For(problem.Seed, "random-walk");
        if (o.Rcaeval)
            return RandomWalk.Visits(graph, new double[n], rng.NextInt(n), n, 0.5, rng, ct);
        int start = StartNode(w, problem, anomaly);
        double[] relevance = o.Relevance switch
        {
            WalkRelevance.Uniform => new double[n],
            WalkRelevance.Anomaly => anomaly,
            _ => w.Columns.Select(c => AbsPearson(c, w.Columns[start])).ToArray(),
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
    internal static int StartNode(GraphWindow w, RcaProblem problem, double[] anomaly)
    {
        var names = w.Names.ToList();
        int best = -1;
        foreach (var sli in problem.Slis)
        {
            int k = names.IndexOf(sli);
            if (k >= 0 && (best < 0 || anomaly[k] > anomaly[best])) best = k;
        }
        if (best >= 0) return best;
        best = 0;
        for (int j = 1; j < anomaly.Length; j++) if (anomaly[j] > anomaly[best]) best = j;
        return best;
    }

    private static double AbsPearson(double[] x, double[] y)
    {
        int n = x.Length;
        if (n < 2) return 0;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int t = 0; t < n; t++)
        {
            double a = x[t] - mx, b = y[t] - my;
            sxy += a * b; sxx += a * a; syy += b * b;
        }
        return sxx > 0 && syy > 0 ? Math.Min(1, Math.Abs(sxy / Math.Sqrt(sxx * syy))) : 0;
    }
}

/// <summary>PC-PageRank: PC (Fisher-z, PC-stable) on the window, then PageRank on the reversed graph.</summary>
[Method("pc-pagerank", Summary = "PC causal graph (Fisher-z), PageRank on the reversed graph (RCAEval's PC-PageRank).",
    Citation = "Spirtes et al. 2000; Colombo & Maathuis, JMLR 2014; Page et al. 1999; RCAEval (Pham et al., ASE 2024)")]
public sealed class PcPageRank(PcPageRank.Options options) : GraphLocalizer(options)
{
    public PcPageRank() : this(new Options()) { }

    private readonly double _alpha = CheckAlpha(options.Alpha);

    public sealed record Options : PageRankHeadOptions
    {
        /// <summary>Significance level of the Fisher-z tests.</summary>
        public double Alpha { get; set; } = 0.05;
        /// <summary>Largest conditioning set; -1 for no limit.</summary>
        public int MaxDepth { get; set; } = -1;
        /// <summary>Order-independent skeleton (RCAEval's default, causal-learn <c>stable=True</c>).</summary>
        public bool Stable { get; set; } = true;
    }

    public override string Name => "pc-pagerank";

    protected override IGraphDiscovery Discovery => new PcDiscovery(new PcOptions
    {
        Alpha = _alpha, MaxDepth = options.MaxDepth, Stable = options.Stable, Parallelism = options.Parallelism,
    });
}

/// <summary>PC-RandomWalk: PC (Fisher-z, PC-stable) on the window, then the random walk with backtracking.</summary>
[Method("pc-randomwalk", Summary = "PC causal graph (Fisher-z), random walk with backtracking (RCAEval's PC-RW).",
    Citation = "Spirtes et al. 2000; Colombo & Maathuis, JMLR 2014; CloudRanger (Wang et al., CCGRID 2018); RCAEval (Pham et al., ASE 2024)")]
public sealed class PcRandomWalk(PcRandomWalk.Options options) : GraphLocalizer(options)
{
    public PcRandomWalk() : this(new Options()) { }

    private readonly double _alpha = CheckAlpha(options.Alpha);

    public sealed record Options : RandomWalkHeadOptions
    {
        /// <summary>Significance level of the Fisher-z tests.</summary>
        public double Alpha { get; set; } = 0.05;
        /// <summary>Largest conditioning set; -1 for no limit.</summary>
        public int MaxDepth { get; set; } = -1;
        /// <summary>Order-independent skeleton.</summary>
        public bool Stable { get; set; } = true;
    }

    public override string Name => "pc-randomwalk";

    protected override IGraphDiscovery Discovery => new PcDiscovery(new PcOptions
    {
        Alpha = _alpha, MaxDepth = options.MaxDepth, Stable = options.Stable, Parallelism = options.Parallelism,
    });
}

/// <summary>Granger-PageRank: pairwise Granger causality, then PageRank on the reversed graph.</summary>
[Method("granger-pagerank", Summary = "Pairwise Granger-causality graph, PageRank on the reversed graph (RCAEval's Granger-PageRank).",
    Citation = "Granger, Econometrica 1969; Page et al. 1999; RCAEval (Pham et al., ASE 2024)")]
public sealed class GrangerPageRank(GrangerPageRank.Options options) : GraphLocalizer(options)
{
    public GrangerPageRank() : this(new Options()) { }

    private readonly double _alpha = CheckAlpha(options.Alpha);
    private readonly int _lag = CheckLag(options.MaxLag);

    public sealed record Options : PageRankHeadOptions
    {
        /// <summary>Lags 1..max-lag are tested (RCAEval: 3).</summary>
        public int MaxLag { get; set; } = 3;
        /// <summary>Significance level.</summary>
        public double Alpha { get; set; } = 0.05;
        /// <summary>p-value used (RCAEval averages four).</summary>
        public GrangerTest Test { get; set; } = GrangerTest.RcaEvalAverage;
    }

    public override string Name => "granger-pagerank";

    protected override IGraphDiscovery Discovery => new GrangerDiscovery(new GrangerOptions
    {
        MaxLag = _lag, Alpha = _alpha, Test = options.Test, Parallelism = options.Parallelism,
    });
}

/// <summary>Granger-RandomWalk: pairwise Granger causality, then the random walk with backtracking.</summary>
[Method("granger-randomwalk", Summary = "Pairwise Granger-causality graph, random walk with backtracking (RCAEval's Granger-RW).",
    Citation = "Granger, Econometrica 1969; CloudRanger (Wang et al., CCGRID 2018); RCAEval (Pham et al., ASE 2024)")]
public sealed class GrangerRandomWalk(GrangerRandomWalk.Options options) : GraphLocalizer(options)
{
    public GrangerRandomWalk() : this(new Options()) { }

    private readonly double _alpha = CheckAlpha(options.Alpha);
    private readonly int _lag = CheckLag(options.MaxLag);

    public sealed record Options : RandomWalkHeadOptions
    {
        /// <summary>Lags 1..max-lag are tested (RCAEval: 3).</summary>
        public int MaxLag { get; set; } = 3;
        /// <summary>Significance level.</summary>
        public double Alpha { get; set; } = 0.05;
        /// <summary>p-value used (RCAEval averages four).</summary>
        public GrangerTest Test { get; set; } = GrangerTest.RcaEvalAverage;
    }

    public override string Name => "granger-randomwalk";

    protected override IGraphDiscovery Discovery => new GrangerDiscovery(new GrangerOptions
    {
        MaxLag = _lag, Alpha = _alpha, Test = options.Test, Parallelism = options.Parallelism,
    });
}

/// <summary>LiNGAM-PageRank: DirectLiNGAM, then PageRank on the reversed graph.</summary>
[Method("lingam-pagerank", Summary = "DirectLiNGAM causal graph, PageRank on the reversed graph (RCAEval's LiNGAM-PageRank, with DirectLiNGAM).",
    Citation = "Shimizu et al., JMLR 2011; Page et al. 1999; RCAEval (Pham et al., ASE 2024)")]
public sealed class LingamPageRank(LingamPageRank.Options options) : GraphLocalizer(options)
{
    public LingamPageRank() : this(new Options()) { }

    public sealed record Options : PageRankHeadOptions
    {
        /// <summary>Prune connection strengths with the adaptive lasso (BIC).</summary>
        public bool AdaptiveLasso { get; set; } = true;
    }

    public override string Name => "lingam-pagerank";

    protected override IGraphDiscovery Discovery => new LingamDiscovery(new DirectLingamOptions
    {
        AdaptiveLasso = options.AdaptiveLasso, Parallelism = options.Parallelism,
    });
}

/// <summary>LiNGAM-RandomWalk: DirectLiNGAM, then the random walk with backtracking.</summary>
[Method("lingam-randomwalk", Summary = "DirectLiNGAM causal graph, random walk with backtracking (RCAEval's LiNGAM-RW, with DirectLiNGAM).",
    Citation = "Shimizu et al., JMLR 2011; CloudRanger (Wang et al., CCGRID 2018); RCAEval (Pham et al., ASE 2024)")]
public sealed class LingamRandomWalk(LingamRandomWalk.Options options) : GraphLocalizer(options)
{
    public LingamRandomWalk() : this(new Options()) { }

    public sealed record Options : RandomWalkHeadOptions
    {
        /// <summary>Prune connection strengths with the adaptive lasso (BIC).</summary>
        public bool AdaptiveLasso { get; set; } = true;
    }

    public override string Name => "lingam-randomwalk";

    protected override IGraphDiscovery Discovery => new LingamDiscovery(new DirectLingamOptions
    {
        AdaptiveLasso = options.AdaptiveLasso, Parallelism = options.Parallelism,
    });
}
