using System.Numerics.Tensors;
using AiopsLab.Detection;
using AiopsLab.Datasets;
using AiopsLab.Evaluation;
using AiopsLab.Tests.Infrastructure;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>
/// SPOT's refit speed paths (issue 14, item 5) against a frozen copy of the refit and of SPOT as they were before them
/// (<see cref="FrozenGpd"/>, <see cref="FrozenSpotState"/>), bit for bit: the running peak statistics, the certified signs of
/// <see cref="GrimshawExpansion"/> and the reuse of unchanged vectors in <see cref="Gpd.ReciprocalAndLogCached"/> must not move any
/// fit, root, quantile or score.
/// </summary>
public class SpotIdentityTests
{
    private static long Bits(double v) => BitConverter.DoubleToInt64Bits(v);

    /// <summary>GPD(γ, σ = 1) excesses by inversion; <paramref name="round"/> &gt; 0 quantises them (ties, as NAB's integer series give).</summary>
    private static double[] GpdSample(int n, double gamma, double round, ulong seed)
    {
        var r = Rng.For(seed, "spot-identity-gpd");
        return Enumerable.Range(0, n).Select(_ =>
        {
            double u = 1 - r.NextDouble();
            double y = Math.Abs(gamma) < 1e-12 ? -Math.Log(u) : (Math.Pow(u, -gamma) - 1) / gamma;
            return round > 0 ? Math.Max(round, Math.Round(y / round) * round) : y;
        }).ToArray();
    }

    [Theory]
    [InlineData(-0.4, 0.0)]
    [InlineData(-0.1, 0.0)]
    [InlineData(0.0, 0.0)]
    [InlineData(0.1, 0.0)]
    [InlineData(0.6, 0.0)]
    [InlineData(0.0, 0.25)]
    [InlineData(0.3, 1.0)]
    public void Refits_equal_the_frozen_refit_to_the_bit(double gamma, double round)
    {
        int checkedFits = 0;
        foreach (int n in new[] { 2, 5, 9, 47, 48, 64, 203, 1500 })
        {
            var y = GpdSample(n, gamma, round, (ulong)(n * 31 + (int)(gamma * 100) + (int)(round * 7)));
            var (g0, s0, root0) = FrozenGpd.FitFrom(y, double.NaN);
            // As SPOT calls it: no hint (full scan), the last root, roots nearby and the root of the sample without its last peak.
            var hints = new List<double> { double.NaN, root0, root0 * 1.03, root0 * 0.97, -1e-10, 2.5e-9 };
            if (n > 2) hints.Add(FrozenGpd.FitFrom(y.AsSpan(0, n - 1), double.NaN).Root);
            foreach (var hint in hints)
            {
                var expected = FrozenGpd.FitFrom(y, hint);
                var actual = Gpd.FitFrom(y, hint);
                double sum = 0, min = double.PositiveInfinity, max = 0;
                foreach (var v in y) { sum += v; if (v < min) min = v; if (v > max) max = v; }
                var given = Gpd.FitFrom(y, hint, sum, min, max);
                foreach (var a in new[] { actual, given })
                {
                    Assert.True(Bits(expected.Gamma) == Bits(a.Gamma) && Bits(expected.Sigma) == Bits(a.Sigma) && Bits(expected.Root) == Bits(a.Root),
                        $"n = {n}, hint {hint:R}: frozen ({expected.Gamma:R}, {expected.Sigma:R}, {expected.Root:R}), now ({a.Gamma:R}, {a.Sigma:R}, {a.Root:R})");
                }
                checkedFits++;
            }
            Assert.True(double.IsFinite(s0) && double.IsFinite(g0));
        }
        Assert.True(checkedFits >= 8 * 6);
    }

