using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

// Speed and memory of AiopsLab's hot paths, measured with BenchmarkDotNet (never in unit tests).
//   dotnet run -c Release --project src/AiopsLab.Benchmarks -- --filter '*Baro*'
//   dotnet run -c Release --project src/AiopsLab.Benchmarks -- --list flat
//   add --inProcess to skip building a separate benchmark project (quicker on a busy machine).
// Suites that need the shared datasets read them from $AIOPSLAB_DATA (default ../shared/datasets).
// Every suite reports allocations and the median; the generated project may take minutes to build on a shared 2-core
// machine, so the build timeout is 10 minutes instead of BenchmarkDotNet's 2.
var config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(StatisticColumn.Median)
    .WithBuildTimeout(TimeSpan.FromMinutes(10));
BenchmarkSwitcher.FromAssembly(typeof(AiopsLab.Benchmarks.BenchData).Assembly).Run(args, config);
