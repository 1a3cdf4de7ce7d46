using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace AiopsLab.Detection;

/// <summary>
/// Maximum-likelihood fit of the generalized Pareto distribution GPD(γ, σ), F(y) = 1 − (1 + γy/σ)^{−1/γ} (y ≥ 0), to peaks over
/// a threshold, by Grimshaw's trick (Grimshaw, "Computing maximum likelihood estimates for the generalized Pareto distribution",
/// Technometrics 35(2), 1993), as SPOT uses it (Siffer et al., KDD 2017, §3.3): with x = γ/σ the likelihood equations reduce to
/// u(x)·v(x) = 1, u(x) = (1/N) Σ 1/(1 + x Y_i), v(x) = 1 + (1/N) Σ ln(1 + x Y_i), and then γ = v(x) − 1, σ = γ/x. All roots lie in
/// (−1/Y_max, 0) ∪ (0, 2(Ȳ − Y_min)/Y_min²]; we bracket sign changes of u·v − 1 on geometric grids over each interval, refine each by
/// bisection, and keep the root (or the exponential limit γ = 0, σ = Ȳ) with the largest log-likelihood. Inside a bracket the sign
/// of u·v − 1 is taken from a Taylor expansion with a proven error bound when that decides it (<see cref="GrimshawExpansion"/>),
/// else from the exact pass, so every root keeps the bits of the exact search.
/// </summary>
public static class Gpd
{
    /// <summary>Peaks from which a bisection decides signs by <see cref="GrimshawExpansion"/> first.</summary>
    internal const int ExpansionMinPeaks = 48;

    /// <summary>Log-likelihood of excesses <paramref name="y"/> under GPD(γ, σ); −∞ outside the support.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double LogLikelihood(ReadOnlySpan<double> y, double gamma, double sigma)
    {
        if (!(sigma > 0)) return double.NegativeInfinity;
        int n = y.Length;
        if (Math.Abs(gamma) < 1e-12)
        {
            double s = 0;
            foreach (var v in y) s += v;
            return -n * Math.Log(sigma) - s / sigma;
        }
        double acc = 0;
        foreach (var v in y)
        {
            double t = 1 + gamma * v / sigma;
            if (t <= 0) return double.NegativeInfinity;
            acc += Math.Log(t);
        }
        return -n * Math.Log(sigma) - (1 + 1 / gamma) * acc;
    }

    /// <summary>The MLE (γ, σ) of positive excesses (at least one). A single distinct value gives the exponential fit.</summary>
    public static (double Gamma, double Sigma) Fit(ReadOnlySpan<double> y)
    {
        var (g, s, _) = FitFrom(y, double.NaN);
        return (g, s);
    }

    /// <summary>
    /// As <see cref="Fit"/>, also returning the Grimshaw root x = γ/σ of the fit (NaN for the exponential fit). With a finite
    /// <paramref name="hint"/> — the root of a fit to nearly the same sample, as after SPOT adds one peak — the root is first sought
    /// in [0.9·hint, 1.1·hint] and, when one is found there, the full scan is skipped (the root moves continuously with the sample;
    /// callers rescan in full now and then to catch another root overtaking it).
    /// </summary>
    public static (double Gamma, double Sigma, double Root) FitFrom(ReadOnlySpan<double> y, double hint)
    {
        if (y.Length == 0) throw new ArgumentException("gpd: no excesses to fit.");
        double sum = 0, min = double.PositiveInfinity, max = 0;
        foreach (var v in y) { sum += v; if (v < min) min = v; if (v > max) max = v; }
        return FitFrom(y, hint, sum, min, max);
    }

