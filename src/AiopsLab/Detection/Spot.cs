using AiopsLab.Methods;

namespace AiopsLab.Detection;

/// <summary>Which tail(s) SPOT and DSPOT watch.</summary>
public enum SpotSide { Upper, Lower, Both }

/// <summary>
/// SPOT, streaming peaks-over-threshold (Siffer, Fouque, Termier &amp; Largouët, "Anomaly Detection in Streams with Extreme Value
/// Theory", KDD 2017, Algorithms 1 and 2 — and the two-sided biSPOT of §4.3). Calibration: the first <see cref="SpotOptions.NInit"/>
/// points set the peak threshold t at the empirical <see cref="SpotOptions.Level"/> quantile and fit a GPD to the excesses over t
/// (<see cref="Gpd.Fit"/>). Streaming: a value beyond z_q (Eq. 1, risk q) is an anomaly and is not learned; a value between t and
/// z_q is a new peak (refit, new z_q); any other value only counts in n.
/// </summary>
/// <remarks>
/// <b>Score.</b> The paper outputs alarms; we output a continuous score that reproduces them: for a value x beyond t the estimated
/// tail probability is p = (N_t/n)·P_GPD(Y &gt; x − t), and the score is −log₁₀ p, computed from ln p so far tails do not underflow
/// (10⁶ beyond a finite end point of the fitted tail, where p = 0); a value within t scores 0.
/// Then score &gt; −log₁₀ q ⇔ x &gt; z_q, so <see cref="AlarmThreshold"/> = −log₁₀ q gives the paper's alarms exactly. With both
/// sides the score is the larger of the two. Calibration points score 0. Fewer than <see cref="SpotOptions.NInit"/> points: all 0.
/// <para><b>Graded score</b> (<see cref="IGradedScore"/>): s/(1 + s) of s = −log₁₀ p, ordered as 1 − p (the estimated probability
/// of a value less extreme than x) without rounding to 1 in double precision (<see cref="Grades"/>); 0 within t. <b>Warm-up</b> (<see cref="IConfigurableWarmup"/>): the calibration length n; NAB's probationary period is the
/// paper's calibration batch.</para>
/// </remarks>
[Method("spot", Summary = "SPOT: streaming peaks-over-threshold with a GPD tail (Grimshaw MLE); score −log10 tail probability.", Citation = "Siffer et al., KDD 2017")]
public sealed class Spot : StreamingDetector, IAlarmThreshold, IGradedScore, IConfigurableWarmup
{
    private readonly SpotOptions _o;

    public Spot() : this(new SpotOptions()) { }

    public Spot(SpotOptions options)
    {
        options.Validate(Name);
        _o = options;
    }

    public override string Name => "spot";

    public double AlarmThreshold => -Math.Log10(_o.Q);

    public double Grade(double score) => Grades.FromNegLog10(score);

    public IAnomalyDetector WithWarmup(int points) => new Spot(_o with { NInit = Math.Max(10, points) });

    public override IDetectorState Start() => new SpotState(_o, drift: false);
}

/// <summary>
/// DSPOT, SPOT with drift (Siffer et al., KDD 2017, Algorithm 3): SPOT runs on x_t − M_t, M_t the mean of the last
/// <see cref="SpotOptions.Depth"/> values that were not anomalies. The first <see cref="SpotOptions.Depth"/> values only fill that
/// window; the next <see cref="SpotOptions.NInit"/> calibrate. Score, graded score and warm-up as for <see cref="Spot"/>.
/// </summary>
[Method("dspot", Summary = "DSPOT: SPOT on the deviation from a moving mean of recent normal values (drifting streams).", Citation = "Siffer et al., KDD 2017")]
public sealed class DSpot : StreamingDetector, IAlarmThreshold, IGradedScore, IConfigurableWarmup
{
    private readonly SpotOptions _o;

    public DSpot() : this(new SpotOptions()) { }

    public DSpot(SpotOptions options)
    {
        options.Validate(Name);
        DetectorOptions.Require(options.Depth >= 1, Name, "depth", "must be ≥ 1");
        _o = options;
    }

    public override string Name => "dspot";

    public double AlarmThreshold => -Math.Log10(_o.Q);

    public double Grade(double score) => Grades.FromNegLog10(score);

    /// <summary>The depth stays; the calibration batch takes the rest of the warm-up (at least 10 points).</summary>
    public IAnomalyDetector WithWarmup(int points) => new DSpot(_o with { NInit = Math.Max(10, points - _o.Depth) });

    public override IDetectorState Start() => new SpotState(_o, drift: true);
}

/// <summary>Options of <see cref="Spot"/> and <see cref="DSpot"/> (names as in the paper).</summary>
public sealed record SpotOptions
{
    /// <summary>Risk q: the probability of a normal value beyond z_q (the paper uses 10⁻³–10⁻⁵).</summary>
    public double Q { get; set; } = 1e-4;
    /// <summary>Empirical quantile level of the initial peak threshold t (the paper: 0.98).</summary>
    public double Level { get; set; } = 0.98;
    /// <summary>Calibration points n.</summary>
    public int NInit { get; set; } = 200;
    /// <summary>Watched tail(s).</summary>
    public SpotSide Side { get; set; } = SpotSide.Both;
    /// <summary>DSPOT only: values in the moving mean M_t (the paper's d).</summary>
    public int Depth { get; set; } = 10;
    /// <summary>Learn alarms too: a value beyond z_q still counts in n, becomes a peak and (DSPOT) enters the moving mean, as the
    /// authors' reference code does with <c>run(with_alarm=False)</c> ("adapt the threshold assuming there is no abnormal
    /// values"). Off by default: Algorithms 1 and 3 of the paper never learn an alarm.</summary>
    public bool LearnAlarms { get; set; }

