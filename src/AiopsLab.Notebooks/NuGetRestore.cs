using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiopsLab.Data;

namespace AiopsLab.Notebooks;

/// <summary>A package named by <c>#r "nuget: Name, Version"</c>.</summary>
public sealed record NuGetPackage(string Name, string Version)
{
    public override string ToString() => Name + ", " + Version;
}

/// <summary>
/// Restores the packages of <c>#r "nuget: …"</c> lines the way a .NET project does: a throw-away project under the temp
/// folder with one PackageReference, <c>dotnet restore</c> with the machine's NuGet configuration (its feeds and
/// package cache), then the runtime assemblies of the package and its dependencies read from
/// <c>obj/project.assets.json</c>. Each (name, version) is restored once per machine and cached under
/// <c>$TMPDIR/aiopslab-notebooks/nuget/NAME/VERSION/</c>.
/// </summary>
public static partial class NuGetRestore
{
    [GeneratedRegex("""^\s*#r\s+"nuget:\s*(?<body>[^"]*)"\s*$""", RegexOptions.CultureInvariant)]
    private static partial Regex NuGetLine();

    /// <summary>True for a <c>#r "nuget: …"</c> line.</summary>
    public static bool IsDirective(string line) => NuGetLine().IsMatch(line);

    /// <summary>Parses <c>#r "nuget: Name, Version"</c>; null when the line is not a NuGet reference.</summary>
    /// <exception cref="AiopsLabException">The line names no exact version, or the name or version is malformed.</exception>
    public static NuGetPackage? Parse(string line)
    {
        var m = NuGetLine().Match(line);
        if (!m.Success) return null;
        var parts = m.Groups["body"].Value.Split(',', StringSplitOptions.TrimEntries);
        var name = parts[0];
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            throw new AiopsLabException($"'{line.Trim()}': '{name}' is not a package name.");
        if (parts.Length < 2 || parts[1].Length == 0)
            throw new AiopsLabException($"'{line.Trim()}': give an exact version, e.g. #r \"nuget: {name}, 1.2.3\" (the runner restores exact versions only).");
        var version = parts[1];
        if (parts.Length > 2 || !version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+'))
            throw new AiopsLabException($"'{line.Trim()}': '{m.Groups["body"].Value}' is not 'Name, Version'.");
        return new NuGetPackage(name, version);
    }

    /// <summary>Cache root: <c>$TMPDIR/aiopslab-notebooks/nuget</c>.</summary>
    public static string CacheRoot => System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aiopslab-notebooks", "nuget");

    private static readonly object Gate = new();

    /// <summary>Restores <paramref name="package"/> (or reads the cache) and returns the full paths of its runtime assemblies and its dependencies'.</summary>
    /// <exception cref="AiopsLabException">dotnet restore failed (its output is in the message), or timed out.</exception>
    public static IReadOnlyList<string> Restore(NuGetPackage package, TimeSpan? timeout = null)
    {
        lock (Gate)
        {
            var dir = System.IO.Path.Combine(CacheRoot, package.Name.ToLowerInvariant(), package.Version.ToLowerInvariant());
            var list = System.IO.Path.Combine(dir, "assemblies.txt");
            if (File.Exists(list))
            {
                var cached = File.ReadAllLines(list).Where(l => l.Length > 0).ToArray();
                if (cached.All(File.Exists)) return cached;
            }
            Directory.CreateDirectory(dir);
            // Outside the checkout: no Directory.Build.props / Directory.Packages.props apply; the machine's NuGet.Config does.
            File.WriteAllText(System.IO.Path.Combine(dir, "restore.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net{Environment.Version.Major}.{Environment.Version.Minor}</TargetFramework>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                    <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>
                    <ImportDirectoryPackagesProps>false</ImportDirectoryPackagesProps>
                    <NoWarn>$(NoWarn);NU1603;NU1701</NoWarn>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="{package.Name}" Version="[{package.Version}]" />
                  </ItemGroup>
                </Project>
                """);
            var (code, output) = Dotnet(dir, ["restore", "restore.csproj", "-nologo", "-v", "quiet"], timeout ?? TimeSpan.FromMinutes(5));
            if (code != 0)
                throw new AiopsLabException($"#r \"nuget: {package}\": dotnet restore failed (exit {code.ToString(CultureInfo.InvariantCulture)}): {Tail(output)}");
            var assemblies = RuntimeAssemblies(System.IO.Path.Combine(dir, "obj", "project.assets.json"));
            File.WriteAllLines(list, assemblies);
            return assemblies;
        }
    }

    /// <summary>Full paths of the runtime assemblies of every package in a restore's <c>project.assets.json</c> (first target).</summary>
    public static IReadOnlyList<string> RuntimeAssemblies(string assetsFile)
    {
        var root = JsonNode.Parse(File.ReadAllText(assetsFile))!.AsObject();
        var folders = root["packageFolders"]!.AsObject().Select(kv => kv.Key).ToArray();
        var libraries = root["libraries"]!.AsObject();
        var target = root["targets"]!.AsObject().First().Value!.AsObject();
        var result = new List<string>();
        foreach (var (key, node) in target.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (node?["type"]?.GetValue<string>() != "package" || node["runtime"] is not JsonObject runtime) continue;
            var libPath = libraries[key]?["path"]?.GetValue<string>() ?? key.ToLowerInvariant();
            foreach (var (rel, _) in runtime)
            {
                if (rel.EndsWith("/_._", StringComparison.Ordinal) || !rel.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) continue;
                var full = folders.Select(f => System.IO.Path.Combine(f, libPath, rel)).FirstOrDefault(File.Exists);
                if (full is null) throw new AiopsLabException($"{assetsFile}: '{libPath}/{rel}' is not in the package folders ({string.Join(", ", folders)}).");
                result.Add(System.IO.Path.GetFullPath(full));
            }
        }
        return result;
    }

    private static (int Code, string Output) Dotnet(string dir, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi) ?? throw new AiopsLabException("could not start 'dotnet'.");
        var sb = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (sb) sb.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (sb) sb.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new AiopsLabException($"dotnet {string.Join(' ', args)} in {dir} did not finish within {timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s.");
        }
        p.WaitForExit();
        lock (sb) return (p.ExitCode, sb.ToString());
    }

    private static string Tail(string s)
    {
        var lines = s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output)" : string.Join(" | ", lines.TakeLast(5));
    }
}
