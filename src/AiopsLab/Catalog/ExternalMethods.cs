using AiopsLab.Data;
using AiopsLab.External;
using AiopsLab.Methods;

namespace AiopsLab.Catalog;

/// <summary>
/// Puts methods that run as their own programs (manifests <c>NAME.method.yaml</c>, see docs/external-methods.md) into the
/// <see cref="MethodCatalog"/>, from a folder (<c>--methods-dir</c>, a spec's <c>methods-dir</c>) or from the folders in
/// <c>AIOPSLAB_METHODS</c> (separated by the platform's path separator). They are then used by name like built-in methods.
/// </summary>
public static class ExternalMethods
{
    /// <summary>The environment variable listing methods folders.</summary>
    public const string EnvironmentVariable = "AIOPSLAB_METHODS";

    /// <summary>Registers every manifest in <paramref name="folder"/> (not its subfolders), in name order. Loading the same
    /// folder again is harmless.</summary>
    /// <exception cref="AiopsLabException">Missing folder, a malformed manifest (file:line:column), or a name taken by another method.</exception>
    public static IReadOnlyList<MethodInfo> LoadFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new AiopsLabException($"methods folder '{folder}' does not exist.");
        var files = Directory.GetFiles(folder, "*" + ExternalManifest.FileSuffix).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new AiopsLabException($"methods folder '{folder}' holds no *{ExternalManifest.FileSuffix} manifest.");
        return files.Select(f => Register(ExternalManifest.Load(Path.GetFullPath(f)))).ToArray();
    }

    /// <summary>Registers the manifests of every folder in <c>AIOPSLAB_METHODS</c> (nothing when it is unset).</summary>
    public static IReadOnlyList<MethodInfo> LoadFromEnvironment() =>
        (Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .SelectMany(LoadFolder).ToArray();

    /// <summary>Registers the folders given (relative ones against <paramref name="baseFolder"/>) and those of the environment.</summary>
    public static void Load(IEnumerable<string> folders, string baseFolder = ".")
    {
        foreach (var f in folders) LoadFolder(Path.GetFullPath(f, Path.GetFullPath(baseFolder)));
        LoadFromEnvironment();
    }

    /// <summary>Registers one manifest's method.</summary>
    /// <exception cref="AiopsLabException">Its name is taken by another method.</exception>
    public static MethodInfo Register(ExternalManifest m)
    {
        var info = new MethodInfo(m.Name, m.Kind, typeof(ExternalLocalizer), null, m.Summary, m.Paper, false)
        {
            Source = m.File,
            Factory = p => new ExternalLocalizer(m, p),
            DeclaredOptions = m.Options.Select(o => (o.Name, o.Choices.Count > 0 ? string.Join("|", o.Choices) : o.Type, o.Default)).ToArray(),
        };
        try { return MethodCatalog.Register(info); }
        catch (InvalidOperationException e) { throw new AiopsLabException($"{m.File}: {e.Message}"); }
    }
}