    /// <summary>
    /// As <see cref="FitFrom(ReadOnlySpan{double}, double)"/> with the sample's running statistics given: <paramref name="sum"/>
    /// is Σ Y_i added left to right from 0 (so the same bits as a pass over <paramref name="y"/>), <paramref name="min"/> and
    /// <paramref name="max"/> its extremes (max at least 0). SPOT keeps them as it appends peaks, saving two passes per refit.
    /// </summary>
    // Optimised at first call: tiering would run the first thousands of refits of every process through unoptimised vector code.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static (double Gamma, double Sigma, double Root) FitFrom(ReadOnlySpan<double> y, double hint, double sum, double min, double max)
    {
        int n = y.Length;
        if (n == 0) throw new ArgumentException("gpd: no excesses to fit.");
        double mean = sum / n;
        (double G, double S) best = (0, Math.Max(mean, double.Epsilon));
        // LogLikelihood(y, 0, σ) with Σ Y_i already known: the same expression, so the same bits.
        double bestLl = best.S > 0 ? -n * Math.Log(best.S) - sum / best.S : double.NegativeInfinity, bestX = double.NaN;
        if (!(max > min) || !(min > 0)) return (best.G, best.S, bestX);
        // Pooled scratch: SPOT refits after every new peak, so this runs hundreds of thousands of times on a corpus.
        var pool = System.Buffers.ArrayPool<double>.Shared;
        var ys = pool.Rent(n); var t1 = pool.Rent(n); var t2 = pool.Rent(n); var ac = pool.Rent(n);
        y.CopyTo(ys);
        try
        {
            // Σ ln(1 + x·Y_i) and Σ 1/(1 + x·Y_i), vectorised (the refit after every SPOT peak spends its time here).
            // Near a root at rounding level (x ≈ 0) successive bisection points often round 1 + x·Y_i to the same doubles: the
            // pass then keeps the vectors of the previous one whose inputs are unchanged (ReciprocalAndLogCached), and the sums too
            // when nothing changed.
            bool cached = false;
            double cachedLog = 0, cachedInv = 0;
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
            (double SumLog, double SumInv) Sums(double x)
            {
                var a = t1.AsSpan(0, n); var b = t2.AsSpan(0, n);
                if (!ReciprocalAndLogCached(ys.AsSpan(0, n), x, b, a, ac.AsSpan(0, n), ref cached))
                {
                    cachedLog = TensorPrimitives.Sum<double>(a);
                    cachedInv = TensorPrimitives.Sum<double>(b);
                }
                return (cachedLog, cachedInv);
            }

            double lastV = 0, lastU = 0;
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
            double W(double x)
            {
                var (v, u) = Sums(x);
                lastV = v; lastU = u;
                return (u / n) * (1 + v / n) - 1;
            }

            // Inside a bracket only the sign of w matters. A Taylor expansion about a point where the exact pass has just run
            // decides it with a proven error bound, or leaves it to the exact pass (GrimshawExpansion).
            var expansion = new GrimshawExpansion(n, max);
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
            double SignOrW(double x)
            {
                if (!expansion.Valid) return W(x);
                int sign = expansion.TrySign(x);
                if (sign != 0) return sign;
                double w = W(x);
                // Undecided far from the centre (series remainder): recentre here, near the root. Near the centre, w is at
                // rounding level and only exact passes will do.
                if (Math.Abs(x - expansion.Center) > 1e-6 * Math.Abs(x) && Math.Abs(w) > 1e-12)
                    expansion.Build(ys.AsSpan(0, n), t2.AsSpan(0, n), x, lastV, lastU);
                return w;
            }

            bool found = false;
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
            void Consider(double x)
            {
                double v = Sums(x).SumLog;
                double gamma = v / n;
                double sigma = gamma / x;
                // The log-likelihood reuses Σ ln(1 + x·Y_i), since γ/σ = x: −n ln σ − (1 + 1/γ)·Σ ln(1 + γY_i/σ).
                double ll = sigma > 0 && double.IsFinite(v) ? -n * Math.Log(sigma) - (1 + 1 / gamma) * v : double.NegativeInfinity;
                if (ll > bestLl) { bestLl = ll; best = (gamma, sigma); bestX = x; }
                found = true;
            }

            // Sign changes of u·v − 1 between consecutive grid points, refined by bisection. The grids are geometric towards both
            // ends of each interval, where roots sit when γ is near 0 or when the upper end point nears the largest peak.
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
            void Scan(IReadOnlyList<double> grid)
            {
                double prevX = grid[0], prevW = W(prevX);
                for (int k = 1; k < grid.Count; k++)
                {
                    double x = grid[k], w = W(x);
                    if (double.IsFinite(prevW) && double.IsFinite(w) && Math.Sign(prevW) != Math.Sign(w))
                    {
                        double lo = prevX, hi = x, wlo = prevW;
                        // The last exact pass ran at x: expand about it, unless w is at rounding level at both ends (a root near
                        // x = 0, where only the exact pass can say on which side the rounded w falls) or the sample is small
                        // (an exact pass is then as cheap as the series).
                        if (n >= ExpansionMinPeaks && Math.Max(Math.Abs(prevW), Math.Abs(w)) > 1e-9)
                            expansion.Build(ys.AsSpan(0, n), t2.AsSpan(0, n), x, lastV, lastU);
                        else expansion.Reset();
                        for (int it = 0; it < 60 && Math.Abs(hi - lo) > 1e-10 * Math.Max(Math.Abs(lo), Math.Abs(hi)); it++)
                        {
                            double mid = 0.5 * (lo + hi), wm = SignOrW(mid);
                            if (Math.Sign(wm) == Math.Sign(wlo)) { lo = mid; wlo = wm; } else hi = mid;
                        }
                        Consider(0.5 * (lo + hi));
                    }
                    prevX = x; prevW = w;
                }
            }

            if (double.IsFinite(hint) && hint != 0)
            {
                Scan(hint > 0 ? [0.9 * hint, hint, 1.1 * hint] : [1.1 * hint, hint, 0.9 * hint]);
                if (found) return (best.G, best.S, bestX);
            }
            const int Steps = 20;
            double lowEnd = -1 / max, upper = 2 * (mean - min) / (min * min), eps = 1e-9;
            // Negative interval (−1/Y_max, 0): x = −u/Y_max with u geometric from 10⁻⁹ to ½ and from ½ to 1 − 10⁻⁹.
            var neg = new List<double>();
            for (int k = 0; k <= Steps; k++) neg.Add(lowEnd * 0.5 * Math.Pow(eps, 1 - (double)k / Steps));
            for (int j = 1; j <= Steps; j++) neg.Add(lowEnd * (1 - 0.5 * Math.Pow(2 * eps, (double)j / Steps)));
            Scan(neg);
            // Positive interval (0, upper]: geometric from 10⁻⁶/Y_max (below any useful root) to upper, 4 points per decade.
            double start = 1e-6 / max;
            if (upper > start)
            {
                int steps = Math.Max(16, (int)Math.Ceiling(4 * Math.Log10(upper / start)));
                var pos = new List<double>(steps + 1);
                for (int k = 0; k <= steps; k++) pos.Add(start * Math.Pow(upper / start, (double)k / steps));
                Scan(pos);
            }
            return (best.G, best.S, bestX);
        }
        finally { pool.Return(ys); pool.Return(t1); pool.Return(t2); pool.Return(ac); }
    }

