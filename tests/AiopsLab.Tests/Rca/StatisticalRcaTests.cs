using AiopsLab.Data;
using AiopsLab.Numerics;
using AiopsLab.Rca;
using Xunit;
using AiopsLab.Methods;

namespace AiopsLab.Tests.Rca;

/// <summary>BARO's RobustScorer, NSigma and ε-Diagnosis on hand-computed inputs and independent properties.</summary>
public class StatisticalRcaTests
{
    [Fact]
    public void Robust_score_matches_a_hand_computed_value()
    {
        // normal 1..5: median 3, Q1 = 2, Q3 = 4, IQR = 2; anomalous 3, 9, 5 → z = 0, 3, 1 → max 3.
        Assert.Equal(3, Baro.RobustScore([1, 2, 3, 4, 5], [3, 9, 5]), 12);
        // Signed maximum: a drop scores below zero; |z| when asked.
        Assert.Equal(-1, Baro.RobustScore([1, 2, 3, 4, 5], [1]), 12);
        Assert.Equal(1, Baro.RobustScore([1, 2, 3, 4, 5], [1], absolute: true), 12);
        // IQR 0 counts as 1 (scikit-learn's RobustScaler): normal 1,1,1,1,5 → median 1; anomalous 4 → 3.
        Assert.Equal(3, Baro.RobustScore([1, 1, 1, 1, 5], [4]), 12);
        // So does an IQR below scikit-learn's 10·eps (≈ 2.2e-15): normal 0, 0, 1e-16, 1e-16 → Q1 = 0, Q3 = 1e-16, median 5e-17
        // → scale 1, z = 1 − 5e-17 (dividing by the IQR would give 1e16).
        Assert.Equal(1, Baro.RobustScore([0, 0, 1e-16, 1e-16], [1.0]), 12);
        // An IQR just above it is kept: normal 0, 0, 1e-14, 1e-14 → Q1 = 0, Q3 = 1e-14 (linear interpolation), median 5e-15.
        Assert.Equal((1e-14 - 5e-15) / 1e-14, Baro.RobustScore([0, 0, 1e-14, 1e-14], [1e-14]), 9);
    }

