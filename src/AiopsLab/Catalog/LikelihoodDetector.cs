using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Methods;

namespace AiopsLab.Catalog;

/// <summary>
/// Numenta's anomaly likelihood (Ahmad, Lavin, Purdy &amp; Agha, Neurocomputing 262 (2017), §4.2; <see cref="AnomalyLikelihood"/>)
/// as a post-processor of any registered streaming detector: <c>likelihood(of=SPEC)</c> runs SPEC, puts its scores in [0, 1]
/// (the detector's own graded form, <see cref="IGradedScore"/>, or its scores as they are when already in [0, 1]), feeds them to
/// the likelihood and reports NAB's log form <see cref="AnomalyLikelihood.LogScale"/> of L_t (<see cref="PostProcessedDetector"/>). The paper applies it to HTM's
/// prediction error; nothing in it is specific to HTM. The learning period and first estimation sample default to NAB's numenta
/// detector's: ⌊p/2⌋ and p − ⌊p/2⌋ for the probationary length p = min(⌊0.15·n⌋, 750) of an n-point series, which the batch score
/// reads from the series (an online state needs them set). The inner detector's warm-up follows a NAB run's
/// (<see cref="IConfigurableWarmup"/>) and reads times when it does (<see cref="ITimedDetector"/>). Alarm: L_t ≥ 1 − ε, the
/// paper's eq. 7 with ε = 10⁻⁵, on the log form. It reports changes in the distribution of the inner scores over W′ = 10
/// points, not single points (§4.2: one high raw score is not by itself an anomaly): a lone spike among dense inner scores
/// moves μ̃ by a tenth of its score (on the conformance series, likelihood(of=n-sigma) scores a +8σ spike 0.040 against 0.478
/// in the normal stretch), so it is held to the change-point property (<see cref="IChangePointDetector"/>: a transient shift
/// of 10 points, and a level shift, score highest).
/// </summary>
[Method("likelihood", Summary = "Numenta's anomaly likelihood over any streaming detector's scores (rolling Gaussian tail of their short-term mean), log form.",
    Citation = "Ahmad, Lavin, Purdy & Agha, Neurocomputing 262 (2017), §4.2, eqs. 3–7")]
public sealed class LikelihoodDetector : PostProcessedDetector, IAlarmThreshold, IChangePointDetector
{
    /// <summary>Options of <see cref="LikelihoodDetector"/>.</summary>
    public sealed record Options
    {
        /// <summary>The detector whose scores the likelihood reads (a streaming detector spec, e.g. <c>knncad</c>).</summary>
        public string Of { get; set; } = "context-ose";
        /// <summary><c>nab</c>: as NAB's numenta detector computes it; <c>paper</c>: eqs. 3–6 as written (see <see cref="LikelihoodForm"/>).</summary>
        public LikelihoodForm Form { get; set; } = LikelihoodForm.Nab;
        /// <summary>Scores the inner detector needs to settle (empty: ⌊p/2⌋ of NAB's probationary length p).</summary>
        public int? LearningPeriod { get; set; }
        /// <summary>Scores of the first estimate (empty: p − ⌊p/2⌋).</summary>
        public int? EstimationSamples { get; set; }
        /// <summary>W, the scores the rolling Gaussian is fitted to (NAB: 8640, a month of 5-minute points).</summary>
        public int HistoricWindow { get; set; } = 8640;
        /// <summary>Scores between two estimates of the Gaussian (NAB: 100).</summary>
        public int ReestimationPeriod { get; set; } = 100;
        /// <summary>W′, the scores of the short-term mean (paper and NAB: 10).</summary>
        public int AveragingWindow { get; set; } = 10;
        /// <summary>The paper's ε: alarm when L ≥ 1 − ε (10⁻⁵).</summary>
        public double Epsilon { get; set; } = AnomalyLikelihood.PaperEpsilon;
    }

    private readonly Options _o;

    public LikelihoodDetector() : this(new Options()) { }

    /// <exception cref="AiopsLabException">The inner spec names no streaming detector, nests a likelihood, or an option is out of range.</exception>
    public LikelihoodDetector(Options options) : this(options, null) { }

    private LikelihoodDetector(Options options, IStreamingDetector? inner) : base("likelihood", options.Of, inner)
    {
        if (options.Epsilon is <= 0 or >= 1) throw new AiopsLabException("likelihood: epsilon must be in (0, 1).");
        _o = options with { Of = Of };
        _ = Make(_o.LearningPeriod ?? 0, _o.EstimationSamples ?? 1); // validates the numeric options
        Name = new MethodStage("likelihood", OptionsBinder.Unbind(_o, changedOnly: true)).ToString();
    }

    /// <summary>The canonical spec: <c>likelihood</c> with the options that differ from the defaults.</summary>
    public override string Name { get; }

    /// <summary>NAB's log form of L = 1 − ε.</summary>
    public double AlarmThreshold => AnomalyLikelihood.LogScale(1 - _o.Epsilon);

    protected override PostProcessedDetector Over(IStreamingDetector inner) => new LikelihoodDetector(_o, inner);

    protected override IPost ForSeries(int n)
    {
        int p = NabSeriesSetup.ProbationOf(n);
        return new Post(Make(_o.LearningPeriod ?? p / 2, _o.EstimationSamples ?? Math.Max(1, p - p / 2)));
    }

    protected override IPost Online()
    {
        if (_o.LearningPeriod is not { } learning || _o.EstimationSamples is not { } estimation)
            throw new AiopsLabException("likelihood: an online state needs learning-period and estimation-samples (the batch score takes them from the series' NAB probationary length).");
        return new Post(Make(learning, estimation));
    }

    private AnomalyLikelihood Make(int learning, int estimation)
    {
        try { return new AnomalyLikelihood(learning, estimation, _o.HistoricWindow, _o.ReestimationPeriod, _o.AveragingWindow, _o.Form); }
        catch (ArgumentException e) { throw new AiopsLabException(e.Message); }
    }

    private sealed class Post(AnomalyLikelihood likelihood) : IPost
    {
        public double Next(double value, double unitScore) => AnomalyLikelihood.LogScale(likelihood.Update(unitScore));
    }
}
