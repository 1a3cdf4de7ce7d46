using AiopsLab.Causal;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Preparation;

namespace AiopsLab.Rca;

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
public record PageRankHeadOptions : GraphLocalizerOptions
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
    /// damping 0.85, scikit-network 0.31's dangling rule, 10 iterations, tolerance 1e-6. For <c>pc-pagerank</c> (and
    /// <c>graph-rca</c> with <c>graph=pc</c>) also RCAEval's name-pairing bug: PageRank over the non-isolated metrics
    /// zipped with all column names, so scores land on the wrong metrics whenever PC leaves a metric isolated
    /// (<see cref="PageRankHead.RcaevalPcPageRank"/>). With PC, the graph is also oriented in causal-learn's order
    /// (<see cref="PcOptions.OrientLikeCausalLearn"/>), and where causal-learn's Fisher-z raises the columns are returned
    /// unranked, as RCAEval's <c>@rca</c> wrapper does (<see cref="GraphLocalizer.RcaevalFallback"/>). The default (false)
    /// is the correct head.
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
public record RandomWalkHeadOptions : GraphLocalizerOptions
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
/// A localizer made of causal discovery on the case's window (<see cref="IGraphDiscovery"/>: PC, Granger, LiNGAM, the
/// structural graph) and a scoring head (<see cref="IGraphScoringHead"/>: PageRank on the reversed graph, or a random
/// walk with backtracking), as RCAEval composes its PC-PageRank, PC-RW, Granger-PageRank, Granger-RW, LiNGAM-PageRank and
/// LiNGAM-RW baselines (Pham et al., ASE 2024, §2.3; <c>RCAEval/e2e/pc_pagerank.py</c>, <c>pc_randomwalk.py</c>,
/// <c>granger_pagerank.py</c>, <c>lingam_pagerank.py</c>). The six RCAEval names are presets of this class
/// (<see cref="PcPageRank"/>, …); <see cref="GraphRca"/> composes any graph with any head.
/// </summary>
/// <remarks>
/// Differences from RCAEval's code in the default mode, on purpose: (1) RCAEval's <c>pc_pagerank</c> builds its PageRank
/// matrix from the non-isolated nodes only but zips the scores with all column names, so with an isolated node every
/// later score is attached to the wrong metric; by default every metric keeps its own score (<c>rcaeval=true</c>
/// reproduces the pairing, <see cref="PageRankHead.RcaevalPcPageRank"/>). (2) RCAEval's LiNGAM variants run ICA-LiNGAM;
/// these run DirectLiNGAM (in both modes). (3) RCAEval's random-walk head ignores the graph
/// (<see cref="WalkRelevance.Uniform"/>); by default the walk is the MonitorRank/CloudRanger walk. (4) Ties are broken by
/// metric name, not column order (both modes). (5) Where causal-learn's Fisher-z raises (too few rows, perfectly
/// correlated or singular), RCAEval returns the columns unranked; by default the test is clipped and ranks, with
/// <c>rcaeval=true</c> the PC-based presets return the columns as RCAEval does (<see cref="RcaevalFallback"/>).
/// </remarks>
public abstract class GraphLocalizer : IRootCauseLocalizer
{
    private readonly GraphLocalizerOptions _options;
    private readonly IGraphDiscovery _discovery;
    private readonly IGraphScoringHead _head;

    /// <summary>Composes <paramref name="discovery"/> and <paramref name="head"/> over the window <paramref name="options"/> describe.</summary>
    protected GraphLocalizer(GraphLocalizerOptions options, IGraphDiscovery discovery, IGraphScoringHead head)
    {
        if (options.Window < 0) throw new ArgumentException("window must be ≥ 0 (0 keeps every row).");
        Name = MethodAttribute.NameOf(GetType());
        _options = options;
        _discovery = discovery;
        _head = head;
    }

    /// <summary>The head <paramref name="options"/> configure: PageRank or the random walk.</summary>
    protected static IGraphScoringHead HeadOf(GraphLocalizerOptions options) => options switch
    {
        PageRankHeadOptions pr => new PageRankHead(pr),
        RandomWalkHeadOptions rw => new RandomWalkHead(rw),
        _ => throw new ArgumentException("unknown head options."),
    };

    /// <summary>Throws a clear error for a significance level outside (0, 1).</summary>
    protected static double CheckAlpha(double alpha) =>
        alpha > 0 && alpha < 1 ? alpha : throw new ArgumentException("alpha must be in (0, 1).");

    /// <summary>Throws a clear error for a lag below 1.</summary>
    protected static int CheckLag(int lag) =>
        lag >= 1 ? lag : throw new ArgumentException("max-lag must be at least 1.");

