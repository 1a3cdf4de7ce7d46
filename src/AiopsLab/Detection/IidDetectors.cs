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
[Method("iid-spike", Summary = "ML.NET's IID spike detector: kernel-density p-value of the value against recent values; score −log10 p.",
    Citation = "Vovk, Nouretdinov & Gammerman, ICML 2003; ML.NET DetectIidSpike")]
public sealed class IidSpikeDetector : StreamingDetector, IAlarmThreshold, IWarmup
{
    public sealed record Options
    {
        /// <summary>Confidence in [0, 100) (ML.NET: confidence).</summary>
        public double Confidence { get; set; } = 99;
        /// <summary>Raw scores in the p-value's reference history (ML.NET: pvalueHistoryLength).</summary>
        public int PvalueHistoryLength { get; set; } = 100;
        /// <summary>Which side is anomalous (ML.NET: side).</summary>
        public AnomalySide Side { get; set; } = AnomalySide.TwoSided;
    }

    private readonly Options _o;

    public IidSpikeDetector() : this(new Options()) { }

    public IidSpikeDetector(Options options)
    {
        DetectorOptions.Require(options.Confidence >= 0 && options.Confidence < 100, Name, "confidence", "must be in [0, 100)");
        DetectorOptions.Require(options.PvalueHistoryLength >= 2, Name, "pvalue-history-length", "must be ≥ 2");
        _o = options;
    }

    public override string Name => "iid-spike";

    public int Warmup => _o.PvalueHistoryLength;

    public double AlarmThreshold => -Math.Log10(1 - _o.Confidence / 100);

    public override IDetectorState Start() => new SpikeState(_o.PvalueHistoryLength, _o.Side, x => x);

    internal sealed class SpikeState(int history, AnomalySide side, Func<double, double> raw) : IDetectorState
    {
        private readonly History _h = new(history);

        public double Update(double x)
        {
            double r = raw(x);
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
[Method("iid-changepoint", Summary = "ML.NET's IID change-point detector: exchangeability martingale (power/mixture) over kernel p-values; score log10 s.",
    Citation = "Vovk, Nouretdinov & Gammerman, ICML 2003; ML.NET DetectIidChangePoint")]
public sealed class IidChangePointDetector : StreamingDetector, IAlarmThreshold, IWarmup
{
    public sealed record Options
    {
        /// <summary>Confidence in [0, 100) (ML.NET: confidence).</summary>
        public double Confidence { get; set; } = 95;
        /// <summary>Length of the p-value history and of the martingale's window (ML.NET: changeHistoryLength).</summary>
        public int ChangeHistoryLength { get; set; } = 50;
        /// <summary>Betting function (ML.NET: martingale).</summary>
        public MartingaleType Martingale { get; set; } = MartingaleType.Power;
        /// <summary>ε of the power martingale, in (0, 1) (ML.NET: eps).</summary>
        public double Eps { get; set; } = 0.1;
    }

    private readonly Options _o;

    public IidChangePointDetector() : this(new Options()) { }

    public IidChangePointDetector(Options options)
    {
        ChangePointOptions.Validate(Name, options.Confidence, options.ChangeHistoryLength, options.Eps);
        _o = options;
    }

    public override string Name => "iid-changepoint";

    /// <summary>The p-value history fills, then the martingale window.</summary>
    public int Warmup => 2 * _o.ChangeHistoryLength;

    public double AlarmThreshold => ChangePointOptions.Threshold(_o.Confidence, _o.ChangeHistoryLength, _o.Martingale, _o.Eps);

    public override IDetectorState Start() => new ChangeState(_o.ChangeHistoryLength, _o.Martingale, _o.Eps, x => x);

    internal sealed class ChangeState(int n, MartingaleType type, double eps, Func<double, double> raw) : IDetectorState
    {
        private readonly History _h = new(n);
        private readonly SlidingSum _logS = new(n);
        private int _bets;

        public double Update(double x)
        {
            double r = raw(x);
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

/// <summary>Validation and alert threshold shared by the IID and SSA change-point detectors.</summary>
internal static class ChangePointOptions
{
    public static void Validate(string name, double confidence, int history, double eps)
    {
        DetectorOptions.Require(confidence >= 0 && confidence < 100, name, "confidence", "must be in [0, 100)");
        DetectorOptions.Require(history >= 2, name, "change-history-length", "must be ≥ 2");
        DetectorOptions.Require(eps > 0 && eps < 1, name, "eps", "must be in (0, 1)");
    }

    /// <summary>log₁₀ s(q, …, q) over n p-values, q = 1 − confidence/100 (−log₁₀ q without a martingale).</summary>
    public static double Threshold(double confidence, int n, MartingaleType type, double eps)
    {
        double q = 1 - confidence / 100;
        return type == MartingaleType.None ? -Math.Log10(q) : n * ExchangeabilityMartingale.LogBet(q, type, eps) / Math.Log(10);
    }
}
