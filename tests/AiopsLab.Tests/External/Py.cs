using System.Diagnostics;
using System.Text.RegularExpressions;
using AiopsLab.External;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.External;

/// <summary>
/// The machine's python3, which runs the Python client in these tests: Debian's /usr/bin/python3 when present (a pyenv
/// shim on PATH costs seconds per start on a loaded machine), else the first python3 on PATH. Tests that need it skip
/// with a message where there is none, and fail under CI (which installs it: scripts/install-python.sh).
/// </summary>
public static partial class Py
{
    private static readonly Lazy<string?> Found = new(Find);

    /// <summary>The interpreter's path, or null.</summary>
    public static string? Path => Found.Value;

    public static string ClientFolder => System.IO.Path.Combine(TestData.RepoRoot, "clients", "python");
    public static string Examples => System.IO.Path.Combine(ClientFolder, "examples");
    public static string TestClients => System.IO.Path.Combine(TestData.RepoRoot, "tests", "AiopsLab.Tests", "External", "clients");

    public static string Require() => Path ?? throw new InvalidOperationException("python3 is required here (CI installs it with scripts/install-python.sh).");

    private static string? Find()
    {
        var candidates = new List<string> { "/usr/bin/python3" };
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            candidates.Add(System.IO.Path.Combine(dir, "python3"));
        foreach (var c in candidates.Where(File.Exists))
        {
            try
            {
                using var p = Process.Start(new ProcessStartInfo(c, ["-c", "import sys; print(sys.version_info >= (3, 8))"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
                var text = p.StandardOutput.ReadToEnd();
                if (p.WaitForExit(30_000) && p.ExitCode == 0 && text.Trim() == "True") return c;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        return null;
    }

    /// <summary>A manifest loaded from a file, with its interpreter replaced by <see cref="Path"/>.</summary>
    public static ExternalManifest Load(string manifestPath)
    {
        var m = ExternalManifest.Load(manifestPath);
        return m with { Command = [Require(), .. m.Command.Skip(1)] };
    }

    /// <summary>An example manifest (clients/python/examples/NAME.method.yaml) with the interpreter replaced.</summary>
    public static ExternalManifest Example(string name) => Load(System.IO.Path.Combine(Examples, name + ExternalManifest.FileSuffix));

    /// <summary>Copies a manifest into <paramref name="folder"/> with its command made absolute (interpreter and script).</summary>
    public static string CopyManifest(string manifestPath, string folder)
    {
        var text = File.ReadAllText(manifestPath);
        var src = System.IO.Path.GetDirectoryName(manifestPath)!;
        text = CommandLine().Replace(text, m => $"command: [\"{Require()}\", \"{System.IO.Path.Combine(src, m.Groups[1].Value.Trim())}\"]");
        var dest = System.IO.Path.Combine(folder, System.IO.Path.GetFileName(manifestPath));
        File.WriteAllText(dest, text);
        return dest;
    }

    /// <summary>Writes a manifest for a test client script (tests/…/External/clients/SCRIPT) into <paramref name="folder"/>.</summary>
    public static string WriteManifest(string folder, string name, string script, string extra = "", params string[] args)
    {
        var words = new[] { Require(), System.IO.Path.Combine(TestClients, script) }.Concat(args).Select(w => "\"" + w + "\"");
        var path = System.IO.Path.Combine(folder, name + ExternalManifest.FileSuffix);
        File.WriteAllText(path, $"protocol: 1\nname: {name}\nkind: localizer\ncommand: [{string.Join(", ", words)}]\nsummary: test method\n{extra}");
        return path;
    }

    [GeneratedRegex(@"command:\s*\[\s*python3\s*,\s*([^\]]+)\]")]
    private static partial Regex CommandLine();
}

/// <summary>A fact that needs python3: skipped with a message where it is absent, run (and failing) under CI.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (Py.Path is null && !TestData.InCi) Skip = "python3 not found (neither /usr/bin/python3 nor on PATH); the external-method tests need it.";
    }
}

/// <summary>A fact that needs python3 and datasets.</summary>
public sealed class PythonDataFactAttribute : FactAttribute
{
    public PythonDataFactAttribute(params string[] datasets)
    {
        var missing = datasets.Where(d => !TestData.Has(d)).ToArray();
        if (missing.Length > 0 && !TestData.InCi)
            Skip = $"dataset(s) {string.Join(", ", missing)} not found under {TestData.Root} (set AIOPSLAB_DATA to the shared datasets folder).";
        else if (Py.Path is null && !TestData.InCi) Skip = "python3 not found (neither /usr/bin/python3 nor on PATH); the external-method tests need it.";
    }
}

/// <summary>The theory form of <see cref="PythonFactAttribute"/>.</summary>
public sealed class PythonTheoryAttribute : TheoryAttribute
{
    public PythonTheoryAttribute()
    {
        if (Py.Path is null && !TestData.InCi) Skip = "python3 not found (neither /usr/bin/python3 nor on PATH); the external-method tests need it.";
    }
}
