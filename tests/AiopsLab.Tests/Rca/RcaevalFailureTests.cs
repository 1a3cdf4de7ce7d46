using AiopsLab.Catalog;
using AiopsLab.Causal;
using AiopsLab.Data;
using AiopsLab.Methods;
using Xunit;

namespace AiopsLab.Tests.Rca;

/// <summary>
/// Where causal-learn 0.1.3.3's <c>fisherz</c> raises (its source: <c>sqrt(n − |S| − 3)</c>, <c>log((1 + r)/(1 − r))</c>,
/// <c>np.linalg.inv</c> of the correlation submatrix), RCAEval's <c>@rca</c> wrapper returns the columns unranked. The
/// <c>rcaeval=true</c> modes reproduce that (issue 15: RCAEval's <c>pc_pagerank</c> and <c>circa</c> fail so on all 101
/// nezha cases, 15 rows × 166–528 metrics); the defaults clip r and rank. Expected values follow from those formulas.
/// </summary>
public class RcaevalFailureTests
{
    private static double[] Noise(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
    }

    [Fact]
    public void Strict_fisher_z_fails_where_causal_learn_does_and_only_there()
    {
        var x = Noise(20, 1);
        var y = x.Select(v => 2 * v + 1).ToArray(); // r = 1 exactly in theory: log(2/0) in causal-learn
        var z = Noise(20, 2);
        var cols = new[] { x, y, z };
        var strict = new FisherZ(cols) { FailLikeCausalLearn = true };
        Assert.Throws<DegenerateTestException>(() => strict.PValue(0, 1, []));
        Assert.True(new FisherZ(cols).PValue(0, 1, []) < 1e-6); // clipped: a perfect correlation is dependence
        double p = strict.PValue(0, 2, []);
        Assert.Equal(new FisherZ(cols).PValue(0, 2, []), p);
        // Conditioning on y, which is a copy of x: the submatrix (x, y, z) is singular.
        Assert.Throws<DegenerateTestException>(() => strict.PValue(0, 2, [1]));

        // n − |S| − 3 < 0: sqrt of a negative number in causal-learn; = 0 gives p = 1 there and here.
        var few = new[] { Noise(5, 3), Noise(5, 4), Noise(5, 5), Noise(5, 6), Noise(5, 7) };
        var s5 = new FisherZ(few) { FailLikeCausalLearn = true };
        Assert.Equal(1.0, s5.PValue(0, 1, [2, 3]));
        Assert.Throws<DegenerateTestException>(() => s5.PValue(0, 1, [2, 3, 4]));
    }

    private static RcaProblem DegenerateCase()
    {
        // 15 rows, 8 metrics, two of them proportional: causal-learn fails on the first test of that pair.
        int n = 15;
        var time = Enumerable.Range(0, n).Select(i => (long)i * 60).ToArray();
        var cols = Enumerable.Range(0, 8).Select(j => Noise(n, 10 + j)).ToList();
        cols[5] = cols[2].Select(v => 100 * v).ToArray();
        var names = Enumerable.Range(0, 8).Select(j => $"s{j}_m").ToArray();
        return new RcaProblem(new MetricFrame(time, names, cols), time[10], null, new DelimitedNaming("_"));
    }

    [Theory]
    [InlineData("pc-pagerank(rcaeval=true)")]
    [InlineData("pc-randomwalk(rcaeval=true)")]
    [InlineData("graph-rca(graph=pc,rcaeval=true)")]
    [InlineData("circa(rcaeval=true)")]
    public void Rcaeval_modes_return_the_columns_in_order_when_causal_learn_would_fail(string spec)
    {
        var p = DegenerateCase();
        var r = MethodCatalog.CreateLocalizer(spec).Localize(p);
        Assert.Equal(1, r.Diagnostics["rcaeval_failed"]);
        Assert.Equal(p.Metrics.Names.ToArray(), r.Ranking.Select(m => m.Metric).ToArray());
    }

    [Theory]
    [InlineData("pc-pagerank")]
    [InlineData("circa(graph=pc)")]
    public void Default_modes_rank_the_same_case(string spec)
    {
        var r = MethodCatalog.CreateLocalizer(spec).Localize(DegenerateCase());
        Assert.False(r.Diagnostics.ContainsKey("rcaeval_failed"));
        Assert.Equal(8, r.Ranking.Count);
    }
}
