using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Rca;

namespace AiopsLab.Catalog;

/// <summary>Equal configurations under different spellings (issue 16, D14): the effective spec of a method.</summary>
public static partial class MethodCatalog
{
    /// <summary>RCAEval's six graph baselines as compositions of <see cref="GraphRca"/> (its doc: each preset is exactly
    /// <c>graph-rca(graph=G,head=H)</c> with the same shared options).</summary>
    private static readonly (string Preset, GraphSource Graph, GraphHead Head)[] GraphPresets =
    [
        ("pc-pagerank", GraphSource.Pc, GraphHead.Pagerank),
        ("pc-randomwalk", GraphSource.Pc, GraphHead.Randomwalk),
        ("granger-pagerank", GraphSource.Granger, GraphHead.Pagerank),
        ("granger-randomwalk", GraphSource.Granger, GraphHead.Randomwalk),
        ("lingam-pagerank", GraphSource.Lingam, GraphHead.Pagerank),
        ("lingam-randomwalk", GraphSource.Lingam, GraphHead.Randomwalk),
    ];

    /// <summary>
    /// The configuration a localizer spec denotes: each stage's parameters bound to its options and written back, keeping
    /// only those that differ from the defaults. <c>baro</c>, <c>baro(window=0)</c> and <c>baro(window=+0)</c> all give
    /// <c>baro</c>, so an experiment can refuse to run one configuration twice under two names. A <c>graph-rca</c>
    /// composition that one of RCAEval's presets denotes becomes that preset: <c>graph-rca(graph=pc,head=pagerank)</c> gives
    /// <c>pc-pagerank</c>, and <c>graph-rca(graph=lingam,alpha=0.01)</c> gives <c>lingam-pagerank</c> (LiNGAM has no
    /// significance level, so <c>alpha</c> is dropped). Methods that bind their own parameters (external methods) keep them
    /// as written.
    /// </summary>
    /// <exception cref="AiopsLabException">As <see cref="CreateLocalizer(MethodSpec)"/> for an unknown name or a bad value.</exception>
    public static MethodSpec Effective(MethodSpec spec)
    {
        var stages = new MethodStage[spec.Stages.Count];
        for (int i = 0; i < stages.Length; i++)
            stages[i] = EffectiveStage(spec.Stages[i], i == stages.Length - 1 ? MethodKind.Localizer : MethodKind.Reducer);
        stages[^1] = ResolveGraphPreset(stages[^1]);
        return new MethodSpec(stages);
    }

    /// <summary>Every registered localizer at its defaults, each configuration once: <c>graph-rca</c> at its defaults is
    /// <c>pc-pagerank</c> and is left out, so the list can be run as one spec.</summary>
    public static IReadOnlyList<MethodInfo> DistinctLocalizers() =>
        OfKind(MethodKind.Localizer).Where(m => Effective(MethodSpec.Parse(m.Name)).ToString() == m.Name).ToArray();

    /// <summary>The configuration a single-stage detector spec denotes, as <see cref="Effective"/>: <c>spot</c> and
    /// <c>spot(q=0.0001)</c> (its default) are both <c>spot</c>.</summary>
    public static MethodSpec EffectiveDetector(string spec)
    {
        var s = MethodSpec.Parse(spec);
        if (s.Stages.Count != 1) throw new AiopsLabException($"'{spec}': a detector spec has one stage.");
        return new MethodSpec([EffectiveStage(s.Stages[0], MethodKind.Detector)]);
    }

    /// <summary>
    /// Refuses a list of detector specs (<c>--detectors</c>) that names one configuration twice, e.g. <c>spot</c> and
    /// <c>spot(q=0.0001)</c>: the message names both spellings and what they denote.
    /// </summary>
    /// <exception cref="AiopsLabException">Two entries denote one configuration, or a name or value is bad.</exception>
    public static void CheckDistinctDetectors(IEnumerable<string> specs)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var effective = EffectiveDetector(spec).ToString();
            if (seen.TryAdd(effective, spec)) continue;
            var earlier = seen[effective];
            throw new AiopsLabException(earlier == spec
                ? $"detector '{spec}' is listed twice; list it once."
                : $"detector '{spec}' is the same configuration as '{earlier}' (both are '{effective}' once defaults are dropped); list it once.");
        }
    }

    private static MethodStage EffectiveStage(MethodStage s, MethodKind kind)
    {
        var m = FindAll(s.Name).FirstOrDefault(x => x.Kind == kind);
        return m is { OptionsType: { } type, Factory: null, DeclaredOptions: null }
            ? new MethodStage(s.Name, OptionsBinder.Unbind(OptionsBinder.Bind(type, s.Parameters, m.Name), changedOnly: true))
            : s;
    }

    /// <summary>
    /// A <c>graph-rca</c> stage (already effective) without the parameters its graph ignores (<c>alpha</c> but for PC and
    /// Granger, <c>max-lag</c> but for Granger; see <see cref="GraphRca"/>), and as its preset when one exists and every
    /// remaining parameter is an option of that preset. Any other stage is returned unchanged.
    /// </summary>
    private static MethodStage ResolveGraphPreset(MethodStage s)
    {
        if (s.Name != "graph-rca" || FindAll(s.Name).All(x => x.Type != typeof(GraphRca))) return s;
        var o = (GraphRca.Options)OptionsBinder.Bind(typeof(GraphRca.Options), s.Parameters, s.Name);
        var rest = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in s.Parameters)
        {
            bool ignored = key switch
            {
                "alpha" => o.Graph is not (GraphSource.Pc or GraphSource.Granger),
                "max-lag" => o.Graph != GraphSource.Granger,
                _ => false,
            };
            if (!ignored) rest[key] = value;
        }
        var preset = GraphPresets.FirstOrDefault(p => p.Graph == o.Graph && p.Head == o.Head).Preset;
        var target = preset is null ? null : FindAll(preset).FirstOrDefault(x => x.Kind == MethodKind.Localizer);
        rest.Remove("graph");
        rest.Remove("head");
        if (target?.OptionsType is not { } type) return new MethodStage(s.Name, WithGraphAndHead(rest, s.Parameters));
        var settable = OptionsBinder.Settable(type).Select(p => OptionsBinder.Kebab(p.Name)).ToHashSet(StringComparer.Ordinal);
        if (!rest.Keys.All(settable.Contains)) return new MethodStage(s.Name, WithGraphAndHead(rest, s.Parameters));
        return new MethodStage(preset!, OptionsBinder.Unbind(OptionsBinder.Bind(type, rest, preset!), changedOnly: true));
    }

    private static SortedDictionary<string, string> WithGraphAndHead(SortedDictionary<string, string> rest, IReadOnlyDictionary<string, string> original)
    {
        foreach (var key in new[] { "graph", "head" })
            if (original.TryGetValue(key, out var v)) rest[key] = v;
        return rest;
    }
}
