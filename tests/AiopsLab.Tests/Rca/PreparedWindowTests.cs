using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Preparation;
using Xunit;

namespace AiopsLab.Tests.Rca;

/// <summary>The one window preparation, on hand-made frames whose prepared values are known by construction.</summary>
public class PreparedWindowTests
{
    private static readonly double N = double.NaN;

    /// <summary>Ten rows at 1 s, the anomaly at row 5 (t = 105).</summary>
    private static RcaProblem Problem(params (string Name, double[] Values)[] cols)
    {
        var time = Enumerable.Range(0, 10).Select(i => 100L + i).ToArray();
        var frame = new MetricFrame(time, cols.Select(c => c.Name).ToArray(), cols.Select(c => c.Values).ToArray());
        return new RcaProblem(frame, 105, null, new DelimitedNaming("_"));
    }

    [Fact]
    public void Gaps_are_carried_forward_within_the_window_and_leading_ones_are_zero_or_the_first_value()
    {
        var p = Problem(("a_cpu", [N, N, 3, N, 5, 6, N, 8, 9, 10]), ("b_cpu", [1, 2, N, N, N, N, 7, N, N, 10]));
        var all = PreparedWindow.Of(p, WindowRecipe.Graph(0));
        Assert.Equal([0, 0, 3, 3, 5, 6, 6, 8, 9, 10], all.Columns[0]);
        Assert.Equal([1, 2, 2, 2, 2, 2, 7, 7, 7, 10], all.Columns[1]);
        // Two rows each side: rows 3..6. The recipes cut the window first, then fill (RCAEval's driver fills first: the
        // rcaeval preset, DataPreparationTests).
        var cut = PreparedWindow.Of(p, WindowRecipe.Graph(2));
        Assert.Equal((4, 2), (cut.RowCount, cut.AnomalyRow));
        Assert.Equal([0, 5, 6, 6], cut.Columns[0]);
        Assert.Equal([0, 0, 0, 7], cut.Columns[1]);
        var circa = PreparedWindow.Of(p, WindowRecipe.Graph(2) with { Leading = LeadingGaps.FirstValue });
        Assert.Equal([5, 5, 6, 6], circa.Columns[0]);
        Assert.Equal(["b_cpu"], circa.Dropped); // 7, 7, 7, 7: constant once backfilled
    }

    [Fact]
    public void Constant_columns_are_dropped_by_the_chosen_rule_and_ranked_last()
    {
        var p = Problem(
            ("flat_cpu", [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
            ("step_cpu", [1, 1, 1, 1, 1, 4, 4, 4, 4, 4]),      // constant on each side, not over the whole window
            ("noise_lat", [0.0045, 0.0045000000000000005, 0.0045, 0.0045000000000000005, 0.0045, 0.0045, 0.0045, 0.0045, 0.0045, 0.0045]),
            ("live_cpu", [1, 2, 1, 2, 1, 5, 6, 5, 6, 5]));
        var whole = PreparedWindow.Of(p, WindowRecipe.Graph(0));
        Assert.Equal(["step_cpu", "live_cpu"], whole.Names);
        Assert.Equal(["flat_cpu", "noise_lat"], whole.Dropped);
        var sides = PreparedWindow.Of(p, WindowRecipe.Statistical(0, []));
        Assert.Equal(["live_cpu"], sides.Names);
        Assert.Equal([1, 2, 1, 2, 1], sides.Normal(0).ToArray());
        Assert.Equal([5, 6, 5, 6, 5], sides.Anomalous(0).ToArray());
        var r = sides.Result([1.0]);
        Assert.Equal("live_cpu", r.Ranking[0].Metric);
        Assert.All(r.Ranking.Skip(1), m => Assert.True(double.IsNaN(m.Score)));
        Assert.Equal(3, r.Diagnostics["dropped_constant"]);
    }

    [Fact]
    public void Memory_is_converted_to_megabytes_and_excluded_kinds_are_left_out()
    {
        var p = Problem(
            ("carts_mem", [1.5e6, 2.7e6, 1.5e6, 2.2e6, 1.9e6, 9.9e6, 9.1e6, 9.5e6, 9.2e6, 9.8e6]),
            ("carts_lat_50", [1, 2, 1, 2, 1, 5, 6, 5, 6, 5]),
            ("carts_cpu", [1, 2, 1, 2, 1, 5, 6, 5, 6, 5]));
        var mb = PreparedWindow.Of(p, WindowRecipe.Graph(0, ["lat_50"]) with { MemoryDivisor = 1e6 });
        Assert.Equal(["carts_mem", "carts_cpu"], mb.Names);
        Assert.Equal(1.5, mb.Columns[0][0], 12);
        Assert.Equal(1, mb.Columns[1][0]); // not memory: untouched
        var truncated = PreparedWindow.Of(p, WindowRecipe.Graph(0) with { MemoryDivisor = 1e6, TruncateMemory = true });
        Assert.Equal([1, 2, 1, 2, 1, 9, 9, 9, 9, 9], truncated.Columns[0]);
        Assert.True(MetricKinds.IsMemory("mem") && MetricKinds.IsMemory("PodMemoryUsage") && !MetricKinds.IsMemory("cpu"));
    }

    [Fact]
    public void A_window_without_normal_rows_fails_clearly_when_both_sides_are_needed()
    {
        var p = Problem(("a_cpu", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])) with { AnomalyTime = 100 };
        var e = Assert.Throws<AiopsLabException>(() => PreparedWindow.Of(p, WindowRecipe.Statistical(0, [])));
        Assert.Contains("no rows before the anomaly time", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, PreparedWindow.Of(p, WindowRecipe.Graph(0)).AnomalyRow);
    }

    [Fact]
    public void Anomaly_scores_are_the_n_sigma_of_the_anomalous_part()
    {
        // normal 1, 2, 1, 2, 1: mean 1.4, population sd √0.24; anomalous max |6 − 1.4| = 4.6.
        var p = Problem(("live_cpu", [1, 2, 1, 2, 1, 5, 6, 5, 6, 5]));
        var s = PreparedWindow.Of(p, WindowRecipe.Graph(0)).AnomalyScores();
        Assert.Equal(4.6 / Math.Sqrt(0.24), s[0], 10);
    }
}
