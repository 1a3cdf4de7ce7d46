using System.Globalization;
using System.Reflection;
using System.Text;
using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Labelling;
using AiopsLab.Preparation;
using AiopsLab.Rca;
using AiopsLab.Reduction;
using AiopsLab.Methods;

namespace AiopsLab.Catalog;

/// <summary>A registered method.</summary>
public sealed record MethodInfo(string Name, MethodKind Kind, Type Type, Type? OptionsType, string Summary, string Citation, bool IsBaseline)
{
    /// <summary>Where a method that is not a class of ours comes from (an external method's manifest file); null for classes.</summary>
    public string? Source { get; init; }
    /// <summary>Builds the method from its parameters instead of <see cref="Type"/>'s constructor (external methods).</summary>
    public Func<IReadOnlyDictionary<string, string>, object>? Factory { get; init; }
    /// <summary>Options declared by the method itself (external methods), in place of <see cref="OptionsType"/>'s properties.</summary>
    public IReadOnlyList<(string Name, string Type, string Default)>? DeclaredOptions { get; init; }
    /// <summary>Telemetry the method needs (<see cref="MethodAttribute.Needs"/>): empty for metrics only.</summary>
    public string Needs { get; init; } = "";

    /// <summary>Telemetry the method also reads when present (<see cref="MethodAttribute.Uses"/>).</summary>
    public string Uses { get; init; } = "";

    /// <summary>Settable option names (kebab-case) with their default values, for help text and provenance.</summary>
    public IReadOnlyList<(string Name, string Type, string Default)> Options()
    {
        if (DeclaredOptions is not null) return DeclaredOptions;
        if (OptionsType is null) return [];
        var defaults = Activator.CreateInstance(OptionsType);
        return OptionsBinder.Settable(OptionsType)
            .Select(p => (OptionsBinder.Kebab(p.Name), OptionsBinder.TypeName(p.PropertyType), OptionsBinder.FormatValue(p.GetValue(defaults))))
            .ToArray();
    }
}

/// <summary>
/// The registry of methods: every class in the AiopsLab assembly marked with <see cref="MethodAttribute"/>, plus any a
/// user registers (for example from a notebook). Builds methods from <see cref="MethodSpec"/>s. A name is unique within
/// its kind (the <c>bocpd</c> detector and the <c>bocpd</c> anomaly-time source are two methods).
/// </summary>
public static partial class MethodCatalog
{
    private static readonly object Gate = new();
    private static readonly SortedDictionary<(string Name, MethodKind Kind), MethodInfo> Registry = new(Comparer<(string Name, MethodKind Kind)>.Create((a, b) =>
        string.CompareOrdinal(a.Name, b.Name) is var c and not 0 ? c : a.Kind.CompareTo(b.Kind)));

    static MethodCatalog() => RegisterAssembly(typeof(MethodCatalog).Assembly);

    /// <summary>Registers every <see cref="MethodAttribute"/> class in an assembly.</summary>
    public static void RegisterAssembly(Assembly assembly)
    {
        foreach (var t in assembly.GetTypes().Where(t => t.GetCustomAttribute<MethodAttribute>() is not null).OrderBy(t => t.FullName, StringComparer.Ordinal))
            Register(t);
    }

    /// <summary>Registers one method class.</summary>
    /// <exception cref="InvalidOperationException">No attribute, wrong interface, bad constructor, or the name is taken by another type.</exception>
    public static MethodInfo Register(Type type)
    {
        var a = type.GetCustomAttribute<MethodAttribute>() ?? throw new InvalidOperationException($"{type} has no [Method] attribute.");
        MethodKind kind =
            typeof(IRootCauseLocalizer).IsAssignableFrom(type) ? MethodKind.Localizer :
            typeof(IMetricReducer).IsAssignableFrom(type) ? MethodKind.Reducer :
            typeof(IAnomalyDetector).IsAssignableFrom(type) ? MethodKind.Detector :
            typeof(IAnomalyTimeSource).IsAssignableFrom(type) ? MethodKind.AnomalyTimeSource :
            typeof(IFaultLabeller).IsAssignableFrom(type) ? MethodKind.Labeller :
            throw new InvalidOperationException($"{type} is marked [Method] but implements no method interface.");
        var ctors = type.GetConstructors();
        var withOptions = ctors.FirstOrDefault(c => c.GetParameters().Length == 1);
        var parameterless = ctors.FirstOrDefault(c => c.GetParameters().Length == 0);
        if (withOptions is null && parameterless is null)
            throw new InvalidOperationException($"{type} needs a public constructor taking nothing or one options object.");
        var optionsType = withOptions?.GetParameters()[0].ParameterType;
        if (optionsType is not null && optionsType.GetConstructor(Type.EmptyTypes) is null)
            throw new InvalidOperationException($"{type}'s options type {optionsType} needs a parameterless constructor (defaults).");
        return Register(new MethodInfo(a.Name, kind, type, optionsType, a.Summary, a.Citation, a.IsBaseline) { Needs = a.Needs, Uses = a.Uses });
    }

