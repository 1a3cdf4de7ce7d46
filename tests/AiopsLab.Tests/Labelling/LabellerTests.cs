using AiopsLab.Catalog;
using AiopsLab.Labelling;
using AiopsLab.Methods;
using Xunit;

namespace AiopsLab.Tests.Labelling;

/// <summary>Each labeller on cases whose fault type is known by construction, and the contract every labeller keeps.</summary>
public class LabellerTests
{
    public static TheoryData<string> Labellers()
    {
        var d = new TheoryData<string>();
        foreach (var m in MethodCatalog.OfKind(MethodKind.Labeller)) d.Add(m.Name);
        return d;
    }

    [Theory, MemberData(nameof(Labellers))]
    public void Labels_held_out_constructed_cases_correctly(string name)
    {
        var train = LabellingFixtures.Examples(8, 11);
        var test = LabellingFixtures.Examples(4, 12);
        var l = MethodCatalog.CreateLabeller(name).Train(train, 5);
        int right = test.Count(e => l.Label(e.Input).Top == e.Type);
        // Shifts of 8–20 noise units in one family: every method must name nearly all; chance is 1/5.
        Assert.True(right >= 0.9 * test.Count, $"{name}: {right}/{test.Count} right.");
    }

    [Theory, MemberData(nameof(Labellers))]
    public void Conformance_ranks_every_type_once_is_deterministic_and_leaves_inputs_alone(string name)
    {
        var train = LabellingFixtures.Examples(3, 21);
        var probe = LabellingFixtures.Examples(1, 22);
        var before = probe.Select(e => e.Input.Features.Vector.ToArray()).ToArray();
        var a = MethodCatalog.CreateLabeller(name).Train(train, 9);
        var b = MethodCatalog.CreateLabeller(name).Train(train, 9);
        Assert.Equal(name, a.Name);
        foreach (var e in probe)
        {
            var ra = a.Label(e.Input).Ranking;
            Assert.Equal(ra, b.Label(e.Input).Ranking);
            var types = ra.Select(r => r.Type).ToArray();
            Assert.Equal(types.Length, types.Distinct().Count());
            Assert.Subset(types.ToHashSet(), FaultVocabulary.Types.ToHashSet());
            Assert.Equal(FaultVocabulary.Types.Count, types.Length);
        }
        for (int i = 0; i < probe.Count; i++) Assert.Equal(before[i], probe[i].Input.Features.Vector);
        Assert.Throws<OperationCanceledException>(() => a.Label(probe[0].Input, new CancellationToken(true)));
    }

    [Fact]
    public void The_rule_names_the_family_that_deviates_most_and_cannot_name_a_wrong_return()
    {
        var rule = new RuleLabeller();
        foreach (var (type, kind) in LabellingFixtures.Injections)
        {
            var r = rule.Label(LabelInput.Of(LabellingFixtures.Problem("b", kind, 15, 3), "b"));
            Assert.Equal(type, r.Top);
            Assert.Equal(FaultVocabulary.WrongReturn, r.Ranking[^1].Type);
        }
    }

    [Fact]
    public void Features_see_the_injected_family_at_the_service_and_a_neighbour_sees_it_as_nb()
    {
        var p = LabellingFixtures.Problem("b", "error", 15, 4);
        var at = ServiceFeatures.Of(p, "b");
        var nb = ServiceFeatures.Of(p, "a"); // a calls b
        int err = ServiceFeatures.Names.ToList().IndexOf("error.abs"), errNb = ServiceFeatures.Names.ToList().IndexOf("error.nb");
        Assert.True(at.AbsScore[KindFamily.Error] > 5, $"error |z| at b = {at.AbsScore[KindFamily.Error]}");
        Assert.True(nb.Vector[errNb] > nb.Vector[err], "a's neighbour feature should carry b's error spike.");
        // Onset: the shift starts at the first anomalous row.
        Assert.Equal(0f, at.Vector[ServiceFeatures.Names.ToList().IndexOf("error.onset")]);
    }

    [Fact]
    public void Bad_options_are_refused_with_the_labeller_named()
    {
        var e = Assert.Throws<AiopsLab.Data.AiopsLabException>(() => MethodCatalog.CreateLabeller("knn(k=0)"));
        Assert.Contains("knn", e.Message);
        Assert.Throws<AiopsLab.Data.AiopsLabException>(() => MethodCatalog.CreateLabeller("baro"));
    }
}
