using AiopsLab.Data;

namespace AiopsLab.Notebooks;

/// <summary>
/// A code cell with its directives taken out: <c>#r "nuget: Name, Version"</c> (packages), <c>#r "path.dll"</c>
/// (assembly files, as written) and a leading <c>#!csharp</c>. Each directive line is replaced by an empty line, so
/// compiler messages keep the cell's line numbers.
/// </summary>
public sealed record CellSource(string Code, IReadOnlyList<NuGetPackage> Packages, IReadOnlyList<string> AssemblyPaths)
{
    /// <summary>Splits a C# cell into code and directives.</summary>
    /// <exception cref="AiopsLabException">A magic command other than <c>#!csharp</c>, an <c>#i</c> line, or a malformed <c>#r</c>.</exception>
    public static CellSource Parse(string source)
    {
        var lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var packages = new List<NuGetPackage>();
        var paths = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            var t = lines[i].Trim();
            if (t.StartsWith("#!", StringComparison.Ordinal))
            {
                if (NotebookDocument.NormalizeLanguage(t[2..]) == "csharp") { lines[i] = ""; continue; }
                throw new AiopsLabException($"line {i + 1}: magic command '{t}' is not supported by the headless runner (only #r and #!csharp are).");
            }
            if (t.StartsWith("#i ", StringComparison.Ordinal) || t.StartsWith("#i\"", StringComparison.Ordinal))
                throw new AiopsLabException($"line {i + 1}: '{t}': package sources cannot be added; the runner restores from the machine's NuGet configuration.");
            if (!t.StartsWith("#r", StringComparison.Ordinal)) continue;
            if (NuGetRestore.Parse(t) is { } p) { packages.Add(p); lines[i] = ""; continue; }
            var rest = t[2..].Trim();
            if (rest.Length < 2 || rest[0] != '"' || rest[^1] != '"' || rest.Length == 2)
                throw new AiopsLabException($"line {i + 1}: '{t}' is not #r \"path.dll\" or #r \"nuget: Name, Version\".");
            paths.Add(rest[1..^1]);
            lines[i] = "";
        }
        return new CellSource(string.Join("\n", lines), packages, paths);
    }
}
