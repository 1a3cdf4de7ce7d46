using AiopsLab.Methods;
using MathNet.Numerics.LinearAlgebra;

namespace AiopsLab.Detection;

/// <summary>ML.NET's <c>ErrorFunction</c>: how the SSA detectors turn a value and its forecast into a raw score.</summary>
public enum ErrorFunction { SignedDifference, AbsoluteDifference, SignedProportion, AbsoluteProportion, SquaredDifference }

/// <summary>
/// Singular spectrum analysis forecasting (Golyandina, Nekrutkin &amp; Zhigljavsky, "Analysis of Time Series Structure: SSA and
/// Related Techniques", 2001, §2.1 and the recurrent forecast of §2.3): the trajectory matrix of the training values with window L,
/// the eigenvectors U_1..U_r of its lag-covariance matrix, and the linear recurrence x_t = Σ_{j=1}^{L−1} a_j x_{t−L+j} with
/// a = (1/(1 − ν²)) Σ π_i U_i^∇ (π_i the last coordinate of U_i, U_i^∇ the others, ν² = Σ π_i²).
/// </summary>
/// <remarks>
/// Rank rule (ours; ML.NET's adaptive modeler selects the rank its own way and also updates the model online): the smallest r whose
/// eigenvalues hold 99% of the trace, at most L/2, lowered while ν² ≥ 0.99 (the recurrence needs ν² &lt; 1). The model is fitted once
/// on the training window and not updated.
/// </remarks>
public sealed class SsaForecaster
{
    /// <summary>Recurrence coefficients a_1..a_{L−1}, applied to the previous L − 1 values, oldest first.</summary>
    public double[] Coefficients { get; }
    public int Rank { get; }
    public int Window { get; }

    public SsaForecaster(ReadOnlySpan<double> training, int window)
    {
        int n = training.Length, l = window, k = n - l + 1;
        if (l < 2 || k < l) throw new ArgumentException($"ssa: the training window ({n}) must be at least twice the seasonality window ({l}) minus 1.");
        var c = Matrix<double>.Build.Dense(l, l);
        for (int i = 0; i < l; i++)
            for (int j = i; j < l; j++)
            {
                double s = 0;
                for (int t = 0; t < k; t++) s += training[t + i] * training[t + j];
                c[i, j] = s; c[j, i] = s;
            }
        var evd = c.Evd(Symmetricity.Symmetric);
        // Eigenvalues ascending from MathNet; take them descending.
        var order = Enumerable.Range(0, l).OrderByDescending(i => evd.EigenValues[i].Real).ToArray();
        double trace = order.Sum(i => Math.Max(0, evd.EigenValues[i].Real));
        int r = 0; double acc = 0;
        while (r < order.Length && (trace <= 0 || acc < 0.99 * trace)) { acc += Math.Max(0, evd.EigenValues[order[r]].Real); r++; }
        r = Math.Clamp(r, 1, Math.Max(1, l / 2));
        double[] a;
        while (true)
        {
            double nu2 = 0;
            a = new double[l - 1];
            for (int q = 0; q < r; q++)
            {
                var u = evd.EigenVectors.Column(order[q]);
                double pi = u[l - 1];
                nu2 += pi * pi;
                for (int j = 0; j < l - 1; j++) a[j] += pi * u[j];
            }
            if (nu2 < 0.99 || r == 1)
            {
                double scale = nu2 < 1 ? 1 / (1 - nu2) : 0;
                for (int j = 0; j < a.Length; j++) a[j] *= scale;
                break;
            }
            r--;
        }
        Coefficients = a;
        Rank = r;
        Window = l;
    }

    /// <summary>One-step forecast from the previous L − 1 values (oldest first).</summary>
    public double Forecast(ReadOnlySpan<double> previous)
    {
        double s = 0;
        for (int j = 0; j < Coefficients.Length; j++) s += Coefficients[j] * previous[j];
        return s;
    }

    public static double Error(double actual, double forecast, ErrorFunction f) => f switch
    {
        ErrorFunction.SignedDifference => actual - forecast,
        ErrorFunction.AbsoluteDifference => Math.Abs(actual - forecast),
        ErrorFunction.SignedProportion => forecast == 0 ? 0 : (actual - forecast) / forecast,
        ErrorFunction.AbsoluteProportion => forecast == 0 ? 0 : Math.Abs((actual - forecast) / forecast),
        _ => (actual - forecast) * (actual - forecast),
    };
}

/// <summary>Options of the SSA model of <see cref="SsaSpikeDetector"/> and <see cref="SsaChangePointDetector"/> (ML.NET's names);
/// a group (<see cref="OptionGroupAttribute"/>): a spec names them directly, <c>ssa-spike(training-window-size=120)</c>.</summary>
[OptionGroup]
public sealed record SsaModelOptions
{
    /// <summary>Values that train the SSA model (ML.NET: trainingWindowSize).</summary>
    public int TrainingWindowSize { get; set; } = 50;
    /// <summary>SSA window L, an upper bound on the seasonality (ML.NET: seasonalityWindowSize).</summary>
    public int SeasonalityWindowSize { get; set; } = 10;
    /// <summary>Raw-score function (ML.NET: errorFunction).</summary>
    public ErrorFunction ErrorFunction { get; set; } = ErrorFunction.SignedDifference;

