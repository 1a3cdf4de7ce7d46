using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiopsLab.Data;

namespace AiopsLab.Notebooks;

/// <summary>Kind of a notebook cell.</summary>
public enum CellKind { Code, Markdown, Raw }

/// <summary>One cell: its kind, kernel language (<c>csharp</c>, <c>fsharp</c>, …; empty for markdown) and source.</summary>
public sealed record NotebookCell(CellKind Kind, string Language, string Source)
{
    /// <summary>The cell's JSON in an .ipynb (kept so that its metadata survive execution); null for .dib cells.</summary>
    public JsonObject? Json { get; init; }
}

/// <summary>
/// A Polyglot notebook read from <c>.ipynb</c> (nbformat 4, kernel <c>.net-csharp</c>; a cell's language is its metadata
/// <c>polyglot_notebook.kernelName</c>, else <c>dotnet_interactive.language</c>, else the notebook's default kernel,
/// else <c>csharp</c>) or <c>.dib</c> (sections opened by <c>#!csharp</c>, <c>#!markdown</c>, …; <c>#!meta</c> holds
/// the notebook metadata). Written back as .ipynb with outputs (<see cref="ToIpynb"/>).
/// </summary>
public sealed class NotebookDocument
{
    public required string Path { get; init; }
    public required IReadOnlyList<NotebookCell> Cells { get; init; }
    /// <summary>Notebook-level metadata (ipynb <c>metadata</c>; for .dib, Polyglot's metadata built from <c>#!meta</c>).</summary>
    public required JsonObject Metadata { get; init; }

