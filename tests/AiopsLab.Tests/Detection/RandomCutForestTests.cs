using AiopsLab.Datasets;
using AiopsLab.Detection;
using AiopsLab.Evaluation;
using AiopsLab.Tests.Infrastructure;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>
/// The robust random cut forest (Guha et al., ICML 2016) against closed-form probabilities of Definition 1 and the theorems
/// that make the streaming tree exact (insertion, Theorem 6; deletion, Theorem 5), and brute-force invariants.
/// </summary>
public class RandomCutForestTests
{
    private const int Trials = 20000;

    /// <summary>Frequency over seeded trees that the point 3 of {0, 1, 3} is a child of the root, and the mean CoDisp of 3.</summary>
    private static (double RootChild, double MeanCoDisp) Stats013(Func<CutTree, int> build)
    {
        int rootChild = 0;
        double codisp = 0;
        for (int i = 0; i < Trials; i++)
        {
            var tree = new CutTree(1, 8, Rng.For((ulong)i, "rrcf-test"));
            int leaf3 = build(tree);
            Assert.Null(tree.CheckInvariants());
            if (tree.Depth(leaf3) == 1) rootChild++;
            codisp += tree.CoDisp(leaf3);
        }
        return ((double)rootChild / Trials, codisp / Trials);
    }

    // Definition 1 on S = {0, 1, 3}: the root cut is uniform on [0, 3]; with probability 2/3 it falls in [1, 3) and isolates 3
    // (CoDisp 2/1 = 2), otherwise it isolates 0 and then 3 is split from 1 (CoDisp max(1/1, 1/2) = 1): E[CoDisp(3)] = 5/3.
    // Binomial standard error at 20,000 trees: 0.0033 on the frequency, about 0.0033 on the mean CoDisp.
    private static void AssertDefinitionOne((double RootChild, double MeanCoDisp) s)
    {
        Assert.InRange(s.RootChild, 2.0 / 3 - 0.015, 2.0 / 3 + 0.015);
        Assert.InRange(s.MeanCoDisp, 5.0 / 3 - 0.015, 5.0 / 3 + 0.015);
    }

    [Fact]
    public void Inserting_in_any_order_gives_the_tree_distribution_of_Definition_1()
    {
        AssertDefinitionOne(Stats013(t => { t.Insert([0.0]); t.Insert([1.0]); return t.Insert([3.0]); }));
        AssertDefinitionOne(Stats013(t => { int l = t.Insert([3.0]); t.Insert([0.0]); t.Insert([1.0]); return l; }));
        AssertDefinitionOne(Stats013(t => { t.Insert([1.0]); int l = t.Insert([3.0]); t.Insert([0.0]); return l; }));
    }

    [Fact]
    public void Deleting_a_point_gives_the_tree_distribution_of_the_rest()
    {
        // Theorem 5: RRCT({0, 1, 3, 10}) minus 10 is distributed as RRCT({0, 1, 3}).
        AssertDefinitionOne(Stats013(t =>
        {
            t.Insert([0.0]); int far = t.Insert([10.0]); t.Insert([1.0]); int l = t.Insert([3.0]);
            t.Delete(far);
            return l;
        }));
    }

    [Fact]
    public void Equal_points_share_a_leaf_and_count_in_the_displacement()
    {
        var tree = new CutTree(1, 8, Rng.For(1, "rrcf-test"));
        int a = tree.Insert([5.0]);
        Assert.Equal(a, tree.Insert([5.0]));
        int b = tree.Insert([7.0]);
        // Two points at 5 against one at 7: displacing 7 moves two points up, displacing the pair moves one each.
        Assert.Equal(2, tree.CoDisp(b));
        Assert.Equal(0.5, tree.CoDisp(a));
        tree.Delete(a);
        Assert.Equal(1, tree.CoDisp(b));
        Assert.Equal(2, tree.Count);
        Assert.Null(tree.CheckInvariants());
    }

    [Fact]
    public void Random_inserts_and_deletes_keep_counts_boxes_and_cuts_consistent()
    {
        var rng = Rng.For(3, "rrcf-ops");
        var tree = new CutTree(3, 80, Rng.For(4, "rrcf-tree"));
        var live = new List<int>();
        for (int step = 0; step < 3000; step++)
        {
            if (live.Count < 80 && (live.Count == 0 || rng.NextDouble() < 0.55))
                // Coarse values, so equal points are common.
                live.Add(tree.Insert([Math.Round(rng.NextNormal()), Math.Round(rng.NextNormal()), rng.NextInt(3)]));
            else
            {
                int i = rng.NextInt(live.Count);
                tree.Delete(live[i]);
                live.RemoveAt(i);
            }
            if (step % 50 == 0) Assert.Null(tree.CheckInvariants());
            Assert.Equal(live.Count, tree.Count);
        }
    }