    /// <summary>The rules <see cref="SsaForecaster"/> needs, as errors of the detector <paramref name="name"/>.</summary>
    internal void Validate(string name)
    {
        DetectorOptions.Require(SeasonalityWindowSize >= 2, name, "seasonality-window-size", "must be ≥ 2");
        DetectorOptions.Require(TrainingWindowSize >= 2 * SeasonalityWindowSize, name, "training-window-size", "must be at least twice seasonality-window-size");
    }

    /// <summary>A state that feeds this model's forecast errors to <paramref name="inner"/>.</summary>
    internal IDetectorState Start(IDetectorState inner) => new SsaState(TrainingWindowSize, SeasonalityWindowSize, ErrorFunction, inner);
}

/// <summary>
/// Feeds SSA forecast errors of a stream to an inner scoring state (the IID spike or change-point stage): the first
/// <c>training</c> values fit the <see cref="SsaForecaster"/> and score 0; each later value scores its error function's raw score.
/// </summary>
internal sealed class SsaState(int training, int window, ErrorFunction error, IDetectorState inner) : IDetectorState
{
    private readonly List<double> _train = new(training);
    private readonly double[] _last = new double[Math.Max(1, window - 1)];
    private SsaForecaster? _model;

    public double Update(double x)
    {
        if (_model is null)
        {
            _train.Add(x);
            if (_train.Count == training)
            {
                _model = new SsaForecaster(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_train), window);
                _train.CopyTo(training - _last.Length, _last, 0, _last.Length);
            }
            return 0;
        }
        double raw = SsaForecaster.Error(x, _model.Forecast(_last), error);
        Array.Copy(_last, 1, _last, 0, _last.Length - 1);
        _last[^1] = x;
        return inner.Update(raw);
    }
}

/// <summary>
/// SSA spike detection as ML.NET's <c>DetectSpikeBySsa</c> (<c>SsaSpikeDetector</c>): raw score = the error function of the value
/// and its SSA forecast (<see cref="SsaForecaster"/>, trained on the first <see cref="SsaModelOptions.TrainingWindowSize"/> values with window
/// <see cref="SsaModelOptions.SeasonalityWindowSize"/>), then the kernel-density p-value stage of <see cref="IidSpikeDetector"/>; score
/// −log₁₀ p, alert above −log₁₀(1 − confidence/100).
/// </summary>
[Method("ssa-spike", Summary = "ML.NET's SSA spike detector: SSA one-step forecast error, kernel-density p-value; score −log10 p.", Citation = "Golyandina et al., Analysis of Time Series Structure: SSA, 2001; ML.NET DetectSpikeBySsa")]
public sealed class SsaSpikeDetector : MlNetDetector<SsaSpikeDetector.Options>
{
    /// <summary>Options: the p-value stage's and the SSA model's (<see cref="SsaModelOptions"/>, flat in a spec).</summary>
    public sealed record Options : SpikeOptions
    {
        /// <summary>The SSA model.</summary>
        public SsaModelOptions Ssa { get; init; } = new();
    }

    public SsaSpikeDetector() : this(new Options()) { }

    public SsaSpikeDetector(Options options) : base(options) => options.Ssa.Validate(Name);

    public override string Name => "ssa-spike";

    public override int Warmup => O.Ssa.TrainingWindowSize + O.PvalueHistoryLength;

    public override IDetectorState Start() =>
        O.Ssa.Start(new IidSpikeDetector.SpikeState(O.PvalueHistoryLength, O.Side));
}

/// <summary>
/// SSA change-point detection as ML.NET's <c>DetectChangePointBySsa</c> (<c>SsaChangePointDetector</c>): SSA forecast errors
/// (as <see cref="SsaSpikeDetector"/>) fed to the martingale stage of <see cref="IidChangePointDetector"/>; score log₁₀ s.
/// </summary>
[Method("ssa-changepoint", Summary = "ML.NET's SSA change-point detector: SSA forecast errors, exchangeability martingale; score log10 s.", Citation = "Golyandina et al., Analysis of Time Series Structure: SSA, 2001; ML.NET DetectChangePointBySsa")]
public sealed class SsaChangePointDetector : MlNetDetector<SsaChangePointDetector.Options>
{
    /// <summary>Options: the martingale stage's and the SSA model's (<see cref="SsaModelOptions"/>, flat in a spec).</summary>
    public sealed record Options : ChangePointOptions
    {
        /// <summary>The SSA model.</summary>
        public SsaModelOptions Ssa { get; init; } = new();
    }

    public SsaChangePointDetector() : this(new Options()) { }

    public SsaChangePointDetector(Options options) : base(options) => options.Ssa.Validate(Name);

    public override string Name => "ssa-changepoint";

    public override int Warmup => O.Ssa.TrainingWindowSize + 2 * O.ChangeHistoryLength;

    public override IDetectorState Start() =>
        O.Ssa.Start(new IidChangePointDetector.ChangeState(O.ChangeHistoryLength, O.Martingale, O.Eps));
}
