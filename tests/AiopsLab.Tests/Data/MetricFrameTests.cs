using AiopsLab.Data;
using Xunit;

namespace AiopsLab.Tests.Data;

public class MetricFrameTests
{
    private static MetricFrame Frame(long[] t, params (string Name, double[] Values)[] cols) =>
        new(t, cols.Select(c => c.Name).ToArray(), cols.Select(c => c.Values).ToArray());

    [Fact]
    public void Slices_by_time_with_half_open_bounds()
    {
        var f = Frame([10, 20, 30, 40], ("a", [1, 2, 3, 4]));
        var s = f.SliceTime(20, 40);
        Assert.Equal([20L, 30L], s.Time.ToArray());
        Assert.Equal([2.0, 3.0], s.Column("a").ToArray());
        Assert.Equal(0, f.SliceTime(41, 100).RowCount);
        Assert.Equal(1, f.RowAtOrAfter(11));
        Assert.Equal(4, f.RowAtOrAfter(99));
    }

    [Fact]
    public void Selects_columns_in_the_given_order_and_rejects_unknown_names()
    {
        var f = Frame([1, 2], ("a", [1, 2]), ("b", [3, 4]), ("c", [5, 6]));
        Assert.Equal(["c", "a"], f.Select(["c", "a"]).Names);
        var e = Assert.Throws<UnknownNameException>(() => f.Select(["zz"]));
        Assert.Contains("zz", e.Message);
        Assert.Contains("a, b, c", e.Message);
    }

    [Fact]
    public void Concatenates_in_time_with_the_union_of_columns()
    {
        var a = Frame([1, 2], ("x", [1, 2]));
        var b = Frame([3], ("y", [9]), ("x", [3]));
        var c = MetricFrame.ConcatRows(a, b);
        Assert.Equal(["x", "y"], c.Names);
        Assert.Equal([1.0, 2, 3], c.Column("x").ToArray());
        Assert.True(double.IsNaN(c.Column("y")[0]) && double.IsNaN(c.Column("y")[1]));
        Assert.Equal(9, c.Column("y")[2]);
        Assert.Throws<ArgumentException>(() => MetricFrame.ConcatRows(b, a)); // b ends after a starts
    }

    [Fact]
    public void Aligns_two_frames_on_time()
    {
        var a = Frame([1, 2, 4], ("x", [1, 2, 4]));
        var b = Frame([2, 3, 4], ("y", [20, 30, 40]));
        var outer = MetricFrame.Align(a, b);
        Assert.Equal([1L, 2, 3, 4], outer.Time.ToArray());
        Assert.True(double.IsNaN(outer.Column("x")[2]));
        Assert.True(double.IsNaN(outer.Column("y")[0]));
        var inner = MetricFrame.Align(a, b, JoinKind.Inner);
        Assert.Equal([2L, 4], inner.Time.ToArray());
        Assert.Equal([20.0, 40], inner.Column("y").ToArray());
    }

    [Fact]
    public void Snaps_to_a_grid_within_tolerance()
    {
        var f = Frame([59, 121, 185], ("x", [1, 2, 3]));
        var g = f.ToGrid(60, 60, 3, tolerance: 2);
        Assert.Equal([60L, 120, 180], g.Time.ToArray());
        Assert.Equal(1, g.Column("x")[0]);
        Assert.Equal(2, g.Column("x")[1]);
        Assert.True(double.IsNaN(g.Column("x")[2])); // 185 is 5 s away
    }

    [Fact]
    public void Rejects_unordered_time_duplicate_names_and_ragged_columns()
    {
        Assert.Throws<ArgumentException>(() => Frame([2, 1], ("a", [1, 2])));
        Assert.Throws<ArgumentException>(() => Frame([1, 2], ("a", [1, 2]), ("a", [1, 2])));
        Assert.Throws<ArgumentException>(() => Frame([1, 2], ("a", [1])));
    }

    [Fact]
    public void Exposes_no_way_to_write_into_a_column()
    {
        // Column() is a ReadOnlySpan; ColumnCopy() hands out a copy.
        var f = Frame([1], ("a", [5]));
        var copy = f.ColumnCopy(0);
        copy[0] = 99;
        Assert.Equal(5, f.Column(0)[0]);
    }
}
