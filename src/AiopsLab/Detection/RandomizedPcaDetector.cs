using AiopsLab.Data;
using AiopsLab.Methods;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace AiopsLab.Detection;

/// <summary>
/// ML.NET's randomized-PCA anomaly detector (<c>mlContext.AnomalyDetection.Trainers.RandomizedPca</c>, Microsoft.ML 5.0.1) on
/// sliding windows. The trainer finds a rank-k basis of the (centred) training rows with the randomized range finder and
/// subspace iteration of Halko, Martinsson &amp; Tropp, "Finding structure with randomness: probabilistic algorithms for
/// constructing approximate matrix decompositions", SIAM Review 53(2), 2011 (Algorithms 4.1/4.4 with k + p random samples,
/// p the oversampling, then the exact eigen-decomposition of the small projected matrix, §5.1); a row's anomaly score is its
/// distance to that subspace, ‖x − μ − VVᵀ(x − μ)‖ (μ the training mean, V the basis), which ML.NET reports relative to
/// ‖x − μ‖ (checked against an exact SVD in the tests).
/// </summary>
/// <remarks>
/// <b>Univariate</b> (<c>randomized-pca</c> as an <see cref="IAnomalyDetector"/>): row t is the window of the last
/// <see cref="Options.Window"/> values ending at t; the model is trained on every window of the series and then scores each of
/// them (batch, unsupervised). <b>Multivariate</b>: <see cref="ScoreFrame"/> concatenates the windows of every column. The first
/// Window − 1 points score 0; NaN values are carried forward inside windows (0 before the first) and a NaN point scores 0; a
/// series too short for two windows scores 0 everywhere. <b>Absolute residual</b>: ML.NET's relative score rates a quiet window
/// (small ‖x − μ‖, e.g. a window of noise near the mean) as far off the subspace as a spike, so by default the detector reports
/// the absolute residual, ML.NET's score × ‖x − μ‖ (μ the mean of the windows, or 0 without <see cref="Options.EnsureZeroMean"/>);
/// <see cref="Options.Relative"/> keeps ML.NET's score as it is. A window at μ (e.g. a constant series) scores 0. The options keep ML.NET's names (<c>Rank</c>,
/// <c>Oversampling</c>, <c>EnsureZeroMean</c>, <c>Seed</c>); the rank is capped at the window dimension. Seeded: the same input
/// and seed give the same scores.
/// </remarks>
[Method("randomized-pca", Summary = "ML.NET randomized-PCA anomaly detector on sliding windows: reconstruction error; seeded.", Citation = "Halko, Martinsson & Tropp, SIAM Review 2011; ML.NET RandomizedPcaTrainer")]
public sealed class RandomizedPcaDetector : SlidingWindowDetector, IAnomalyDetector
{
    public sealed record Options
    {
        /// <summary>Sliding-window length: the features of a point are its last Window values (per column).</summary>
        public int Window { get; set; } = 16;
        /// <summary>ML.NET <c>Rank</c>: the number of principal components k (ML.NET's default is 20; here 2, the rank of the
        /// windows of one sinusoid, since the default window has only 16 dimensions).</summary>
        public int Rank { get; set; } = 2;
        /// <summary>ML.NET <c>Oversampling</c>: extra random samples p of the range finder (ML.NET's default 20).</summary>
        public int Oversampling { get; set; } = 20;
        /// <summary>ML.NET <c>EnsureZeroMean</c>: centre the rows on their mean before the decomposition (ML.NET's default true).</summary>
        public bool EnsureZeroMean { get; set; } = true;
        /// <summary>ML.NET <c>Seed</c>: the seed of the random projection (and of the <see cref="MLContext"/>).</summary>
        public int Seed { get; set; }
        /// <summary>Report ML.NET's relative score ‖residual‖ / ‖x − μ‖ instead of the absolute residual ‖residual‖.</summary>
        public bool Relative { get; set; }
    }

    private readonly Options _o;

    public RandomizedPcaDetector() : this(new Options()) { }

    public RandomizedPcaDetector(Options options)
    {
        DetectorOptions.Require(options.Window >= 2, Name, "window", "must be ≥ 2");
        DetectorOptions.Require(options.Rank >= 1, Name, "rank", "must be ≥ 1");
        DetectorOptions.Require(options.Oversampling >= 0, Name, "oversampling", "must be ≥ 0");
        _o = options;
    }

    public string Name => "randomized-pca";

    protected override int WindowLength => _o.Window;

    protected override void ScoreWindows(double[] x, int rows, int d, Span<double> scores)
    {
        var windows = new Window[rows];
        for (int r = 0; r < rows; r++)
        {
            var f = new float[d];
            for (int q = 0; q < d; q++) f[q] = (float)x[r * d + q];
            windows[r] = new Window { Features = f };
        }
        var mean = new double[d];
        if (_o.EnsureZeroMean)
            foreach (var win in windows) for (int q = 0; q < d; q++) mean[q] += win.Features[q] / (double)rows;
        // All windows at their mean (a constant series): nothing to decompose (ML.NET's eigenvectors would be NaN); all score 0.
        if (windows.All(win => win.Features.AsSpan().SequenceEqual(windows[0].Features)) && _o.EnsureZeroMean) return;
        var raw = ReconstructionScores(windows, d, _o);
        for (int r = 0; r < rows; r++)
        {
            double v = raw[r];
            if (!_o.Relative)
            {
                double norm2 = 0;
                for (int q = 0; q < d; q++) { double c = windows[r].Features[q] - mean[q]; norm2 += c * c; }
                v *= Math.Sqrt(norm2);
            }
            scores[r] = double.IsFinite(v) ? v : 0;
        }
    }

    /// <summary>Trains ML.NET's randomized PCA on <paramref name="rows"/> (each of dimension <paramref name="dim"/>) and returns
    /// ML.NET's score of each row.</summary>
    public static float[] ReconstructionScores(IReadOnlyList<Window> rows, int dim, Options options)
    {
        var ml = new MLContext(options.Seed);
        var schema = SchemaDefinition.Create(typeof(Window));
        schema[nameof(Window.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dim);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var trainer = ml.AnomalyDetection.Trainers.RandomizedPca(new RandomizedPcaTrainer.Options
        {
            FeatureColumnName = nameof(Window.Features),
            Rank = Math.Min(options.Rank, dim),
            Oversampling = options.Oversampling,
            EnsureZeroMean = options.EnsureZeroMean,
            Seed = options.Seed,
        });
        var model = trainer.Fit(data);
        var scored = model.Transform(data);
        return scored.GetColumn<float>("Score").ToArray();
    }

    /// <summary>One ML.NET input row: a window's values (its size is set at run time through the schema).</summary>
    public sealed class Window
    {
        public float[] Features { get; set; } = [];
    }
}
