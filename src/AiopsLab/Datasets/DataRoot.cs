using AiopsLab.Data;

namespace AiopsLab.Datasets;

/// <summary>
/// Where datasets live on disk: <c>--data-root DIR</c>, else the environment variable <c>AIOPSLAB_DATA</c>, else
/// <c>./data</c>. Each catalog dataset is a folder named after it, in its upstream layout.
/// </summary>
public sealed record DataRoot(string Path, string Source)
{
    public const string EnvironmentVariable = "AIOPSLAB_DATA";

    /// <summary>Resolves the data root; the folder need not exist yet (fetch creates it).</summary>
    public static DataRoot Resolve(string? option)
    {
        if (!string.IsNullOrWhiteSpace(option)) return new DataRoot(System.IO.Path.GetFullPath(option), "--data-root");
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return new DataRoot(System.IO.Path.GetFullPath(env), "$" + EnvironmentVariable);
        return new DataRoot(System.IO.Path.GetFullPath("data"), "default ./data");
    }

    /// <summary>Throws a clear error when the root folder does not exist.</summary>
    public void EnsureExists()
    {
        if (!Directory.Exists(Path))
            throw new AiopsLabException($"data root '{Path}' (from {Source}) does not exist. Set --data-root or ${EnvironmentVariable}, or run 'aiopslab datasets fetch NAME'.");
    }

    public string For(string dataset) => System.IO.Path.Combine(Path, dataset);
}