    /// <summary>
    /// inv = 1/(1 + x·y) and log = ln(1 + x·y) elementwise in one pass, each element bit for bit as the separate multiply, add,
    /// divide and <c>TensorPrimitives.Log</c> give it: with Vector512, the vector logarithm on every element (the last vector
    /// overlapping the previous ones, as the array operation does) when there are at least 2 elements (the array operation's 128- and 256-bit lanes
    /// for 2–7 elements compute as the 512-bit ones), else the scalar <see cref="Math.Log(double)"/>; without Vector512, the array operations
    /// themselves. The sums over both are taken afterwards by <c>TensorPrimitives.Sum</c>, whose summation order depends only on
    /// the length, so the Grimshaw sums are unchanged.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void ReciprocalAndLog(ReadOnlySpan<double> y, double x, Span<double> inv, Span<double> log)
    {
        int n = y.Length, c = Vector512<double>.Count;
        if (!Vector512.IsHardwareAccelerated)
        {
            OnePlusScaled(y, x, log, inv);
            TensorPrimitives.Log<double>(log, log);
            return;
        }
        if (n < c)
        {
            if (n == 1) { double a = y[0] * x + 1; inv[0] = 1 / a; log[0] = Math.Log(a); return; }
            // 2–7 elements: the array operation uses 128- or 256-bit vectors, whose lanes compute as the 512-bit ones.
            Span<double> pad = stackalloc double[c];
            pad.Fill(1.0);
            y.CopyTo(pad);
            var va = Vector512.Create((ReadOnlySpan<double>)pad) * Vector512.Create(x) + Vector512<double>.One;
            (Vector512<double>.One / va).CopyTo(pad);
            pad[..n].CopyTo(inv);
            Vector512.Log(va).CopyTo(pad);
            pad[..n].CopyTo(log);
            return;
        }
        var vx = Vector512.Create(x); var one = Vector512<double>.One;
        for (int i = 0; ; i += c)
        {
            if (i > n - c) i = n - c;   // the last vector overlaps: elementwise, so overlapped lanes get the same values
            var a = Vector512.Create(y.Slice(i, c)) * vx + one;
            (one / a).CopyTo(inv.Slice(i, c));
            Vector512.Log(a).CopyTo(log.Slice(i, c));
            if (i == n - c) break;
        }
    }

