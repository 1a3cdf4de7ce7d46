using System.Globalization;
using System.Reflection;
using System.Text;
using AiopsLab.Data;

namespace AiopsLab.Methods;

/// <summary>
/// Marks a record of options that several methods share (a causal-graph source's settings, SSA's model): an options object
/// holds it as a property, and <see cref="OptionsBinder"/> lists, binds and writes its settable properties as if they were the
/// holder's own (flat, kebab-case names), so a spec never names the group. The holder creates the group in its initializer;
/// binding sets the group's properties in place.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class OptionGroupAttribute : Attribute;

/// <summary>One settable option: a property of the options object, or of an <see cref="OptionGroupAttribute"/> group it holds.</summary>
/// <param name="Property">The settable property.</param>
/// <param name="Group">The holder's property that holds the group; null for the holder's own option.</param>
public sealed record OptionProperty(PropertyInfo Property, PropertyInfo? Group)
{
    /// <summary>The property's name (PascalCase); <see cref="OptionsBinder.Kebab"/> gives the spec's name.</summary>
    public string Name => Property.Name;

    /// <summary>The option's type.</summary>
    public Type PropertyType => Property.PropertyType;

    /// <summary>The option's value in <paramref name="options"/>.</summary>
    public object? GetValue(object options) => Property.GetValue(Owner(options));

    /// <summary>Sets the option in <paramref name="options"/> (in its group, where it belongs to one).</summary>
    public void SetValue(object options, object? value) => Property.SetValue(Owner(options), value);

    private object Owner(object options) =>
        Group is null ? options : Group.GetValue(options) ?? throw new InvalidOperationException($"option group {Group.Name} of {options.GetType().Name} is null.");
}

/// <summary>Binds name=value text to an options object's settable properties (invariant culture, kebab-case names); the
/// properties of an <see cref="OptionGroupAttribute"/> group the object holds count as its own.</summary>
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

    /// <summary>
    /// The inverse of <see cref="Bind"/>: the options' settable properties as kebab-case name → text, sorted by name, so that
    /// binding the result gives equal options. With <paramref name="changedOnly"/>, only those that differ from the
    /// defaults (a fresh instance of the options type) are listed.
    /// </summary>
    public static SortedDictionary<string, string> Unbind(object options, bool changedOnly = false)
    {
        var t = options.GetType();
        var defaults = changedOnly ? Activator.CreateInstance(t) : null;
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in Settable(t))
        {
            var text = FormatValue(p.GetValue(options));
            if (defaults is null || text != FormatValue(p.GetValue(defaults))) d[Kebab(p.Name)] = text;
        }
        return d;
    }

    /// <summary>The options of <paramref name="t"/>, groups flattened, by name.</summary>
    internal static IEnumerable<OptionProperty> Settable(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
         .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.PropertyType.IsDefined(typeof(OptionGroupAttribute), true))
         .SelectMany(g => Own(g.PropertyType).Select(p => new OptionProperty(p, g)))
         .Concat(Own(t).Select(p => new OptionProperty(p, null)))
         .OrderBy(p => p.Name, StringComparer.Ordinal);

    private static IEnumerable<PropertyInfo> Own(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
         .Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract"
             && !p.PropertyType.IsDefined(typeof(OptionGroupAttribute), true));

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
        // NaN only when written out (an option's default may be NaN, meaning "estimate it"); empty or NA is not a number.
        if (type == typeof(double)) return text.Equals("NaN", StringComparison.OrdinalIgnoreCase) ? double.NaN
            : Csv.TryParseNumber(text, out var d) && !double.IsNaN(d) ? d : throw new FormatException($"'{text}' is not a number.");
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
