using AiopsLab.Data;
using Deedle;
using Xunit;

namespace AiopsLab.Tests.Data;

public class DeedleFramesTests
{
    private static readonly DateTime T0 = new(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);
    private static readonly long U0 = 1796040000; // 2026-11-30T12:00:00Z, = 20 787 days (2026-01-01 is day 20 454, + 333) × 86 400 s + 12 h

    [Fact]
    public void Time_index_is_utc_datetime_and_nan_is_missing_in_deedle()
    {
        Assert.Equal(U0, (long)(T0 - DateTime.UnixEpoch).TotalSeconds);
        var f = new MetricFrame([U0, U0 + 60, U0 + 120], ["cpu", "mem"], [[1.5, double.NaN, 3.5], [10, 20, 30]]);
        var d = f.ToDeedleFrame();

        Assert.Equal([T0, T0.AddMinutes(1), T0.AddMinutes(2)], d.RowKeys.ToArray());
        Assert.All(d.RowKeys, k => Assert.Equal(DateTimeKind.Utc, k.Kind));
        Assert.Equal(["cpu", "mem"], d.ColumnKeys.ToArray());
        var cpu = d.GetColumn<double>("cpu");
        Assert.Equal(2, cpu.ValueCount);                      // Deedle counts present values only
        Assert.False(cpu.TryGet(T0.AddMinutes(1)).HasValue);   // NaN arrived as a missing value
        Assert.Equal(3.5, cpu.Get(T0.AddMinutes(2)));
        Assert.Equal(2.5, Stats.mean(cpu));                   // (1.5 + 3.5) / 2: Deedle's mean skips the missing value
        Assert.Equal(60.0, Stats.sum(d.GetColumn<double>("mem")));
    }

    [Fact]
    public void Round_trip_is_exact_including_nan_infinities_and_negative_zero()
    {
        var rng = new Random(12);
        int rows = 500;
        var time = Enumerable.Range(0, rows).Select(i => U0 + 15L * i + (i % 7 == 0 ? 1 : 0)).ToArray();
        var cols = new double[4][];
        for (int j = 0; j < cols.Length; j++)
            cols[j] = Enumerable.Range(0, rows).Select(i => i % (5 + j) == 0 ? double.NaN : (rng.NextDouble() - 0.5) * Math.Pow(10, j * 3)).ToArray();
        cols[1][3] = double.PositiveInfinity; cols[2][4] = double.NegativeInfinity; cols[3][6] = -0.0;
        var f = new MetricFrame(time, ["svc-a_cpu", "svc-a_mem", "svc b latency", "x"], cols);

        var back = f.ToDeedleFrame().ToMetricFrame();

        Assert.Equal(f.Time.ToArray(), back.Time.ToArray());
        Assert.Equal(f.Names, back.Names);
        for (int j = 0; j < cols.Length; j++)
            for (int i = 0; i < rows; i++)
                Assert.Equal(BitConverter.DoubleToInt64Bits(cols[j][i]), BitConverter.DoubleToInt64Bits(back.Column(j)[i]));
    }

    [Fact]
    public void A_frame_built_with_deedle_comes_back_with_missing_as_nan_and_integers_as_doubles()
    {
        // Columns with different keys: Deedle aligns them on the union of keys (outer join), absent cells missing.
        var a = new Series<DateTime, double>([T0, T0.AddSeconds(30)], [1.0, 2.0]);
        var b = new Series<DateTime, int>([T0.AddSeconds(30), T0.AddSeconds(60)], [7, 8]);
        var d = Frame.FromColumns(new[] { KeyValuePair.Create("a", a.Select(kv => (object)kv.Value)), KeyValuePair.Create("b", b.Select(kv => (object)kv.Value)) });

        var f = d.SortRowsByKey().ToMetricFrame();

        Assert.Equal([U0, U0 + 30, U0 + 60], f.Time.ToArray());
        Assert.Equal(["a", "b"], f.Names);
        Assert.Equal(1.0, f.Column("a")[0]);
        Assert.Equal(2.0, f.Column("a")[1]);
        Assert.True(double.IsNaN(f.Column("a")[2]));
        Assert.True(double.IsNaN(f.Column("b")[0]));
        Assert.Equal([7.0, 8.0], f.Column("b")[1..].ToArray());
    }

