using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace AiopsLab.Experiments;

/// <summary>
/// Where a run's results come from (after Merlion's habit of carrying config, commit and time with every result): the
/// AiopsLab git commit and whether the working tree had uncommitted changes, the AiopsLab, .NET and package versions, the
/// OS and CPU, the command line and the time. Stored as JSON with each invocation in the run store, beside the spec text
/// and the dataset checksums. The clock is read here for the record only; no result depends on it.
/// </summary>
public sealed record Provenance
{
    public string? GitCommit { get; init; }
    public bool? GitDirty { get; init; }
    public string AiopsLabVersion { get; init; } = "";
    public string Runtime { get; init; } = "";
    public IReadOnlyDictionary<string, string> Packages { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    public string Os { get; init; } = "";
    public string Architecture { get; init; } = "";
    public string Cpu { get; init; } = "";
    public int Cores { get; init; }
    public string Host { get; init; } = "";
    public string CommandLine { get; init; } = "";
    public string StartedUtc { get; init; } = "";

    private static readonly string[] PackageAssemblies =
        ["MathNet.Numerics", "YamlDotNet", "Microsoft.Data.Sqlite", "SQLitePCLRaw.core", "System.Numerics.Tensors", "System.CommandLine", "Spectre.Console"];

    /// <summary>Captures the provenance of this process. <paramref name="sourceFolder"/>: the AiopsLab checkout (found from the build output when null).</summary>
    public static Provenance Capture(string? commandLine = null, string? sourceFolder = null)
    {
        var src = sourceFolder ?? FindCheckout();
        var (commit, dirty) = src is null ? (null, (bool?)null) : Git(src);
        var packages = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in PackageAssemblies)
        {
            try
            {
                var a = Assembly.Load(name);
                packages[name] = a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
                    ?? a.GetName().Version?.ToString() ?? "?";
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException) { }
        }
        return new Provenance
        {
            GitCommit = commit, GitDirty = dirty,
            AiopsLabVersion = typeof(Provenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0",
            Runtime = RuntimeInformation.FrameworkDescription,
            Packages = packages,
            Os = RuntimeInformation.OSDescription,
            Architecture = RuntimeInformation.OSArchitecture.ToString(),
            Cpu = CpuModel(),
            Cores = Environment.ProcessorCount,
            Host = Environment.MachineName,
            CommandLine = commandLine ?? string.Join(" ", Environment.GetCommandLineArgs().Skip(1)),
            StartedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = false });

    public static Provenance? FromJson(string json)
    {
        try { return JsonSerializer.Deserialize<Provenance>(json); }
        catch (JsonException) { return null; }
    }

    /// <summary>The folder holding AiopsLab.sln above the running assembly, or null (an installed tool).</summary>
    public static string? FindCheckout()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AiopsLab.sln"))) dir = dir.Parent;
        return dir?.FullName;
    }

    private static (string?, bool?) Git(string folder)
    {
        var commit = RunGit(folder, "rev-parse HEAD")?.Trim();
        if (string.IsNullOrEmpty(commit)) return (null, null);
        var status = RunGit(folder, "status --porcelain --untracked-files=no");
        return (commit, status is null ? null : status.Trim().Length > 0);
    }

    private static string? RunGit(string folder, string args)
    {
        try
        {
            var psi = new ProcessStartInfo("git", $"-C \"{folder}\" {args}")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var p = Process.Start(psi);
            if (p is null) return null;
            var o = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            if (!p.WaitForExit(10_000)) { try { p.Kill(); } catch (InvalidOperationException) { } return null; }
            return p.ExitCode == 0 ? o : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException) { return null; }
    }

    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
