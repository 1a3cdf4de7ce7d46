using System.Globalization;
using AiopsLab.Causal;
using AiopsLab.Data;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Fuzzing;

/// <summary>
/// D13's second repro: pc-pagerank ran 99–270 s on a PetShop issue cut to one row, because 18 identical or step-like
/// columns formed a clique no independence test separates, and PC-stable tests every subset of a clique at every depth.
/// PC now stops with the reason before a level that would exceed its work limit (<see cref="PcOptions.MaxTestsPerPair"/>).
/// </summary>
public sealed partial class SeedCorpusTests
{
    /// <summary><paramref name="twins"/> identical copies of one moving series, then <paramref name="noise"/> independent
    /// seeded series, 120 rows each.</summary>
    private static (double[][] Columns, string[] Names) TwinsAndNoise(int twins, int noise)
    {
        var rng = new Random(16);
        var step = Enumerable.Range(0, 120).Select(t => (t >= 60 ? 3.0 : 0) + rng.NextDouble()).ToArray();
        var cols = Enumerable.Range(0, twins).Select(_ => (double[])step.Clone())
            .Concat(Enumerable.Range(0, noise).Select(_ => Enumerable.Range(0, 120).Select(_ => rng.NextDouble()).ToArray())).ToArray();
        var names = Enumerable.Range(0, twins).Select(i => $"twin{i:00}").Concat(Enumerable.Range(0, noise).Select(i => $"noise{i:00}")).ToArray();
        return (cols, names);
    }

    [Fact]
    public void D13_a_clique_no_test_separates_stops_pc_at_the_first_level_over_its_limit()
    {
        var (cols, names) = TwinsAndNoise(14, 6);
        var limited = new PcOptions { MinTestBudget = 20_000, Parallelism = 1 };
        var e = Assert.Throws<AiopsLabException>(() => Pc.Run(new FisherZ(cols), names, limited));
        Assert.Contains("twin00", e.Message);
        Assert.Contains("stay adjacent to 1", e.Message); // 13 twins, and any noise column a test kept
        Assert.Contains("metricsifter+<method>", e.Message);
        int depth = int.Parse(e.Message.Split("before depth ")[1].Split(':')[0], CultureInfo.InvariantCulture);
        // Independent of the prediction: unlimited runs cut at the depths around the stop. The levels before it fit the
        // limit; completing the level it refused would not. 
        var unlimited = new PcOptions { MaxTestsPerPair = 0, Parallelism = 1, Orient = false };
        Assert.True(Pc.Run(new FisherZ(cols), names, unlimited with { MaxDepth = depth - 1 }).TestCount <= 20_000);
        Assert.True(Pc.Run(new FisherZ(cols), names, unlimited with { MaxDepth = depth }).TestCount > 20_000);
        // The default limit leaves ordinary problems alone: 4 twins and the noise finish.
        var (few, fewNames) = TwinsAndNoise(4, 6);
        Assert.Null(Record.Exception(() => Pc.Run(new FisherZ(few), fewNames)));
    }

    [Fact]
    public void D13_pc_pagerank_on_a_clique_of_identical_columns_fails_the_run_with_the_reason()
    {
        // The toy analogue of the one-row PetShop issue: 20 copies of one series in the 'bad' case.
        var (root, data, bad) = FuzzWorld.Generic("d13-clique");
        var lines = FuzzWorld.MetricsLines();
        var copies = lines.Select((l, i) => l + string.Concat(Enumerable.Range(0, 20).Select(j => i == 0
            ? $",copy{j:00}_cpu"
            : string.Create(CultureInfo.InvariantCulture, $",{Math.Sin(i * 0.9) + (i > 20 ? 2 : 0):0.######}")))).ToList();
        File.WriteAllLines(Path.Combine(bad, "metrics.csv"), copies);
        var outDir = Path.Combine(root, "out");
        var r = Run(data, outDir, "pc-pagerank");
        FuzzWorld.AssertClean(r, "run", outDir, ["bad"]);
        using var store = RunStore.Open(outDir);
        var runs = store.ReadRuns().ToList();
        Assert.Equal(RunStatus.Ok, runs.Single(o => o.CaseId == "good").Status);
        var o = runs.Single(x => x.CaseId == "bad");
        Assert.Equal(RunStatus.Failed, o.Status);
        Assert.Contains("PC stopped before depth", o.Error);
        Assert.Contains("copy00_cpu", o.Error);
    }
}
