using AiopsLab.Datasets;

namespace AiopsLab.Benchmarks;

/// <summary>Where benchmarks find the shared datasets.</summary>
public static class BenchData
{
    public static DataRoot Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable(DataRoot.EnvironmentVariable);
            if (!string.IsNullOrEmpty(env)) return new DataRoot(Path.GetFullPath(env), "$" + DataRoot.EnvironmentVariable);
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AiopsLab.sln"))) dir = dir.Parent;
            var root = dir is null ? "data" : Path.Combine(dir.FullName, "..", "shared", "datasets");
            return new DataRoot(Path.GetFullPath(root), "default ../shared/datasets");
        }
    }
}
