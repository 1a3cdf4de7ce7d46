using AiopsLab.Datasets;
using AiopsLab.Methods;

namespace AiopsLab.Benchmarks;

/// <summary>Where benchmarks find the checkout and the shared datasets, and the case several of them time.</summary>
public static class BenchData
{
    public static DataRoot Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable(DataRoot.EnvironmentVariable);
            if (!string.IsNullOrEmpty(env)) return new DataRoot(Path.GetFullPath(env), "$" + DataRoot.EnvironmentVariable);
            var root = FindRepoRoot() is { } dir ? Path.Combine(dir, "..", "shared", "datasets") : "data";
            return new DataRoot(Path.GetFullPath(root), "default ../shared/datasets");
        }
    }

    /// <summary>The checkout (the folder holding AiopsLab.sln above the benchmark's binaries).</summary>
    /// <exception cref="InvalidOperationException">Not run from inside a checkout.</exception>
    public static string RepoRoot() =>
        FindRepoRoot() ?? throw new InvalidOperationException("cannot find AiopsLab.sln above " + AppContext.BaseDirectory);

    private static string? FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AiopsLab.sln"))) dir = dir.Parent;
        return dir?.FullName;
    }

    /// <summary>rcd-sockshop's carts-cpu/1 (574 rows × 38 metrics) as an RCA problem, seed 1: the case the RCA benchmarks time.</summary>
    public static RcaProblem SockShopCase()
    {
        var ds = DatasetCatalog.Open("rcd-sockshop", Root);
        var c = ds.Load(ds.Cases.Single(x => x.Id == "carts-cpu/1"));
        return new RcaProblem(c.Metrics, c.Label.InjectTime, c.CallGraph, c.Naming) { Seed = 1 };
    }
}

/// <summary>Base of the benchmarks that time methods on <see cref="BenchData.SockShopCase"/> (rcd-sockshop's carts-cpu/1).</summary>
public abstract class SockShopCaseBenchmark
{
    /// <summary>The case, once <see cref="LoadCase"/> has run.</summary>
    protected RcaProblem Case { get; private set; } = null!;

    /// <summary>Loads the case; the derived benchmark's global setup calls it.</summary>
    protected void LoadCase() => Case = BenchData.SockShopCase();
}
