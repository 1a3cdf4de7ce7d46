using AiopsLab.Datasets;
using AiopsLab.Experiments;
using BenchmarkDotNet.Attributes;
using AiopsLab.Evaluation;

namespace AiopsLab.Benchmarks.Experiments;

/// <summary>
/// The run store's write path: encoding rankings and committing batches of completed cases (prepared statements, one
/// transaction per batch), as the experiment runner's writer does. The end-to-end scale benchmark (10,000 cases) is the
/// CLI timing in scale.sh beside this file.
///   dotnet run -c Release --project src/AiopsLab.Benchmarks -- --filter '*RunStore*'
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 5)]
public class RunStoreBenchmarks
{
    private string _dir = "";
    private RunStore _store = null!;
    private RunStore.Registration _reg = null!;
    private CaseResult[] _batch = [];
    private int[] _idx = [];
    private double[] _scores = [];
    private int _round;

    /// <summary>Cases per committed batch (the runner's writer takes up to 64).</summary>
    [Params(1, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "aiopslab-bench-" + Guid.NewGuid().ToString("N"));
        var spec = ExperimentSpec.Parse("datasets:\n  - name: synthetic\n    options: {cases: 100000}\nmethods: [random, 'random(per-service=false)']\nseeds: [0, 1, 2]\n", "bench.yaml");
        var plan = ExperimentPlan.Build(spec, new DataRoot(_dir, "bench"));
        _store = RunStore.Create(_dir);
        _reg = _store.Register(plan, StoreKind.Experiment, Shard.All, Provenance.Capture("bench"), [(DatasetChecksum.Generated, 0, 0)], retry: false);
        var names = Enumerable.Range(0, 50).Select(i => "svc" + (i / 5) + "_m" + (i % 5)).ToArray();
        var set = new MetricSet(names, names.Select(n => n.Split('_')[0]).ToArray());
        _idx = Enumerable.Range(0, 50).Reverse().ToArray();
        _scores = _idx.Select(i => i * 0.37).ToArray();
        _batch = new CaseResult[Batch];
        for (int k = 0; k < Batch; k++)
            _batch[k] = new CaseResult(0, new CaseInfo("cpu", "resource", "svc1", "svc1_m1", 10, set), []);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Benchmark(Description = "encode one 50-metric ranking")]
    public byte[] Encode() => RankingCodec.Encode(_idx, _scores);

    /// <summary>Writes Batch cases x 6 rows (2 methods x 3 seeds) in one transaction.</summary>
    [Benchmark(Description = "commit a batch of cases (6 rows each)")]
    public void Write()
    {
        var batch = new CaseResult[Batch];
        for (int k = 0; k < Batch; k++)
        {
            long caseRef = _reg.CaseRefs[0][(_round * Batch + k) % _reg.CaseRefs[0].Length];
            var rows = new List<RunRow>(6);
            foreach (var c in _reg.ConfigRefs)
                for (long s = 0; s < 3; s++)
                    rows.Add(new RunRow(c, s, 0, RunStatus.Ok, 0.001, 0.001) { Rank = 2, MetricRank = 7, Ranking = RankingCodec.Encode(_idx, _scores), AnomalyTime = 1 });
            batch[k] = _batch[k] with { CaseRef = caseRef, Rows = rows };
        }
        _round++;
        _store.Write(batch, _reg.Invocation);
    }
}
