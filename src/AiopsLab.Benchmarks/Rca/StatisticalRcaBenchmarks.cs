using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Numerics;
using AiopsLab.Rca;
using AiopsLab.Reduction;
using BenchmarkDotNet.Attributes;
using AiopsLab.Methods;

namespace AiopsLab.Benchmarks.Rca;

/// <summary>
/// Speed of the statistical RCA methods on one rcd-sockshop case (carts-cpu/1: 574 rows × 38 metrics), and of BARO's
/// multivariate BOCPD on a 1,200-step case with 10 latency/error series (the size the targets name).
/// <c>dotnet run -c Release --project src/AiopsLab.Benchmarks -- --filter '*StatisticalRca*'</c>
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 7)]
public class StatisticalRcaBenchmarks : SockShopCaseBenchmark
{
    private double[][] _bocpdSeries = null!;
    private readonly Baro _baro = new();
    private readonly NSigma _nsigma = new();
    private readonly EDiagnosis _ediag = new();
    private readonly MetricSifter _sifter = new();

    [GlobalSetup]
    public void Setup()
    {
        LoadCase();
        // 10 latency/error-like series, 1,200 steps, a shift in three of them at step 900.
        var rng = new Rng(42);
        _bocpdSeries = Enumerable.Range(0, 10).Select(j =>
            Enumerable.Range(0, 1200).Select(t => 50 + (j < 3 && t >= 900 ? 8 : 0) + 2 * rng.NextNormal()).ToArray()).ToArray();
    }

    [Benchmark(Description = "baro ranking, one rcd-sockshop case")]
    public RcaResult BaroRanking() => _baro.Localize(Case);

    [Benchmark(Description = "nsigma ranking, one rcd-sockshop case")]
    public RcaResult NSigmaRanking() => _nsigma.Localize(Case);

    [Benchmark(Description = "e-diagnosis ranking (B = 200), one rcd-sockshop case")]
    public RcaResult EDiagnosisRanking() => _ediag.Localize(Case);

    [Benchmark(Description = "metricsifter reduction, one rcd-sockshop case")]
    public IReadOnlyList<string> MetricSifterReduce() => _sifter.Reduce(Case);

    [Benchmark(Description = "BARO multivariate BOCPD, 1,200 steps x 10 series")]
    public BocpdResult BocpdDetection() => Bocpd.Run(_bocpdSeries, new BocpdOptions());

    [Benchmark(Description = "BARO detector on one rcd-sockshop case (its 9 lat_* series)")]
    public int? BaroDetectorOnCase() => new BaroAnomalyDetector().DetectRow(Case.Metrics, Case.Naming);
}
