using AiopsLab.Data;

namespace AiopsLab.Methods;

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
