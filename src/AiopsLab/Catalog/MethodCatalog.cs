using System.Globalization;
using System.Reflection;
using System.Text;
using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Rca;
using AiopsLab.Reduction;
using AiopsLab.Methods;

namespace AiopsLab.Catalog;

/// <summary>A registered method.</summary>
public sealed record MethodInfo(string Name, MethodKind Kind, Type Type, Type? OptionsType, string Summary, string Citation, bool IsBaseline)
{
    /// <summary>Settable option names (kebab-case) with their default values, for help text and provenance.</summary>
    public IReadOnlyList<(string Name, string Type, string Default)> Options()
    {
        if (OptionsType is null) return [];
        var defaults = Activator.CreateInstance(OptionsType);
        return OptionsBinder.Settable(OptionsType)
            .Select(p => (OptionsBinder.Kebab(p.Name), OptionsBinder.TypeName(p.PropertyType), OptionsBinder.FormatValue(p.GetValue(defaults))))
            .ToArray();
    }
}

/// <summary>
/// The registry of methods: every class in the AiopsLab assembly marked with <see cref="MethodAttribute"/>, plus any a
/// user registers (for example from a notebook). Builds methods from <see cref="MethodSpec"/>s.
/// </summary>
public static class MethodCatalog
{
    private static readonly object Gate = new();
    private static readonly SortedDictionary<string, MethodInfo> Registry = new(StringComparer.Ordinal);

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
            throw new InvalidOperationException($"{type} is marked [Method] but implements no method interface.");
        var ctors = type.GetConstructors();
        var withOptions = ctors.FirstOrDefault(c => c.GetParameters().Length == 1);
        var parameterless = ctors.FirstOrDefault(c => c.GetParameters().Length == 0);
        if (withOptions is null && parameterless is null)
            throw new InvalidOperationException($"{type} needs a public constructor taking nothing or one options object.");
        var optionsType = withOptions?.GetParameters()[0].ParameterType;
        if (optionsType is not null && optionsType.GetConstructor(Type.EmptyTypes) is null)
            throw new InvalidOperationException($"{type}'s options type {optionsType} needs a parameterless constructor (defaults).");
        var info = new MethodInfo(a.Name, kind, type, optionsType, a.Summary, a.Citation, a.IsBaseline);
        lock (Gate)
        {
            if (Registry.TryGetValue(a.Name, out var existing) && existing.Type != type)
                throw new InvalidOperationException($"method name '{a.Name}' is taken by {existing.Type}.");
            Registry[a.Name] = info;
        }
        return info;
    }

    /// <summary>All registered methods, by name.</summary>
    public static IReadOnlyList<MethodInfo> All { get { lock (Gate) return Registry.Values.ToArray(); } }

    public static IReadOnlyList<MethodInfo> OfKind(MethodKind kind) => All.Where(m => m.Kind == kind).ToArray();

    /// <summary>The method registered under <paramref name="name"/>.</summary>
    /// <exception cref="UnknownNameException">No such method; the message lists the known ones.</exception>
    public static MethodInfo Find(string name)
    {
        lock (Gate)
            return Registry.TryGetValue(name.ToLowerInvariant(), out var m) ? m : throw new UnknownNameException("method", name, Registry.Keys);
    }

    /// <summary>Builds a localizer: a single localizer, or reducers followed by one localizer.</summary>
    public static IRootCauseLocalizer CreateLocalizer(MethodSpec spec)
    {
        var stages = spec.Stages;
        var last = Find(stages[^1].Name);
        if (last.Kind != MethodKind.Localizer)
            throw new AiopsLabException($"'{spec}': the last stage must be a root-cause localizer; '{last.Name}' is a {last.Kind.ToString().ToLowerInvariant()}.");
        var reducers = new List<IMetricReducer>();
        foreach (var s in stages.Take(stages.Count - 1))
        {
            var m = Find(s.Name);
            if (m.Kind != MethodKind.Reducer)
                throw new AiopsLabException($"'{spec}': '{m.Name}' cannot stand before '+'; only metric reducers can (e.g. metricsifter+baro).");
            reducers.Add((IMetricReducer)Instantiate(m, s.Parameters));
        }
        var loc = (IRootCauseLocalizer)Instantiate(last, stages[^1].Parameters);
        return reducers.Count == 0 ? loc : new ReducedLocalizer(reducers, loc, spec.ToString());
    }

    public static IRootCauseLocalizer CreateLocalizer(string spec) => CreateLocalizer(MethodSpec.Parse(spec));

    /// <summary>Builds a detector from a single-stage spec.</summary>
    public static IAnomalyDetector CreateDetector(string spec)
    {
        var s = MethodSpec.Parse(spec);
        if (s.Stages.Count != 1) throw new AiopsLabException($"'{spec}': a detector spec has one stage.");
        var m = Find(s.Stages[0].Name);
        if (m.Kind != MethodKind.Detector) throw new AiopsLabException($"'{m.Name}' is a {m.Kind.ToString().ToLowerInvariant()}, not an anomaly detector.");
        return (IAnomalyDetector)Instantiate(m, s.Stages[0].Parameters);
    }

    /// <summary>Builds a reducer from a single-stage spec.</summary>
    public static IMetricReducer CreateReducer(string spec)
    {
        var s = MethodSpec.Parse(spec);
        var m = Find(s.Stages[0].Name);
        if (s.Stages.Count != 1 || m.Kind != MethodKind.Reducer) throw new AiopsLabException($"'{spec}' is not a single metric reducer.");
        return (IMetricReducer)Instantiate(m, s.Stages[0].Parameters);
    }

    /// <summary>Creates an instance with options bound from <paramref name="parameters"/>.</summary>
    public static object Instantiate(MethodInfo m, IReadOnlyDictionary<string, string> parameters)
    {
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
            throw new AiopsLabException($"method '{m.Name}': {e.InnerException.Message}");
        }
    }
}
