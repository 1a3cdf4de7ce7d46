using AiopsLab.Methods;

namespace AiopsLab.Labelling;

/// <summary>
/// What a fault-type labeller is given: the case without its label (through its <see cref="RcaProblem"/>) and the
/// root-cause service, either a localizer's top-1 (end to end) or the true one ("oracle", to separate the two errors).
/// The labellers here read the case through <see cref="ServiceFeatures"/>, computed once when the input is built.
/// </summary>
public sealed class LabelInput
{
    private LabelInput(string service, ServiceFeatures features) { Service = service; Features = features; }

    /// <summary>The service the fault is taken to be at.</summary>
    public string Service { get; }

    /// <summary>Robust-score features of the service and its neighbours.</summary>
    public ServiceFeatures Features { get; }

    /// <summary>Builds the input of <paramref name="problem"/> at <paramref name="service"/>.</summary>
    public static LabelInput Of(RcaProblem problem, string service, CancellationToken ct = default) =>
        new(service, ServiceFeatures.Of(problem, service, ct));

    /// <summary>An input from already computed features.</summary>
    public static LabelInput Of(ServiceFeatures features) => new(features.Service, features);
}

/// <summary>One shared fault type with a labeller's score (higher = more likely).</summary>
public readonly record struct RankedType(string Type, double Score);

/// <summary>A labeller's answer: every type it can give, best first (ties by vocabulary order, then name).</summary>
public sealed class LabelResult
{
    private LabelResult(IReadOnlyList<RankedType> ranking) => Ranking = ranking;

    /// <summary>Types, most likely first.</summary>
    public IReadOnlyList<RankedType> Ranking { get; }

    /// <summary>The top type.</summary>
    public string Top => Ranking.Count > 0 ? Ranking[0].Type : throw new InvalidOperationException("empty labelling.");

    /// <summary>Sorts types by score, highest first; NaN last; ties by vocabulary order then ordinal name.</summary>
    public static LabelResult FromScores(IEnumerable<KeyValuePair<string, double>> scores)
    {
        static int Order(string t) => FaultVocabulary.IndexOf(t);
        var list = scores.ToList();
        list.Sort((a, b) =>
        {
            bool na = double.IsNaN(a.Value), nb = double.IsNaN(b.Value);
            if (na != nb) return na ? 1 : -1;
            if (!na && a.Value != b.Value) return b.Value.CompareTo(a.Value);
            int c = Order(a.Key).CompareTo(Order(b.Key));
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        });
        return new LabelResult(list.Select(kv => new RankedType(kv.Key, kv.Value)).ToArray());
    }
}

/// <summary>A training example: an input and its shared fault type (<see cref="FaultVocabulary"/>).</summary>
public sealed record LabelExample(LabelInput Input, string Type);

/// <summary>
/// A fault-type labeller (the method catalog's <c>labeller</c> kind). <see cref="Train"/> returns a labeller fitted to
/// labelled examples (one with nothing to learn returns itself); <see cref="Label"/> ranks fault types for one input,
/// which carries no label. Implementations are deterministic given the seed and never modify their inputs.
/// Register one with <see cref="MethodAttribute"/>.
/// </summary>
public interface IFaultLabeller
{
    string Name { get; }

    /// <summary>True when <see cref="Train"/> learns from the examples (the protocol then needs training folds).</summary>
    bool Learns { get; }

    /// <summary>A labeller fitted to <paramref name="examples"/> with randomness drawn from <paramref name="seed"/>.</summary>
    IFaultLabeller Train(IReadOnlyList<LabelExample> examples, ulong seed, CancellationToken ct = default);

    /// <summary>Ranks fault types for <paramref name="input"/>.</summary>
    LabelResult Label(LabelInput input, CancellationToken ct = default);
}