    [Fact]
    public void An_isolated_point_displaces_nearly_the_whole_sample()
    {
        // 100 points in [0, 1) and one at 1,000: the root cut isolates it with probability 999/1000, displacing all 100.
        var det = new RandomCutForest(new() { Trees = 50, SampleSize = 256, Seed = 9, Score = RcfScore.Codisp });
        var rng = Rng.For(5, "rrcf-iso");
        var x = Enumerable.Range(0, 100).Select(_ => rng.NextDouble()).Append(1000.0).ToArray();
        var s = det.Score(x);
        Assert.InRange(s[100], 95, 100);
        Assert.InRange(det.Grade(s[100]), 95.0 / 256, 100.0 / 256);
        Assert.True(s.Take(100).Max() < s[100] / 2);
    }

    [Fact]
    public void Depth_score_is_the_expected_inverse_separation_depth()
    {
        // Tree {0, 1} (one cut, leaves at depth 1). x = 3: a cut drawn over [0, 3] separates x at the root with probability 2/3
        // (1/(0 + 1)), else x is split from 1 one level down (1/(1 + 1)): E = 2/3 + 1/6 = 5/6, times log₂(2 + 1).
        var tree = new CutTree(1, 4, Rng.For(1, "rrcf-depth"));
        tree.Insert([0.0]); tree.Insert([1.0]);
        Assert.Equal(5.0 / 6 * Math.Log2(3), tree.DepthScore([3.0]), 12);
        // x = 1 equals a leaf of 1 point at depth 1 among 2: (1 − 1/4)/(1 + log₂ 2) = 3/8; the root's box already holds x.
        Assert.Equal(3.0 / 8 * Math.Log2(3), tree.DepthScore([1.0]), 12);
        // x = 0.5 lies inside the root's box: it reaches leaf 0 or 1 at depth 1, unequal: 1/2.
        Assert.Equal(0.5 * Math.Log2(3), tree.DepthScore([0.5]), 12);
    }

    [Fact]
    public void Depth_score_of_an_isolated_point_approaches_its_bound()
    {
        // 100 points in [0, 1) and one at 1,000, scored before it joins: separated at the root with probability ≈ 0.999.
        var det = new RandomCutForest(new() { Trees = 50, Seed = 9 });
        var rng = Rng.For(5, "rrcf-iso");
        var x = Enumerable.Range(0, 100).Select(_ => rng.NextDouble()).Append(1000.0).ToArray();
        var s = det.Score(x);
        Assert.InRange(s[100], 0.99 * Math.Log2(101), Math.Log2(101) + 1e-12);
        Assert.True(s.Skip(10).Take(90).Max() < s[100] / 2);
        Assert.InRange(det.Grade(s[100]), 0, 1);
    }

    [Fact]
    public void Seeds_fix_the_scores()
    {
        var rng = Rng.For(6, "rrcf-seed");
        var x = Enumerable.Range(0, 600).Select(_ => rng.NextNormal()).ToArray();
        var a = new RandomCutForest(new() { Trees = 20, Seed = 1 }).Score(x);
        Assert.Equal(a, new RandomCutForest(new() { Trees = 20, Seed = 1 }).Score(x));
        Assert.NotEqual(a, new RandomCutForest(new() { Trees = 20, Seed = 2 }).Score(x));
    }

    [Fact]
    public void The_reservoir_keeps_the_sample_size_and_forgets_old_points_under_strong_decay()
    {
        // With time decay 10 a point's weight grows e-fold every 10 points: after a level shift the old level leaves the sample,
        // so a point at the old level becomes an outlier again; with NAB's 100,000 it stays in the sample.
        var x = Enumerable.Repeat(0.0, 400).Concat(Enumerable.Repeat(100.0, 600)).Append(0.0).ToArray();
        for (int i = 0; i < x.Length; i++) x[i] += 1e-3 * (i % 7);
        var fast = new RandomCutForest(new() { Trees = 30, SampleSize = 64, TimeDecay = 10, Seed = 1, Score = RcfScore.Codisp }).Score(x);
        var slow = new RandomCutForest(new() { Trees = 30, SampleSize = 64, TimeDecay = 100_000, Seed = 1, Score = RcfScore.Codisp }).Score(x);
        Assert.True(fast[^1] > 60, $"fast decay: {fast[^1]}");
        Assert.True(slow[^1] < 30, $"slow decay: {slow[^1]}");
    }

    [Fact]
    public void A_shingle_scores_its_first_values_zero_and_sees_a_broken_pattern()
    {
        // A square wave of period 8 (1,1,1,1,−1,−1,−1,−1) with one value inside a plateau flipped: every single value is familiar,
        // but the shingles of 4 that hold the flipped value, such as (1,−1,1,1), never occurred before.
        var x = Enumerable.Range(0, 800).Select(i => (i / 4) % 2 == 0 ? 1.0 : -1.0).ToArray();
        x[601] = -x[601];
        var s = new RandomCutForest(new() { Trees = 30, ShingleSize = 4, Seed = 1, Score = RcfScore.Codisp }).Score(x);
        Assert.Equal(0, s[0] + s[1] + s[2]);
        Assert.True(s.Skip(600).Take(8).Max() > 2 * s.Skip(300).Take(200).Max());
    }

