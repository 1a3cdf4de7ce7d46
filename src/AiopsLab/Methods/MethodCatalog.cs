using System.Globalization;
using System.Reflection;
using System.Text;
using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Rca;
using AiopsLab.Reduction;

namespace AiopsLab.Methods;

/// <summary>
/// Registers a method under the name used on the command line and in experiment specs. Put it on a class that implements
/// <see cref="IRootCauseLocalizer"/>, <see cref="IMetricReducer"/> or <see cref="IAnomalyDetector"/> and has a public
/// constructor taking either nothing or one options object (a class or record with settable properties and defaults).
/// The catalog finds it by reflection; the CLI, the runner and the conformance suite then use it with no further wiring.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class MethodAttribute(string name) : Attribute
{
    /// <summary>Lower-case name, e.g. <c>baro</c>, <c>pc-pagerank</c>.</summary>
    public string Name { get; } = name;

    /// <summary>One line on what it does.</summary>
    public string Summary { get; init; } = "";

    /// <summary>The paper, e.g. "Pham et al., BARO, FSE 2024".</summary>
    public string Citation { get; init; } = "";

    /// <summary>A reference baseline (such as <c>random</c>) that is not expected to find root causes.</summary>
    public bool IsBaseline { get; init; }
}

/// <summary>What a registered method does.</summary>
public enum MethodKind { Localizer, Reducer, Detector }

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
/// One method with its parameters, as written on the command line: <c>baro</c>, <c>nsigma(k=3)</c>,
/// <c>metricsifter+baro</c> (reducers, then a localizer). <see cref="ToString"/> gives the canonical form (parameters
/// sorted by name), which identifies a configuration in results.
/// </summary>
public sealed record MethodSpec(IReadOnlyList<MethodStage> Stages)
{
    public override string ToString() => string.Join("+", Stages.Select(s => s.ToString()));

    /// <summary>Parses one spec.</summary>
    /// <exception cref="AiopsLabException">Malformed text; the message quotes it.</exception>
    public static MethodSpec Parse(string text)
    {
        var stages = SplitTopLevel(text, '+').Select(s => MethodStage.Parse(s, text)).ToArray();
        if (stages.Length == 0) throw new AiopsLabException($"empty method spec '{text}'.");
        return new MethodSpec(stages);
    }

    /// <summary>Parses a comma-separated list (commas inside parentheses belong to parameters).</summary>
    public static IReadOnlyList<MethodSpec> ParseList(string text)
    {
        var parts = SplitTopLevel(text, ',').Where(p => p.Length > 0).ToArray();
        if (parts.Length == 0) throw new AiopsLabException("no methods given.");
        return parts.Select(Parse).ToArray();
    }

    internal static List<string> SplitTopLevel(string text, char sep)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '(') depth++;
            else if (c == ')') { depth--; if (depth < 0) throw new AiopsLabException($"unbalanced ')' at position {i + 1} in '{text}'."); }
            else if (c == sep && depth == 0) { parts.Add(text[start..i].Trim()); start = i + 1; }
        }
        if (depth != 0) throw new AiopsLabException($"unbalanced '(' in '{text}'.");
        parts.Add(text[start..].Trim());
        return parts;
    }
}