    [Fact]
    public void Certified_signs_agree_with_the_exact_pass_and_decide_most_points_away_from_rounding_level()
    {
        // Exact w(x) as the refit computes it: fused reciprocal and logarithm, then TensorPrimitives' sums.
        static double ExactW(double[] y, double x, double[] inv, double[] log)
        {
            Gpd.ReciprocalAndLog(y, x, inv, log);
            double v = TensorPrimitives.Sum<double>(log), u = TensorPrimitives.Sum<double>(inv);
            int n = y.Length;
            return (u / n) * (1 + v / n) - 1;
        }
        int decided = 0, tried = 0;
        foreach (var (gamma, n) in new[] { (-0.3, 60), (0.0, 200), (0.2, 500), (0.7, 1200), (-0.05, 3000) })
        {
            var y = GpdSample(n, gamma, 0, (ulong)n);
            double max = y.Max();
            var inv = new double[n]; var log = new double[n];
            var r = Rng.For((ulong)n, "spot-identity-centres");
            // Centres across both intervals, from rounding level near 0 to close to −1/Y_max, and points about each.
            foreach (var c0 in new[] { -0.999 / max, -0.5 / max, -1e-3 / max, -1e-9 / max, 1e-9 / max, 1e-3 / max, 0.3 / max, 5 / max, 200 / max })
            {
                double w0 = ExactW(y, c0, inv, log);
                var e = new GrimshawExpansion(n, max);
                double v0 = TensorPrimitives.Sum<double>(log), u0 = TensorPrimitives.Sum<double>(inv);
                e.Build(y, inv, c0, v0, u0);
                for (int k = 0; k < 40; k++)
                {
                    double x = c0 * (1 + (2 * r.NextDouble() - 1) * Math.Pow(10, -1 - 12 * r.NextDouble()));
                    int s = e.TrySign(x);
                    double w = ExactW(y, x, new double[n], new double[n]);
                    tried++;
                    if (s == 0) continue;
                    decided++;
                    Assert.True(Math.Sign(w) == s, $"n = {n}, centre {c0:R}, x {x:R}: certified {s}, exact w = {w:R}");
                }
                Assert.True(double.IsFinite(w0) || !e.Valid);
            }
        }
        Assert.True(decided > tried / 3, $"only {decided} of {tried} signs decided");
    }

    [Fact]
    public void Vector_logarithm_is_within_the_error_bound_the_certified_signs_assume()
    {
        // GrimshawExpansion assumes |Log(a) − ln a| ≤ 2⁻⁴⁰·|ln a| + 10⁻³⁰⁰ for the vector logarithm; Math.Log is glibc's (≤ 1 ulp).
        var r = Rng.For(5, "spot-identity-log");
        int c = System.Runtime.Intrinsics.Vector512<double>.Count;
        var a = new double[c];
        double worst = 0;
        foreach (var (lo, hi) in new[] { (1e-3, 1.0), (1.0, 2.0), (0.999999, 1.000001), (1 - 1e-12, 1 + 1e-12), (1.0, 1e6), (1e-3, 1e9) })
            for (int i = 0; i < 20_000; i++)
            {
                for (int k = 0; k < c; k++) a[k] = lo + (hi - lo) * r.NextDouble();
                var l = System.Runtime.Intrinsics.Vector512.Log(System.Runtime.Intrinsics.Vector512.Create(a));
                for (int k = 0; k < c; k++)
                {
                    double exact = Math.Log(a[k]);
                    if (exact == 0) { Assert.Equal(0, l[k]); continue; }
                    worst = Math.Max(worst, Math.Abs(l[k] - exact) / Math.Abs(exact));
                }
            }
        // Four units in the last place for Math.Log's own error and the vector one's; the bound has 2¹³ units.
        Assert.True(worst <= 4 * Math.Pow(2, -52), $"max relative error {worst:R}");
        Assert.True(4 * Math.Pow(2, -52) < GrimshawExpansion.LogRelError / 1000);
    }

    [Fact]
    public void Cached_reciprocals_and_logarithms_equal_a_fresh_pass()
    {
        var y = GpdSample(1003, 0.1, 0, 9);
        int n = y.Length;
        var inv = new double[n]; var log = new double[n]; var a = new double[n];
        bool cached = false;
        int same = 0;
        foreach (var x in new[] { -1e-12, -1e-12 * (1 + 1e-6), -1e-12 * (1 + 1e-6), 0.3, 0.3 * (1 + 1e-15), 1e-14, 1e-14 * (1 + 1e-9) })
        {
            if (Gpd.ReciprocalAndLogCached(y, x, inv, log, a, ref cached)) same++;
            var einv = new double[n]; var elog = new double[n];
            Gpd.ReciprocalAndLog(y, x, einv, elog);
            Assert.Equal(einv.Select(Bits), inv.Select(Bits));
            Assert.Equal(elog.Select(Bits), log.Select(Bits));
        }
        Assert.True(same >= 1, "a repeated point must reuse the whole pass");
    }

