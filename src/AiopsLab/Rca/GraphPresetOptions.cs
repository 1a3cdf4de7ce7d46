using AiopsLab.Causal;
using AiopsLab.Methods;

namespace AiopsLab.Rca;

/// <summary>
/// PC's options in the graph presets <see cref="PcPageRank"/> and <see cref="PcRandomWalk"/>: one record that both hold as an
/// option group (<see cref="OptionGroupAttribute"/>), so a spec writes <c>pc-pagerank(alpha=0.01)</c>.
/// </summary>
[OptionGroup]
public sealed record PcGraphOptions
{
    /// <summary>Significance level of the Fisher-z tests.</summary>
    public double Alpha { get; set; } = 0.05;
    /// <summary>Largest conditioning set; -1 for no limit.</summary>
    public int MaxDepth { get; set; } = -1;
    /// <summary>Order-independent skeleton (RCAEval's default, causal-learn <c>stable=True</c>).</summary>
    public bool Stable { get; set; } = true;
    /// <summary>
    /// Separating sets that decide the colliders: <c>causal-learn</c> (union of every separating set found at the
    /// removal depth, causal-learn's <c>uc_rule=0</c>, as RCAEval runs it) or <c>first</c> (the first one found).
    /// </summary>
    public SeparatingSetRule Sepsets { get; set; } = SeparatingSetRule.CausalLearn;

    /// <summary>PC discovery with these options; <paramref name="rcaeval"/>: as causal-learn fails and orients.</summary>
    internal IGraphDiscovery Discovery(int parallelism, bool rcaeval) => GraphLocalizer.Pc(Alpha, MaxDepth, Stable, parallelism, Sepsets, rcaeval);
}

/// <summary>Granger's options in <see cref="GrangerPageRank"/> and <see cref="GrangerRandomWalk"/> (an option group).</summary>
[OptionGroup]
public sealed record GrangerGraphOptions
{
    /// <summary>Lags 1..max-lag are tested (RCAEval: 3).</summary>
    public int MaxLag { get; set; } = 3;
    /// <summary>Significance level.</summary>
    public double Alpha { get; set; } = 0.05;
    /// <summary>p-value used (RCAEval averages four).</summary>
    public GrangerTest Test { get; set; } = GrangerTest.RcaEvalAverage;

    /// <summary>Pairwise Granger discovery with these options.</summary>
    internal IGraphDiscovery Discovery(int parallelism) => GraphLocalizer.Granger(MaxLag, Alpha, Test, parallelism);
}

/// <summary>DirectLiNGAM's options in <see cref="LingamPageRank"/> and <see cref="LingamRandomWalk"/> (an option group).</summary>
[OptionGroup]
public sealed record LingamGraphOptions
{
    /// <summary>Prune connection strengths with the adaptive lasso (BIC).</summary>
    public bool AdaptiveLasso { get; set; } = true;

    /// <summary>DirectLiNGAM discovery with these options.</summary>
    internal IGraphDiscovery Discovery(int parallelism) => GraphLocalizer.Lingam(AdaptiveLasso, parallelism);
}