    [Fact]
    public void Resampled_deedle_frame_comes_back_on_the_new_grid()
    {
        var f = new MetricFrame([U0, U0 + 30, U0 + 60, U0 + 90], ["v"], [[1, 3, double.NaN, 10]]);
        var perMinute = f.ToDeedleFrame().GetColumn<double>("v")
            .ResampleEquivalence(t => new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc), s => Stats.mean(s));
        var back = Frame.FromColumns(new[] { KeyValuePair.Create("v", perMinute) }).ToMetricFrame();
        Assert.Equal([U0, U0 + 60], back.Time.ToArray());
        Assert.Equal([2.0, 10.0], back.Column("v").ToArray()); // mean(1, 3); mean(missing, 10) = 10
    }

    [Fact]
    public void Empty_frames_and_frames_without_metrics_keep_their_rows()
    {
        Assert.Equal(0, MetricFrame.Empty.ToDeedleFrame().ToMetricFrame().RowCount);
        var noMetrics = new MetricFrame([U0, U0 + 1], [], []);
        var d = noMetrics.ToDeedleFrame();
        Assert.Equal(2, d.RowCount);
        Assert.Equal([U0, U0 + 1], d.ToMetricFrame().Time.ToArray());
    }

    [Fact]
    public void Unordered_keys_are_refused_with_the_row_named()
    {
        var s = new Series<DateTime, double>([T0.AddSeconds(10), T0], [1.0, 2.0]);
        var d = Frame.FromColumns(new[] { KeyValuePair.Create("v", s) });
        var e = Assert.Throws<AiopsLabException>(() => d.ToMetricFrame());
        Assert.Contains("row 1 (2026-11-30T12:00:00)", e.Message);
        Assert.Contains("strictly increasing", e.Message);
        Assert.Equal([U0, U0 + 10], d.SortRowsByKey().ToMetricFrame().Time.ToArray());
    }

    [Fact]
    public void Local_time_and_fractional_seconds_are_refused()
    {
        var local = Frame.FromColumns(new[] { KeyValuePair.Create("v", new Series<DateTime, double>([new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Local)], [1.0])) });
        Assert.Contains("local time", Assert.Throws<AiopsLabException>(() => local.ToMetricFrame()).Message);
        var frac = Frame.FromColumns(new[] { KeyValuePair.Create("v", new Series<DateTime, double>([T0, T0.AddMilliseconds(1500)], [1.0, 2.0])) });
        var e = Assert.Throws<AiopsLabException>(() => frac.ToMetricFrame());
        Assert.Contains("row 1 (2026-11-30T12:00:01.5)", e.Message);
        Assert.Contains("whole second", e.Message);
        var unspecified = Frame.FromColumns(new[] { KeyValuePair.Create("v", new Series<DateTime, double>([new DateTime(2026, 11, 30, 12, 0, 0)], [1.0])) });
        Assert.Equal([U0], unspecified.ToMetricFrame().Time.ToArray()); // unspecified kind is read as UTC
    }

    [Fact]
    public void A_text_column_is_refused_with_its_name()
    {
        var d = Frame.FromColumns(new[]
        {
            KeyValuePair.Create("ok", new Series<DateTime, object>([T0], [1.0])),
            KeyValuePair.Create("host", new Series<DateTime, object>([T0], ["web-1"])),
        });
        var e = Assert.Throws<AiopsLabException>(() => d.ToMetricFrame());
        Assert.Contains("column 'host' is not numeric", e.Message);
        // A text column is refused even when its text reads as numbers (Deedle would parse it).
        var text = Frame.FromColumns(new[] { KeyValuePair.Create("v", new Series<DateTime, string>([T0], ["1.5"])) });
        Assert.Contains("column 'v' is not numeric: its values are String", Assert.Throws<AiopsLabException>(() => text.ToMetricFrame()).Message);
    }
}
