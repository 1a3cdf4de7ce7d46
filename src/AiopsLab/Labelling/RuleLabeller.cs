using AiopsLab.Methods;

namespace AiopsLab.Labelling;

/// <summary>
/// Rule baseline: the metric family that deviates most at the root-cause service, by BARO's robust score (max |z| with
/// z = (x − median)/IQR of the normal window; Pham, Ha &amp; Zhang, BARO, FSE 2024, eq. 5–6), names the fault type:
/// cpu → cpu, memory → memory, latency → network-delay, network traffic → network-loss, disk/syscalls → disk,
/// error rate → exception, load/requests → overload. Types ranked by their family's score; types no family maps to
/// (wrong-return) and families the service has no metric of rank last. Nothing is learned.
/// </summary>
/// <remarks>This is the "read the dashboard" heuristic an on-call engineer applies; it cannot name a wrong return value
/// (no metric shows it) and confuses a fault with its symptom (a CPU hog also raises latency).</remarks>
[Method("max-family", Summary = "Rule baseline: the metric family with the largest BARO robust score at the service names the fault type.", Citation = "Pham, Ha & Zhang, BARO, FSE 2024 (RobustScorer)", IsBaseline = true)]
public sealed class RuleLabeller : IFaultLabeller
{
    /// <summary>Which type each family points to.</summary>
    public static readonly IReadOnlyDictionary<KindFamily, string> TypeOfFamily = new Dictionary<KindFamily, string>
    {
        [KindFamily.Cpu] = FaultVocabulary.Cpu,
        [KindFamily.Memory] = FaultVocabulary.Memory,
        [KindFamily.Latency] = FaultVocabulary.NetworkDelay,
        [KindFamily.Network] = FaultVocabulary.NetworkLoss,
        [KindFamily.Disk] = FaultVocabulary.Disk,
        [KindFamily.Error] = FaultVocabulary.Exception,
        [KindFamily.Load] = FaultVocabulary.Overload,
    };

    public string Name => "max-family";

    public bool Learns => false;

    public IFaultLabeller Train(IReadOnlyList<LabelExample> examples, ulong seed, CancellationToken ct = default) => this;

    public LabelResult Label(LabelInput input, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var scores = FaultVocabulary.Types.ToDictionary(t => t, _ => double.NaN, StringComparer.Ordinal);
        foreach (var (family, type) in TypeOfFamily)
            if (input.Features.AbsScore.TryGetValue(family, out var s) && !double.IsNaN(s)) scores[type] = s;
        return LabelResult.FromScores(scores);
    }
}
