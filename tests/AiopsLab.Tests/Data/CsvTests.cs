using AiopsLab.Data;
using Xunit;

namespace AiopsLab.Tests.Data;

public class CsvTests
{
    private static string Write(string text)
    {
        var p = Path.Combine(Path.GetTempPath(), "aiopslab-csv-" + Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public void Reads_a_wide_csv_with_nan_and_quoted_fields()
    {
        var p = Write("time,\"a,b\",c\n100,1.5,\n101,nan,2e3\n");
        var f = Csv.ReadFrame(p);
        Assert.Equal(["a,b", "c"], f.Names);
        Assert.Equal([100L, 101], f.Time.ToArray());
        Assert.True(double.IsNaN(f.Column("c")[0]) && double.IsNaN(f.Column("a,b")[1]));
        Assert.Equal(2000, f.Column("c")[1]);
    }

    [Fact]
    public void A_bad_number_names_the_file_line_and_column()
    {
        var p = Write("time,a,b\n1,2,3\n2,4,oops\n");
        var e = Assert.Throws<DataFormatException>(() => Csv.ReadFrame(p));
        Assert.Equal(3, e.Line);
        Assert.Equal(3, e.Column);
        Assert.StartsWith(p + ":3:3: ", e.Message);
        Assert.Contains("'oops'", e.Message);
        Assert.Contains("column 'b'", e.Message);
    }

    [Fact]
    public void A_missing_time_column_a_ragged_row_and_unordered_time_are_errors()
    {
        var e1 = Assert.Throws<DataFormatException>(() => Csv.ReadFrame(Write("ts,a\n1,2\n")));
        Assert.Contains("missing column 'time'", e1.Message);
        var e2 = Assert.Throws<DataFormatException>(() => Csv.ReadFrame(Write("time,a\n1,2\n2\n")));
        Assert.Equal(3, e2.Line);
        Assert.Contains("expected 2 fields", e2.Message);
        var e3 = Assert.Throws<DataFormatException>(() => Csv.ReadFrame(Write("time,a\n5,2\n5,3\n")));
        Assert.Equal(3, e3.Line);
        Assert.Contains("not after", e3.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<DataFormatException>(() => Csv.ReadFrame("/nonexistent/x.csv"));
        Assert.Contains("/nonexistent/x.csv", e.Message);
    }

    [Fact]
    public void Writing_then_reading_round_trips_exactly()
    {
        var f = new MetricFrame([1, 2], ["x", "y,z"], [[0.1, double.NaN], [1e-300, -2.5]]);
        var sw = new StringWriter();
        Csv.WriteFrame(sw, f);
        var g = Csv.ReadFrame(Write(sw.ToString()));
        Assert.Equal(f.Names, g.Names);
        for (int j = 0; j < 2; j++)
            Assert.Equal(f.Column(j).ToArray().Select(BitConverter.DoubleToInt64Bits), g.Column(j).ToArray().Select(BitConverter.DoubleToInt64Bits));
    }
}
