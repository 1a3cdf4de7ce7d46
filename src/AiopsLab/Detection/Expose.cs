using System.Numerics.Tensors;
using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>
/// EXPoSE, expected similarity estimation with exponential decay (Schneider, Ertel &amp; Ramos, "Expected similarity estimation
/// for large-scale batch and streaming anomaly detection", Machine Learning 105, 2016 (arXiv:1601.06602), §3 eq. 3–4 and the
/// decay variant of §5), as NAB runs it (<c>nab/detectors/expose</c>). The RBF kernel k(x, y) = exp(−γ(x − y)²) is
/// approximated by random Fourier features (Rahimi &amp; Recht, NIPS 2007): φ(x)ⱼ = √(2/D)·cos(wⱼx + bⱼ), wⱼ ~ N(0, 2γ),
/// bⱼ ~ U(0, 2π), j = 1..D. The kernel mean embedding decays, μₜ = η·φ(xₜ) + (1 − η)·μₜ₋₁ (μ₁ = φ(x₁)), and the score of xₜ
/// is 1 − ⟨φ(xₜ), μₜ⟩, its dissimilarity to the recent data, rescaled from about [−0.02, 1.02] to [0, 1] by (s + 0.02)/1.04 as
/// NAB's current code does (its published results predate the rescale; the map is affine, so NAB's score is unchanged).
/// Raw values are used, as in NAB. The features come from numpy's <c>RandomState(290)</c> (<see cref="Mt19937"/>) in
/// scikit-learn's RBFSampler order — D normals, then D uniforms — so the scores are NAB's. A point costs O(D) (vectorised).
/// </summary>
[Method("expose", Summary = "NAB's EXPoSE: dissimilarity of each point to a decaying kernel mean embedding (random Fourier features of an RBF kernel).", Citation = "Schneider, Ertel & Ramos, Expected similarity estimation for large-scale batch and streaming anomaly detection, Machine Learning 105 (2016)")]
public sealed class Expose : StreamingDetector
{
    public sealed record Options
    {
        /// <summary>Decay η of the embedding (NAB: 0.01).</summary>
        public double Decay { get; set; } = 0.01;
        /// <summary>RBF kernel width γ in exp(−γ(x − y)²) (NAB: 0.5).</summary>
        public double Gamma { get; set; } = 0.5;
        /// <summary>Random Fourier features D (NAB: 20,000).</summary>
        public int Components { get; set; } = 20000;
        /// <summary>numpy seed of the features (NAB: 290).</summary>
        public int Seed { get; set; } = 290;
    }

    private readonly Options _o;
    private readonly Lazy<(double[] W, double[] B)> _features;

    public Expose() : this(new Options()) { }

    public Expose(Options options)
    {
        _o = options;
        DetectorOptions.Require(options.Decay is > 0 and <= 1, Name, "decay", "must be in (0, 1]");
        DetectorOptions.Require(options.Gamma > 0 && double.IsFinite(options.Gamma), Name, "gamma", "must be > 0");
        DetectorOptions.Require(options.Components >= 1, Name, "components", "must be ≥ 1");
        DetectorOptions.Require(options.Seed >= 0, Name, "seed", "must be ≥ 0 (a numpy seed)");
        _features = new(() =>
        {
            var rng = new Mt19937((uint)options.Seed);
            double sd = Math.Sqrt(2 * options.Gamma);
            var w = new double[options.Components];
            var b = new double[options.Components];
            for (int j = 0; j < w.Length; j++) w[j] = sd * rng.NextGaussian();
            for (int j = 0; j < b.Length; j++) b[j] = 2 * Math.PI * rng.NextDouble();
            return (w, b);
        });
    }

    public override string Name => "expose";

    public override IDetectorState Start() => new State(_o, _features.Value.W, _features.Value.B);

    private sealed class State(Options o, double[] w, double[] b) : IDetectorState
    {
        private readonly double[] _phi = new double[w.Length], _tmp = new double[w.Length], _mu = new double[w.Length];
        private readonly double _scale = Math.Sqrt(2.0) / Math.Sqrt(w.Length);
        private bool _started;

        public double Update(double value)
        {
            TensorPrimitives.Multiply(w, value, _phi);
            TensorPrimitives.Add(_phi, b, _phi);
            TensorPrimitives.Cos(_phi, _phi);
            TensorPrimitives.Multiply(_phi, _scale, _phi);
            if (!_started) { _phi.CopyTo(_mu, 0); _started = true; }
            else
            {
                TensorPrimitives.Multiply(_phi, o.Decay, _tmp);
                TensorPrimitives.Multiply(_mu, 1 - o.Decay, _mu);
                TensorPrimitives.Add(_tmp, _mu, _mu);
            }
            double s = 1 - TensorPrimitives.Dot(_phi, _mu);
            return (s + 0.02) / 1.04;
        }
    }
}
