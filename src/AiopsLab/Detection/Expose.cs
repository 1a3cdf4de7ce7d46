using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
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

    /// <summary>Feature vectors φ(x) kept per detector state for the most recently used distinct values (least recently
    /// used evicted). NAB's values repeat a lot (61 % of points hit a 64-entry cache over the corpus), and φ(x) is a pure
    /// function of x, so a hit skips the cosines bit for bit. 64 · D doubles: 10 MB at D = 20,000.</summary>
    internal const int CachedValues = 64;

    private sealed class State(Options o, double[] w, double[] b) : IDetectorState
    {
        private readonly double[] _mu = new double[w.Length];
        private readonly double _scale = Math.Sqrt(2.0) / Math.Sqrt(w.Length);
        private readonly PhiCache _cache = new(CachedValues, w.Length);
        private bool _started;

        public double Update(double value)
        {
            var phi = _cache.Get(value, out bool hit);
            if (!hit)
            {
                // φ(x) = scale·cos(w·x + b); the multiply-add is not fused, so each element rounds as w·x, then + b.
                TensorPrimitives.MultiplyAdd(w, value, b, phi);
                TensorPrimitives.Cos(phi, phi);
                TensorPrimitives.Multiply(phi, _scale, phi);
            }
            if (!_started) { phi.CopyTo(_mu, 0); _started = true; }
            else DecayInto(phi, o.Decay, _mu);
            double s = 1 - TensorPrimitives.Dot(phi, _mu);
            return (s + 0.02) / 1.04;
        }
    }

    /// <summary>μ ← φ·η + μ·(1 − η) elementwise in one pass, each element rounded exactly as the two-multiply, one-add form.</summary>
    internal static void DecayInto(ReadOnlySpan<double> phi, double eta, Span<double> mu)
    {
        double keep = 1 - eta;
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var ve = Vector256.Create(eta); var vk = Vector256.Create(keep);
            for (; j <= phi.Length - Vector256<double>.Count; j += Vector256<double>.Count)
            {
                var a = Vector256.Create(phi.Slice(j, Vector256<double>.Count)) * ve;
                var m = Vector256.Create(mu.Slice(j, Vector256<double>.Count)) * vk;
                (a + m).CopyTo(mu.Slice(j, Vector256<double>.Count));
            }
        }
        for (; j < phi.Length; j++) mu[j] = phi[j] * eta + mu[j] * keep;
    }

    /// <summary>A least-recently-used cache of feature vectors keyed by the value's bits.</summary>
    private sealed class PhiCache(int capacity, int d)
    {
        private readonly long[] _keys = new long[capacity];
        private readonly long[] _used = new long[capacity];
        private readonly double[]?[] _rows = new double[capacity][];
        private long _clock;

        /// <summary>The row of <paramref name="value"/>; on a miss, the evicted (or a new) row, to be filled by the caller.</summary>
        public double[] Get(double value, out bool hit)
        {
            long key = BitConverter.DoubleToInt64Bits(value);
            int victim = 0;
            for (int i = 0; i < _rows.Length; i++)
            {
                if (_rows[i] is null) { victim = i; break; }
                if (_keys[i] == key) { _used[i] = ++_clock; hit = true; return _rows[i]!; }
                if (_used[i] < _used[victim]) victim = i;
            }
            hit = false;
            _keys[victim] = key;
            _used[victim] = ++_clock;
            return _rows[victim] ??= new double[d];
        }
    }
}
