using Xunit;

namespace AiopsLab.Tests.Infrastructure;

/// <summary>
/// Finds the shared datasets: <c>$AIOPSLAB_DATA</c> if set, else <c>../shared/datasets</c> beside the repository.
/// </summary>
public static class TestData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Root { get; } =
        Environment.GetEnvironmentVariable("AIOPSLAB_DATA") is { Length: > 0 } env
            ? Path.GetFullPath(env)
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "datasets"));

    public static string For(string dataset) => Path.Combine(Root, dataset);

    public static bool Has(string dataset) => Directory.Exists(For(dataset));

    /// <summary>True under CI, where the data must be present: a test that needs it fails instead of skipping.</summary>
    public static bool InCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } v && v != "0" && !v.Equals("false", StringComparison.OrdinalIgnoreCase);

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AiopsLab.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find AiopsLab.sln above " + AppContext.BaseDirectory);
    }

    public static AiopsLab.Datasets.DataRoot DataRoot => new(Root, "tests");
}

/// <summary>
/// A fact that needs shared datasets. Where they are absent it is skipped with a message that names the folder it
/// looked in; under CI (where they must be present) it runs anyway and fails, so missing data never passes silently.
/// </summary>
public sealed class DataFactAttribute : FactAttribute
{
    public DataFactAttribute(params string[] datasets)
    {
        var missing = datasets.Where(d => !TestData.Has(d)).ToArray();
        if (missing.Length > 0 && !TestData.InCi)
            Skip = $"dataset(s) {string.Join(", ", missing)} not found under {TestData.Root} (set AIOPSLAB_DATA to the shared datasets folder).";
    }
}

/// <summary>The theory form of <see cref="DataFactAttribute"/>.</summary>
public sealed class DataTheoryAttribute : TheoryAttribute
{
    public DataTheoryAttribute(params string[] datasets)
    {
        var missing = datasets.Where(d => !TestData.Has(d)).ToArray();
        if (missing.Length > 0 && !TestData.InCi)
            Skip = $"dataset(s) {string.Join(", ", missing)} not found under {TestData.Root} (set AIOPSLAB_DATA to the shared datasets folder).";
    }
}
