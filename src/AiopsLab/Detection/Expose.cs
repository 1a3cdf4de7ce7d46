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
/// scikit-learn's RBFSampler order — D normals, then D uniforms — so the scores are NAB's. A point costs O(D): one fused Vector512
/// pass (<see cref="Step"/>) over the features, the embedding and the dot product.
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
    /// function of x, so a hit skips the cosines bit for bit. 64 · D floats: 5 MB at D = 20,000 (a 256-entry cache hits 67 %,
    /// but measured no faster).</summary>
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
            double dot = Step(w, b, value, _scale, phi, fill: !hit, _mu, o.Decay, first: !_started);
            _started = true;
            return (1 - dot + 0.02) / 1.04;
        }
    }

    /// <summary>
    /// One EXPoSE step in a single pass over the D features: (on a cache miss) φ = scale·cos(w·x + b), kept in single precision,
    /// then μ ← η·φ + (1 − η)·μ in double precision (μ = φ at the first point), and ⟨φ, μ⟩ returned. Single-precision φ halves
    /// the memory read per point (a cached row is 80 KB instead of 160 KB at D = 20,000); cos(w·x + b) is still evaluated in
    /// double precision (<see cref="Cos"/>, accurate to about 10⁻¹⁰) and rounded once to single precision. The dot
    /// product sums in two Vector512 accumulators, then a scalar tail (there φ comes from <see cref="Math.Cos"/>). The scores
    /// change in their last digits only: measured over NAB in docs/detection.md, bounded in <c>FastPathIdentityTests</c> against
    /// a scalar double-precision recomputation.
    /// </summary>
    internal static double Step(ReadOnlySpan<double> w, ReadOnlySpan<double> b, double x, double scale, Span<float> phi, bool fill,
        Span<double> mu, double eta, bool first)
    {
        int n = phi.Length, j = 0, c = Vector512<double>.Count;
        double keep = 1 - eta;
        double total = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var ve = Vector512.Create(eta); var vk = Vector512.Create(keep);
            var vx = Vector512.Create(x); var vs = Vector512.Create(scale);
            Vector512<double> a0 = default, a1 = default;
            for (; j <= n - 2 * c; j += 2 * c)
            {
                Vector512<float> f;
                if (fill)
                {
                    var t0 = Vector512.Create(w.Slice(j, c)) * vx + Vector512.Create(b.Slice(j, c));
                    var t1 = Vector512.Create(w.Slice(j + c, c)) * vx + Vector512.Create(b.Slice(j + c, c));
                    f = Vector512.Narrow(Cos(t0) * vs, Cos(t1) * vs);
                    f.CopyTo(phi.Slice(j, 2 * c));
                }
                else f = Vector512.Create((ReadOnlySpan<float>)phi.Slice(j, 2 * c));
                var (p0, p1) = Vector512.Widen(f);
                var m0 = first ? p0 : p0 * ve + Vector512.Create(mu.Slice(j, c)) * vk;
                var m1 = first ? p1 : p1 * ve + Vector512.Create(mu.Slice(j + c, c)) * vk;
                m0.CopyTo(mu.Slice(j, c)); m1.CopyTo(mu.Slice(j + c, c));
                a0 += p0 * m0; a1 += p1 * m1;
            }
            total = Vector512.Sum(a0 + a1);
        }
        for (; j < n; j++)
        {
            if (fill) phi[j] = (float)(Math.Cos(w[j] * x + b[j]) * scale);
            double p = phi[j];
            double m = first ? p : p * eta + mu[j] * keep;
            mu[j] = m;
            total += p * m;
        }
        return total;
    }

    /// <summary>Largest |t| reduced by <see cref="Cos"/> itself; beyond, <c>Vector512.Cos</c> (exact reduction) takes the vector.</summary>
    internal const double CosReductionLimit = 1e9;

    /// <summary>
    /// cos t to about 10⁻¹⁰ absolute — well inside the single precision φ is kept in — cheaper than the full-precision
    /// <c>Vector512.Cos</c>: t = kπ/2 + r with k = round(2t/π) and r ∈ [−π/4, π/4] by a three-part Cody–Waite reduction with
    /// fused multiply-adds (exact enough for |t| ≤ <see cref="CosReductionLimit"/>), then the Taylor polynomials of cos r to
    /// r¹⁰ (truncation ≤ 1.2·10⁻¹⁰) and sin r to r¹¹ (≤ 8·10⁻¹²), chosen and signed by k mod 4.
    /// </summary>
    internal static Vector512<double> Cos(Vector512<double> t)
    {
        if (Vector512.GreaterThanAny(Vector512.Abs(t), Vector512.Create(CosReductionLimit))) return Vector512.Cos(t);
        const double P1 = 1.5707963267948966, P2 = 6.123233995736766E-17, P3 = -1.4973849048591698E-33;
        var k = Vector512.Round(t * Vector512.Create(2 / Math.PI));
        var r = Vector512.FusedMultiplyAdd(-k, Vector512.Create(P1), t);
        r = Vector512.FusedMultiplyAdd(-k, Vector512.Create(P2), r);
        r = Vector512.FusedMultiplyAdd(-k, Vector512.Create(P3), r);
        var r2 = r * r;
        // cos r = 1 − r²/2! + r⁴/4! − … + r¹⁰/10!, sin r = r − r³/3! + … − r¹¹/11!, in Horner form on r².
        var c = Vector512.FusedMultiplyAdd(r2, Vector512.Create(-1.0 / 3628800), Vector512.Create(1.0 / 40320));
        c = Vector512.FusedMultiplyAdd(r2, c, Vector512.Create(-1.0 / 720));
        c = Vector512.FusedMultiplyAdd(r2, c, Vector512.Create(1.0 / 24));
        c = Vector512.FusedMultiplyAdd(r2, c, Vector512.Create(-0.5));
        c = Vector512.FusedMultiplyAdd(r2, c, Vector512<double>.One);
        var sp = Vector512.FusedMultiplyAdd(r2, Vector512.Create(-1.0 / 39916800), Vector512.Create(1.0 / 362880));
        sp = Vector512.FusedMultiplyAdd(r2, sp, Vector512.Create(-1.0 / 5040));
        sp = Vector512.FusedMultiplyAdd(r2, sp, Vector512.Create(1.0 / 120));
        sp = Vector512.FusedMultiplyAdd(r2, sp, Vector512.Create(-1.0 / 6));
        var sn = Vector512.FusedMultiplyAdd(r * r2, sp, r);
        var q = Vector512.ConvertToInt64(k);
        var odd = Vector512.Equals(q & Vector512<long>.One, Vector512<long>.One).AsDouble();
        var neg = Vector512.Equals((q + Vector512<long>.One) & Vector512.Create(2L), Vector512.Create(2L)).AsDouble();
        var v = Vector512.ConditionalSelect(odd, sn, c);
        return Vector512.ConditionalSelect(neg, -v, v);
    }

    /// <summary>A least-recently-used cache of feature vectors keyed by the value's bits.</summary>
    private sealed class PhiCache(int capacity, int d)
    {
        private readonly long[] _keys = new long[capacity];
        private readonly long[] _used = new long[capacity];
        private readonly float[]?[] _rows = new float[capacity][];
        private long _clock;

        /// <summary>The row of <paramref name="value"/>; on a miss, the evicted (or a new) row, to be filled by the caller.</summary>
        public float[] Get(double value, out bool hit)
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
            return _rows[victim] ??= new float[d];
        }
    }
}