    /// <summary>NAB-shaped series: seasonal, quantised, spiky, drifting, with level shifts and flat stretches.</summary>
    private static double[] Series(int kind, int n)
    {
        var r = Rng.For((ulong)kind, "spot-identity-series");
        var x = new double[n];
        double walk = 0;
        for (int i = 0; i < n; i++)
        {
            walk += r.NextNormal() * 0.1;
            x[i] = kind switch
            {
                0 => 50 + 10 * Math.Sin(i / 40.0) + 2 * r.NextNormal() + (i % 700 == 350 ? 40 : 0),
                1 => Math.Round(20 + 3 * r.NextNormal()) + (i > n / 2 ? 15 : 0),
                2 => walk + (i % 503 == 0 ? 8 * r.NextNormal() : 0),
                3 => -Math.Log(1 - r.NextDouble()) * (i % 300 < 150 ? 1 : 3),
                _ => i % 90 < 60 ? 0.0 : Math.Round(100 * r.NextDouble()) / 10,
            };
        }
        return x;
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void Spot_and_dspot_scores_equal_the_frozen_detector_to_the_bit(int kind, bool learnAlarms)
    {
        var x = Series(kind, 6000);
        foreach (bool drift in new[] { false, true })
            foreach (var side in new[] { SpotSide.Both, SpotSide.Upper })
            {
                var o = new SpotOptions { NInit = 900, LearnAlarms = learnAlarms, Side = side };
                IAnomalyDetector det = drift ? new DSpot(o) : new Spot(o);
                Assert.True(AssertSameScores(x, o, drift, det.Score(x), $"kind {kind}, drift {drift}, {side}"), "no point scored above 0");
            }
    }

    [DataFact("nab")]
    public void Spot_and_dspot_equal_the_frozen_detector_on_real_nab_series()
    {
        var corpus = NabCorpus.Open(TestData.For("nab"));
        int cases = 0, scored = 0;
        foreach (var f in corpus.Files.Where((_, i) => i % 6 == 0))
        {
            var x = corpus.Load(f).Values;
            foreach (bool drift in new[] { false, true })
                foreach (bool learn in new[] { false, true })
                {
                    var o = new SpotOptions { NInit = Math.Max(10, (int)(0.15 * x.Length)), LearnAlarms = learn };
                    IAnomalyDetector det = drift ? new DSpot(o) : new Spot(o);
                    cases++;
                    if (AssertSameScores(x, o, drift, det.Score(x), $"{f}, drift {drift}, learn {learn}")) scored++;
                }
        }
        Assert.True(scored >= cases / 2, $"only {scored} of {cases} runs scored a point above 0");
    }

    /// <summary>Asserts equal bits; returns whether any point scored above 0 (so that the tails were fitted and used).</summary>
    private static bool AssertSameScores(double[] x, SpotOptions o, bool drift, double[] actual, string what)
    {
        var frozen = new FrozenSpotState(o, drift);
        var expected = x.Select(frozen.Update).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Bits(expected[i]) == Bits(actual[i]), $"{what}, point {i}: frozen {expected[i]:R}, now {actual[i]:R}");
        return expected.Any(v => v > 0);
    }
}

/// <summary>
/// Frozen copy of the GPD refit before the speed paths of issue 14 (main at bd7f477), written with the array operations it was
/// proven equal to (<see cref="FastPathIdentityTests"/>): Grimshaw's u·v − 1 by geometric grids and bisection (Grimshaw 1993;
/// Siffer et al., KDD 2017, §3.3). Do not optimise: the identity tests compare against it.
/// </summary>
internal static class FrozenGpd
{
    private static double LogLikelihood(ReadOnlySpan<double> y, double gamma, double sigma)
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

