using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Preparation;
using Xunit;

namespace AiopsLab.Tests.Rca;

/// <summary>The <c>rcaeval</c> data-preparation preset: RCAEval's driver (rq2.py) steps, checked value by value on a
/// hand-built case, and its composition with any localizer.</summary>
public class DataPreparationTests
{
    private const double N = double.NaN;

    /// <summary>800 rows at 1 s from t = 1000, anomaly at row 400 (t = 1400): the preset keeps rows 100..699.</summary>
    private static RcaProblem HandCase()
    {
        const int n = 800;
        var time = Enumerable.Range(0, n).Select(i => 1000L + i).ToArray();
        var a = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        for (int i = 98; i <= 103; i++) a[i] = N;   // a gap across the window's start (row 100)
        a[450] = double.PositiveInfinity;           // ±∞ count as missing
        a[451] = double.NegativeInfinity;
        var b = Enumerable.Range(0, n).Select(i => i < 120 ? N : 5.0 + (i % 3)).ToArray(); // first observed at row 120
        var c = Enumerable.Repeat(N, n).ToArray();                                          // never observed
        var frame = new MetricFrame(time, ["a_cpu", "b_mem", "c_lat"], [a, b, c]);
        return new RcaProblem(frame, 1400, null, new DelimitedNaming("_"));
    }

    [Fact]
    public void The_rcaeval_preset_fills_the_whole_series_then_keeps_300_rows_a_side()
    {
        var p = DataPreparation.Rcaeval(HandCase());
        var f = p.Metrics;
        // tail(300) of time < 1400 and head(300) of time >= 1400.
        Assert.Equal((600, 1100L, 1699L), (f.RowCount, f.StartTime, f.EndTime));
        Assert.Equal(300, p.AnomalyRow);
        // a: rows 100..103 are missing; ffill over the whole series carries row 97's value into the window.
        Assert.Equal([97, 97, 97, 97, 104], f.Column("a_cpu")[..5].ToArray());
        Assert.Equal([449, 449, 449, 452], f.Column("a_cpu")[349..353].ToArray()); // +∞, −∞ at rows 450, 451
        // b: nothing observed before row 120, so fillna(0); then its own values (5 + i mod 3).
        Assert.Equal([0, 0, 5 + 120 % 3, 5 + 121 % 3], f.Column("b_mem")[18..22].ToArray());
        Assert.All(f.Column("c_lat").ToArray(), v => Assert.Equal(0, v));
        Assert.All(Enumerable.Range(0, 3), j => Assert.All(f.Column(j).ToArray(), v => Assert.True(double.IsFinite(v))));
        // The method's own recipe cuts first and fills inside the window, so there the gap starts at 0, not 97.
        var own = PreparedWindow.Of(HandCase(), WindowRecipe.Graph(300));
        Assert.Equal([0, 0, 0, 0, 104], own.Columns[own.Names.ToList().IndexOf("a_cpu")][..5]);
    }

    [Fact]
    public void The_preset_counts_rows_not_seconds()
    {
        // 60-second data: RCAEval's 300 rows a side are 5 hours, not 5 minutes.
        var time = Enumerable.Range(0, 1000).Select(i => 60L * i).ToArray();
        var frame = new MetricFrame(time, ["a_cpu"], [Enumerable.Range(0, 1000).Select(i => (double)i).ToArray()]);
        var p = DataPreparation.Rcaeval(new RcaProblem(frame, 60L * 500, null, new DelimitedNaming("_")));
        Assert.Equal((600, 60L * 200, 60L * 799), (p.Metrics.RowCount, p.Metrics.StartTime, p.Metrics.EndTime));
    }

    /// <summary>Gap-free data: a normal period of 1,000 rows whose first 700 are loud, then 1,000 anomalous rows.</summary>
    private static RcaProblem GapFree()
    {
        const int n = 2000, at = 1000;
        var time = Enumerable.Range(0, n).Select(i => 1000L + i).ToArray();
        var x = Enumerable.Range(0, n).Select(i => (i < 700 ? 50.0 : 1.0) * (i % 2) + (i >= at ? 8 : 0)).ToArray();
        var y = Enumerable.Range(0, n).Select(i => (i % 2) + (i >= at + 300 ? 20.0 : 0)).ToArray();
        var frame = new MetricFrame(time, ["x_cpu", "y_cpu"], [x, y]);
        return new RcaProblem(frame, time[at], null, new DelimitedNaming("_"));
    }

    [Fact]
    public void Rcaeval_then_baro_is_baro_with_a_300_row_window_on_gap_free_data()
    {
        var p = GapFree();
        var preset = MethodCatalog.CreateLocalizer("rcaeval+baro").Localize(p);
        var rows = MethodCatalog.CreateLocalizer("baro(window=300)").Localize(p);
        Assert.Equal(rows.Ranking, preset.Ranking);
        // By hand: x's normal rows are 0/1 alternating (median 0.5, IQR 1), its anomalous max 9: z = 8.5; y's
        // anomalous rows are 0/1 too (the +20 starts 300 rows in, outside the window): z = 0.5.
        Assert.Equal([("x_cpu", 8.5), ("y_cpu", 0.5)], preset.Ranking.Select(r => (r.Metric, r.Score)).ToArray());
        // Without the preset baro sees every row: y's later +20 ranks it first.
        Assert.Equal("y_cpu", MethodCatalog.CreateLocalizer("baro").Localize(p).Ranking[0].Metric);
    }

    [Fact]
    public void The_preset_composes_with_reducers_and_is_refused_where_it_cannot_stand()
    {
        Assert.Equal("rcaeval+baro", MethodCatalog.CreateLocalizer("rcaeval+baro").Name);
        Assert.Equal("rcaeval+metricsifter+baro", MethodCatalog.CreateLocalizer("rcaeval+metricsifter+baro").Name);
        Assert.Equal("rcaeval+baro", MethodCatalog.Effective(MethodSpec.Parse("rcaeval+baro(window=0)")).ToString());
        Assert.Contains("must come first", Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateLocalizer("baro+rcaeval+nsigma")).Message, StringComparison.Ordinal);
        Assert.Contains("needs a localizer", Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateLocalizer("rcaeval")).Message, StringComparison.Ordinal);
        Assert.Contains("takes no parameters", Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateLocalizer("rcaeval(rows=10)+baro")).Message, StringComparison.Ordinal);
        // Any localizer, e.g. a graph method: the same ranking as on the prepared problem.
        var p = GapFree();
        Assert.Equal(MethodCatalog.CreateLocalizer("pc-pagerank").Localize(DataPreparation.Rcaeval(p)).Ranking,
            MethodCatalog.CreateLocalizer("rcaeval+pc-pagerank").Localize(p).Ranking);
    }
}
