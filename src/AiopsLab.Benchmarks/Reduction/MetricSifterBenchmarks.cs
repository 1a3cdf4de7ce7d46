using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Detection;
using AiopsLab.Methods;
using AiopsLab.Reduction;
using BenchmarkDotNet.Attributes;

namespace AiopsLab.Benchmarks.Reduction;

/// <summary>
/// MetricSifter on rcd-sockshop: the whole reduction of all 50 cases (divide by 50 for a case; the authors' code,
/// <c>results/external/scripts/run_sifter.py</c>, takes its median per case here for comparison), and its two steps apart
/// on one case (carts-cpu/1, 574 rows × 38 metrics): PELT over every metric, and the KDE segmentation and selection.
/// <c>Reduce</c> runs step 1 on all cores; the one-core benchmark does the same steps on one thread, for the figure to
/// set beside the authors' single-threaded code.
/// <c>dotnet run -c Release --project src/AiopsLab.Benchmarks -- --filter '*MetricSifterBenchmarks*'</c>
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 9)]
public class MetricSifterBenchmarks
{
    private RcaProblem[] _cases = null!;
    private RcaProblem _one = null!;
    private List<int[]> _cps = null!;
    private readonly MetricSifter _sifter = new();

    [GlobalSetup]
    public void Setup()
    {
        var ds = DatasetCatalog.Open("rcd-sockshop", BenchData.Root);
        RcaProblem Load(CaseDescriptor c) { var l = ds.Load(c); return new RcaProblem(l.Metrics, l.Label.InjectTime, l.CallGraph, l.Naming); }
        _cases = ds.Cases.Select(Load).ToArray();
        _one = Load(ds.Cases.Single(x => x.Id == "carts-cpu/1"));
        _cps = ChangePointsOf(_one);
    }

    private static List<int[]> ChangePointsOf(RcaProblem p)
    {
        var cps = new List<int[]>();
        for (int j = 0; j < p.Metrics.ColumnCount; j++)
        {
            var col = p.Metrics.Column(j);
            if (MetricSifter.CanChange(col)) cps.Add(MetricSifter.ChangePoints(col));
        }
        return cps;
    }

    [Benchmark(Description = "metricsifter, all 50 rcd-sockshop cases")]
    public int AllCases()
    {
        int kept = 0;
        foreach (var p in _cases) kept += _sifter.Reduce(p).Count;
        return kept;
    }

    [Benchmark(Description = "metricsifter, all 50 rcd-sockshop cases, one thread")]
    public int AllCasesOneThread()
    {
        int kept = 0;
        foreach (var p in _cases) kept += MetricSifter.SelectDensest(ChangePointsOf(p), p.Metrics.RowCount).Length;
        return kept;
    }

    [Benchmark(Description = "metricsifter steps 0-1 (PELT per metric), one case")]
    public List<int[]> ChangePointsOneCase() => ChangePointsOf(_one);

    [Benchmark(Description = "metricsifter steps 2-3 (KDE segments, selection), one case")]
    public int[] SelectOneCase() => MetricSifter.SelectDensest(_cps, _one.Metrics.RowCount);
}
