using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Datasets.Synthetic;
using AiopsLab.Methods;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Fuzzing;

/// <summary>
/// D14's equal configurations beyond default values: RCAEval's six graph presets and their <c>graph-rca</c> compositions,
/// parameters a graph ignores, and detector lists (<c>detect --detectors</c>, <c>nab run --detectors</c>).
/// </summary>
public sealed partial class SeedCorpusTests
{
    public static TheoryData<string, string> PresetPairs => new()
    {
        { "pc-pagerank", "graph-rca(graph=pc,head=pagerank)" },
        { "pc-randomwalk(window=100)", "graph-rca(head=randomwalk,window=100,max-lag=5)" },
        { "granger-pagerank(max-lag=2)", "graph-rca(graph=granger,max-lag=2)" },
        { "granger-randomwalk", "graph-rca(graph=granger,head=randomwalk)" },
        { "lingam-pagerank", "graph-rca(graph=lingam,alpha=0.01)" },
        { "lingam-randomwalk(rcaeval=true)", "graph-rca(graph=lingam,head=randomwalk,rcaeval=true)" },
    };

    [Theory]
    [MemberData(nameof(PresetPairs))]
    public void D14_a_graph_preset_and_its_graph_rca_composition_are_one_configuration(string preset, string composition)
    {
        Assert.Equal(MethodCatalog.Effective(MethodSpec.Parse(preset)).ToString(), MethodCatalog.Effective(MethodSpec.Parse(composition)).ToString());
        // Independent of the catalog's table: the two really rank alike, score for score, on a synthetic case.
        var c = SyntheticBenchmark.EasyCases()[0];
        var p = new RcaProblem(c.Metrics, c.Label.InjectTime, c.CallGraph, c.Naming) { Seed = 3, Slis = c.Slis };
        var a = MethodCatalog.CreateLocalizer(preset).Localize(p);
        var b = MethodCatalog.CreateLocalizer(composition).Localize(p);
        Assert.Equal(a.Ranking, b.Ranking);
        // A spec listing both is refused before anything runs; so is --methods.
        var (root, data, r) = RunSpec("d14-preset", $"methods:\n  - \"{preset}\"\n  - \"{composition}\"\n");
        FuzzWorld.AssertClean(r, composition);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"'{MethodSpec.Parse(composition)}' is the same configuration as '{MethodSpec.Parse(preset)}' listed at line 4", r.Err);
        var cli = Run(data, Path.Combine(root, "out"), $"{preset},{composition}");
        FuzzWorld.AssertClean(cli, "--methods");
        Assert.Equal(2, cli.ExitCode);
        Assert.Contains("same configuration", cli.Err);
    }

    [Theory]
    [InlineData("pc-pagerank(damping=0.9)", "graph-rca")]           // an option graph-rca cannot set
    [InlineData("graph-rca(graph=structural)", "pc-pagerank")]      // no preset for the structural graph
    [InlineData("granger-pagerank(max-lag=2)", "graph-rca(graph=granger)")]
    [InlineData("pc-pagerank(max-depth=2)", "graph-rca(graph=pc,head=pagerank)")]
    public void D14_different_graph_configurations_stay_apart(string a, string b) =>
        Assert.NotEqual(MethodCatalog.Effective(MethodSpec.Parse(a)).ToString(), MethodCatalog.Effective(MethodSpec.Parse(b)).ToString());

    [Fact]
    public void D14_graph_rca_drops_the_parameters_its_graph_ignores()
    {
        Assert.Equal("graph-rca(graph=structural)", MethodCatalog.Effective(MethodSpec.Parse("graph-rca(graph=structural,alpha=0.01,max-lag=4)")).ToString());
        Assert.Equal("pc-pagerank(alpha=0.01)", MethodCatalog.Effective(MethodSpec.Parse("graph-rca(alpha=0.01)")).ToString());
    }

    [Theory]
    [InlineData("spot", "spot(q=0.0001)")]
    [InlineData("n-sigma(n=3)", "n-sigma")]
    public void D14_detector_lists_refuse_two_spellings_of_one_configuration(string first, string second)
    {
        var (root, data, _) = FuzzWorld.Generic("d14-detect");
        var r = CliRunner.Run("detect", "--dataset", data, "--detectors", $"{first},{second}", "--out", Path.Combine(root, "out"));
        FuzzWorld.AssertClean(r, "detect");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"detector '{second}' is the same configuration as '{first}'", r.Err);
        Assert.False(Directory.Exists(Path.Combine(root, "out")), "nothing may be written before the list is accepted");
        var nab = CliRunner.Run("nab", "run", "--detectors", $"{first},{second}", "--out", Path.Combine(root, "nab-out"), "--nab", FuzzWorld.Nab("d14"));
        FuzzWorld.AssertClean(nab, "nab run");
        Assert.Equal(2, nab.ExitCode);
        Assert.Contains("same configuration", nab.Err);
        Assert.False(Directory.Exists(Path.Combine(root, "nab-out")));
        // Different thresholds are different configurations.
        MethodCatalog.CheckDistinctDetectors(["spot", "spot(q=0.001)"]);
        Assert.Throws<AiopsLabException>(() => MethodCatalog.CheckDistinctDetectors(["spot", "spot"]));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("run", "--dataset", "x", "--methods", "baro", "--out", "o", "--no-such-option")]
    [InlineData("datasets", "list", "--bogus")]
    [InlineData("watch", "--prometheus", "http://127.0.0.1:1")]
    public void A_command_line_that_does_not_parse_exits_2_as_bad_input(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("internal error", r.Err);
    }

    [Fact]
    public void D11_report_on_an_empty_file_says_it_is_not_a_run_store()
    {
        var dir = CliRunner.TempDir("d11-empty");
        var file = Path.Combine(dir, "runs.db");
        File.WriteAllBytes(file, []);
        var r = CliRunner.Run("report", file);
        FuzzWorld.AssertClean(r, "report");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is not an AiopsLab run store (it is an empty file)", r.Err);
    }
}
