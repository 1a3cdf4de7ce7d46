using BenchmarkDotNet.Running;

// Speed and memory of AiopsLab's hot paths, measured with BenchmarkDotNet (never in unit tests).
//   dotnet run -c Release --project src/AiopsLab.Benchmarks -- --filter '*Baro*'
//   dotnet run -c Release --project src/AiopsLab.Benchmarks -- --list flat
// Suites that need the shared datasets read them from $AIOPSLAB_DATA (default ../shared/datasets).
BenchmarkSwitcher.FromAssembly(typeof(AiopsLab.Benchmarks.BenchData).Assembly).Run(args);