    /// <summary>PC (Fisher-z) discovery; checks alpha. <paramref name="rcaeval"/>: fail where causal-learn's Fisher-z fails and orient in causal-learn's order.</summary>
    internal static IGraphDiscovery Pc(double alpha, int maxDepth, bool stable, int parallelism,
        SeparatingSetRule sepsets = SeparatingSetRule.CausalLearn, bool rcaeval = false) => new PcDiscovery(new PcOptions
    {
        Alpha = CheckAlpha(alpha), MaxDepth = maxDepth, Stable = stable, Parallelism = parallelism, SeparatingSets = sepsets,
        FailLikeCausalLearn = rcaeval, OrientLikeCausalLearn = rcaeval,
    });

    /// <summary>
    /// What RCAEval's <c>@rca</c> wrapper returns when a method raises (here: causal-learn's Fisher-z on a degenerate
    /// test, <see cref="FisherZ.FailLikeCausalLearn"/>): the window's columns in their order, unranked (scores n − j),
    /// with the diagnostic <c>rcaeval_failed</c> = 1.
    /// </summary>
    internal static RcaResult RcaevalFallback(PreparedWindow w) =>
        w.Result(Enumerable.Range(0, w.Names.Count).Select(j => (double)(w.Names.Count - j)).ToArray(),
            new Dictionary<string, double> { ["rcaeval_failed"] = 1 });

    /// <summary>Pairwise Granger discovery; checks alpha and the lag.</summary>
    internal static IGraphDiscovery Granger(int maxLag, double alpha, GrangerTest test, int parallelism) => new GrangerDiscovery(new GrangerOptions
    {
        MaxLag = CheckLag(maxLag), Alpha = CheckAlpha(alpha), Test = test, Parallelism = parallelism,
    });

    /// <summary>DirectLiNGAM discovery.</summary>
    internal static IGraphDiscovery Lingam(bool adaptiveLasso, int parallelism) =>
        new LingamDiscovery(new DirectLingamOptions { AdaptiveLasso = adaptiveLasso, Parallelism = parallelism });

    /// <summary>The name of the method's <see cref="MethodAttribute"/>.</summary>
    public string Name { get; }

    /// <summary>The graph source.</summary>
    public IGraphDiscovery Discovery => _discovery;

    /// <summary>The scoring head.</summary>
    public IGraphScoringHead Head => _head;

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var w = PreparedWindow.Of(problem, WindowRecipe.Graph(_options.Window, _options.ExcludeKinds));
        if (w.Names.Count == 0) return w.Result([]);
        CausalGraph graph;
        try { graph = _discovery.Discover(w, ct); }
        catch (Exception e) when (DegenerateTestException.Within(e)) // raised only in rcaeval=true modes
        {
            return RcaevalFallback(w);
        }
        ct.ThrowIfCancellationRequested();
        var scores = _head.Score(graph, w, ct);
        return w.Result(scores, new Dictionary<string, double>
        {
            ["graph_adjacencies"] = graph.AdjacencyCount,
            ["graph_arrows"] = graph.ArrowCount,
        });
    }
}

/// <summary>PC-PageRank: PC (Fisher-z, PC-stable) on the window, then PageRank on the reversed graph.</summary>
[Method("pc-pagerank", Summary = "PC causal graph (Fisher-z), PageRank on the reversed graph (RCAEval's PC-PageRank).", Citation = "Spirtes et al. 2000; Colombo & Maathuis, JMLR 2014; Page et al. 1999; RCAEval (Pham et al., ASE 2024)")]
public sealed class PcPageRank(PcPageRank.Options options)
    : GraphLocalizer(options, options.Pc.Discovery(options.Parallelism, options.Rcaeval), new PageRankHead(options, rcaevalPcPairing: true))
{
    public PcPageRank() : this(new Options()) { }

    /// <summary>The PageRank head's options and PC's (<see cref="PcGraphOptions"/>, flat in a spec).</summary>
    public sealed record Options : PageRankHeadOptions
    {
        /// <summary>The PC graph.</summary>
        public PcGraphOptions Pc { get; init; } = new();
    }
}

