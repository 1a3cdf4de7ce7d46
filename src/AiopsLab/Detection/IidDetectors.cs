using AiopsLab.Methods;

namespace AiopsLab.Detection;

/// <summary>
/// IID spike detection as ML.NET's <c>DetectIidSpike</c> (<c>IidSpikeDetector</c>): the raw score of a point is its value (the
/// i.i.d. model), and its p-value is taken against a kernel density estimate of the last <see cref="Options.PvalueHistoryLength"/>
/// raw scores (<see cref="ExchangeabilityMartingale.PValue"/>) on the chosen <see cref="Options.Side"/>. ML.NET alerts when
/// p &lt; 1 − confidence/100. Our score is −log₁₀ p (higher = more anomalous), so the alert is score &gt; −log₁₀(1 − confidence/100)
/// (<see cref="AlarmThreshold"/>). The point is scored before it joins the history; until the history is full (warm-up) points
/// score 0.
/// </summary>
[Method("iid-spike", Summary = "ML.NET's IID spike detector: kernel-density p-value of the value against recent values; score −log10 p.", Citation = "Vovk, Nouretdinov & Gammerman, ICML 2003; ML.NET DetectIidSpike")]
public sealed class IidSpikeDetector(IidSpikeDetector.Options options) : MlNetDetector<IidSpikeDetector.Options>(options)
{
    public sealed record Options : SpikeOptions;

    public IidSpikeDetector() : this(new Options()) { }

    public override string Name => "iid-spike";

    public override int Warmup => O.PvalueHistoryLength;

    public override IDetectorState Start() => new SpikeState(O.PvalueHistoryLength, O.Side);

    /// <summary>The p-value stage on a stream of raw scores (the values here; SSA forecast errors in <see cref="SsaSpikeDetector"/>).</summary>
    internal sealed class SpikeState(int history, AnomalySide side) : IDetectorState
    {
        private readonly History _h = new(history);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public double Update(double r)
        {
            if (_h.Count < history) { _h.Add(r); return 0; } // warm-up: the p-value needs its full reference sample
            double p = ExchangeabilityMartingale.PValue(_h.Values, r, side);
            _h.Add(r);
            return -Math.Log10(Math.Max(p, 1e-300));
        }
    }
}

/// <summary>
/// IID change-point detection as ML.NET's <c>DetectIidChangePoint</c> (<c>IidChangePointDetector</c>): two-sided kernel-density
/// p-values of the values against the last <see cref="Options.ChangeHistoryLength"/> values, fed to an exchangeability martingale
/// over the last <see cref="Options.ChangeHistoryLength"/> p-values (<see cref="ExchangeabilityMartingale"/>). Score = log₁₀ of the
/// martingale value s; alert (ML.NET) when s &gt; s(q, …, q) with q = 1 − confidence/100, i.e. score &gt;
/// n·log₁₀ β(q) (<see cref="AlarmThreshold"/>). The first n points fill the history and the next n − 1 the martingale window;
/// they score 0 (<see cref="Warmup"/>). With <see cref="MartingaleType.None"/> the score is −log₁₀ p as for spikes.
/// </summary>
[Method("iid-changepoint", Summary = "ML.NET's IID change-point detector: exchangeability martingale (power/mixture) over kernel p-values; score log10 s.", Citation = "Vovk, Nouretdinov & Gammerman, ICML 2003; ML.NET DetectIidChangePoint")]
public sealed class IidChangePointDetector(IidChangePointDetector.Options options) : MlNetDetector<IidChangePointDetector.Options>(options)
{
    public sealed record Options : ChangePointOptions;

    public IidChangePointDetector() : this(new Options()) { }

    public override string Name => "iid-changepoint";

    /// <summary>The p-value history fills, then the martingale window.</summary>
    public override int Warmup => 2 * O.ChangeHistoryLength;

    public override IDetectorState Start() => new ChangeState(O.ChangeHistoryLength, O.Martingale, O.Eps);

    /// <summary>The martingale stage on a stream of raw scores (the values here; SSA forecast errors in <see cref="SsaChangePointDetector"/>).</summary>
    internal sealed class ChangeState(int n, MartingaleType type, double eps) : IDetectorState
    {
        private readonly History _h = new(n);
        private readonly SlidingSum _logS = new(n);
        private int _bets;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public double Update(double r)
        {
            if (_h.Count < n) { _h.Add(r); return 0; } // warm-up: the p-value needs its full reference sample
            double p = ExchangeabilityMartingale.PValue(_h.Values, r, AnomalySide.TwoSided);
            _h.Add(r);
            if (type == MartingaleType.None) return -Math.Log10(Math.Max(p, 1e-300));
            _logS.Add(ExchangeabilityMartingale.LogBet(p, type, eps));
            // Until the window holds n bets the product has fewer factors and is not comparable: warm-up.
            return ++_bets < n ? 0 : _logS.Sum / Math.Log(10);
        }
    }
}

