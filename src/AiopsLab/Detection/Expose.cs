using System.Runtime.InteropServices;
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
/// or Vector256 pass (<see cref="Step"/>) over the features, the embedding and the dot product, in single precision; the
/// scores differ from a double-precision evaluation by at most ≈ 280·2⁻²⁴ (derived and tested in <c>FastPathIdentityTests</c>;
/// 10⁻⁷ measured over NAB, docs/detection.md).
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
    private readonly Lazy<Features> _features;

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
            return new Features(w, b);
        });
    }

    public override string Name => "expose";

    public override IDetectorState Start() => new State(_o, _features.Value, Lanes);

    /// <summary>The random features wⱼ, bⱼ (numpy's draws) and the same in half turns, wⱼ/π and bⱼ/π, for the cosine's
    /// reduction (<see cref="CosHalfTurns(Vector512{double}, Vector512{double}, float)"/>); <see cref="WMax"/> = maxⱼ |wⱼ|.</summary>
    internal sealed class Features
    {
        public Features(double[] w, double[] b)
        {
            W = w; B = b;
            WHalf = Array.ConvertAll(w, v => v / Math.PI);
            BHalf = Array.ConvertAll(b, v => v / Math.PI);
            WMax = w.Length == 0 ? 0 : w.Max(Math.Abs);
        }

        public double[] W { get; }
        public double[] B { get; }
        public double[] WHalf { get; }
        public double[] BHalf { get; }
        public double WMax { get; }
    }

    /// <summary>Feature vectors φ(x) kept per detector state for the most recently used distinct values (least recently
    /// used evicted). NAB's values repeat a lot (61 % of points hit a 64-entry cache over the corpus), and φ(x) is a pure
    /// function of x, so a hit skips the cosines bit for bit. 64 · D floats: 5 MB at D = 20,000 (a 256-entry cache hits 67 %,
    /// but with single-precision cosines it measured 1.8× slower: its 20 MB miss the processor's caches).</summary>
    internal const int CachedValues = 64;

    /// <summary>Single-precision lanes of the widest vector path this machine accelerates: 16 (Vector512), 8 (Vector256) or
    /// 1 (scalar).</summary>
    internal static int HardwareLanes =>
        Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256.IsHardwareAccelerated ? Vector256<float>.Count : 1;

    /// <summary>The vector path used (16, 8 or 1 lanes; default <see cref="HardwareLanes"/>); set by tests to run every path.</summary>
    internal int Lanes { get; init; } = HardwareLanes;

    private sealed class State(Options o, Features f, int lanes) : IDetectorState
    {
        private readonly float[] _mu = new float[f.W.Length];
        private readonly float _scale = (float)(Math.Sqrt(2.0) / Math.Sqrt(f.W.Length));
        private readonly PhiCache _cache = new(CachedValues, f.W.Length);
        private bool _started;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public double Update(double value)
        {
            var phi = _cache.Get(value, out bool hit);
            double dot = Step(f, value, _scale, phi, fill: !hit, _mu, (float)o.Decay, first: !_started, lanes);
            _started = true;
            return (1 - dot + 0.02) / 1.04;
        }
    }

    /// <summary>Elements of φ and μ per single-precision block of the dot product (then added into double accumulators).</summary>
    internal const int DotBlock = 256;

    /// <summary>Largest |x|·maxⱼ|wⱼ| + 2π for which w·x + b is formed in half turns, (w/π)·x + b/π, by one fused multiply-add
    /// (<see cref="CosHalfTurns(Vector512{double}, Vector512{double}, float)"/>): its difference from π⁻¹·fl(w·x + b) is then
    /// ≤ 4·2⁻⁵³·2²⁰/π, 10⁻⁴ of a single-precision ulp of the feature. Larger arguments take <see cref="CosScaled(Vector512{double}, Vector512{double}, float)"/>.</summary>
    internal const double HalfTurnLimit = 1048576; // 2²⁰

    /// <summary>
    /// One EXPoSE step in a single pass over the D features, all kept in single precision: (on a cache miss)
    /// φ = scale·cos(w·x + b), reduced in double precision and evaluated in single precision
    /// (<see cref="CosHalfTurns(Vector512{double}, Vector512{double}, float)"/> while |x|·max|w| + 2π ≤ <see cref="HalfTurnLimit"/>,
    /// else <see cref="CosScaled(Vector512{double}, Vector512{double}, float)"/> on fl(w·x + b)), then μ ← μ + η·(φ − μ)
    /// (μ = φ at the first point), and ⟨φ, μ⟩ returned, summed in single precision over blocks of <see cref="DotBlock"/>
    /// elements (two accumulators) and the blocks in double precision. <paramref name="lanes"/> picks the Vector512 (16),
    /// Vector256 (8) or scalar (1) loop; the scalar tail and the scalar loop take φ from <see cref="Math.Cos"/>. Single
    /// precision halves the memory traffic of μ and doubles the lanes of the cosine. The scores move in their last digits only:
    /// measured over NAB in docs/detection.md, and bounded (≈ 2ε_f/η, the decay's accumulated roundings) in
    /// <c>FastPathIdentityTests</c> against a double-precision recomputation from first principles.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static double Step(Features f, double x, float scale, Span<float> phi, bool fill, Span<float> mu, float eta, bool first,
        int lanes)
    {
        int n = phi.Length, j = 0;
        if (f.W.Length < n || mu.Length < n) throw new ArgumentException("w, b and μ must be as long as φ");
        bool half = Math.Abs(x) * f.WMax + 2 * Math.PI <= HalfTurnLimit;
        ref readonly double wr = ref MemoryMarshal.GetArrayDataReference(half ? f.WHalf : f.W);
        ref readonly double br = ref MemoryMarshal.GetArrayDataReference(half ? f.BHalf : f.B);
        ref float pr = ref MemoryMarshal.GetReference(phi);
        ref float mr = ref MemoryMarshal.GetReference(mu);
        double total = 0;
        if (lanes == Vector512<float>.Count)
        {
            const int c = 16, step = 2 * c;   // floats per vector, per iteration (two independent accumulators)
            var ve = Vector512.Create(eta); var vx = Vector512.Create(x);
            Vector512<double> d0 = default, d1 = default;
            while (j <= n - step)
            {
                int end = Math.Min(n - step, j + DotBlock - step);
                Vector512<float> a0 = default, a1 = default;
                for (; j <= end; j += step)
                {
                    nuint i = (nuint)j;
                    Vector512<float> p0, p1;
                    if (fill)
                    {
                        if (half)
                        {
                            p0 = CosHalfTurns(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(in wr, i), vx, Vector512.LoadUnsafe(in br, i)),
                                Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(in wr, i + 8), vx, Vector512.LoadUnsafe(in br, i + 8)), scale);
                            p1 = CosHalfTurns(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(in wr, i + 16), vx, Vector512.LoadUnsafe(in br, i + 16)),
                                Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(in wr, i + 24), vx, Vector512.LoadUnsafe(in br, i + 24)), scale);
                        }
                        else
                        {
                            p0 = CosScaled(Vector512.LoadUnsafe(in wr, i) * vx + Vector512.LoadUnsafe(in br, i),
                                Vector512.LoadUnsafe(in wr, i + 8) * vx + Vector512.LoadUnsafe(in br, i + 8), scale);
                            p1 = CosScaled(Vector512.LoadUnsafe(in wr, i + 16) * vx + Vector512.LoadUnsafe(in br, i + 16),
                                Vector512.LoadUnsafe(in wr, i + 24) * vx + Vector512.LoadUnsafe(in br, i + 24), scale);
                        }
                        p0.StoreUnsafe(ref pr, i); p1.StoreUnsafe(ref pr, i + c);
                    }
                    else { p0 = Vector512.LoadUnsafe(ref pr, i); p1 = Vector512.LoadUnsafe(ref pr, i + c); }
                    Vector512<float> m0 = p0, m1 = p1;
                    if (!first)
                    {
                        m0 = Vector512.LoadUnsafe(ref mr, i); m1 = Vector512.LoadUnsafe(ref mr, i + c);
                        m0 = Vector512.FusedMultiplyAdd(ve, p0 - m0, m0); m1 = Vector512.FusedMultiplyAdd(ve, p1 - m1, m1);
                    }
                    m0.StoreUnsafe(ref mr, i); m1.StoreUnsafe(ref mr, i + c);
                    a0 = Vector512.FusedMultiplyAdd(p0, m0, a0); a1 = Vector512.FusedMultiplyAdd(p1, m1, a1);
                }
                var (lo, hi) = Vector512.Widen(a0 + a1);
                d0 += lo; d1 += hi;
            }
            total = Vector512.Sum(d0 + d1);
        }
        else if (lanes == Vector256<float>.Count)
        {
            const int c = 8, step = 2 * c;
            var ve = Vector256.Create(eta); var vx = Vector256.Create(x);
            Vector256<double> d0 = default, d1 = default;
            while (j <= n - step)
            {
                int end = Math.Min(n - step, j + DotBlock - step);
                Vector256<float> a0 = default, a1 = default;
                for (; j <= end; j += step)
                {
                    nuint i = (nuint)j;
                    Vector256<float> p0, p1;
                    if (fill)
                    {
                        if (half)
                        {
                            p0 = CosHalfTurns(Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(in wr, i), vx, Vector256.LoadUnsafe(in br, i)),
                                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(in wr, i + 4), vx, Vector256.LoadUnsafe(in br, i + 4)), scale);
                            p1 = CosHalfTurns(Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(in wr, i + 8), vx, Vector256.LoadUnsafe(in br, i + 8)),
                                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(in wr, i + 12), vx, Vector256.LoadUnsafe(in br, i + 12)), scale);
                        }
                        else
                        {
                            p0 = CosScaled(Vector256.LoadUnsafe(in wr, i) * vx + Vector256.LoadUnsafe(in br, i),
                                Vector256.LoadUnsafe(in wr, i + 4) * vx + Vector256.LoadUnsafe(in br, i + 4), scale);
                            p1 = CosScaled(Vector256.LoadUnsafe(in wr, i + 8) * vx + Vector256.LoadUnsafe(in br, i + 8),
                                Vector256.LoadUnsafe(in wr, i + 12) * vx + Vector256.LoadUnsafe(in br, i + 12), scale);
                        }
                        p0.StoreUnsafe(ref pr, i); p1.StoreUnsafe(ref pr, i + c);
                    }
                    else { p0 = Vector256.LoadUnsafe(ref pr, i); p1 = Vector256.LoadUnsafe(ref pr, i + c); }
                    Vector256<float> m0 = p0, m1 = p1;
                    if (!first)
                    {
                        m0 = Vector256.LoadUnsafe(ref mr, i); m1 = Vector256.LoadUnsafe(ref mr, i + c);
                        m0 = Vector256.FusedMultiplyAdd(ve, p0 - m0, m0); m1 = Vector256.FusedMultiplyAdd(ve, p1 - m1, m1);
                    }
                    m0.StoreUnsafe(ref mr, i); m1.StoreUnsafe(ref mr, i + c);
                    a0 = Vector256.FusedMultiplyAdd(p0, m0, a0); a1 = Vector256.FusedMultiplyAdd(p1, m1, a1);
                }
                var (lo, hi) = Vector256.Widen(a0 + a1);
                d0 += lo; d1 += hi;
            }
            total = Vector256.Sum(d0 + d1);
        }
        for (; j < n; j++)
        {
            if (fill) phi[j] = (float)(Math.Cos(f.W[j] * x + f.B[j]) * scale);
            float p = phi[j];
            float m = first ? p : MathF.FusedMultiplyAdd(eta, p - mu[j], mu[j]);
            mu[j] = m;
            total += (double)p * m;
        }
        return total;
    }

    /// <summary>Largest |t| reduced by <see cref="CosScaled(Vector512{double}, Vector512{double}, float)"/> itself; beyond,
    /// the vector's cosines are .NET's double-precision <c>Vector512.Cos</c> / <c>Vector256.Cos</c> (exact reduction).</summary>
    internal const double CosReductionLimit = 562949953421312.0; // 2⁴⁹

    // Two-part Cody–Waite split of π (Pi1 + Pi2 = π − 3.0·10⁻³³), and 1.5·2⁵²: adding it rounds a double below 2⁵¹ in
    // magnitude to an integer, whose low bits are then the low bits of the sum's mantissa.
    private const double Pi1 = 3.141592653589793, Pi2 = 1.2246467991473532E-16, Round52 = 6755399441055744.0;

    // cos(πf) = Σᵢ (−1)ⁱ π²ⁱ f²ⁱ/(2i)!, i = 0..6: the Taylor polynomial, truncated after f¹² (≤ (π/2)¹⁴/14! = 6.5·10⁻⁹ for |f| ≤ ½).
    private const float C0 = 1f, C1 = -4.934802200544679f, C2 = 4.058712126416768f, C3 = -1.3352627688545893f,
        C4 = 0.2353306303588932f, C5 = -0.025806891390014061f, C6 = 0.0019295743094039230f;

    /// <summary>
    /// scale·cos(πu) for the 16 half-turn arguments u of <paramref name="u0"/> and <paramref name="u1"/>: k = round(u) and
    /// f = u − k ∈ [−½, ½] exactly in double precision, f rounded once to single precision, cos(πf) by its Taylor polynomial to
    /// f¹² in single precision (truncation ≤ 6.5·10⁻⁹), times scale, negated for odd k. Within 3u·scale of the exact value
    /// (u = 2⁻²⁴; tested) for |u| ≤ 2⁵⁰.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> CosHalfTurns(Vector512<double> u0, Vector512<double> u1, float scale)
    {
        var kk0 = u0 + Vector512.Create(Round52);
        var kk1 = u1 + Vector512.Create(Round52);
        var f = Vector512.Narrow(u0 - (kk0 - Vector512.Create(Round52)), u1 - (kk1 - Vector512.Create(Round52)));
        var q = Vector512.Narrow(kk0.AsInt64(), kk1.AsInt64());
        return Polynomial(f, Vector512.Create(scale).AsInt32() ^ (q << 31));
    }

    /// <summary>
    /// scale·cos t for the 16 arguments of <paramref name="t0"/> and <paramref name="t1"/>: k = round(t/π) and r = t − kπ in
    /// double precision by a two-part Cody–Waite reduction with fused multiply-adds (error ≤ 10⁻¹⁵ for
    /// |t| ≤ <see cref="CosReductionLimit"/>), f = r/π, then as <see cref="CosHalfTurns(Vector512{double}, Vector512{double}, float)"/>.
    /// Beyond the limit, .NET's double-precision <c>Vector512.Cos</c>.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> CosScaled(Vector512<double> t0, Vector512<double> t1, float scale)
    {
        if (Vector512.GreaterThanAny(Vector512.Max(Vector512.Abs(t0), Vector512.Abs(t1)), Vector512.Create(CosReductionLimit)))
        {
            var s = Vector512.Create((double)scale);
            return Vector512.Narrow(Vector512.Cos(t0) * s, Vector512.Cos(t1) * s);
        }
        var (f0, q0) = Reduce(t0);
        var (f1, q1) = Reduce(t1);
        return Polynomial(Vector512.Narrow(f0, f1), Vector512.Create(scale).AsInt32() ^ (Vector512.Narrow(q0, q1) << 31));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static (Vector512<double> F, Vector512<long> K) Reduce(Vector512<double> t)
    {
        var kk = Vector512.FusedMultiplyAdd(t, Vector512.Create(1 / Math.PI), Vector512.Create(Round52));
        var k = kk - Vector512.Create(Round52);
        var r = Vector512.FusedMultiplyAdd(-k, Vector512.Create(Pi1), t);
        r = Vector512.FusedMultiplyAdd(-k, Vector512.Create(Pi2), r);
        return (r * Vector512.Create(1 / Math.PI), kk.AsInt64());
    }

    /// <summary>cos(πf)·s, s carrying the sign (the bits of ±scale).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Polynomial(Vector512<float> f, Vector512<int> s)
    {
        var f2 = f * f;
        var c = Vector512.FusedMultiplyAdd(f2, Vector512.Create(C6), Vector512.Create(C5));
        c = Vector512.FusedMultiplyAdd(f2, c, Vector512.Create(C4));
        c = Vector512.FusedMultiplyAdd(f2, c, Vector512.Create(C3));
        c = Vector512.FusedMultiplyAdd(f2, c, Vector512.Create(C2));
        c = Vector512.FusedMultiplyAdd(f2, c, Vector512.Create(C1));
        c = Vector512.FusedMultiplyAdd(f2, c, Vector512.Create(C0));
        return c * s.AsSingle();
    }

    /// <inheritdoc cref="CosHalfTurns(Vector512{double}, Vector512{double}, float)"/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> CosHalfTurns(Vector256<double> u0, Vector256<double> u1, float scale)
    {
        var kk0 = u0 + Vector256.Create(Round52);
        var kk1 = u1 + Vector256.Create(Round52);
        var f = Vector256.Narrow(u0 - (kk0 - Vector256.Create(Round52)), u1 - (kk1 - Vector256.Create(Round52)));
        var q = Vector256.Narrow(kk0.AsInt64(), kk1.AsInt64());
        return Polynomial(f, Vector256.Create(scale).AsInt32() ^ (q << 31));
    }

    /// <inheritdoc cref="CosScaled(Vector512{double}, Vector512{double}, float)"/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> CosScaled(Vector256<double> t0, Vector256<double> t1, float scale)
    {
        if (Vector256.GreaterThanAny(Vector256.Max(Vector256.Abs(t0), Vector256.Abs(t1)), Vector256.Create(CosReductionLimit)))
        {
            var s = Vector256.Create((double)scale);
            return Vector256.Narrow(Vector256.Cos(t0) * s, Vector256.Cos(t1) * s);
        }
        var (f0, q0) = Reduce(t0);
        var (f1, q1) = Reduce(t1);
        return Polynomial(Vector256.Narrow(f0, f1), Vector256.Create(scale).AsInt32() ^ (Vector256.Narrow(q0, q1) << 31));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double> F, Vector256<long> K) Reduce(Vector256<double> t)
    {
        var kk = Vector256.FusedMultiplyAdd(t, Vector256.Create(1 / Math.PI), Vector256.Create(Round52));
        var k = kk - Vector256.Create(Round52);
        var r = Vector256.FusedMultiplyAdd(-k, Vector256.Create(Pi1), t);
        r = Vector256.FusedMultiplyAdd(-k, Vector256.Create(Pi2), r);
        return (r * Vector256.Create(1 / Math.PI), kk.AsInt64());
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Polynomial(Vector256<float> f, Vector256<int> s)
    {
        var f2 = f * f;
        var c = Vector256.FusedMultiplyAdd(f2, Vector256.Create(C6), Vector256.Create(C5));
        c = Vector256.FusedMultiplyAdd(f2, c, Vector256.Create(C4));
        c = Vector256.FusedMultiplyAdd(f2, c, Vector256.Create(C3));
        c = Vector256.FusedMultiplyAdd(f2, c, Vector256.Create(C2));
        c = Vector256.FusedMultiplyAdd(f2, c, Vector256.Create(C1));
        c = Vector256.FusedMultiplyAdd(f2, c, Vector256.Create(C0));
        return c * s.AsSingle();
    }

    /// <summary>A least-recently-used cache of feature vectors keyed by the value's bits.</summary>
    private sealed class PhiCache(int capacity, int d)
    {
        private readonly long[] _keys = new long[capacity];
        private readonly long[] _used = new long[capacity];
        private readonly float[]?[] _rows = new float[capacity][];
        private long _clock;

        /// <summary>The row of <paramref name="value"/>; on a miss, the evicted (or a new) row, to be filled by the caller.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
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
