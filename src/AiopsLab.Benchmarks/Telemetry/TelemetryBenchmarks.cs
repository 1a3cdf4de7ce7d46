using AiopsLab.Datasets;
using AiopsLab.Telemetry;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AiopsLab.Benchmarks.Telemetry;

/// <summary>
/// Loading every Train Ticket case of nezha with its traces and logs (case window and fault-free period), cold: a fresh
/// dataset object per invocation, so every per-minute file is read and decompressed again (305 MB of CSV, 33 MB gzip).
/// Target (issue 13): under 10 s on 2 cores, peak memory under 2 GiB.
/// </summary>
[Config(typeof(InProcessConfig))]
public class TelemetryLoadBenchmarks
{
    [Benchmark]
    public long LoadTrainTicketWithTracesAndLogs()
    {
        var ds = DatasetCatalog.Open("nezha", BenchData.Root);
        long rows = 0;
        foreach (var d in ds.Cases)
        {
            if (d.System != "train-ticket") continue;
            var t = ds.Load(d).Telemetry!;
            rows += t.Spans!.Count + t.Logs!.Count + t.NormalSpans!.Count + t.NormalLogs!.Count;
        }
        return rows;
    }
}

/// <summary>
/// Drain (Nezha's Train Ticket settings) over real Train Ticket log lines on one thread, reported per line
/// (OperationsPerInvoke = lines). Target (issue 13): at least 200,000 lines/s, i.e. at most 5 µs per line.
/// </summary>
[Config(typeof(InProcessConfig))]
public class DrainBenchmarks
{
    private string[] _lines = [];

    [GlobalSetup]
    public void Setup()
    {
        var ds = DatasetCatalog.Open("nezha", BenchData.Root);
        _lines = ds.Cases.Where(d => d.System == "train-ticket").Take(6).SelectMany(d => ds.Load(d).Telemetry!.Logs!.Message).Take(Lines).ToArray();
        if (_lines.Length < Lines) throw new InvalidOperationException($"only {_lines.Length} lines found.");
    }

    public const int Lines = 50_000;

    [Benchmark(OperationsPerInvoke = Lines)]
    public int ParseLines()
    {
        var d = new Drain(DrainOptions.NezhaTrainTicket);
        int last = 0;
        foreach (var l in _lines) last = d.Add(l);
        return last + d.GroupCount;
    }
}

/// <summary>In-process runs (no generated project to build: on the shared 2-core machine that build timed out), cold
/// iterations: one warm-up and five measured.</summary>
public sealed class InProcessConfig : ManualConfig
{
    public InProcessConfig() => AddJob(Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true)).WithStrategy(RunStrategy.Monitoring)
        .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5));
}