    /// <summary>
    /// <see cref="ReciprocalAndLog"/> that reuses a previous pass: <paramref name="a"/> holds the arguments 1 + x·y of the last pass
    /// (valid when <paramref name="cached"/>), and a vector of elements whose arguments are all unchanged keeps its reciprocals and
    /// logarithms (the vector operations are elementwise, so recomputing them would give the same bits). Returns true when no
    /// argument changed, so that sums over <paramref name="inv"/> and <paramref name="log"/> are unchanged too. Without Vector512,
    /// or below one vector, it is <see cref="ReciprocalAndLog"/> (and returns false).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static bool ReciprocalAndLogCached(ReadOnlySpan<double> y, double x, Span<double> inv, Span<double> log, Span<double> a, ref bool cached)
    {
        int n = y.Length, c = Vector512<double>.Count;
        if (!Vector512.IsHardwareAccelerated || n < c)
        {
            ReciprocalAndLog(y, x, inv, log);
            cached = false;
            return false;
        }
        var vx = Vector512.Create(x); var one = Vector512<double>.One;
        bool same = cached;
        for (int i = 0; ; i += c)
        {
            if (i > n - c) i = n - c;   // the last vector overlaps, as in ReciprocalAndLog
            var va = Vector512.Create(y.Slice(i, c)) * vx + one;
            if (!cached || !Vector512.EqualsAll(va, Vector512.Create((ReadOnlySpan<double>)a.Slice(i, c))))
            {
                same = false;
                va.CopyTo(a.Slice(i, c));
                (one / va).CopyTo(inv.Slice(i, c));
                Vector512.Log(va).CopyTo(log.Slice(i, c));
            }
            if (i == n - c) break;
        }
        cached = true;
        return same;
    }

    /// <summary>a = 1 + x·y and b = 1/a elementwise in one pass, each rounded as the separate multiply, add and divide.</summary>
    internal static void OnePlusScaled(ReadOnlySpan<double> y, double x, Span<double> a, Span<double> b)
    {
        int i = 0, w = Vector256<double>.Count;
        if (Vector256.IsHardwareAccelerated)
        {
            var vx = Vector256.Create(x); var one = Vector256<double>.One;
            for (; i <= y.Length - w; i += w)
            {
                var va = Vector256.Create(y.Slice(i, w)) * vx + one;
                va.CopyTo(a.Slice(i, w));
                (one / va).CopyTo(b.Slice(i, w));
            }
        }
        for (; i < y.Length; i++) { a[i] = y[i] * x + 1; b[i] = 1 / a[i]; }
    }

    /// <summary>Tail probability P(Y &gt; y) of GPD(γ, σ) for y ≥ 0 (0 beyond a finite upper end point).</summary>
    public static double Survival(double y, double gamma, double sigma)
    {
        if (y <= 0) return 1;
        if (Math.Abs(gamma) < 1e-12) return Math.Exp(-y / sigma);
        double t = 1 + gamma * y / sigma;
        return t <= 0 ? 0 : Math.Pow(t, -1 / gamma);
    }

