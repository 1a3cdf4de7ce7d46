using AiopsLab.Causal;
using Xunit;

namespace AiopsLab.Tests.Causal;

/// <summary>
/// PC-stable's separating-set rule (issue 15): causal-learn 0.1.3.3 (<c>uc_rule=0</c>) keeps the union of every
/// separating subset found at the removal depth and orients x − z − y as a collider only when z is in none of them; the
/// textbook rule keeps the first subset found. Under a d-separation oracle of a faithful DAG both rules agree (a
/// non-collider is in every separating set, a collider in none), so the cases here use scripted independence tables —
/// the finite-sample situation where tests contradict each other — and the expected graphs are worked out by hand below.
/// Each test fails under <see cref="SeparatingSetRule.First"/>.
/// </summary>
public class PcSeparatingSetTests
{
    /// <summary>p = 1 for the listed (pair, conditioning set) facts, 0 otherwise; records every query.</summary>
    private sealed class ScriptedTest(int n, params (int I, int J, int[] S)[] independent) : IIndependenceTest
    {
        public int VariableCount => n;
        public int SampleCount => 1000;

        public double PValue(int i, int j, ReadOnlySpan<int> s)
        {
            var set = s.ToArray().Order().ToArray();
            foreach (var f in independent)
                if (((f.I == i && f.J == j) || (f.I == j && f.J == i)) && f.S.Order().SequenceEqual(set)) return 1.0;
            return 0.0;
        }
    }

    // Variables X=0, A=1, Z=2, Y=3. Facts: X ⊥ Y | {A}, X ⊥ Y | {Z}, A ⊥ Z | {X}. Skeleton: the 4-cycle X−A−Y−Z−X.
    // Separating sets at depth 1 — first rule: sep(X,Y) = {A} (first subset of a(X)\{Y} = {A, Z}), sep(A,Z) = {X};
    // causal-learn rule: sep(X,Y) = {A} ∪ {Z} (both sides), sep(A,Z) = {X}.
    // Unshielded triples, middle node ascending: A−X−Z (X ∈ sep), X−A−Y (A ∈ sep), X−Z−Y, A−Y−Z (Y ∉ {X}: collider).
    // First rule: Z ∉ {A} ⇒ X → Z ← Y is oriented first (middle Z = 2 < Y = 3); then A − Y − Z would need Z → Y, which
    // reverses Y → Z, so it is skipped (uc_priority=2). Result: X → Z ← Y, X − A, A − Y.
    // causal-learn rule: Z ∈ {A, Z} ⇒ no collider at Z; A → Y ← Z. Meek's R1 orients nothing more (no arrow into X or A).
    private static PcResult Run(SeparatingSetRule rule) =>
        Pc.Run(new ScriptedTest(4, (0, 3, [1]), (0, 3, [2]), (1, 2, [0])), ["X", "A", "Z", "Y"],
            new PcOptions { SeparatingSets = rule, Parallelism = 1 });

    [Fact]
    public void The_union_rule_keeps_every_separating_subset_of_the_removal_depth()
    {
        var r = Run(SeparatingSetRule.CausalLearn);
        Assert.Equal([1, 2], r.SeparatingSets[(0, 3)]);
        Assert.Equal([0], r.SeparatingSets[(1, 2)]);
        Assert.Equal([1], Run(SeparatingSetRule.First).SeparatingSets[(0, 3)]);
    }

    [Fact]
    public void A_middle_node_in_any_separating_subset_is_not_a_collider()
    {
        var g = Run(SeparatingSetRule.CausalLearn).Graph;
        Assert.True(g.IsDirected(1, 3), "A → Y");
        Assert.True(g.IsDirected(2, 3), "Z → Y");
        Assert.True(g.IsUndirected(0, 1), "X − A");
        Assert.True(g.IsUndirected(0, 2), "X − Z");
        Assert.Equal(4, g.AdjacencyCount);
        Assert.Equal(2, 2 * g.AdjacencyCount - g.ArrowCount); // exactly two directed edges
    }

    [Fact]
    public void The_first_set_rule_orients_the_other_collider()
    {
        var g = Run(SeparatingSetRule.First).Graph;
        Assert.True(g.IsDirected(0, 2) && g.IsDirected(3, 2), "X → Z ← Y");
        Assert.True(g.IsUndirected(0, 1) && g.IsUndirected(1, 3), "X − A − Y");
    }

    // Conflict between colliders (uc_priority=2, existing arrows win). Variables A=0, B=1, C=2, D=3 on the chain
    // A − B − C − D; facts: A ⊥ C | ∅, B ⊥ D | ∅, A ⊥ D | ∅ (removed at depth 0, sep = ∅ under both rules).
    // Triples, middle ascending: A−B−C (B ∉ ∅: A → B ← C), then B−C−D (C ∉ ∅) would set B → C, reversing C → B: skipped,
    // and D − C stays undirected because the whole triple is skipped. Meek's R1 needs an arrow into C that is not
    // adjacent to D: none (B ← C). Result: A → B ← C, C − D.
    [Fact]
    public void Conflicting_colliders_keep_the_first_oriented_one()
    {
        var test = new ScriptedTest(4, (0, 2, []), (1, 3, []), (0, 3, []));
        foreach (var rule in new[] { SeparatingSetRule.CausalLearn, SeparatingSetRule.First })
        {
            var g = Pc.Run(test, ["A", "B", "C", "D"], new PcOptions { SeparatingSets = rule }).Graph;
            Assert.True(g.IsDirected(0, 1) && g.IsDirected(2, 1), "A → B ← C");
            Assert.True(g.IsUndirected(2, 3), "C − D");
        }
    }

    // Order dependence: the first rule's collider decision depends on the variable order, the union rule's does not.
    // Same facts as above with A and Z swapped in the column order (X=0, Z=1, A=2, Y=3): now the first subset of
    // a(X)\{Y} is {Z}, so the first rule finds the collider at A instead — the union rule's graph is unchanged up to names.
    [Fact]
    public void The_union_rule_does_not_depend_on_the_column_order()
    {
        var swapped = Pc.Run(new ScriptedTest(4, (0, 3, [2]), (0, 3, [1]), (2, 1, [0])), ["X", "Z", "A", "Y"],
            new PcOptions { SeparatingSets = SeparatingSetRule.CausalLearn }).Graph;
        var original = Run(SeparatingSetRule.CausalLearn).Graph;
        string[] names = ["X", "A", "Z", "Y"];
        foreach (var a in names)
            foreach (var b in names)
                if (a != b)
                    Assert.Equal(original.HasArrow(original.IndexOf(a), original.IndexOf(b)), swapped.HasArrow(swapped.IndexOf(a), swapped.IndexOf(b)));
    }
}
