using System.Globalization;
using System.Reflection;
using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Methods;

namespace AiopsLab.Catalog;

/// <summary>
/// The detection modes an experiment can name: <c>label</c> (the anomaly time is the label's inject time), the
/// <see cref="IAnomalyTimeSource.Name"/> of any <see cref="IAnomalyTimeSource"/> in the library with a public
/// parameterless constructor (e.g. <c>bocpd</c>, BARO's multivariate BOCPD), or
/// <c>first-alarm(detector=SPEC,threshold=X)</c> (<see cref="DetectorAlarmSource"/>) built from any registered
/// anomaly detector.
/// </summary>
public static class AnomalyTimeSources
{
    /// <summary>The detection mode that takes the anomaly time from the label's inject time (no detector).</summary>
    public const string Label = "label";

    private static readonly Lazy<IReadOnlyDictionary<string, Type>> Registered = new(() =>
    {
        var d = new SortedDictionary<string, Type>(StringComparer.Ordinal);
        foreach (var t in typeof(IAnomalyTimeSource).Assembly.GetTypes()
                     .Where(t => typeof(IAnomalyTimeSource).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false }
                                 && t.GetConstructor(BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes) is not null)
                     .OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var name = ((IAnomalyTimeSource)Activator.CreateInstance(t)!).Name;
            d.TryAdd(name, t);
        }
        return d;
    });

    /// <summary>Names usable as a detection mode (besides <c>first-alarm(...)</c>).</summary>
    public static IReadOnlyList<string> Names => [Label, .. Registered.Value.Keys];

    /// <summary>The source for a detection mode; null for <c>label</c>.</summary>
    /// <exception cref="AiopsLabException">Unknown name or a bad detector spec.</exception>
    public static IAnomalyTimeSource? Create(string mode)
    {
        if (mode == Label) return null;
        if (DetectorAlarmSource.TryParse(mode, out var detector, out var threshold)) return new DetectorAlarmSource(MethodCatalog.CreateDetector(detector), detector, threshold);
        if (Registered.Value.TryGetValue(mode, out var t)) return (IAnomalyTimeSource)Activator.CreateInstance(t)!;
        throw new UnknownNameException("detection mode", mode, Names.Append("first-alarm(detector=SPEC,threshold=X)"));
    }
}

/// <summary>
/// End-to-end mode from any registered univariate <see cref="IAnomalyDetector"/>: the anomaly time is the first time at
/// which the detector's score on any watched column reaches the threshold. The watched columns are the dataset's
/// service-level indicators (never chosen from the label) or, where the dataset names none, every column.
/// </summary>
public sealed class DetectorAlarmSource(IAnomalyDetector detector, string detectorSpec, double threshold) : IAnomalyTimeSource
{
    private const string Prefix = "first-alarm(";

    public string Name { get; } = Canonical(detectorSpec, threshold);

    /// <summary><c>first-alarm(detector=SPEC,threshold=X)</c> with X in invariant round-trip form.</summary>
    public static string Canonical(string detectorSpec, double threshold) =>
        Prefix + "detector=" + MethodSpec.Parse(detectorSpec) + ",threshold=" + threshold.ToString("R", CultureInfo.InvariantCulture) + ")";

    internal static bool TryParse(string mode, out string detector, out double threshold)
    {
        detector = ""; threshold = 0;
        if (!mode.StartsWith(Prefix, StringComparison.Ordinal) || !mode.EndsWith(')')) return false;
        var body = mode[Prefix.Length..^1];
        int t = body.LastIndexOf(",threshold=", StringComparison.Ordinal);
        if (!body.StartsWith("detector=", StringComparison.Ordinal) || t < 0)
            throw new AiopsLabException($"'{mode}': write first-alarm(detector=SPEC,threshold=X).");
        detector = body["detector=".Length..t];
        if (!double.TryParse(body[(t + ",threshold=".Length)..], NumberStyles.Float, CultureInfo.InvariantCulture, out threshold))
            throw new AiopsLabException($"'{mode}': the threshold is not a number.");
        return true;
    }

    public long? Detect(MetricFrame metrics, MetricNaming naming, IReadOnlyList<string> slis, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var watched = slis.Where(metrics.Contains).ToArray();
        if (watched.Length == 0) watched = metrics.Names.ToArray();
        int first = int.MaxValue;
        foreach (var c in watched)
        {
            ct.ThrowIfCancellationRequested();
            var s = detector.Score(metrics.Column(c));
            for (int i = 0; i < Math.Min(s.Length, first); i++)
                if (s[i] >= threshold) { first = i; break; }
        }
        return first == int.MaxValue ? null : metrics.Time[first];
    }
}