    public static (double Gamma, double Sigma, double Root) FitFrom(ReadOnlySpan<double> y, double hint)
    {
        int n = y.Length;
        double mean = 0, min = double.PositiveInfinity, max = 0;
        foreach (var v in y) { mean += v; if (v < min) min = v; if (v > max) max = v; }
        mean /= n;
        (double G, double S) best = (0, Math.Max(mean, double.Epsilon));
        double bestLl = LogLikelihood(y, 0, best.S), bestX = double.NaN;
        if (!(max > min) || !(min > 0)) return (best.G, best.S, bestX);
        var ys = y.ToArray(); var t1 = new double[n]; var t2 = new double[n];

        (double SumLog, double SumInv) Sums(double x)
        {
            TensorPrimitives.Multiply(ys, x, t1);
            TensorPrimitives.Add(t1, 1.0, t1);
            TensorPrimitives.Reciprocal(t1, t2);
            TensorPrimitives.Log<double>(t1, t1);
            return (TensorPrimitives.Sum<double>(t1), TensorPrimitives.Sum<double>(t2));
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
            double ll = sigma > 0 && double.IsFinite(v) ? -n * Math.Log(sigma) - (1 + 1 / gamma) * v : double.NegativeInfinity;
            if (ll > bestLl) { bestLl = ll; best = (gamma, sigma); bestX = x; }
            found = true;
        }

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
        var neg = new List<double>();
        for (int k = 0; k <= Steps; k++) neg.Add(lowEnd * 0.5 * Math.Pow(eps, 1 - (double)k / Steps));
        for (int j = 1; j <= Steps; j++) neg.Add(lowEnd * (1 - 0.5 * Math.Pow(2 * eps, (double)j / Steps)));
        Scan(neg);
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
}

/// <summary>Frozen copy of SPOT's tail (Siffer et al., KDD 2017, Algorithm 1) before the speed paths of issue 14.</summary>
internal sealed class FrozenSpotTail
{
    private readonly double _q;
    private readonly double _t;
    private readonly List<double> _peaks;
    private long _n;
    private double _gamma, _sigma, _zq, _root = double.NaN;
    private int _refits;

    public FrozenSpotTail(ReadOnlySpan<double> init, double level, double q)
    {
        _q = q;
        var sorted = init.ToArray();
        Array.Sort(sorted);
        _t = sorted[Math.Min(sorted.Length - 1, (int)(level * sorted.Length))];
        _peaks = [];
        foreach (var v in init) if (v > _t) _peaks.Add(v - _t);
        _n = init.Length;
        Refit();
    }

    private void Refit()
    {
        if (_peaks.Count == 0) { _gamma = 0; _sigma = double.NaN; _zq = double.PositiveInfinity; return; }
        double hint = _refits++ % 16 == 0 ? double.NaN : _root;
        (_gamma, _sigma, _root) = FrozenGpd.FitFrom(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_peaks), hint);
        _zq = Gpd.Quantile(_t, _gamma, _sigma, _q, _n, _peaks.Count);
    }

    public double Score(double x)
    {
        if (x <= _t) return 0;
        if (_peaks.Count == 0) return 1e6;
        double logP = Math.Log((double)_peaks.Count / _n) + Gpd.LogSurvival(x - _t, _gamma, _sigma);
        return Math.Clamp(-logP / Math.Log(10), 0, 1e6);
    }

    public bool Learn(double x, bool learnAlarms)
    {
        bool alarm = x > _zq;
        if (alarm && !learnAlarms) return true;
        _n++;
        if (x > _t) { _peaks.Add(x - _t); Refit(); }
        return alarm;
    }
}

/// <summary>Frozen copy of SPOT/DSPOT's stream state (Algorithms 1 and 3) before the speed paths of issue 14.</summary>
internal sealed class FrozenSpotState(SpotOptions o, bool drift)
{
    private readonly List<double> _init = [];
    private readonly double[] _window = new double[drift ? o.Depth : 0];
    private int _wCount, _wHead;
    private double _wSum;
    private FrozenSpotTail? _upper, _lower;

    private void Push(double x)
    {
        if (!drift) return;
        if (_wCount == _window.Length) _wSum -= _window[_wHead]; else _wCount++;
        _window[_wHead] = x; _wSum += x;
        _wHead = (_wHead + 1) % _window.Length;
    }

    public double Update(double x)
    {
        if (drift && _wCount < _window.Length) { Push(x); return 0; }
        double y = drift ? x - _wSum / _wCount : x;
        if (_upper is null && _lower is null)
        {
            _init.Add(y);
            Push(x);
            if (_init.Count == o.NInit)
            {
                var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_init);
                if (o.Side != SpotSide.Lower) _upper = new FrozenSpotTail(span, o.Level, o.Q);
                if (o.Side != SpotSide.Upper) _lower = new FrozenSpotTail(span.ToArray().Select(v => -v).ToArray(), o.Level, o.Q);
            }
            return 0;
        }
        double s = Math.Max(_upper?.Score(y) ?? 0, _lower?.Score(-y) ?? 0);
        bool anomaly = (_upper?.Learn(y, o.LearnAlarms) ?? false) | (_lower?.Learn(-y, o.LearnAlarms) ?? false);
        if (!anomaly || o.LearnAlarms) Push(x);
        return s;
    }
}
