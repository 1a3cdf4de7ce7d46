using AiopsLab.Evaluation;

namespace AiopsLab.Reporting;

/// <summary>What <c>aiopslab report</c> writes and how.</summary>
public sealed record ReportOptions
{
    /// <summary>Output folder (default: <c>report/</c> in the store's folder).</summary>
    public required string OutDir { get; init; }
    /// <summary>Add seeded bootstrap 95% intervals to the accuracy table.</summary>
    public bool Intervals { get; init; }
    public int Resamples { get; init; } = 1000;
    /// <summary>Seed of the bootstrap.</summary>
    public long Seed { get; init; }
    /// <summary>Level of the Nemenyi critical difference.</summary>
    public double Alpha { get; init; } = 0.05;
    /// <summary>Zero differences in the pairwise Wilcoxon tests.</summary>
    public WilcoxonZeros Zeros { get; init; } = WilcoxonZeros.Wilcox;
    /// <summary>Render PNGs of the HTML figures with headless chromium when it is installed.</summary>
    public bool Render { get; init; } = true;
}

/// <summary>The files written and the messages for the user (e.g. that chromium is absent).</summary>
public sealed record ReportOutput(IReadOnlyList<string> Files, IReadOnlyList<string> Messages);
