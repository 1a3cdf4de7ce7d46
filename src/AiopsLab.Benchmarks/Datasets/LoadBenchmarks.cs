using AiopsLab.Datasets;
using BenchmarkDotNet.Attributes;

namespace AiopsLab.Benchmarks.Datasets;

/// <summary>
/// Opening a dataset and loading every case's metrics, labels and graph from the upstream files, cold (a fresh
/// dataset object, so nezha's per-day recordings are parsed again). Target: all three real datasets under 5 s in total.
/// </summary>
[SimpleJob(warmupCount: 1, iterationCount: 5)]
public class LoadBenchmarks
{
    [Params("rcd-sockshop", "nezha", "petshop")]
    public string Dataset { get; set; } = "";

    [Benchmark]
    public long LoadAllCases()
    {
        var ds = DatasetCatalog.Open(Dataset, BenchData.Root);
        long cells = 0;
        foreach (var d in ds.Cases)
        {
            if (d.Problem is not null) continue;
            var c = ds.Load(d);
            cells += (long)c.Metrics.RowCount * c.Metrics.ColumnCount;
        }
        return cells;
    }
}