    /// <summary>ln P(Y &gt; y) of GPD(γ, σ), computed in log space so that far tails do not underflow (−∞ beyond a finite end point).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double LogSurvival(double y, double gamma, double sigma)
    {
        if (y <= 0) return 0;
        if (Math.Abs(gamma) < 1e-12) return -y / sigma;
        double t = 1 + gamma * y / sigma;
        return t <= 0 ? double.NegativeInfinity : -Math.Log(t) / gamma;
    }

    /// <summary>SPOT's quantile (Siffer et al., Eq. 1): z_q = t + σ/γ · ((q·n/N_t)^{−γ} − 1), or t − σ ln(q·n/N_t) when γ = 0.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double Quantile(double threshold, double gamma, double sigma, double q, long n, int peaks)
    {
        double r = q * n / peaks;
        return Math.Abs(gamma) < 1e-12 ? threshold - sigma * Math.Log(r) : threshold + sigma / gamma * (Math.Pow(r, -gamma) - 1);
    }
}

/// <summary>
/// The sign of Grimshaw's w(x) = u(x)·v(x) − 1 (<see cref="Gpd.FitFrom(ReadOnlySpan{double}, double)"/>) as the exact pass computes
/// it in floating point, decided without that pass when a proven error bound allows. About a centre x₀ where the exact pass has
/// run, 1 + xY_i = (1 + x₀Y_i)(1 + dζ_i) with d = x − x₀ and ζ_i = Y_i/(1 + x₀Y_i), so
/// Σ ln(1 + xY_i) = Σ ln(1 + x₀Y_i) + Σ_k (−1)^{k+1} d^k S_k / k and Σ 1/(1 + xY_i) = Σ 1/(1 + x₀Y_i) + Σ_k (−d)^k T_k, with the power
/// sums S_k = Σ ζ_i^k and T_k = Σ ζ_i^k/(1 + x₀Y_i), k ≤ <see cref="Terms"/> (one pass at the centre). The bound adds (a) the
/// floating-point error of the exact pass at x (the rounding of 1 + xY_i, of the reciprocal, of the vector logarithm — at most
/// <see cref="LogRelError"/> relative, checked in the tests — and of any summation order, Higham's γ_{n−1}), (b) the same at the
/// centre, (c) the rounding of the power sums and of the series, and (d) the series' remainder, at most
/// |d|^{K+1}S_{K+1}/((K+1)(1 − r)) (resp. |d|^{K+1}T_{K+1}/(1 − r)) with r = |d|·max ζ_i. Every term of each sum has one sign
/// (Y_i &gt; 0), so Σ|ln(1 + xY_i)| = |Σ ln(1 + xY_i)|. When the approximation lies farther from 0 than the bound, the exact pass's
/// w(x) has its sign (and is finite and non-zero); otherwise <see cref="TrySign"/> answers 0 and the caller runs the exact pass.
/// Bisection in the refit only compares signs, so the roots found, and every output, are bit for bit those of the exact passes.
/// </summary>
internal sealed class GrimshawExpansion(int n, double yMax)
{
    /// <summary>Terms K of the series (the power-sum pass keeps its 2(K + 1) accumulators in registers).</summary>
    internal const int Terms = 8;
    /// <summary>Unit roundoff of double precision, 2⁻⁵³.</summary>
    private const double U = 1.0 / (1L << 53);
    /// <summary>Bound on |Log(a) − ln a| / |ln a| of the vector logarithm (it is within a few units in the last place; 2⁻⁴⁰ is 8192).</summary>
    internal const double LogRelError = 1.0 / (1L << 40);
    /// <summary>Absolute slack per logarithm on top of <see cref="LogRelError"/>.</summary>
    internal const double LogAbsError = 1e-300;

    private readonly double[] _s = new double[Terms + 2], _t = new double[Terms + 2];
    private double _x0 = double.NaN, _v0, _u0, _ev0, _eu0, _zMax, _eta;
    private bool _valid;