    internal void Validate(string name)
    {
        DetectorOptions.Require(Q > 0 && Q < 1, name, "q", "must be in (0, 1)");
        DetectorOptions.Require(Level > 0 && Level < 1, name, "level", "must be in (0, 1)");
        DetectorOptions.Require(NInit >= 10, name, "n-init", "must be ≥ 10");
        DetectorOptions.Require(Q < 1 - Level, name, "q", "must be below 1 − level (the risk must be rarer than the peaks)");
    }
}

/// <summary>One tail of SPOT on an already de-trended stream (Algorithm 1's state after calibration).</summary>
internal sealed class SpotTail
{
    private readonly double _q;
    private readonly double _t;
    private readonly List<double> _peaks;
    private long _n;
    private double _gamma, _sigma, _zq, _root = double.NaN;
    // Σ peaks added in arrival order from 0, and their extremes: the statistics a pass over the peaks would give, bit for bit.
    private double _sum, _min = double.PositiveInfinity, _max;
    private int _refits;

    /// <summary>Refits between full root scans; in between, the previous Grimshaw root seeds the search (<see cref="Gpd.FitFrom"/>).</summary>
    private const int FullScanEvery = 16;

    public SpotTail(ReadOnlySpan<double> init, double level, double q)
    {
        _q = q;
        var sorted = init.ToArray();
        Array.Sort(sorted);
        _t = sorted[Math.Min(sorted.Length - 1, (int)(level * sorted.Length))];
        _peaks = [];
        foreach (var v in init) if (v > _t) AddPeak(v - _t);
        _n = init.Length;
        Refit();
    }


    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void AddPeak(double y)
    {
        _peaks.Add(y);
        _sum += y;
        if (y < _min) _min = y;
        if (y > _max) _max = y;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Refit()
    {
        if (_peaks.Count == 0) { _gamma = 0; _sigma = double.NaN; _zq = double.PositiveInfinity; return; }
        double hint = _refits++ % FullScanEvery == 0 ? double.NaN : _root;
        (_gamma, _sigma, _root) = Gpd.FitFrom(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_peaks), hint, _sum, _min, _max);
        _zq = Gpd.Quantile(_t, _gamma, _sigma, _q, _n, _peaks.Count);
    }

    /// <summary>Score of a value beyond the fitted tail's finite end point (p = 0), and the cap of every score.</summary>
    public const double MaxScore = 1e6;

    /// <summary>−log₁₀ of the estimated tail probability of x (0 within t), from ln p so that far tails keep their order.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public double Score(double x)
    {
        if (x <= _t) return 0;
        if (_peaks.Count == 0) return MaxScore;
        double logP = Math.Log((double)_peaks.Count / _n) + Gpd.LogSurvival(x - _t, _gamma, _sigma);
        return Math.Clamp(-logP / Math.Log(10), 0, MaxScore);
    }

    /// <summary>Algorithm 1's update: returns true when x is an anomaly (x &gt; z_q), which is not learned.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool Learn(double x, bool learnAlarms = false)
    {
        bool alarm = x > _zq;
        if (alarm && !learnAlarms) return true;
        _n++;
        if (x > _t) { AddPeak(x - _t); Refit(); }
        return alarm;
    }
}

internal sealed class SpotState(SpotOptions o, bool drift) : IDetectorState
{
    private readonly List<double> _init = [];
    private readonly double[] _window = new double[drift ? o.Depth : 0];
    private int _wCount, _wHead;
    private double _wSum;
    private SpotTail? _upper, _lower;

    private double Mean => _wSum / _wCount;

    private void Push(double x)
    {
        if (!drift) return;
        if (_wCount == _window.Length) _wSum -= _window[_wHead]; else _wCount++;
        _window[_wHead] = x; _wSum += x;
        _wHead = (_wHead + 1) % _window.Length;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public double Update(double x)
    {
        if (drift && _wCount < _window.Length) { Push(x); return 0; }
        double y = drift ? x - Mean : x;
        if (_upper is null && _lower is null)
        {
            _init.Add(y);
            Push(x);
            if (_init.Count == o.NInit)
            {
                var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_init);
                if (o.Side != SpotSide.Lower) _upper = new SpotTail(span, o.Level, o.Q);
                if (o.Side != SpotSide.Upper)
                {
                    var neg = new double[span.Length];
                    for (int i = 0; i < neg.Length; i++) neg[i] = -span[i];
                    _lower = new SpotTail(neg, o.Level, o.Q);
                }
            }
            return 0;
        }
        double s = Math.Max(_upper?.Score(y) ?? 0, _lower?.Score(-y) ?? 0);
        bool anomaly = (_upper?.Learn(y, o.LearnAlarms) ?? false) | (_lower?.Learn(-y, o.LearnAlarms) ?? false);
        if (!anomaly || o.LearnAlarms) Push(x);
        return s;
    }
}
