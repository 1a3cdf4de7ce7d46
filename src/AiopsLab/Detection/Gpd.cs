using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace AiopsLab.Detection;

/// <summary>
/// Maximum-likelihood fit of the generalized Pareto distribution GPD(γ, σ), F(y) = 1 − (1 + γy/σ)^{−1/γ} (y ≥ 0), to peaks over
/// a threshold, by Grimshaw's trick (Grimshaw, "Computing maximum likelihood estimates for the generalized Pareto distribution",
/// Technometrics 35(2), 1993), as SPOT uses it (Siffer et al., KDD 2017, §3.3): with x = γ/σ the likelihood equations reduce to
/// u(x)·v(x) = 1, u(x) = (1/N) Σ 1/(1 + x Y_i), v(x) = 1 + (1/N) Σ ln(1 + x Y_i), and then γ = v(x) − 1, σ = γ/x. All roots lie in
/// (−1/Y_max, 0) ∪ (0, 2(Ȳ − Y_min)/Y_min²]; we bracket sign changes of u·v − 1 on geometric grids over each interval, refine each by
/// bisection, and keep the root (or the exponential limit γ = 0, σ = Ȳ) with the largest log-likelihood.
/// </summary>
public static class Gpd
{
    /// <summary>Log-likelihood of excesses <paramref name="y"/> under GPD(γ, σ); −∞ outside the support.</summary>
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
        int n = y.Length;
        if (n == 0) throw new ArgumentException("gpd: no excesses to fit.");
        double mean = 0, min = double.PositiveInfinity, max = 0;
        foreach (var v in y) { mean += v; if (v < min) min = v; if (v > max) max = v; }
        mean /= n;
        (double G, double S) best = (0, Math.Max(mean, double.Epsilon));
        double bestLl = LogLikelihood(y, 0, best.S), bestX = double.NaN;
        if (!(max > min) || !(min > 0)) return (best.G, best.S, bestX);
        // Pooled scratch: SPOT refits after every new peak, so this runs hundreds of thousands of times on a corpus.
        var pool = System.Buffers.ArrayPool<double>.Shared;
        var ys = pool.Rent(n); var t1 = pool.Rent(n); var t2 = pool.Rent(n);
        y.CopyTo(ys);
        try
        {
            // Σ ln(1 + x·Y_i) and Σ 1/(1 + x·Y_i), vectorised (the refit after every SPOT peak spends its time here).
            (double SumLog, double SumInv) Sums(double x)
            {
                var a = t1.AsSpan(0, n); var b = t2.AsSpan(0, n);
                ReciprocalAndLog(ys.AsSpan(0, n), x, b, a);
                return (TensorPrimitives.Sum<double>(a), TensorPrimitives.Sum<double>(b));
            }

            double W(double x)
            {
                var (v, u) = Sums(x);
                return (u / n) * (1 + v / n) - 1;
            }

            bool found = false;
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
            void Scan(IReadOnlyList<double> grid)
            {
                double prevX = grid[0], prevW = W(prevX);
                for (int k = 1; k < grid.Count; k++)
                {
                    double x = grid[k], w = W(x);
                    if (double.IsFinite(prevW) && double.IsFinite(w) && Math.Sign(prevW) != Math.Sign(w))
                    {
                        double lo = prevX, hi = x, wlo = prevW;
                        for (int it = 0; it < 60 && Math.Abs(hi - lo) > 1e-10 * Math.Max(Math.Abs(lo), Math.Abs(hi)); it++)
                        {
                            double mid = 0.5 * (lo + hi), wm = W(mid);
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
        finally { pool.Return(ys); pool.Return(t1); pool.Return(t2); }
    }

    /// <summary>
    /// inv = 1/(1 + x·y) and log = ln(1 + x·y) elementwise in one pass, each element bit for bit as the separate multiply, add,
    /// divide and <c>TensorPrimitives.Log</c> give it: with Vector512, the vector logarithm on every element (the last vector
    /// overlapping the previous ones, as the array operation does) when there are at least 2 elements (the array operation's 128- and 256-bit lanes
    /// for 2–7 elements compute as the 512-bit ones), else the scalar <see cref="Math.Log(double)"/>; without Vector512, the array operations
    /// themselves. The sums over both are taken afterwards by <c>TensorPrimitives.Sum</c>, whose summation order depends only on
    /// the length, so the Grimshaw sums are unchanged.
    /// </summary>
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
    public static double LogSurvival(double y, double gamma, double sigma)
    {
        if (y <= 0) return 0;
        if (Math.Abs(gamma) < 1e-12) return -y / sigma;
        double t = 1 + gamma * y / sigma;
        return t <= 0 ? double.NegativeInfinity : -Math.Log(t) / gamma;
    }

    /// <summary>SPOT's quantile (Siffer et al., Eq. 1): z_q = t + σ/γ · ((q·n/N_t)^{−γ} − 1), or t − σ ln(q·n/N_t) when γ = 0.</summary>
    public static double Quantile(double threshold, double gamma, double sigma, double q, long n, int peaks)
    {
        double r = q * n / peaks;
        return Math.Abs(gamma) < 1e-12 ? threshold - sigma * Math.Log(r) : threshold + sigma / gamma * (Math.Pow(r, -gamma) - 1);
    }
}
