using System.Globalization;
using System.Text.Json;

namespace AiopsLab.Data;

/// <summary>
/// Reads a JSON data file (a case's <c>case.json</c>, Nezha's <c>fault_list.json</c>, NAB's label files...) and hands out
/// typed values that know where they came from. Every wrong type, missing field or unreadable number becomes a
/// <see cref="DataFormatException"/> naming the file and the JSON path (<c>$.call_graph[2][0]</c>), never an
/// <see cref="InvalidOperationException"/> from <see cref="JsonElement"/>. Syntax errors name the file, line and column (1-based).
/// </summary>
public static class JsonFile
{
    /// <summary>Parses <paramref name="path"/>. Missing file, unreadable file or invalid JSON: a <see cref="DataFormatException"/>.</summary>
    public static JsonItem Read(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, null, null, "file not found.");
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new DataFormatException(path, null, null, "cannot read the file: " + e.Message); }
        return Parse(path, text);
    }

    /// <summary>Parses JSON text; <paramref name="file"/> names it in errors.</summary>
    public static JsonItem Parse(string file, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            return new JsonItem(file, "$", doc.RootElement.Clone());
        }
        catch (JsonException e)
        {
            // The exception's own message repeats the position with 0-based numbers ("LineNumber: 3 | BytePositionInLine: 19"):
            // keep only the description, so the 1-based position in front is the only one shown.
            var problem = e.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd(' ', '|', '.');
            throw new DataFormatException(file, (int?)(e.LineNumber + 1), (int?)(e.BytePositionInLine + 1), "invalid JSON: " + problem + ".");
        }
    }
}

/// <summary>A JSON value of a file with its JSON path. Accessors check the type and throw a <see cref="DataFormatException"/>.</summary>
public readonly struct JsonItem
{
    internal JsonItem(string file, string path, JsonElement element) { File = file; Path = path; Element = element; }

    public string File { get; }
    /// <summary>JSON path of this value, e.g. <c>$.target.timestamp</c>.</summary>
    public string Path { get; }
    public JsonElement Element { get; }
    public JsonValueKind Kind => Element.ValueKind;

    /// <summary>An error at this value: "file: at $.x: problem".</summary>
    public DataFormatException Error(string problem) => new(File, null, null, $"at {Path}: {problem}");

    private DataFormatException Expected(string what) => Error($"expected {what}, found {Describe(Element)}.");

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "text",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Member(string parent, string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? parent + "." + name : parent + "['" + name.Replace("'", "\\'", StringComparison.Ordinal) + "']";

    /// <summary>This value, checked to be an object.</summary>
    public JsonItem AsObject() => Kind == JsonValueKind.Object ? this : throw Expected("an object");

    /// <summary>The members of an object, in file order.</summary>
    public IEnumerable<(string Name, JsonItem Value)> Properties()
    {
        var self = AsObject();
        return self.Element.EnumerateObject().Select(p => (p.Name, new JsonItem(self.File, Member(self.Path, p.Name), p.Value))).ToList();
    }

    /// <summary>The items of an array.</summary>
    public IReadOnlyList<JsonItem> Items()
    {
        if (Kind != JsonValueKind.Array) throw Expected("an array");
        var file = File; var path = Path;
        return Element.EnumerateArray().Select((e, i) => new JsonItem(file, path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", e)).ToList();
    }

    /// <summary>The items of an array that must have exactly <paramref name="count"/> of them.</summary>
    public IReadOnlyList<JsonItem> Items(int count, string what)
    {
        var items = Items();
        return items.Count == count ? items : throw Error($"expected {what} ({count.ToString(CultureInfo.InvariantCulture)} items), found {items.Count.ToString(CultureInfo.InvariantCulture)} items.");
    }

    /// <summary>A member that may be absent (or null): null then.</summary>
    public JsonItem? Optional(string name)
    {
        var self = AsObject();
        return self.Element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? new JsonItem(File, Member(Path, name), v) : null;
    }

    /// <summary>A member that must be present.</summary>
    public JsonItem Required(string name) => Optional(name) ?? throw Error($"missing required field '{name}'.");

    /// <summary>A text value (empty allowed only when <paramref name="allowEmpty"/>).</summary>
    public string Text(bool allowEmpty = false)
    {
        if (Kind != JsonValueKind.String) throw Expected("text");
        var s = Element.GetString()!;
        return s.Length > 0 || allowEmpty ? s : throw Error("expected non-empty text.");
    }

    /// <summary>A finite number.</summary>
    public double Number()
    {
        if (Kind != JsonValueKind.Number || !Element.TryGetDouble(out var d) || !double.IsFinite(d)) throw Expected("a finite number");
        return d;
    }

    /// <summary>A whole number in 64 bits.</summary>
    public long Int64()
    {
        if (Kind != JsonValueKind.Number || !Element.TryGetInt64(out var l)) throw Expected("a whole number");
        return l;
    }

    /// <summary>An optional text member: null when absent.</summary>
    public string? OptionalText(string name, bool allowEmpty = false) => Optional(name)?.Text(allowEmpty);
}
