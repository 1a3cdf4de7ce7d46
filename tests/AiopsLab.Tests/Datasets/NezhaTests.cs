using System.Globalization;
using System.Text.Json;
using AiopsLab.Datasets;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Datasets;

public class NezhaTests
{
    private static IDataset Open(params string[] options) =>
        DatasetCatalog.Open("nezha", TestData.DataRoot, DatasetOptions.Parse(options));

    [DataFact("nezha")]
    public void Lists_101_faults_with_the_published_counts_per_system_and_type()
    {
        var ds = Open();
        Assert.Equal(101, ds.Cases.Count);
        var counts = ds.Cases.GroupBy(c => (c.System, c.FaultType)).ToDictionary(g => g.Key, g => g.Count());
        // From the fault lists, as documented in SOURCE.md.
        Assert.Equal(16, counts[("online-boutique", "cpu_contention")]);
        Assert.Equal(10, counts[("online-boutique", "cpu_consumed")]);
        Assert.Equal(16, counts[("online-boutique", "network_delay")]);
        Assert.Equal(7, counts[("online-boutique", "return")]);
        Assert.Equal(7, counts[("online-boutique", "exception")]);
        Assert.Equal(7, counts[("train-ticket", "cpu_contention")]);
        Assert.Equal(14, counts[("train-ticket", "network_delay")]);
        Assert.Equal(11, counts[("train-ticket", "return")]);
        Assert.Equal(13, counts[("train-ticket", "exception")]);
        Assert.Equal(63, ds.Cases.Count(c => c.FaultClass == "resource"));
        Assert.Equal(38, ds.Cases.Count(c => c.FaultClass == "code"));
    }

    [DataFact("nezha")]
    public void Each_case_is_cut_from_its_day_with_the_configured_window()
    {
        var ds = Open("before=600", "after=300");
        // The day's recording starts at the first row of front_service.csv (read raw here); early faults of a day have
        // less than 600 s before them, so take the cases whose whole window fits.
        var firstLine = File.ReadLines(Path.Combine(TestData.For("nezha"), "rca_data", "2022-08-23", "metric", "front_service.csv")).Skip(1).First();
        long dayStart = Nezha.ParseGoTime(firstLine.Split(',')[0])!.Value;
        var inside = ds.Cases.Where(c => c.Id.StartsWith("2022-08-23", StringComparison.Ordinal))
            .Select(d => ds.Load(d)).Where(c => c.Label.InjectTime - 600 >= dayStart + 30).Take(8).ToArray();
        Assert.Equal(8, inside.Length);
        foreach (var c in inside)
        {
            int a = c.Metrics.RowAtOrAfter(c.Label.InjectTime);
            Assert.Equal(10, a);                             // 600 s of 60 s rows before the injection
            Assert.Equal(15, c.Metrics.RowCount);            // 600 + 300 s
            Assert.InRange(c.Metrics.Time[a] - c.Label.InjectTime, 0, 59);
            Assert.All(Enumerable.Range(1, c.Metrics.RowCount - 1), i => Assert.Equal(60, c.Metrics.Time[i] - c.Metrics.Time[i - 1]));
        }
        var last = ds.Cases.Last(c => c.Id.StartsWith("2022-08-23", StringComparison.Ordinal));
        var wide = Open("before=1200", "after=600").Load(last);
        Assert.Equal(20, wide.Metrics.RowAtOrAfter(wide.Label.InjectTime));
    }