/// <summary>One stage of a <see cref="MethodSpec"/>: a registered name and its parameters.</summary>
public sealed record MethodStage(string Name, IReadOnlyDictionary<string, string> Parameters)
{
    public override string ToString() =>
        Parameters.Count == 0
            ? Name
            : Name + "(" + string.Join(",", Parameters.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)) + ")";

    internal static MethodStage Parse(string s, string whole)
    {
        s = s.Trim();
        int p = s.IndexOf('(');
        if (p < 0) return new MethodStage(CheckName(s, whole), new SortedDictionary<string, string>(StringComparer.Ordinal));
        if (!s.EndsWith(')')) throw new AiopsLabException($"'{s}' in '{whole}': parameters must end with ')'.");
        var name = CheckName(s[..p].Trim(), whole);
        var pars = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in MethodSpec.SplitTopLevel(s[(p + 1)..^1], ','))
        {
            if (kv.Length == 0) continue;
            int eq = kv.IndexOf('=');
            if (eq <= 0) throw new AiopsLabException($"'{kv}' in '{whole}': a parameter is written name=value.");
            var key = OptionsBinder.Kebab(kv[..eq].Trim());
            if (!pars.TryAdd(key, kv[(eq + 1)..].Trim())) throw new AiopsLabException($"parameter '{key}' given twice in '{whole}'.");
        }
        return new MethodStage(name, pars);
    }

    private static string CheckName(string name, string whole)
    {
        if (name.Length == 0) throw new AiopsLabException($"a method name is missing in '{whole}'.");
        foreach (var c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new AiopsLabException($"'{name}' in '{whole}' is not a method name (letters, digits, '-', '_', '.').");
        return name.ToLowerInvariant();
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

/// <summary>Binds name=value text to an options object's settable properties (invariant culture, kebab-case names).</summary>
public static class OptionsBinder
{
    /// <summary>Creates <paramref name="optionsType"/> with defaults, then sets the given parameters.</summary>
    /// <exception cref="AiopsLabException">Unknown parameter (the message lists the valid ones) or a value of the wrong type.</exception>
    public static object Bind(Type optionsType, IReadOnlyDictionary<string, string> parameters, string methodName)
    {
        var obj = Activator.CreateInstance(optionsType)!;
        var props = Settable(optionsType).ToDictionary(p => Kebab(p.Name), StringComparer.Ordinal);
        foreach (var (key, text) in parameters)
        {
            if (!props.TryGetValue(Kebab(key), out var prop))
                throw new UnknownNameException($"parameter of '{methodName}'", key, props.Keys);
            object? value;
            try { value = ParseValue(prop.PropertyType, text); }
            catch (FormatException e) { throw new AiopsLabException($"'{methodName}' parameter '{key}': {e.Message}"); }
            prop.SetValue(obj, value);
        }
        return obj;
    }

    internal static IEnumerable<PropertyInfo> Settable(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
         .Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
         .OrderBy(p => p.Name, StringComparer.Ordinal);

    /// <summary><c>WindowSize</c>, <c>window_size</c> and <c>window-size</c> all become <c>window-size</c>.</summary>
    public static string Kebab(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c == '_' || c == ' ') { sb.Append('-'); continue; }
            if (char.IsUpper(c))
            {
                if (i > 0 && sb.Length > 0 && sb[^1] != '-' && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                    sb.Append('-');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    internal static object? ParseValue(Type type, string text)
    {
        var u = Nullable.GetUnderlyingType(type);
        if (u is not null) return text.Length == 0 || text.Equals("null", StringComparison.OrdinalIgnoreCase) ? null : ParseValue(u, text);
        var inv = CultureInfo.InvariantCulture;
        if (type == typeof(string)) return text;
        if (type == typeof(int)) return int.TryParse(text, NumberStyles.Integer, inv, out var i) ? i : throw new FormatException($"'{text}' is not a whole number.");
        if (type == typeof(long)) return long.TryParse(text, NumberStyles.Integer, inv, out var l) ? l : throw new FormatException($"'{text}' is not a whole number.");
        if (type == typeof(double)) return Csv.TryParseNumber(text, out var d) && !double.IsNaN(d) ? d : throw new FormatException($"'{text}' is not a number.");
        if (type == typeof(bool)) return text.ToLowerInvariant() switch
        {
            "true" or "yes" or "1" => true,
            "false" or "no" or "0" => false,
            _ => throw new FormatException($"'{text}' is not true or false."),
        };
        if (type.IsEnum)
        {
            var match = Enum.GetNames(type).FirstOrDefault(n => Kebab(n) == Kebab(text));
            return match is not null ? Enum.Parse(type, match) : throw new FormatException($"'{text}' is not one of {string.Join(", ", Enum.GetNames(type).Select(Kebab))}.");
        }
        if (type == typeof(double[])) return text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(s => (double)ParseValue(typeof(double), s.Trim())!).ToArray();
        if (type == typeof(int[])) return text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(s => (int)ParseValue(typeof(int), s.Trim())!).ToArray();
        if (type == typeof(string[])) return text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).ToArray();
        throw new FormatException($"options of type {type.Name} cannot be set from text.");
    }

    internal static string TypeName(Type t)
    {
        var u = Nullable.GetUnderlyingType(t);
        if (u is not null) return TypeName(u) + "?";
        if (t.IsEnum) return string.Join("|", Enum.GetNames(t).Select(Kebab));
        return t == typeof(double[]) ? "number;…" : t == typeof(int[]) ? "int;…" : t == typeof(string[]) ? "text;…" : t.Name.ToLowerInvariant() switch
        {
            "int32" or "int64" => "int",
            "double" => "number",
            "boolean" => "bool",
            var n => n,
        };
    }

    internal static string FormatValue(object? v) => v switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Enum e => Kebab(e.ToString()),
        double[] a => string.Join(";", a.Select(x => x.ToString("R", CultureInfo.InvariantCulture))),
        int[] a => string.Join(";", a.Select(x => x.ToString(CultureInfo.InvariantCulture))),
        string[] a => string.Join(";", a),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