/// <summary>
/// Base of ML.NET's four time-series detectors (<see cref="IidSpikeDetector"/>, <see cref="IidChangePointDetector"/>,
/// <see cref="SsaSpikeDetector"/>, <see cref="SsaChangePointDetector"/>): the options of their last stage (p-value or martingale)
/// are validated on construction and give the alarm threshold; a score grades as for any −log₁₀ p or log₁₀ s
/// (<see cref="Grades.FromNegLog10"/>).
/// </summary>
public abstract class MlNetDetector<TOptions> : StreamingDetector, IAlarmThreshold, IWarmup, IGradedScore
    where TOptions : MlNetStageOptions
{
    /// <summary>Validates <paramref name="options"/> under the detector's <see cref="StreamingDetector.Name"/>.</summary>
    protected MlNetDetector(TOptions options)
    {
        options.Validate(Name);
        O = options;
    }

    /// <summary>The detector's options.</summary>
    protected TOptions O { get; }

    /// <summary>
    /// s/(1 + s) of the score s. For a spike score s = −log₁₀ p this is ordered as 1 − p, the kernel-density confidence that the
    /// point is not from the recent raw scores; for a change-point score l = log₁₀ s of a martingale value s &gt; 1 (else 0) it is
    /// ordered as 1 − 1/s, which by Ville's inequality (P(sup s ≥ c) ≤ 1/c on exchangeable data) is the confidence that
    /// exchangeability has failed (<see cref="Grades"/>).
    /// </summary>
    public double Grade(double score) => Grades.FromNegLog10(score);

    public double AlarmThreshold => O.AlarmThreshold;

    public abstract int Warmup { get; }
}

/// <summary>Options of the last stage of an <see cref="MlNetDetector{TOptions}"/>: what it validates and its alarm threshold.</summary>
public abstract record MlNetStageOptions
{
    /// <summary>The score above which ML.NET alerts.</summary>
    internal abstract double AlarmThreshold { get; }

    /// <summary>Throws a clear error, naming the detector <paramref name="name"/>, for an option out of range.</summary>
    internal abstract void Validate(string name);
}

/// <summary>Options of the p-value stage, shared by <see cref="IidSpikeDetector"/> and <see cref="SsaSpikeDetector"/> (ML.NET's names).</summary>
public record SpikeOptions : MlNetStageOptions
{
    /// <summary>Confidence in [0, 100) (ML.NET: confidence).</summary>
    public double Confidence { get; set; } = 99;
    /// <summary>Raw scores in the p-value's reference history (ML.NET: pvalueHistoryLength).</summary>
    public int PvalueHistoryLength { get; set; } = 100;
    /// <summary>Which side is anomalous (ML.NET: side).</summary>
    public AnomalySide Side { get; set; } = AnomalySide.TwoSided;

    /// <summary>−log₁₀(1 − confidence/100): ML.NET's alert p &lt; 1 − confidence/100 on the −log₁₀ p score.</summary>
    internal override double AlarmThreshold => -Math.Log10(1 - Confidence / 100);

    internal override void Validate(string name)
    {
        DetectorOptions.Require(Confidence >= 0 && Confidence < 100, name, "confidence", "must be in [0, 100)");
        DetectorOptions.Require(PvalueHistoryLength >= 2, name, "pvalue-history-length", "must be ≥ 2");
    }
}

/// <summary>Options of the martingale stage, shared by <see cref="IidChangePointDetector"/> and <see cref="SsaChangePointDetector"/> (ML.NET's names).</summary>
public record ChangePointOptions : MlNetStageOptions
{
    /// <summary>Confidence in [0, 100) (ML.NET: confidence).</summary>
    public double Confidence { get; set; } = 95;
    /// <summary>Length of the p-value history and of the martingale's window (ML.NET: changeHistoryLength).</summary>
    public int ChangeHistoryLength { get; set; } = 50;
    /// <summary>Betting function (ML.NET: martingale).</summary>
    public MartingaleType Martingale { get; set; } = MartingaleType.Power;
    /// <summary>ε of the power martingale, in (0, 1) (ML.NET: eps).</summary>
    public double Eps { get; set; } = 0.1;

    internal override void Validate(string name)
    {
        DetectorOptions.Require(Confidence >= 0 && Confidence < 100, name, "confidence", "must be in [0, 100)");
        DetectorOptions.Require(ChangeHistoryLength >= 2, name, "change-history-length", "must be ≥ 2");
        DetectorOptions.Require(Eps > 0 && Eps < 1, name, "eps", "must be in (0, 1)");
    }

    /// <summary>log₁₀ s(q, …, q) over n p-values, q = 1 − confidence/100 (−log₁₀ q without a martingale).</summary>
    internal override double AlarmThreshold
    {
        get
        {
            double q = 1 - Confidence / 100;
            return Martingale == MartingaleType.None ? -Math.Log10(q) : ChangeHistoryLength * ExchangeabilityMartingale.LogBet(q, Martingale, Eps) / Math.Log(10);
        }
    }
}