    /// <summary>Kernel names a .dib file uses as section headers (others are magic commands inside a cell).</summary>
    public static readonly IReadOnlySet<string> DibKernels = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "csharp", "c#", "cs", "fsharp", "f#", "fs", "pwsh", "powershell", "javascript", "js", "html", "markdown", "md",
        "sql", "kql", "mermaid", "value", "http", "meta",
    };

    /// <summary>Reads an .ipynb or .dib file.</summary>
    /// <exception cref="DataFormatException">The file is not a notebook this runner reads (message names the file and the problem).</exception>
    public static NotebookDocument Load(string path)
    {
        if (!File.Exists(path)) throw new AiopsLabException($"notebook '{System.IO.Path.GetFullPath(path)}' does not exist.");
        var text = File.ReadAllText(path);
        return System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".ipynb" => ParseIpynb(text, path),
            ".dib" => ParseDib(text, path),
            var e => throw new AiopsLabException($"'{path}': not a notebook (expected .ipynb or .dib, got '{e}')."),
        };
    }

    /// <summary>Parses nbformat 4 JSON.</summary>
    public static NotebookDocument ParseIpynb(string json, string path)
    {
        JsonObject root;
        try { root = JsonNode.Parse(json) as JsonObject ?? throw new DataFormatException(path, 1, 1, "the notebook is not a JSON object."); }
        catch (JsonException e) { throw new DataFormatException(path, (int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1, "invalid JSON: " + e.Message); }
        var major = root["nbformat"]?.GetValue<int>() ?? 0;
        if (major != 4) throw new DataFormatException(path, 1, 1, $"nbformat {major} is not supported (expected 4).");
        var meta = root["metadata"] as JsonObject ?? new JsonObject();
        var kernel = meta["kernelspec"]?["name"]?.GetValue<string>();
        if (kernel is not null && !kernel.StartsWith(".net-", StringComparison.Ordinal))
            throw new DataFormatException(path, 1, 1, $"kernel '{kernel}' is not a .NET Interactive kernel (expected .net-csharp).");
        var defaultLanguage = meta["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>()
            ?? (kernel is { Length: > 5 } ? NormalizeLanguage(kernel[5..]) : "csharp");
        var cells = new List<NotebookCell>();
        if (root["cells"] is not JsonArray arr) throw new DataFormatException(path, 1, 1, "the notebook has no 'cells' array.");
        int n = 0;
        foreach (var node in arr)
        {
            n++;
            if (node is not JsonObject c) throw new DataFormatException(path, 1, 1, $"cell {n} is not a JSON object.");
            var type = c["cell_type"]?.GetValue<string>() ?? "";
            var source = c["source"] switch
            {
                JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
                JsonValue v => v.GetValue<string>(),
                _ => "",
            };
            var kind = type switch
            {
                "code" => CellKind.Code,
                "markdown" => CellKind.Markdown,
                "raw" => CellKind.Raw,
                _ => throw new DataFormatException(path, 1, 1, $"cell {n} has unknown cell_type '{type}'."),
            };
            var lang = kind != CellKind.Code ? "" : NormalizeLanguage(
                c["metadata"]?["polyglot_notebook"]?["kernelName"]?.GetValue<string>()
                ?? c["metadata"]?["dotnet_interactive"]?["language"]?.GetValue<string>()
                ?? defaultLanguage);
            cells.Add(new NotebookCell(kind, lang, source) { Json = c });
        }
        return new NotebookDocument { Path = path, Cells = cells, Metadata = meta };
    }

    /// <summary>Parses a .dib file: <c>#!kernel</c> lines open sections; blank lines around each section are dropped.</summary>
    public static NotebookDocument ParseDib(string text, string path)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var cells = new List<NotebookCell>();
        JsonObject? kernelInfo = null;
        string? current = null;
        int start = 0;
        var body = new List<string>();
        void Close()
        {
            if (current is null) { if (body.Any(l => l.Trim().Length > 0)) throw new DataFormatException(path, start + 1, 1, "text before the first '#!kernel' line."); return; }
            var src = string.Join("\n", body).Trim('\n');
            if (current == "meta")
            {
                try { kernelInfo = (JsonNode.Parse(src) as JsonObject)?["kernelInfo"] as JsonObject; }
                catch (JsonException e) { throw new DataFormatException(path, start + 2, 1, "#!meta is not valid JSON: " + e.Message); }
                return;
            }
            var kind = current is "markdown" or "md" ? CellKind.Markdown : CellKind.Code;
            cells.Add(new NotebookCell(kind, kind == CellKind.Markdown ? "" : NormalizeLanguage(current), src));
        }
        for (int i = 0; i < lines.Length; i++)
        {
            var l = lines[i].TrimEnd();
            if (l.StartsWith("#!", StringComparison.Ordinal) && DibKernels.Contains(l[2..]))
            {
                Close();
                current = NormalizeLanguage(l[2..]);
                start = i;
                body.Clear();
                continue;
            }
            body.Add(lines[i]);
        }
        Close();
        var meta = PolyglotMetadata(kernelInfo?["defaultKernelName"]?.GetValue<string>() ?? "csharp");
        return new NotebookDocument { Path = path, Cells = cells, Metadata = meta };
    }

    /// <summary>Kernel names as Polyglot spells them: <c>c#</c> → <c>csharp</c>, <c>f#</c> → <c>fsharp</c>, <c>md</c> → <c>markdown</c>.</summary>
    public static string NormalizeLanguage(string name) => name.Trim().ToLowerInvariant() switch
    {
        "c#" or "cs" or "csharp" => "csharp",
        "f#" or "fs" or "fsharp" => "fsharp",
        "md" or "markdown" => "markdown",
        "powershell" or "pwsh" => "pwsh",
        "js" or "javascript" => "javascript",
        var x => x,
    };

    /// <summary>Notebook metadata as VS Code's Polyglot Notebooks writes it for a C# notebook.</summary>
    public static JsonObject PolyglotMetadata(string defaultKernel = "csharp") => new()
    {
        ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
        ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
        ["polyglot_notebook"] = new JsonObject
        {
            ["kernelInfo"] = new JsonObject
            {
                ["defaultKernelName"] = defaultKernel,
                ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
            },
        },
    };

    /// <summary>Cell metadata as Polyglot writes it for a code cell in <paramref name="language"/>.</summary>
    public static JsonObject CellMetadata(string language) => new()
    {
        ["dotnet_interactive"] = new JsonObject { ["language"] = language },
        ["polyglot_notebook"] = new JsonObject { ["kernelName"] = language },
        ["vscode"] = new JsonObject { ["languageId"] = "polyglot-notebook" },
    };

    /// <summary>The source as nbformat stores it: a list of lines, each but the last ending in "\n".</summary>
    public static JsonArray SourceLines(string source)
    {
        var a = new JsonArray();
        if (source.Length == 0) return a;
        var parts = source.Split('\n');
        for (int i = 0; i < parts.Length; i++)
        {
            var s = i < parts.Length - 1 ? parts[i] + "\n" : parts[i];
            if (s.Length > 0) a.Add(s);
        }
        return a;
    }

    /// <summary>
    /// The notebook as nbformat 4 JSON with the given outputs and execution counts per cell (index = cell index; null =
    /// not run: code cells keep no outputs). Cells read from an .ipynb keep their own metadata and ids.
    /// </summary>
    public string ToIpynb(IReadOnlyList<(JsonArray Outputs, int? ExecutionCount)?>? results = null)
    {
        var cells = new JsonArray();
        for (int i = 0; i < Cells.Count; i++)
        {
            var c = Cells[i];
            var o = c.Json is not null ? (JsonObject)c.Json.DeepClone() : NewCell(c);
            if (c.Kind == CellKind.Code)
            {
                var r = results is not null && i < results.Count ? results[i] : null;
                o["execution_count"] = r?.ExecutionCount is { } n ? JsonValue.Create(n) : null;
                o["outputs"] = r?.Outputs is { } outs ? outs.DeepClone() : new JsonArray();
            }
            cells.Add(o);
        }
        var root = new JsonObject
        {
            ["cells"] = cells,
            ["metadata"] = Metadata.DeepClone(),
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return Serialize(root);
    }

    private static JsonObject NewCell(NotebookCell c) => c.Kind switch
    {
        CellKind.Code => new JsonObject
        {
            ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = CellMetadata(c.Language), ["outputs"] = new JsonArray(),
            ["source"] = SourceLines(c.Source),
        },
        CellKind.Markdown => new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = SourceLines(c.Source) },
        _ => new JsonObject { ["cell_type"] = "raw", ["metadata"] = new JsonObject(), ["source"] = SourceLines(c.Source) },
    };

    /// <summary>JSON indented by one space as Jupyter writes it, non-ASCII kept, with a final newline.</summary>
    public static string Serialize(JsonNode node)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, IndentSize = 1, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            node.WriteTo(w);
        return Encoding.UTF8.GetString(ms.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }
}
