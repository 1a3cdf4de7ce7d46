using AiopsLab.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace AiopsLab.Tests.Data;

public class MetricDataViewTests
{
    private static readonly MetricFrame F = new([100, 160, 220, 280, 340], ["cpu", "mem"],
        [[0.5, double.NaN, 2.5, 4.0, double.NaN], [10, 20, 30, 40, 50]]);

    [Fact]
    public void Schema_has_time_then_one_column_per_metric()
    {
        var v = F.ToDataView();
        Assert.Equal(["Time", "cpu", "mem"], v.Schema.Select(c => c.Name).ToArray());
        Assert.Equal(NumberDataViewType.Int64, v.Schema["Time"].Type);
        Assert.Equal(NumberDataViewType.Double, v.Schema["cpu"].Type);
        Assert.Equal(NumberDataViewType.Single, F.ToDataView(singlePrecision: true).Schema["mem"].Type);
        Assert.Equal(5L, v.GetRowCount());
        Assert.Equal("t", F.ToDataView(timeColumn: "t").Schema[0].Name);
    }

    [Fact]
    public void MlNet_reads_the_values_and_times_as_they_are()
    {
        var v = F.ToDataView();
        Assert.Equal([100L, 160, 220, 280, 340], v.GetColumn<long>("Time").ToArray());
        var cpu = v.GetColumn<double>("cpu").ToArray();
        Assert.Equal(0.5, cpu[0]);
        Assert.True(double.IsNaN(cpu[1]) && double.IsNaN(cpu[4]));
        Assert.Equal([10f, 20, 30, 40, 50], F.ToDataView(singlePrecision: true).GetColumn<float>("mem").ToArray());
    }

    [Fact]
    public void MlNet_transforms_see_nan_as_missing_and_filter_by_value()
    {
        var ml = new MLContext(seed: 1);
        var v = F.ToDataView(singlePrecision: true);
        // ReplaceMissingValues with the mean: the mean of the present cpu values, (0.5 + 2.5 + 4.0) / 3 = 7/3.
        var filled = ml.Transforms.ReplaceMissingValues("cpu", replacementMode: Microsoft.ML.Transforms.MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Fit(v).Transform(v).GetColumn<float>("cpu").ToArray();
        Assert.Equal(7f / 3f, filled[1], 5);
        Assert.Equal(7f / 3f, filled[4], 5);
        Assert.Equal(2.5f, filled[2]);
        // Rows with 20 <= mem < 45: 20, 30, 40.
        Assert.Equal(3, ml.Data.FilterRowsByColumn(v, "mem", 20, 45).GetColumn<long>("Time").Count());
        // Concatenate builds the feature vector of each row in column order.
        var features = ml.Transforms.Concatenate("Features", "cpu", "mem").Fit(v).Transform(v)
            .GetColumn<float[]>("Features").ToArray();
        Assert.Equal([2.5f, 30f], features[2]);
    }

    [Fact]
    public void Bad_names_and_wrong_getter_types_are_refused()
    {
        var clash = new MetricFrame([1], ["Time"], [[1.0]]);
        Assert.Contains("a metric is named 'Time'", Assert.Throws<ArgumentException>(() => clash.ToDataView()).Message);
        Assert.Equal(["Timestamp", "Time"], clash.ToDataView(timeColumn: "Timestamp").Schema.Select(c => c.Name).ToArray());
        var v = F.ToDataView();
        using var cursor = v.GetRowCursor([v.Schema["cpu"]]);
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<float>(v.Schema["cpu"]));
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<double>(v.Schema["mem"]));
    }
}
