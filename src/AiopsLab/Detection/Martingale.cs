using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>Which side of the raw-score distribution counts as anomalous (ML.NET's <c>AnomalySide</c>).</summary>
public enum AnomalySide { Positive, Negative, TwoSided }

/// <summary>ML.NET's <c>MartingaleType</c>.</summary>
public enum MartingaleType { None, Power, Mixture }

/// <summary>
/// The scoring stage ML.NET's IID and SSA detectors share (<c>SequentialAnomalyDetectionTransformBase</c>; ML.NET docs,
/// "time-series-scorer"): the p-value of a raw score against a kernel density estimate of the last <c>history</c> raw scores, and
/// the exchangeability martingale over the last p-values (Vovk, Nouretdinov &amp; Gammerman, "Testing Exchangeability On-Line",
/// ICML 2003; Fedorova et al., "Plug-in martingales for testing exchangeability on-line", ICML 2012).
/// </summary>
/// <remarks>
/// <para><b>p-value.</b> Gaussian kernels at the history's raw scores with Silverman's bandwidth h = 1.06·σ̂·n^{−1/5} (floored at
/// 10⁻⁶·max(1, |x|) so a constant history still gives a defined value): positive side P(X ≥ x) = (1/n)Σ Q((x − x_i)/h), negative side
/// P(X ≤ x), two-sided 2·min of the two (capped at 1). ML.NET uses Gaussian kernels "of adaptive bandwidth"; the exact adaptation
/// is not documented, so values can differ from ML.NET's while the test's meaning is the same. An empty history gives p = 0.5.</para>
/// <para><b>Martingale.</b> ML.NET's form: s(p₁..p_n) = Π β(p_i) over the last n p-values (n = change-history length), with the power
/// betting function β(p) = ε p^{ε−1} or the mixture β(p) = ∫₀¹ ε p^{ε−1} dε = (ln p − 1 + 1/p)/(ln p)². Each β integrates to 1 over
/// p ~ U(0, 1), so s is a test martingale on exchangeable data (Ville: P(sup s ≥ c) ≤ 1/c). We keep ln s. An alert is raised when
/// s exceeds s(q, …, q), q = 1 − confidence/100.</para>
/// </remarks>
public static class ExchangeabilityMartingale
{
    /// <summary>Kernel-density p-value of <paramref name="x"/> against <paramref name="history"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double PValue(ReadOnlySpan<double> history, double x, AnomalySide side)
    {
        int n = history.Length;
        if (n == 0) return 0.5;
        var (_, sd) = Stats.MeanStd(history, ddof: n > 1 ? 1 : 0);
        double h = 1.06 * (double.IsFinite(sd) ? sd : 0) * Math.Pow(n, -0.2);
        h = Math.Max(h, 1e-6 * Math.Max(1, Math.Abs(x)));
        double upper = 0;
        foreach (var xi in history) upper += Distributions.NormalSf((x - xi) / h);
        upper /= n;
        double lower = 1 - upper;
        return side switch
        {
            AnomalySide.Positive => upper,
            AnomalySide.Negative => lower,
            _ => Math.Min(1, 2 * Math.Min(upper, lower)),
        };
    }

    /// <summary>ln β(p) of the betting function (p is clamped to [10⁻³⁰⁰, 1]).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double LogBet(double p, MartingaleType type, double eps)
    {
        p = Math.Clamp(p, 1e-300, 1);
        return type switch
        {
            MartingaleType.Power => Math.Log(eps) + (eps - 1) * Math.Log(p),
            MartingaleType.Mixture => Math.Log(MixtureBet(p)),
            _ => 0,
        };
    }

    /// <summary>β(p) = ∫₀¹ ε p^{ε−1} dε = (ln p − 1 + 1/p)/(ln p)², ½ at p = 1.</summary>
    public static double MixtureBet(double p)
    {
        double a = Math.Log(p);
        if (Math.Abs(a) < 1e-5) return 0.5 - a / 6; // series: ½ − a/6 + a²/24 − …
        return (a - 1 + 1 / p) / (a * a);
    }
}

/// <summary>A sliding window of the last values with a running sum (for ln s over the last n p-values).</summary>
internal sealed class SlidingSum(int capacity)
{
    private readonly double[] _buf = new double[capacity];
    private int _count, _head;

    public double Sum { get; private set; }

    public void Add(double v)
    {
        if (_count == capacity) Sum -= _buf[_head]; else _count++;
        _buf[_head] = v;
        Sum += v;
        _head = (_head + 1) % capacity;
    }
}

/// <summary>The last <c>capacity</c> values in arrival order (the p-value history).</summary>
internal sealed class History(int capacity)
{
    private readonly double[] _buf = new double[capacity];
    private int _count, _head;

    public int Count => _count;

    /// <summary>The stored values (not in arrival order, which the p-value does not need).</summary>
    public ReadOnlySpan<double> Values => _buf.AsSpan(0, _count);

    public void Add(double v)
    {
        _buf[_head] = v;
        _head = (_head + 1) % capacity;
        if (_count < capacity) _count++;
    }
}
