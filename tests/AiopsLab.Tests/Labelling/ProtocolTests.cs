using AiopsLab.Labelling;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Labelling;

/// <summary>The shared vocabulary, the grouped folds, the scores and McNemar's test against hand-computed values.</summary>
public class ProtocolTests
{
    [Theory]
    [InlineData("cpu", "cpu")] [InlineData("mem", "memory")] // rcd-sockshop, synthetic
    [InlineData("cpu_contention", "cpu")] [InlineData("cpu_consumed", "cpu")] [InlineData("network_delay", "network-delay")]
    [InlineData("return", "wrong-return")] [InlineData("exception", "exception")] // nezha
    [InlineData("delay", "network-delay")] [InlineData("error", "exception")] [InlineData("overload", "overload")] // petshop, synthetic
    public void Dataset_labels_map_to_the_shared_vocabulary(string original, string shared)
    {
        Assert.Equal(shared, FaultVocabulary.Shared(original));
        Assert.Contains(shared, FaultVocabulary.Types);
    }

    [Fact]
    public void Unknown_labels_map_to_nothing_and_categories_are_resource_code_load()
    {
        Assert.Null(FaultVocabulary.Shared("other"));
        Assert.Contains("'other'", Assert.Throws<AiopsLab.Data.AiopsLabException>(() => FaultVocabulary.Require("other")).Message);
        Assert.Equal(["resource", "resource", "resource", "resource", "resource", "code", "code", "load"], FaultVocabulary.Types.Select(FaultVocabulary.Category));
    }

    [Fact]
    public void Grouped_folds_never_split_a_group_and_are_balanced_property()
    {
        var rng = new Rng(77);
        for (int trial = 0; trial < 300; trial++)
        {
            int nGroups = 1 + rng.NextInt(12), n = 1 + rng.NextInt(80), k = 2 + rng.NextInt(6);
            var groups = Enumerable.Range(0, n).Select(_ => "g" + rng.NextInt(nGroups)).ToArray();
            var folds = GroupedFolds.Assign(groups, k, rng.NextUInt64());
            int distinct = groups.Distinct().Count();
            Assert.Equal(Math.Min(k, distinct), folds.Distinct().Count());
            foreach (var g in groups.Distinct())
                Assert.Single(folds.Where((_, i) => groups[i] == g).Distinct());
            // No fold's test set shares a group with its training set.
            foreach (var f in folds.Distinct())
            {
                var test = groups.Where((_, i) => folds[i] == f).ToHashSet();
                Assert.DoesNotContain(groups.Where((_, i) => folds[i] != f), test.Contains);
            }
        }
        Assert.Equal(GroupedFolds.Assign(["a", "b", "c", "a"], 2, 3), GroupedFolds.Assign(["a", "b", "c", "a"], 2, 3));
    }

    [Fact]
    public void Scores_match_hand_computed_accuracy_macro_f1_and_top2()
    {
        // truth a,a,b,b; top-1 a,b,b,b. a: P=1, R=1/2, F1=2/3; b: P=2/3, R=1, F1=4/5; macro = 11/15.
        IReadOnlyList<string> R(params string[] x) => x;
        var s = LabelScores.Of([("cpu", R("cpu", "memory")), ("cpu", R("memory", "cpu")), ("memory", R("memory", "cpu")), ("memory", R("memory", "cpu"))]);
        Assert.Equal(0.75, s.Accuracy, 12);
        Assert.Equal(11.0 / 15, s.MacroF1, 12);
        Assert.Equal(1.0, s.Top2, 12);
        Assert.Equal(1, s.Confusion[0, 1]);
        Assert.Equal(2.0 / 3, s.PerType.Single(t => t.Type == "memory").Precision, 12);
    }

    [Fact]
    public void McNemar_exact_p_matches_the_binomial_by_hand()
    {
        Assert.Equal(2 * Math.Pow(0.5, 6), McNemar.ExactP(0, 6), 12);      // only X = 0 of Bin(6, ½)
        Assert.Equal(2 * 56.0 / 1024, McNemar.ExactP(2, 8), 12);           // (1 + 10 + 45)/2¹⁰
        Assert.Equal(McNemar.ExactP(8, 2), McNemar.ExactP(2, 8), 12);
        Assert.Equal(1.0, McNemar.ExactP(5, 5));
        Assert.Equal(1.0, McNemar.ExactP(0, 0));
    }
}