    /// <summary>Registers a method described directly (an external method; see <see cref="ExternalMethods"/>).</summary>
    /// <exception cref="InvalidOperationException">The name is taken by another method.</exception>
    public static MethodInfo Register(MethodInfo info)
    {
        lock (Gate)
        {
            if (Registry.TryGetValue((info.Name, info.Kind), out var existing) && (existing.Type != info.Type || existing.Source != info.Source))
                throw new InvalidOperationException($"{info.Kind.Text()} name '{info.Name}' is taken by {existing.Source ?? existing.Type.ToString()}.");
            Registry[(info.Name, info.Kind)] = info;
        }
        return info;
    }

    /// <summary>All registered methods, by name (then kind).</summary>
    public static IReadOnlyList<MethodInfo> All { get { lock (Gate) return Registry.Values.ToArray(); } }

    public static IReadOnlyList<MethodInfo> OfKind(MethodKind kind) => All.Where(m => m.Kind == kind).ToArray();

    /// <summary>Every method registered under <paramref name="name"/> (one per kind), in kind order; empty when none.</summary>
    public static IReadOnlyList<MethodInfo> FindAll(string name)
    {
        var n = name.ToLowerInvariant();
        lock (Gate) return Registry.Values.Where(m => m.Name == n).OrderBy(m => m.Kind).ToArray();
    }

    /// <summary>The method registered under <paramref name="name"/>; where kinds share the name, the first kind
    /// (localizer, reducer, detector, anomaly-time source).</summary>
    /// <exception cref="UnknownNameException">No such method; the message lists the known ones.</exception>
    public static MethodInfo Find(string name)
    {
        var all = FindAll(name);
        if (all.Count > 0) return all[0];
        lock (Gate) throw new UnknownNameException("method", name, Registry.Keys.Select(k => k.Name).Distinct());
    }

    /// <summary>The method of <paramref name="kind"/> registered under <paramref name="name"/>.</summary>
    /// <exception cref="AiopsLabException">The name is of another kind only (the message says which), or unknown
    /// (<see cref="UnknownNameException"/>: "unknown method", listing the names of this kind).</exception>
    public static MethodInfo Find(string name, MethodKind kind)
    {
        var all = FindAll(name);
        if (all.FirstOrDefault(m => m.Kind == kind) is { } m) return m;
        if (all.Count > 0) throw new AiopsLabException($"'{all[0].Name}' is a {all[0].Kind.Text()}, not {Article(kind)}.");
        throw new UnknownNameException("method", name, OfKind(kind).Select(x => x.Name));
    }

    private static string Article(MethodKind kind) => kind switch
    {
        MethodKind.Localizer => "a root-cause localizer",
        MethodKind.Reducer => "a metric reducer",
        MethodKind.Detector => "an anomaly detector",
        MethodKind.Labeller => "a fault-type labeller",
        _ => "an anomaly-time source",
    };