    [DataFact("nezha")]
    public void Inject_times_come_from_the_inject_time_text_in_utc()
    {
        var ds = Open();
        var list = Path.Combine(TestData.For("nezha"), "rca_data", "2023-01-29", "2023-01-29-fault_list.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(list));
        var first = doc.RootElement.EnumerateObject().First().Value[0];
        var expected = DateTimeOffset.ParseExact(first.GetProperty("inject_time").GetString()!, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeSeconds();
        var c = ds.Load(ds.Cases.Single(x => x.Id == "2023-01-29/00"));
        Assert.Equal(expected, c.Label.InjectTime);
        // The case lies inside the day's recording, whose first row is the first Time of any metric file.
        Assert.True(c.Metrics.RowAtOrAfter(c.Label.InjectTime) < c.Metrics.RowCount);
    }

    [DataFact("nezha")]
    public void The_adservice_rows_line_up_with_the_other_pods_despite_its_broken_timestamp_column()
    {
        // The raw TimeStamp column of adservice on 2022-08-22 is 200,000,000 s ahead; parsed from Time it matches cartservice.
        var dir = Path.Combine(TestData.For("nezha"), "rca_data", "2022-08-22", "metric");
        string Second(string prefix) => File.ReadLines(Directory.GetFiles(dir, prefix + "*_metric.csv").Single()).Skip(1).First();
        var ad = Second("adservice").Split(',');
        var cart = Second("cartservice").Split(',');
        Assert.Equal(200_000_000L, long.Parse(ad[1], CultureInfo.InvariantCulture) - long.Parse(cart[1], CultureInfo.InvariantCulture));
        Assert.Equal(Nezha.ParseGoTime(cart[0]), Nezha.ParseGoTime(ad[0]));
        var ds = Open();
        var c = ds.Load(ds.Cases.First(x => x.Id.StartsWith("2022-08-22", StringComparison.Ordinal)));
        int a = c.Metrics.RowAtOrAfter(c.Label.InjectTime);
        Assert.False(double.IsNaN(c.Metrics.Column("adservice_CpuUsageRate(%)")[a]));
        Assert.False(double.IsNaN(c.Metrics.Column("cartservice_CpuUsageRate(%)")[a]));
    }

    [DataFact("nezha")]
    public void Online_boutique_has_its_call_graph_and_train_ticket_none()
    {
        var ds = Open();
        var ob = ds.Load(ds.Cases.First(c => c.System == "online-boutique"));
        var dep = File.ReadAllLines(Path.Combine(TestData.For("nezha"), "rca_data", "2022-08-22", "metric", "dependency.csv")).Skip(1)
            .Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();
        Assert.Equal(dep.Select(e => (e[0], e[1])).Distinct().Count(), ob.CallGraph!.EdgeCount);
        Assert.True(ob.CallGraph.HasEdge("frontend", "checkoutservice"));
        Assert.Null(ds.Load(ds.Cases.First(c => c.System == "train-ticket")).CallGraph);
    }

    [DataFact("nezha")]
    public void Pods_map_to_services_and_node_metrics_are_optional()
    {
        Assert.Equal("ts-route-service", Nezha.ServiceOfPod("ts-route-service-b6c59fb57-zv8dt"));
        var ds = Open();
        var c = ds.Load(ds.Cases[0]);
        Assert.DoesNotContain(c.Metrics.Names, n => n.Contains("_Node", StringComparison.Ordinal));
        Assert.Equal(c.Label.RootCause, c.Naming.ServiceOf(c.Label.RootCause + "_CpuUsageRate(%)"));
        Assert.NotEmpty(c.Slis);
        Assert.All(c.Slis, s => Assert.True(c.Metrics.Contains(s)));
        var withNodes = Open("node-metrics=true").Load(ds.Cases[0]);
        Assert.Contains(withNodes.Metrics.Names, n => n.EndsWith("_NodeCpuUsageRate(%)", StringComparison.Ordinal));
    }

    [DataFact("nezha")]
    public void Cpu_faults_carry_the_root_cause_metric_label()
    {
        var ds = Open();
        var c = ds.Load(ds.Cases.First(x => x.FaultType == "cpu_contention"));
        Assert.Equal(c.Label.RootCause + "_CpuUsageRate(%)", c.Label.RootCauseMetric);
        Assert.Null(ds.Load(ds.Cases.First(x => x.FaultType == "return")).Label.RootCauseMetric);
    }

    [DataFact("nezha")]
    public void An_unknown_option_is_rejected_by_name()
    {
        var e = Assert.Throws<AiopsLab.Data.UnknownNameException>(() => Open("windw=3"));
        Assert.Contains("windw", e.Message);
        Assert.Contains("before", e.Message);
    }
}
