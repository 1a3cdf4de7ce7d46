using AiopsLab.Causal;
using AiopsLab.Methods;

namespace AiopsLab.Rca;

/// <summary>The causal graph <see cref="GraphRca"/> scores.</summary>
public enum GraphSource
{
    /// <summary>PC-stable with Fisher-z tests (Spirtes et al. 2000; Colombo &amp; Maathuis, JMLR 2014).</summary>
    Pc,
    /// <summary>Pairwise Granger causality, RCAEval's four-test average (Granger, Econometrica 1969).</summary>
    Granger,
    /// <summary>DirectLiNGAM with adaptive-lasso pruning (Shimizu et al., JMLR 2011).</summary>
    Lingam,
    /// <summary>CIRCA's structural graph from the case's call graph (Li et al., KDD 2022, §4.1); needs a call graph.</summary>
    Structural,
}

/// <summary>The scoring head <see cref="GraphRca"/> runs on the graph (member names spell the spec values).</summary>
public enum GraphHead
{
    /// <summary>PageRank on the reversed graph (<see cref="PageRankHead"/>).</summary>
    Pagerank,
    /// <summary>Random walk with backtracking (<see cref="RandomWalkHead"/>).</summary>
    Randomwalk,
}

/// <summary>
/// Any causal graph × any scoring head, e.g. <c>graph-rca(graph=lingam,head=randomwalk)</c> or
/// <c>graph-rca(graph=structural,head=pagerank)</c>: the composition behind RCAEval's six graph baselines (Pham et al.,
/// ASE 2024, §2.3), which are its presets — <c>pc-pagerank</c> is exactly <c>graph-rca(graph=pc,head=pagerank)</c>,
/// <c>granger-randomwalk</c> is <c>graph-rca(graph=granger,head=randomwalk)</c>, and so on, <c>rcaeval=true</c>
/// included. Each part runs with its preset defaults; the presets expose every setting of their graph and head.
/// </summary>
[Method("graph-rca", Summary = "A causal graph (pc, granger, lingam, or the structural graph from the call graph) scored by a head (pagerank, randomwalk).", Citation = "RCAEval (Pham et al., ASE 2024); Page et al. 1999; CloudRanger (Wang et al., CCGRID 2018); CIRCA (Li et al., KDD 2022)")]
public sealed class GraphRca(GraphRca.Options options) : GraphLocalizer(options, DiscoveryOf(options), HeadFor(options))
{
    public GraphRca() : this(new Options()) { }

    /// <summary>Options of <see cref="GraphRca"/>.</summary>
    public sealed record Options : GraphLocalizerOptions
    {
        /// <summary>Graph source.</summary>
        public GraphSource Graph { get; set; } = GraphSource.Pc;
        /// <summary>Scoring head.</summary>
        public GraphHead Head { get; set; } = GraphHead.Pagerank;
        /// <summary>Significance level of the PC or Granger tests.</summary>
        public double Alpha { get; set; } = 0.05;
        /// <summary>Largest Granger lag (RCAEval: 3).</summary>
        public int MaxLag { get; set; } = 3;
        /// <summary>The head replicates RCAEval's (<see cref="PageRankHeadOptions.Rcaeval"/>, <see cref="RandomWalkHeadOptions.Rcaeval"/>).</summary>
        public bool Rcaeval { get; set; }
    }

    private static IGraphDiscovery DiscoveryOf(Options o) => o.Graph switch
    {
        GraphSource.Granger => Granger(o.MaxLag, o.Alpha, GrangerTest.RcaEvalAverage, o.Parallelism),
        GraphSource.Lingam => Lingam(true, o.Parallelism),
        GraphSource.Structural => new StructuralDiscovery(),
        _ => Pc(o.Alpha, -1, true, o.Parallelism, rcaeval: o.Rcaeval),
    };

    private static IGraphScoringHead HeadFor(Options o) => o.Head == GraphHead.Randomwalk
        ? new RandomWalkHead(new RandomWalkHeadOptions { Rcaeval = o.Rcaeval })
        : new PageRankHead(new PageRankHeadOptions { Rcaeval = o.Rcaeval }, rcaevalPcPairing: o.Graph == GraphSource.Pc);
}