    [Fact]
    public void Robust_score_by_selection_equals_the_score_from_the_sorted_quartiles()
    {
        // Quartiles found by quickselect must be the sorted sample's (numpy's linear interpolation), ties included.
        var rng = new Rng(17);
        foreach (int n in new[] { 1, 2, 3, 4, 5, 7, 10, 64, 299, 1500 })
            for (int rep = 0; rep < 20; rep++)
            {
                var normal = Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextNormal() * 3)).ToArray();
                if (rep % 4 == 0 && n > 2) normal[n / 2] = double.NaN;
                var anomalous = Enumerable.Range(0, 5).Select(_ => rng.NextNormal() * 10).ToArray();
                var sorted = Stats.SortedFinite(normal);
                double iqr = Stats.QuantileSorted(sorted, 0.75) - Stats.QuantileSorted(sorted, 0.25);
                double expected = anomalous.Max(v => (v - Stats.QuantileSorted(sorted, 0.5)) / (iqr < Baro.NearZeroScale ? 1 : iqr));
                Assert.Equal(expected, Baro.RobustScore(normal, anomalous));
            }
    }

    [Fact]
    public void Nsigma_score_matches_a_hand_computed_value()
    {
        // normal 1, 2, 3: mean 2, population sd √(2/3); anomalous 2, 4 → max z = 2/√(2/3) = √6.
        Assert.Equal(Math.Sqrt(6), NSigma.ZScore([1, 2, 3], [2, 4]), 12);
        Assert.Equal(Math.Sqrt(6) / 2, NSigma.ZScore([1, 2, 3], [2, 4], aggregate: NSigma.Aggregation.Mean), 12);
    }

    private static RcaProblem TwoMetricProblem(Func<int, Rng, double> changed, Func<int, Rng, double> unchanged, int n = 200, int at = 120, ulong seed = 4)
    {
        var rng = new Rng(seed);
        var time = Enumerable.Range(0, n).Select(i => 5000L + 10 * i).ToArray();
        var a = Enumerable.Range(0, n).Select(i => changed(i, rng)).ToArray();
        var b = Enumerable.Range(0, n).Select(i => unchanged(i, rng)).ToArray();
        var frame = new MetricFrame(time, ["api_lat_90", "db_cpu"], [a, b]);
        return new RcaProblem(frame, time[at], null, new DelimitedNaming("_")) { Seed = 99 };
    }

    [Fact]
    public void Baro_and_nsigma_rank_the_shifted_metric_first()
    {
        var p = TwoMetricProblem((i, r) => (i >= 120 ? 3 : 0) + r.NextNormal(), (_, r) => r.NextNormal());
        Assert.Equal("api_lat_90", new Baro().Localize(p).Ranking[0].Metric);
        Assert.Equal("api_lat_90", new NSigma().Localize(p).Ranking[0].Metric);
    }

    [Fact]
    public void Constant_columns_are_ranked_last_and_excluded_kinds_not_at_all()
    {
        var p = TwoMetricProblem((i, r) => (i >= 120 ? 3 : 0) + r.NextNormal(), (_, _) => 7);
        var r = new Baro().Localize(p);
        Assert.Equal(["api_lat_90", "db_cpu"], r.Ranking.Select(x => x.Metric));
        Assert.True(double.IsNaN(r.Ranking[1].Score));
        var ex = new Baro(new Baro.Options { ExcludeKinds = ["lat_90"] }).Localize(p);
        Assert.Equal(["db_cpu"], ex.Ranking.Select(x => x.Metric));
    }

    [Fact]
    public void Energy_distance_matches_hand_computed_values()
    {
        var rng = new Rng(1);
        // x = {0, 1}, y = {2, 3}: E|X−Y| = 2, E|X−X'| = E|Y−Y'| = 0.5 → E = 4 − 0.5 − 0.5 = 3; H = 3/4.
        var (e, h, _) = EDiagnosis.EnergyTest([0, 1], [2, 3], 10, rng);
        Assert.Equal(3, e, 12);
        Assert.Equal(0.75, h, 12);
        var (e0, h0, p0) = EDiagnosis.EnergyTest([1, 2, 3], [1, 2, 3], 50, rng);
        Assert.Equal(0, e0, 12);
        Assert.Equal(0, h0, 12);
        Assert.Equal(1, p0, 12); // every relabelling is at least as extreme as E = 0
    }

    [Fact]
    public void Energy_test_rejects_a_changed_distribution_and_not_an_unchanged_one()
    {
        var rng = new Rng(2);
        var x = Enumerable.Range(0, 100).Select(_ => rng.NextNormal()).ToArray();
        var y = Enumerable.Range(0, 100).Select(_ => rng.NextNormal(0, 3)).ToArray(); // same mean, wider
        var z = Enumerable.Range(0, 100).Select(_ => rng.NextNormal()).ToArray();
        Assert.True(EDiagnosis.EnergyTest(x, y, 199, new Rng(3)).PValue < 0.01);
        Assert.True(EDiagnosis.EnergyTest(x, z, 199, new Rng(3)).PValue > 0.05);
    }

    [Fact]
    public void E_diagnosis_ranks_a_metric_whose_distribution_changes_above_one_that_does_not()
    {
        // The changed metric keeps its mean but its variance grows: low similarity between windows.
        var p = TwoMetricProblem((i, r) => r.NextNormal(0, i >= 120 ? 4 : 1), (_, r) => r.NextNormal());
        var res = new EDiagnosis().Localize(p);
        Assert.Equal("api_lat_90", res.Ranking[0].Metric);
        Assert.Equal(1, res.Diagnostics["flagged"]);
        // Seeded: the same problem and seed give the same scores; the ranking does not depend on column order.
        var again = new EDiagnosis().Localize(p);
        Assert.Equal(res.Ranking, again.Ranking);
        var swapped = p with { Metrics = p.Metrics.Select(["db_cpu", "api_lat_90"]) };
        Assert.Equal(res.Ranking, new EDiagnosis().Localize(swapped).Ranking);
    }

    [Fact]
    public void Pyrca_variant_ranks_similar_windows_first_which_is_the_paper_s_rule_backwards()
    {
        // A metric that repeats the same ramp in both windows is maximally similar (r² = 1) and unchanged in distribution;
        // a metric whose level jumps is the one that changed. PyRCA's rule ranks the unchanged ramp first.
        var p = TwoMetricProblem((i, r) => (i >= 120 ? 5 : 0) + r.NextNormal(0, 0.3), (i, _) => i % 80 + 0.0, n: 240, at: 160);
        Assert.Equal("api_lat_90", new EDiagnosis().Localize(p).Ranking[0].Metric);
        var pyrca = new EDiagnosis(new EDiagnosis.Options { Mode = EDiagnosis.Variant.PyRca }).Localize(p);
        Assert.Equal("db_cpu", pyrca.Ranking[0].Metric);
    }
}
