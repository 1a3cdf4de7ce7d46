using AiopsLab.Catalog;
using AiopsLab.Datasets.Synthetic;
using AiopsLab.Detection;
using AiopsLab.Evaluation;
using AiopsLab.Reporting;
using Xunit;

namespace AiopsLab.Tests.Paper;

/// <summary>What <c>reproduce</c>'s detection and nab steps run: the ML.NET detector is on both, marked where it differs.</summary>
public class ReproduceDetectionStepsTests
{
    [Fact]
    public void Nab_step_runs_every_streaming_detector_then_the_learn_alarms_variants_then_randomized_pca_which_is_batch()
    {
        var specs = PaperReproduction.NabDetectors();
        Assert.Equal([.. NabBenchmark.StreamingDetectors(), "spot(learn-alarms=true)", "dspot(learn-alarms=true)", .. PaperReproduction.LikelihoodVariants(), "randomized-pca"], specs);
        // The likelihood and spatial rows: both forms over every other streaming detector, then the spatial rule over each (docs/detection.md).
        int inner = NabBenchmark.StreamingDetectors().Count - 2;
        Assert.Equal((inner - 1) + inner + (inner - 1) + inner, PaperReproduction.LikelihoodVariants().Count);
        Assert.Contains("likelihood(form=paper,of=context-ose)", PaperReproduction.LikelihoodVariants());
        Assert.Contains("likelihood(of=n-sigma)", PaperReproduction.LikelihoodVariants());
        Assert.Contains("spatial(of=likelihood(of=knncad))", PaperReproduction.LikelihoodVariants());
        Assert.Equal(specs.Count, specs.Distinct().Count());
        // The variants are streaming detectors off their defaults, so the scoreboard shows them beside the defaults.
        foreach (var v in PaperReproduction.NabVariants) Assert.IsAssignableFrom<IStreamingDetector>(MethodCatalog.CreateDetector(v));
        // The reason the scoreboard marks it: it is not a streaming detector (it fits the whole series first).
        Assert.IsNotAssignableFrom<IStreamingDetector>(MethodCatalog.CreateDetector("randomized-pca"));
    }

    [Fact]
    public void Case_level_row_runs_randomized_pca_at_mlnets_default_threshold()
    {
        var (spec, threshold) = Assert.Single(PaperReproduction.ExtraCaseDetectors);
        Assert.Equal("randomized-pca(relative=true)", spec);
        Assert.Equal(0.5, threshold);
        var rows = CaseDetection.Run(new SyntheticBenchmark(new SyntheticOptions { Cases = 3, Seed = 2 }), [spec], threshold, DetectionSeries.Auto, jobs: 1);
        Assert.Equal(3, rows.Count);
        // Every case ran (an alarm or none): none failed.
        Assert.All(rows, r => Assert.NotEqual(DetectionOutcome.Failed, r.Outcome));
        Assert.All(rows, r => Assert.Equal(spec, r.Detector));
    }
}
