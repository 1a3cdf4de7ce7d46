using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Methods;

namespace AiopsLab.Catalog;

/// <summary>
/// The detection modes an experiment can name: <c>label</c> (the anomaly time is the label's inject time), or the spec of
/// any registered anomaly-time source (<see cref="MethodKind.AnomalyTimeSource"/>, listed by <c>aiopslab methods</c>):
/// e.g. <c>bocpd</c> (BARO's multivariate BOCPD, with options such as <c>bocpd(lambda=100)</c>) or
/// <c>first-alarm(detector=SPEC,threshold=X)</c> (<see cref="DetectorAlarmSource"/>) built from any registered detector.
/// </summary>
public static class AnomalyTimeSources
{
    /// <summary>The detection mode that takes the anomaly time from the label's inject time (no detector).</summary>
    public const string Label = "label";

    /// <summary>Names usable as a detection mode: <c>label</c> and every registered anomaly-time source.</summary>
    public static IReadOnlyList<string> Names => [Label, .. MethodCatalog.OfKind(MethodKind.AnomalyTimeSource).Select(m => m.Name)];

    /// <summary>The source for a detection mode; null for <c>label</c>.</summary>
    /// <exception cref="AiopsLabException">Unknown name or bad options (the message lists the known names).</exception>
    public static IAnomalyTimeSource? Create(string mode)
    {
        if (mode == Label) return null;
        var spec = MethodSpec.Parse(mode);
        if (spec.Stages.Count != 1 || MethodCatalog.FindAll(spec.Stages[0].Name).All(m => m.Kind != MethodKind.AnomalyTimeSource))
            throw new UnknownNameException("detection mode", mode, Names);
        return MethodCatalog.CreateAnomalyTimeSource(mode);
    }
}

/// <summary>
/// End-to-end mode from any registered univariate <see cref="IAnomalyDetector"/>: the anomaly time is the first time at
/// which the detector's score on any watched column reaches (≥) the given threshold, or exceeds (&gt;, as
/// <see cref="IAlarmThreshold"/> defines it) the detector's own alarm threshold when none is given. The watched columns are the dataset's
/// service-level indicators (never chosen from the label) or, where the dataset names none, every column. The detector first learns
/// from the case's opening points as <see cref="Options.Warmup"/> says (default: NAB's probationary period, as case-level detection
/// does; <see cref="DetectorWarmup"/>), and an alarm there does not count.
/// </summary>
[Method("first-alarm", Summary = "First time any SLI column's detector score reaches the threshold (any registered detector).", Citation = "AiopsLab's end-to-end mode over the registered detectors")]
public sealed class DetectorAlarmSource : IAnomalyTimeSource
{
    /// <summary>Options of <see cref="DetectorAlarmSource"/>.</summary>
    public sealed record Options
    {
        /// <summary>Detector spec, e.g. <c>spot(q=0.001)</c> (see <c>aiopslab methods</c>).</summary>
        public string Detector { get; set; } = "n-sigma";
        /// <summary>Score at or above which a point alarms; empty = the detector's own alarm threshold
        /// (<see cref="IAlarmThreshold"/>), which then must exist.</summary>
        public double? Threshold { get; set; }
        /// <summary>Warm-up before alarms count: <c>probation</c> (min(⌊0.15·n⌋, 750) points, label-free) or <c>none</c>.</summary>
        public WarmupRule Warmup { get; set; } = WarmupRule.Probation;
    }

    private readonly IAnomalyDetector _detector;
    private readonly double _threshold;
    private readonly bool _strict;
    private readonly WarmupRule _warmup;

    public DetectorAlarmSource() : this(new Options()) { }

    /// <exception cref="AiopsLabException">Bad detector spec, or no threshold given for a detector without its own.</exception>
    public DetectorAlarmSource(Options options)
    {
        var canonical = options with { Detector = MethodSpec.Parse(options.Detector).ToString() };
        _detector = MethodCatalog.CreateDetector(canonical.Detector);
        _strict = options.Threshold is null;
        _warmup = options.Warmup;
        _threshold = options.Threshold ?? (_detector as IAlarmThreshold)?.AlarmThreshold
            ?? throw new AiopsLabException($"first-alarm: detector '{canonical.Detector}' has no alarm threshold of its own; give threshold=X.");
        if (double.IsNaN(_threshold)) throw new AiopsLabException("first-alarm: threshold must be a number.");
        Name = new MethodStage("first-alarm", OptionsBinder.Unbind(canonical, changedOnly: true)).ToString();
    }

    /// <summary><c>first-alarm(detector=SPEC,threshold=X)</c> with both options written out (the form an experiment spec's
    /// <c>{ detector: SPEC, threshold: X }</c> mapping records), X in invariant round-trip form.</summary>
    public static string Canonical(string detectorSpec, double threshold)
    {
        var options = OptionsBinder.Unbind(new Options { Detector = MethodSpec.Parse(detectorSpec).ToString(), Threshold = threshold });
        options.Remove("warmup"); // the mapping has no warm-up key: the default, left out as the spec's name leaves it out
        return new MethodStage("first-alarm", options).ToString();
    }

    /// <summary>The canonical spec: <c>first-alarm</c> with the options that differ from the defaults.</summary>
    public string Name { get; }

    public long? Detect(MetricFrame metrics, MetricNaming naming, IReadOnlyList<string> slis, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var watched = slis.Where(metrics.Contains).ToArray();
        if (watched.Length == 0) watched = metrics.Names.ToArray();
        int first = int.MaxValue, skip = DetectorWarmup.Points(_warmup, metrics.Time.Length);
        var detector = DetectorWarmup.Prepare(_detector, skip);
        foreach (var c in watched)
        {
            ct.ThrowIfCancellationRequested();
            var s = detector.Score(metrics.Column(c));
            for (int i = skip; i < Math.Min(s.Length, first); i++)
                if (s[i] > _threshold || (!_strict && s[i] == _threshold)) { first = i; break; }
        }
        return first == int.MaxValue ? null : metrics.Time[first];
    }

    public override string ToString() => Name;
}
