using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Methods;

namespace AiopsLab.Catalog;

/// <summary>
/// Base of detectors that post-process another registered streaming detector's scores, point by point and online
/// (<c>likelihood(of=SPEC)</c>, <c>spatial(of=SPEC)</c>). The inner scores enter in [0, 1] (the detector's graded form,
/// <see cref="IGradedScore"/>, or its scores as they are when already there). The inner detector's warm-up follows a NAB run's
/// (<see cref="IConfigurableWarmup"/>) and it reads times when it does (<see cref="ITimedDetector"/>). A NaN value scores 0 and
/// does not reach the post-processor.
/// </summary>
public abstract class PostProcessedDetector : IStreamingDetector, ITimedDetector, IConfigurableWarmup
{
    /// <summary>The post-processing state over one series: the value and the inner score in [0, 1] in, the score out.</summary>
    protected interface IPost
    {
        double Next(double value, double unitScore);
    }

    private readonly string _of;

    /// <param name="method">The method's name, for messages.</param>
    /// <param name="of">The inner detector's spec.</param>
    /// <param name="inner">The inner detector when already built (a warm-up copy), else null.</param>
    /// <exception cref="AiopsLabException">The spec names no streaming detector, or a detector of the same method.</exception>
    protected PostProcessedDetector(string method, string of, IStreamingDetector? inner)
    {
        _of = MethodSpec.Parse(of).ToString();
        var built = inner ?? MethodCatalog.CreateDetector(_of);
        Inner = built as IStreamingDetector
            ?? throw new AiopsLabException($"{method}: '{_of}' is not a streaming detector; {method} post-processes a stream of scores.");
        if (built.GetType() == GetType()) throw new AiopsLabException($"{method}: of= may not be another {method}.");
    }

    /// <summary>The inner detector.</summary>
    protected IStreamingDetector Inner { get; }

    /// <summary>The canonical spec of the inner detector.</summary>
    protected string Of => _of;

    /// <summary>The inner detector's name (its canonical spec): a NAB run that also runs that detector as a row of its own reads
    /// its scores instead of running it again (<see cref="ScoreFromInner"/>).</summary>
    public string InnerName => Inner.Name;

    /// <summary>
    /// This detector's scores of a series from the inner detector's scores of the same series, exactly as <see cref="Score(ReadOnlySpan{double})"/>
    /// computes them after running the inner detector (the same post-processing, point by point). <paramref name="innerScores"/>
    /// must be the inner detector's raw scores of <paramref name="series"/> (before any bounding into [0, 1]), run with the
    /// same warm-up; it is read, not changed.
    /// </summary>
    /// <exception cref="AiopsLabException">The lengths differ, or an inner score has no place in [0, 1].</exception>
    public double[] ScoreFromInner(ReadOnlySpan<double> series, double[] innerScores)
    {
        if (innerScores.Length != series.Length)
            throw new AiopsLabException($"{Name}: {innerScores.Length} inner scores for {series.Length} points.");
        return Post(series, innerScores);
    }

    public abstract string Name { get; }

    /// <summary>A post-processor for a batch of <paramref name="n"/> points (it may read NAB's setup from n).</summary>
    protected abstract IPost ForSeries(int n);

    /// <summary>A post-processor for an online stream (throws when options the batch takes from the series are unset).</summary>
    protected abstract IPost Online();

    /// <summary>The same post-processor over another inner detector.</summary>
    protected abstract PostProcessedDetector Over(IStreamingDetector inner);

    /// <summary>The same detector with the inner detector's warm-up (when it has one) set to <paramref name="points"/>.</summary>
    public IAnomalyDetector WithWarmup(int points) =>
        Inner is IConfigurableWarmup w && w.WithWarmup(points) is IStreamingDetector s ? Over(s) : this;

    public IDetectorState Start()
    {
        var post = Online(); // its own options first: they are what this method asks for
        return new State(Inner.Start(), post, this);
    }

    public double[] Score(ReadOnlySpan<double> series) => Post(series, Inner.Score(series));

