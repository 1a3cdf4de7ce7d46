using System.Diagnostics;
using AiopsLab.Experiments;
using AiopsLab.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Xunit;

namespace AiopsLab.Tests.Experiments;

public class KillSafetyTests
{
    /// <summary>Slow enough that a kill lands mid-run: big synthetic cases (40 services x 3000 steps), one job.</summary>
    private const string Slow = """
        name: slow
        datasets:
          - name: synthetic
            options: { cases: 24, services: 40, normal: 2400, anomalous: 600 }
        methods:
          - random
          - random(per-service=false)
        seeds: [1]
        """;

    private static long Rows(string dir)
    {
        var file = Path.Combine(dir, RunStore.FileName);
        if (!File.Exists(file)) return 0;
        try
        {
            using var c = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM runs;";
            return (long)cmd.ExecuteScalar()!;
        }
        catch (SqliteException) { return 0; } // schema not there yet
    }

    [Fact]
    public void A_run_killed_with_sigkill_leaves_a_valid_store_and_resumes_to_the_uninterrupted_result()
    {
        var root = CliRunner.TempDir("kill");
        var spec = Path.Combine(root, "slow.yaml");
        File.WriteAllText(spec, Slow);
        var killed = Path.Combine(root, "killed");
        var cli = Path.Combine(AppContext.BaseDirectory, "AiopsLab.Cli.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { cli, "run", spec, "--out", killed, "--jobs", "1" }) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var sw = Stopwatch.StartNew();
            // Wait until some cases are committed, then kill -9 (SIGKILL: no cleanup, no finally blocks).
            while (Rows(killed) < 8 && !p.HasExited && sw.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(20);
            Assert.False(p.HasExited, "the run finished before it could be killed; make the spec slower.");
            p.Kill(entireProcessTree: false);
            p.WaitForExit();
        }
        long partial = Rows(killed);
        Assert.InRange(partial, 8, 47);
        Assert.Equal(0, partial % 2); // whole cases only: both methods of a case, or neither

        using (var store = RunStore.Open(killed))
        {
            Assert.Equal("ok", store.IntegrityCheck());
            Assert.Contains(store.Invocations(), i => i.Finished is null); // the killed invocation never finished
        }
        var resumed = CliRunner.Run("run", spec, "--out", killed, "--jobs", "2");
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Contains("resumed:", resumed.Err);

        var clean = Path.Combine(root, "clean");
        Assert.Equal(0, CliRunner.Run("run", spec, "--out", clean, "--jobs", "2").ExitCode);
        Assert.Equal(ShardMergeTests.WithoutSeconds(Path.Combine(clean, "cases.csv"), "seconds"),
            ShardMergeTests.WithoutSeconds(Path.Combine(killed, "cases.csv"), "seconds"));
        Assert.Equal(ShardMergeTests.WithoutSeconds(Path.Combine(clean, "summary.csv"), "median_seconds"),
            ShardMergeTests.WithoutSeconds(Path.Combine(killed, "summary.csv"), "median_seconds"));
        using var s2 = RunStore.Open(killed);
        Assert.Equal("ok", s2.IntegrityCheck());
        Assert.Equal((48L, 48L), s2.Completeness());
    }
}