    [Fact]
    public void Bad_options_are_rejected_by_name()
    {
        Assert.Contains("trees", Assert.Throws<ArgumentException>(() => new RandomCutForest(new() { Trees = 0 })).Message);
        Assert.Contains("sample-size", Assert.Throws<ArgumentException>(() => new RandomCutForest(new() { SampleSize = 1 })).Message);
        Assert.Contains("shingle-size", Assert.Throws<ArgumentException>(() => new RandomCutForest(new() { ShingleSize = 0 })).Message);
    }

    [DataFact("nab")]
    public void Mean_over_five_seeds_is_within_one_point_of_NABs_published_row()
    {
        // NAB's randomCutForest row came from AWS's RANDOM_CUT_FOREST (100 trees, 256 points, time decay 100,000, shingle 1);
        // a randomised detector's parity band is the mean over 5 seeds within ±1.0 of each published profile score.
        var corpus = NabCorpus.Open(TestData.For("nab"));
        var runs = Enumerable.Range(1, 5).Select(seed => NabBenchmark.Run(corpus, new RandomCutForest(new() { Seed = seed }), jobs: 2).Result).ToArray();
        foreach (var (profile, score) in corpus.PublishedScores()["randomCutForest"])
        {
            double mean = runs.Average(r => r[profile].Normalized);
            Assert.True(Math.Abs(mean - score) <= 1.0, $"random-cut-forest {profile}: mean {mean:F2} over 5 seeds vs published {score:F2}");
        }
    }
}

/// <summary>
/// The time-decayed reservoir's shortcut (<see cref="Reservoir.SurelyRejects"/>) against the key itself: it may only reject a
/// draw whose key is at least the sample's largest, so a sample fed the same draws with and without it stays the same.
/// </summary>
public class RandomCutReservoirTests
{
    [Theory]
    [InlineData(1e-5, 256)]   // NAB's time decay 100,000 and sample 256
    [InlineData(1e-4, 16)]    // stronger decay: the bound moves within its 1,024-point window
    public void The_shortcut_keeps_the_sample_the_keys_alone_give(double lambda, int capacity)
    {
        var rng = Rng.For(3, "reservoir-shortcut");
        var exact = new Reservoir(capacity);
        var fast = new Reservoir(capacity);
        int shortcuts = 0, steps = 60_000;
        for (long t = 0; t < steps; t++)
        {
            double u = ((rng.NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));
            double key = Reservoir.Key(u, t, lambda);
            bool keepExact = exact.Count < capacity || key < exact.MaxKey;
            bool surely = fast.Count == capacity && fast.SurelyRejects(u, t, lambda);
            if (surely) { shortcuts++; Assert.False(keepExact, $"t = {t}: the shortcut rejected a key {key:R} below the largest {exact.MaxKey:R}"); }
            bool keepFast = !surely && (fast.Count < capacity || key < fast.MaxKey);
            Assert.Equal(keepExact, keepFast);
            foreach (var r in new[] { exact, fast })
                if (keepExact) { if (r.Count == capacity) r.PopMax(); r.Push(key, (int)t); }
            Assert.Equal(exact.MaxKey, fast.MaxKey);
        }
        Assert.True(shortcuts > steps / 2, $"the shortcut fired {shortcuts} times in {steps}");
    }

    [Fact]
    public void The_shortcut_never_rejects_a_draw_at_the_exact_boundary()
    {
        // Draws a few units in the last place either side of exp(−exp(MaxKey + λt)), where the key equals the largest kept key.
        var rng = Rng.For(4, "reservoir-boundary");
        for (int trial = 0; trial < 2000; trial++)
        {
            var r = new Reservoir(3);
            double lambda = trial % 2 == 0 ? 1e-5 : 1e-3;
            long t0 = (long)(rng.NextDouble() * 2000);
            for (int i = 0; i < 3; i++) r.Push(Reservoir.Key(rng.NextDouble() * 0.98 + 0.01, t0, lambda), i);
            long t = t0 + (long)(rng.NextDouble() * 1000);
            double u = Math.Exp(-Math.Exp(r.MaxKey + lambda * t));
            for (int step = -4; step <= 4; step++)
            {
                double v = u;
                for (int s = 0; s < Math.Abs(step); s++) v = step < 0 ? Math.BitDecrement(v) : Math.BitIncrement(v);
                if (r.SurelyRejects(v, t, lambda)) Assert.True(Reservoir.Key(v, t, lambda) >= r.MaxKey, $"trial {trial}: u = {v:R}");
            }
            // Under NAB's decay the bound is tight enough to reject a draw at half the boundary (the shortcut does its work).
            if (lambda == 1e-5) Assert.True(r.SurelyRejects(u * 0.5, t, lambda), $"trial {trial}: u/2 = {u * 0.5:R} not rejected");
        }
    }
}