/// <summary>PC-RandomWalk: PC (Fisher-z, PC-stable) on the window, then the random walk with backtracking.</summary>
[Method("pc-randomwalk", Summary = "PC causal graph (Fisher-z), random walk with backtracking (RCAEval's PC-RW).", Citation = "Spirtes et al. 2000; Colombo & Maathuis, JMLR 2014; CloudRanger (Wang et al., CCGRID 2018); RCAEval (Pham et al., ASE 2024)")]
public sealed class PcRandomWalk(PcRandomWalk.Options options)
    : GraphLocalizer(options, options.Pc.Discovery(options.Parallelism, options.Rcaeval), HeadOf(options))
{
    public PcRandomWalk() : this(new Options()) { }

    /// <summary>The random-walk head's options and PC's (<see cref="PcGraphOptions"/>, flat in a spec).</summary>
    public sealed record Options : RandomWalkHeadOptions
    {
        /// <summary>The PC graph.</summary>
        public PcGraphOptions Pc { get; init; } = new();
    }
}

/// <summary>Granger-PageRank: pairwise Granger causality, then PageRank on the reversed graph.</summary>
[Method("granger-pagerank", Summary = "Pairwise Granger-causality graph, PageRank on the reversed graph (RCAEval's Granger-PageRank).", Citation = "Granger, Econometrica 1969; Page et al. 1999; RCAEval (Pham et al., ASE 2024)")]
public sealed class GrangerPageRank(GrangerPageRank.Options options)
    : GraphLocalizer(options, options.Granger.Discovery(options.Parallelism), HeadOf(options))
{
    public GrangerPageRank() : this(new Options()) { }

    /// <summary>The PageRank head's options and Granger's (<see cref="GrangerGraphOptions"/>, flat in a spec).</summary>
    public sealed record Options : PageRankHeadOptions
    {
        /// <summary>The Granger graph.</summary>
        public GrangerGraphOptions Granger { get; init; } = new();
    }
}

/// <summary>Granger-RandomWalk: pairwise Granger causality, then the random walk with backtracking.</summary>
[Method("granger-randomwalk", Summary = "Pairwise Granger-causality graph, random walk with backtracking (RCAEval's Granger-RW).", Citation = "Granger, Econometrica 1969; CloudRanger (Wang et al., CCGRID 2018); RCAEval (Pham et al., ASE 2024)")]
public sealed class GrangerRandomWalk(GrangerRandomWalk.Options options)
    : GraphLocalizer(options, options.Granger.Discovery(options.Parallelism), HeadOf(options))
{
    public GrangerRandomWalk() : this(new Options()) { }

    /// <summary>The random-walk head's options and Granger's (<see cref="GrangerGraphOptions"/>, flat in a spec).</summary>
    public sealed record Options : RandomWalkHeadOptions
    {
        /// <summary>The Granger graph.</summary>
        public GrangerGraphOptions Granger { get; init; } = new();
    }
}

/// <summary>LiNGAM-PageRank: DirectLiNGAM, then PageRank on the reversed graph.</summary>
[Method("lingam-pagerank", Summary = "DirectLiNGAM causal graph, PageRank on the reversed graph (RCAEval's LiNGAM-PageRank, with DirectLiNGAM).", Citation = "Shimizu et al., JMLR 2011; Page et al. 1999; RCAEval (Pham et al., ASE 2024)")]
public sealed class LingamPageRank(LingamPageRank.Options options)
    : GraphLocalizer(options, options.Lingam.Discovery(options.Parallelism), HeadOf(options))
{
    public LingamPageRank() : this(new Options()) { }

    /// <summary>The PageRank head's options and LiNGAM's (<see cref="LingamGraphOptions"/>, flat in a spec).</summary>
    public sealed record Options : PageRankHeadOptions
    {
        /// <summary>The LiNGAM graph.</summary>
        public LingamGraphOptions Lingam { get; init; } = new();
    }
}

/// <summary>LiNGAM-RandomWalk: DirectLiNGAM, then the random walk with backtracking.</summary>
[Method("lingam-randomwalk", Summary = "DirectLiNGAM causal graph, random walk with backtracking (RCAEval's LiNGAM-RW, with DirectLiNGAM).", Citation = "Shimizu et al., JMLR 2011; CloudRanger (Wang et al., CCGRID 2018); RCAEval (Pham et al., ASE 2024)")]
public sealed class LingamRandomWalk(LingamRandomWalk.Options options)
    : GraphLocalizer(options, options.Lingam.Discovery(options.Parallelism), HeadOf(options))
{
    public LingamRandomWalk() : this(new Options()) { }

    /// <summary>The random-walk head's options and LiNGAM's (<see cref="LingamGraphOptions"/>, flat in a spec).</summary>
    public sealed record Options : RandomWalkHeadOptions
    {
        /// <summary>The LiNGAM graph.</summary>
        public LingamGraphOptions Lingam { get; init; } = new();
    }
}