    /// <summary>Builds a localizer: a single localizer, or reducers followed by one localizer, optionally after
    /// data-preparation presets (<see cref="DataPreparation"/>, e.g. <c>rcaeval+baro</c>).</summary>
    public static IRootCauseLocalizer CreateLocalizer(MethodSpec spec)
    {
        int presets = spec.Stages.TakeWhile(s => DataPreparation.IsPreset(s.Name)).Count();
        if (presets > 0)
        {
            var rest = spec.Stages.Skip(presets).ToArray();
            if (rest.Length == 0) throw new AiopsLabException($"'{spec}': a data-preparation preset needs a localizer after it (e.g. rcaeval+baro).");
            if (spec.Stages.Take(presets).FirstOrDefault(s => s.Parameters.Count > 0) is { } p)
                throw new AiopsLabException($"'{spec}': the data-preparation preset '{p.Name}' takes no parameters.");
            return new PreparedLocalizer(spec.Stages.Take(presets).Select(s => s.Name).ToArray(), CreateLocalizer(new MethodSpec(rest)), spec.ToString());
        }
        var stages = spec.Stages;
        if (stages.FirstOrDefault(s => DataPreparation.IsPreset(s.Name)) is { } late)
            throw new AiopsLabException($"'{spec}': the data-preparation preset '{late.Name}' must come first (e.g. rcaeval+metricsifter+baro).");
        var last = FindAll(stages[^1].Name) is { Count: > 0 } named && !named.Any(m => m.Kind == MethodKind.Localizer)
            ? throw new AiopsLabException($"'{spec}': the last stage must be a root-cause localizer; '{named[0].Name}' is a {named[0].Kind.Text()}.")
            : Find(stages[^1].Name, MethodKind.Localizer);
        var reducers = new List<IMetricReducer>();
        foreach (var s in stages.Take(stages.Count - 1))
        {
            var m = FindAll(s.Name).FirstOrDefault(x => x.Kind == MethodKind.Reducer) ?? Find(s.Name);
            if (m.Kind != MethodKind.Reducer)
                throw new AiopsLabException($"'{spec}': '{m.Name}' cannot stand before '+'; only metric reducers can (e.g. metricsifter+baro).");
            reducers.Add((IMetricReducer)Instantiate(m, s.Parameters));
        }
        var loc = (IRootCauseLocalizer)Instantiate(last, stages[^1].Parameters);
        return reducers.Count == 0 ? loc : new ReducedLocalizer(reducers, loc, spec.ToString());
    }

    public static IRootCauseLocalizer CreateLocalizer(string spec) => CreateLocalizer(MethodSpec.Parse(spec));

    /// <summary>Builds a detector from a single-stage spec.</summary>
    public static IAnomalyDetector CreateDetector(string spec) => CreateSingle<IAnomalyDetector>(spec, MethodKind.Detector);

    /// <summary>Builds a reducer from a single-stage spec.</summary>
    public static IMetricReducer CreateReducer(string spec) => CreateSingle<IMetricReducer>(spec, MethodKind.Reducer);

    /// <summary>Builds an anomaly-time source from a single-stage spec, e.g. <c>bocpd</c> or <c>first-alarm(detector=spot)</c>.</summary>
    public static IAnomalyTimeSource CreateAnomalyTimeSource(string spec) => CreateSingle<IAnomalyTimeSource>(spec, MethodKind.AnomalyTimeSource);

    /// <summary>Builds a fault-type labeller from a single-stage spec, e.g. <c>knn(k=3)</c>.</summary>
    public static IFaultLabeller CreateLabeller(string spec) => CreateSingle<IFaultLabeller>(spec, MethodKind.Labeller);

    private static T CreateSingle<T>(string spec, MethodKind kind)
    {
        var s = MethodSpec.Parse(spec);
        if (s.Stages.Count != 1) throw new AiopsLabException($"'{spec}': {Article(kind)} spec has one stage.");
        return (T)Instantiate(Find(s.Stages[0].Name, kind), s.Stages[0].Parameters);
    }

    /// <summary>Creates an instance with options bound from <paramref name="parameters"/>. A constructor's rejection of an
    /// option becomes <c>method 'NAME': problem</c> (a message that already starts with <c>NAME: </c> is not prefixed twice).</summary>
    public static object Instantiate(MethodInfo m, IReadOnlyDictionary<string, string> parameters)
    {
        if (m.Factory is not null) return m.Factory(parameters);
        if (m.OptionsType is null)
        {
            if (parameters.Count > 0)
                throw new AiopsLabException($"method '{m.Name}' takes no parameters; got {string.Join(", ", parameters.Keys)}.");
            return Activator.CreateInstance(m.Type)!;
        }
        var options = OptionsBinder.Bind(m.OptionsType, parameters, m.Name);
        try { return Activator.CreateInstance(m.Type, options)!; }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentException or AiopsLabException)
        {
            var message = e.InnerException.Message;
            if (message.StartsWith(m.Name + ": ", StringComparison.Ordinal)) message = message[(m.Name.Length + 2)..];
            throw new AiopsLabException($"method '{m.Name}': {message}");
        }
    }
}