    /// <summary>Whether a centre is set (<see cref="Build"/>) and usable.</summary>
    public bool Valid => _valid;

    /// <summary>Drops the centre: <see cref="TrySign"/> answers 0 until the next <see cref="Build"/>.</summary>
    public void Reset() { _valid = false; _x0 = double.NaN; }

    /// <summary>The centre x₀ (NaN before the first <see cref="Build"/>).</summary>
    public double Center => _x0;

    /// <summary>Bound on |a_i/(1 + xY_i) − 1| for a_i = fl(fl(x·Y_i) + 1); +∞ when 1 + x·Y_max is not safely positive.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double Rho(double x)
    {
        double q = 1;   // x ≥ 0: xY/(1 + xY) < 1
        if (x < 0)
        {
            double m = 1 + x * yMax;
            if (!(m > 1e-3)) return double.PositiveInfinity;
            q = 1.01 * (-x) * yMax / m;
        }
        return 1.01 * U * (1.01 * q + 1);
    }

    /// <summary>
    /// Centres the expansion at <paramref name="x0"/>, where the exact pass has just computed <paramref name="inv"/> = 1/(1 + x₀Y_i)
    /// and the sums <paramref name="sumLog"/>, <paramref name="sumInv"/>.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Build(ReadOnlySpan<double> y, ReadOnlySpan<double> inv, double x0, double sumLog, double sumInv)
    {
        _x0 = x0;
        double rho0 = Rho(x0);
        _valid = rho0 <= 1e-6 && double.IsFinite(sumLog) && double.IsFinite(sumInv);
        if (!_valid) return;
        double betaInv0 = 1.01 * (rho0 + U);
        _eta = 1.01 * (betaInv0 + U);
        Array.Clear(_s); Array.Clear(_t);
        double zMax = 0;
        int i = 0, c = Vector512<double>.Count;
        if (Vector512.IsHardwareAccelerated && y.Length >= c)
        {
            // Eighteen accumulators in registers (K = 8: S_1..S_9 and T_1..T_9); any summation order is within the bound.
            Vector512<double> s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default,
                s8 = default, s9 = default, u1 = default, u2 = default, u3 = default, u4 = default, u5 = default, u6 = default,
                u7 = default, u8 = default, u9 = default, vMax = default;
            for (; i <= y.Length - c; i += c)
            {
                var w = Vector512.Create(inv.Slice(i, c));
                var z = Vector512.Create(y.Slice(i, c)) * w;
                vMax = Vector512.Max(vMax, z);
                var p = z; s1 += p; u1 += w * p;
                p *= z; s2 += p; u2 += w * p;
                p *= z; s3 += p; u3 += w * p;
                p *= z; s4 += p; u4 += w * p;
                p *= z; s5 += p; u5 += w * p;
                p *= z; s6 += p; u6 += w * p;
                p *= z; s7 += p; u7 += w * p;
                p *= z; s8 += p; u8 += w * p;
                p *= z; s9 += p; u9 += w * p;
            }
            _s[1] = Vector512.Sum(s1); _s[2] = Vector512.Sum(s2); _s[3] = Vector512.Sum(s3); _s[4] = Vector512.Sum(s4);
            _s[5] = Vector512.Sum(s5); _s[6] = Vector512.Sum(s6); _s[7] = Vector512.Sum(s7); _s[8] = Vector512.Sum(s8);
            _s[9] = Vector512.Sum(s9);
            _t[1] = Vector512.Sum(u1); _t[2] = Vector512.Sum(u2); _t[3] = Vector512.Sum(u3); _t[4] = Vector512.Sum(u4);
            _t[5] = Vector512.Sum(u5); _t[6] = Vector512.Sum(u6); _t[7] = Vector512.Sum(u7); _t[8] = Vector512.Sum(u8);
            _t[9] = Vector512.Sum(u9);
            for (int l = 0; l < c; l++) zMax = Math.Max(zMax, vMax.GetElement(l));
        }
        for (; i < y.Length; i++)
        {
            double w = inv[i], z = y[i] * w, p = z;
            zMax = Math.Max(zMax, z);
            for (int k = 1; k <= Terms + 1; k++) { _s[k] += p; _t[k] += w * p; p *= z; }
        }
        _zMax = zMax;
        _v0 = sumLog; _u0 = sumInv;
        _eu0 = sumInv * 1.01 * (betaInv0 + n * U);
        double vAbs0 = Math.Abs(sumLog) * 1.01 + n * (2.2 * rho0 + LogAbsError);
        _ev0 = 1.01 * ((LogRelError + n * U) * vAbs0 + n * (1.1 * rho0 + LogAbsError));
    }