    public double[] Score(ReadOnlySpan<double> values, ReadOnlySpan<DateTime> times) =>
        Post(values, Inner is ITimedDetector t ? t.Score(values, times) : Inner.Score(values));

    private double[] Post(ReadOnlySpan<double> series, double[] raw)
    {
        var post = ForSeries(series.Length);
        var scores = new double[series.Length];
        for (int i = 0; i < series.Length; i++)
            scores[i] = double.IsNaN(series[i]) ? 0 : post.Next(series[i], Unit(raw[i]));
        return scores;
    }

    /// <summary>The inner score in [0, 1]: its graded form, or itself when it is already there.</summary>
    private double Unit(double score)
    {
        double u = Inner is IGradedScore g ? g.Grade(score) : score;
        if (!(u >= 0 && u <= 1))
            throw new AiopsLabException($"{Name}: '{_of}' gave the score {u}, outside [0, 1], and has no graded form (IGradedScore) to bring it there.");
        return u;
    }

    private sealed class State(IDetectorState inner, IPost post, PostProcessedDetector owner) : IDetectorState
    {
        public double Update(double value) => post.Next(value, owner.Unit(inner.Update(value)));
    }

    public override string ToString() => Name;
}

/// <summary>
/// NAB's spatial rule (<c>nab/detectors/numenta/numenta_detector.py</c>, <c>SPATIAL_TOLERANCE</c>; Lavin &amp; Ahmad, NAB, ICMLA
/// 2015, and NAB's numenta entry of Ahmad et al., Neurocomputing 262, 2017): a value more than <c>tolerance</c>·(max − min)
/// beyond the range [min, max] of the values seen before it scores 1; otherwise the inner detector's score stands. The range
/// counts from the first value; while it is a single value (max = min) nothing is spatial. NAB's tolerance is 0.05. Its 1 is a
/// decision, not a graded score, so an ordinary new extreme ties with a planted anomaly (<see cref="ICoarseScore"/>).
/// </summary>
[Method("spatial", Summary = "NAB numenta's spatial rule over any streaming detector: 1 when a value leaves the range seen so far by 5 % of its width.",
    Citation = "Lavin & Ahmad, NAB, ICMLA 2015: NAB's numenta detector, SPATIAL_TOLERANCE")]
public sealed class SpatialDetector : PostProcessedDetector, ICoarseScore
{
    /// <summary>Options of <see cref="SpatialDetector"/>.</summary>
    public sealed record Options
    {
        /// <summary>The detector whose scores the rule completes (a streaming detector spec).</summary>
        public string Of { get; set; } = "context-ose";
        /// <summary>Share of the range seen so far a value must pass it by (NAB: 0.05).</summary>
        public double Tolerance { get; set; } = 0.05;
    }

    private readonly Options _o;

    public SpatialDetector() : this(new Options()) { }

    public SpatialDetector(Options options) : this(options, null) { }

    private SpatialDetector(Options options, IStreamingDetector? inner) : base("spatial", options.Of, inner)
    {
        if (!(options.Tolerance >= 0)) throw new AiopsLabException("spatial: tolerance must be ≥ 0.");
        _o = options with { Of = Of };
        Name = new MethodStage("spatial", OptionsBinder.Unbind(_o, changedOnly: true)).ToString();
    }

    public override string Name { get; }

    protected override IPost ForSeries(int n) => new Range(_o.Tolerance);

    protected override IPost Online() => new Range(_o.Tolerance);

    protected override PostProcessedDetector Over(IStreamingDetector inner) => new SpatialDetector(_o, inner);

    private sealed class Range(double tolerance) : IPost
    {
        private double _min = double.NaN, _max = double.NaN;

        public double Next(double value, double unitScore)
        {
            bool spatial = false;
            if (_max > _min)
            {
                double tol = (_max - _min) * tolerance;
                spatial = value > _max + tol || value < _min - tol;
            }
            if (!(value <= _max)) _max = value;
            if (!(value >= _min)) _min = value;
            return spatial ? 1 : unitScore;
        }
    }
}
