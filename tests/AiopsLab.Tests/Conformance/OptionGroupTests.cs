using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Methods;
using AiopsLab.Rca;
using Xunit;

namespace AiopsLab.Tests.Conformance;

/// <summary>Options held in an [OptionGroup] record are bound, listed and written flat, under the names they had as the
/// holder's own properties.</summary>
public class OptionGroupTests
{
    [Fact]
    public void A_group_option_binds_into_the_group_and_writes_back_flat()
    {
        var o = (PcRandomWalk.Options)OptionsBinder.Bind(typeof(PcRandomWalk.Options),
            new Dictionary<string, string> { ["alpha"] = "0.01", ["max-depth"] = "2", ["steps"] = "500" }, "pc-randomwalk");
        Assert.Equal(0.01, o.Pc.Alpha);
        Assert.Equal(2, o.Pc.MaxDepth);
        Assert.Equal(500, o.Steps);
        var text = OptionsBinder.Unbind(o, changedOnly: true);
        Assert.Equal(["alpha", "max-depth", "steps"], text.Keys);
        Assert.Equal("0.01", text["alpha"]);
    }

    [Fact]
    public void The_group_itself_is_not_an_option()
    {
        var e = Assert.Throws<UnknownNameException>(() =>
            OptionsBinder.Bind(typeof(GrangerPageRank.Options), new Dictionary<string, string> { ["granger"] = "x" }, "granger-pagerank"));
        Assert.Contains("max-lag", e.Message);
        Assert.DoesNotContain("granger", OptionsBinder.Unbind(new GrangerPageRank.Options()).Keys);
    }

    /// <summary>The spec names of the presets' and SSA detectors' options, as they were before the groups (specs in stores and
    /// papers keep working).</summary>
    [Theory]
    [InlineData("pc-pagerank", "alpha,anomaly-threshold,damping,dangling,exclude-kinds,iterations,max-depth,parallelism,personalization,rcaeval,sepsets,stable,tolerance,window")]
    [InlineData("granger-randomwalk", "alpha,anomaly-weight,exclude-kinds,max-lag,parallelism,rcaeval,relevance,rho,steps,test,window")]
    [InlineData("lingam-pagerank", "adaptive-lasso,anomaly-threshold,damping,dangling,exclude-kinds,iterations,parallelism,personalization,rcaeval,tolerance,window")]
    [InlineData("ssa-spike", "confidence,error-function,pvalue-history-length,seasonality-window-size,side,training-window-size")]
    [InlineData("ssa-changepoint", "change-history-length,confidence,eps,error-function,martingale,seasonality-window-size,training-window-size")]
    public void Grouped_options_keep_their_spec_names(string method, string names) =>
        Assert.Equal(names.Split(','), MethodCatalog.FindAll(method)[0].Options().Select(o => o.Name));

    [Fact]
    public void Groups_of_two_options_objects_are_separate()
    {
        var a = new SsaSpikeDetector.Options();
        var b = new SsaSpikeDetector.Options();
        a.Ssa.TrainingWindowSize = 60;
        Assert.Equal(50, b.Ssa.TrainingWindowSize);
        Assert.NotEqual(a, b);
        Assert.Equal(new SsaSpikeDetector.Options(), b); // value equality reaches into the group
    }
}
