using System.Globalization;
using AiopsLab.Datasets;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Datasets;

public class RcdSockShopTests
{
    private static IDataset Open() => DatasetCatalog.Open("rcd-sockshop", TestData.DataRoot);

    [DataFact("rcd-sockshop")]
    public void Lists_50_cases_5_per_service_and_fault()
    {
        var ds = Open();
        Assert.Equal(50, ds.Cases.Count);
        Assert.All(ds.Cases.GroupBy(c => (c.RootCause, c.FaultType)), g => Assert.Equal(5, g.Count()));
        Assert.Equal(["carts", "catalogue", "orders", "payment", "user"], ds.Cases.Select(c => c.RootCause).Distinct().Order(StringComparer.Ordinal));
    }

    [DataFact("rcd-sockshop")]
    public void Joins_normal_and_anomalous_without_a_gap_and_injects_at_the_first_anomalous_row()
    {
        var ds = Open();
        foreach (var id in new[] { "carts-cpu/1", "orders-mem/5" }) // orders-mem/5: the normal file was recorded after the anomalous one
        {
            var c = ds.Load(ds.Cases.Single(x => x.Id == id));
            var dir = Path.Combine(TestData.For("rcd-sockshop"), "sock-shop-data", id);
            var normalRows = File.ReadLines(Path.Combine(dir, "normal.csv")).Skip(1).Count(l => l.Length > 0);
            var anomLines = File.ReadLines(Path.Combine(dir, "anomalous.csv")).Skip(1).Where(l => l.Length > 0).ToArray();
            long firstAnomalous = long.Parse(anomLines[0].Split(',')[0], CultureInfo.InvariantCulture);
            Assert.Equal(normalRows + anomLines.Length, c.Metrics.RowCount);
            Assert.Equal(38, c.Metrics.ColumnCount);
            Assert.Equal(firstAnomalous, c.Label.InjectTime);
            int a = c.Metrics.RowAtOrAfter(c.Label.InjectTime);
            Assert.Equal(normalRows, a);
            Assert.Equal(1, c.Metrics.Time[a] - c.Metrics.Time[a - 1]); // one sampling step, no fake gap
            Assert.Equal(c.Label.RootCause + "_" + c.Label.FaultType, c.Label.RootCauseMetric);
        }
    }

    [DataFact("rcd-sockshop")]
    public void Database_containers_count_as_their_service()
    {
        var c = Open().Load(Open().Cases[0]);
        Assert.Equal("carts", c.Naming.ServiceOf("carts-db_cpu"));
        Assert.Equal("carts", c.Naming.ServiceOf("carts_lat_90"));
        Assert.Equal("front-end", c.Naming.ServiceOf("front-end_mem"));
        Assert.Equal(9, c.Naming.Services(c.Metrics.Names).Count);
    }
}