    /// <summary>+1 or −1: the sign of the exact pass's w(x), proven; 0: undecided (run the exact pass).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int TrySign(double x)
    {
        if (!_valid) return 0;
        double rho = Rho(x);
        if (!(rho <= 1e-6)) return 0;
        double d = x - _x0, ad = Math.Abs(d);
        double r = ad * _zMax * (1 + _eta) * 1.01;
        if (!(r <= 0.5)) return 0;
        double p = 1, sumV = 0, sumU = 0, errV = 0, errU = 0, absV = 0, absU = 0;
        for (int k = 1; k <= Terms; k++)
        {
            p *= d;
            double tv = p * _s[k] / k, tu = p * _t[k];
            if ((k & 1) == 0) tv = -tv; else tu = -tu;
            sumV += tv; sumU += tu;
            absV += Math.Abs(tv); absU += Math.Abs(tu);
            double sigma = 1.02 * (k * _eta + (k - 1 + n) * U), tau = 1.02 * ((k + 1) * _eta + (k + n) * U);
            errV += Math.Abs(tv) * (sigma + 1.1 * (k + 1) * U);
            errU += Math.Abs(tu) * (tau + 1.1 * (k + 1) * U);
        }
        double pk = 1.01 * Math.Abs(p) * ad;   // ≥ |d|^{K+1}
        double sK = _s[Terms + 1] * (1 + 1.02 * ((Terms + 1) * _eta + (Terms + n) * U));
        double tK = _t[Terms + 1] * (1 + 1.02 * ((Terms + 2) * _eta + (Terms + 1 + n) * U));
        double truncV = pk * sK / ((Terms + 1) * (1 - r)), truncU = pk * tK / (1 - r);
        // d = x − x₀ is itself rounded (relative U): ∂/∂d of the two sums is at most ΣZ/(1 − r) and ΣwZ/(1 − r)².
        double dErrV = 1.1 * U * ad * _s[1] * 1.01 / (1 - r), dErrU = 1.1 * U * ad * _t[1] * 1.01 / ((1 - r) * (1 - r));
        double va = _v0 + sumV, ua = _u0 + sumU;
        double eva = _ev0 + errV + 1.01 * (Terms + 1) * U * (Math.Abs(_v0) + absV) + truncV + dErrV;
        double eua = _eu0 + errU + 1.01 * (Terms + 1) * U * (_u0 + absU) + truncU + dErrU;
        double vAbs = Math.Abs(va) + eva, uHi = ua + eua;
        // The exact pass at x: reciprocal and logarithm of a_i = (1 + xY_i)(1 + ρ_i), then any summation order.
        double betaInv = 1.01 * (rho + U);
        double eux = uHi * 1.01 * (betaInv + n * U);
        double evx = 1.01 * ((LogRelError + n * U) * vAbs + n * (1.1 * rho + LogAbsError));
        // w = (U/n)(1 + V/n) − 1: propagated errors of both and the five roundings of each evaluation.
        double un = uHi / n, vn = vAbs / n;
        double prop = (eua + eux) / n * (1 + vn) + un * (eva + evx) / n;
        double round = 2 * 5 * U * (un * (1 + vn) + 1 + un * vn);
        double bound = 1.01 * (prop + round);
        double wa = ua / n * (1 + va / n) - 1;
        if (wa > bound) return 1;
        if (wa < -bound) return -1;
        return 0;
    }
}
