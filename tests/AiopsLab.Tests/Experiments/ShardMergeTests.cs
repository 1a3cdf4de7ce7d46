using AiopsLab.Experiments;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Experiments;

public class ShardMergeTests
{
    /// <summary>A result file with the wall-clock columns blanked (they differ run to run).</summary>
    internal static string WithoutSeconds(string path, params string[] columns)
    {
        var records = AiopsLab.Data.Csv.ReadRecords(path).Select(r => r.Fields).ToList();
        var drop = columns.Select(c => Array.IndexOf(records[0], c)).Where(i => i >= 0).ToArray();
        Assert.Equal(columns.Length, drop.Length);
        return string.Join("\n", records.Select(f =>
        {
            foreach (var i in drop) if (i < f.Length) f[i] = "";
            return string.Join(",", f);
        }));
    }

    [Fact]
    public void Merged_shards_equal_a_single_process_run()
    {
        var root = CliRunner.TempDir("shards");
        var spec = Path.Combine(root, "exp.yaml");
        File.WriteAllText(spec, RunStoreTests.Small.Replace("cases: 10", "cases: 13", StringComparison.Ordinal));
        string Out(string n) => Path.Combine(root, n);
        Assert.Equal(0, CliRunner.Run("run", spec, "--out", Out("single"), "--jobs", "2").ExitCode);
        for (int i = 1; i <= 3; i++)
        {
            var r = CliRunner.Run("run", spec, "--out", Out("s" + i), "--shard", $"{i}/3", "--jobs", "1");
            Assert.True(r.ExitCode == 0, r.Err);
            Assert.Contains("one shard", r.Err);
        }
        var m = CliRunner.Run("merge", Out("s3"), Out("s1"), Out("s2"), "--out", Out("merged"));
        Assert.True(m.ExitCode == 0, m.Err);
        Assert.Contains("merged 3 store(s): 104 of 104 runs", m.Out);

        Assert.Equal(WithoutSeconds(Path.Combine(Out("single"), "cases.csv"), "seconds"), WithoutSeconds(Path.Combine(Out("merged"), "cases.csv"), "seconds"));
        Assert.Equal(WithoutSeconds(Path.Combine(Out("single"), "summary.csv"), "median_seconds"), WithoutSeconds(Path.Combine(Out("merged"), "summary.csv"), "median_seconds"));
        foreach (var d in new[] { "single", "merged" })
            Assert.Equal(0, CliRunner.Run("report", Out(d), "--no-png", "--ci", "--resamples", "200").ExitCode);
        foreach (var t in new[] { "accuracy.csv", "accuracy.tex", "accuracy.md", "robustness.csv", "settings.csv", "significance-synthetic.csv", "ranks-synthetic.csv" })
            Assert.Equal(File.ReadAllText(Path.Combine(Out("single"), "report", t)), File.ReadAllText(Path.Combine(Out("merged"), "report", t)));
        Assert.Equal(WithoutSeconds(Path.Combine(Out("single"), "report", "runtime.csv"), "median_seconds", "mean_seconds", "p95_seconds", "total_seconds"),
            WithoutSeconds(Path.Combine(Out("merged"), "report", "runtime.csv"), "median_seconds", "mean_seconds", "p95_seconds", "total_seconds"));

        using var store = RunStore.Open(Out("merged"));
        Assert.Equal("ok", store.IntegrityCheck());
        Assert.Equal(4, store.Invocations().Count); // three shards and the merge
    }

    [Fact]
    public void Stores_of_different_experiments_are_not_merged()
    {
        var root = CliRunner.TempDir("merge-bad");
        var a = Path.Combine(root, "a.yaml");
        var b = Path.Combine(root, "b.yaml");
        File.WriteAllText(a, RunStoreTests.Small);
        File.WriteAllText(b, RunStoreTests.Small.Replace("seeds: [0, 3]", "seeds: [0, 4]", StringComparison.Ordinal));
        Assert.Equal(0, CliRunner.Run("run", a, "--out", Path.Combine(root, "A"), "--shard", "1/2").ExitCode);
        Assert.Equal(0, CliRunner.Run("run", b, "--out", Path.Combine(root, "B"), "--shard", "2/2").ExitCode);
        var r = CliRunner.Run("merge", Path.Combine(root, "A"), Path.Combine(root, "B"), "--out", Path.Combine(root, "M"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("holds a different experiment", r.Err);
        Assert.Contains("seeds", r.Err);
        Assert.False(File.Exists(Path.Combine(root, "M", RunStore.FileName)));
    }
}
