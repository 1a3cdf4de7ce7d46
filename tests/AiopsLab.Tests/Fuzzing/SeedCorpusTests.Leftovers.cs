using System.Globalization;
using AiopsLab.Catalog;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Methods;
using AiopsLab.Preparation;
using AiopsLab.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Xunit;

namespace AiopsLab.Tests.Fuzzing;

/// <summary>
/// The repros of issue 16 that its first pass left open: equal configurations under two spellings, the label check of
/// every layout in <c>run</c>, reading a store while a run writes it, and the column limit of the causal-graph methods.
/// </summary>
public sealed partial class SeedCorpusTests
{
    /// <summary>Runs a spec <c>name: t</c> over a fresh generic toy dataset (<see cref="FuzzWorld.Generic"/>) with
    /// <paramref name="rest"/> after its <c>datasets:</c> line, into <c>ROOT/out</c>.</summary>
    private static (string Root, string Data, CliRunner.Result Result) RunSpec(string tag, string rest)
    {
        var (root, data, _) = FuzzWorld.Generic(tag);
        var spec = Path.Combine(root, "spec.yaml");
        File.WriteAllText(spec, $"name: t\ndatasets: [{data}]\n{rest}");
        return (root, data, CliRunner.Run("run", spec, "--out", Path.Combine(root, "out")));
    }

    [Theory]
    [InlineData("baro", "baro(window=0)")]
    [InlineData("nsigma(window=5)", "nsigma(window=+5)")]
    [InlineData("metricsifter+baro", "metricsifter+baro(window=0)")]
    public void D14_two_spellings_of_one_configuration_are_refused(string first, string second)
    {
        var (root, data, r) = RunSpec("d14-equal", $"methods:\n  - \"{first}\"\n  - \"{second}\"\n");
        var outDir = Path.Combine(root, "out");
        FuzzWorld.AssertClean(r, second);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("spec.yaml:5:", r.Err);
        Assert.Contains($"'{second}' is the same configuration as '{first}' listed at line 4", r.Err);
        Assert.False(File.Exists(Path.Combine(outDir, RunStore.FileName)), "nothing may run before the spec is accepted");
        // The command line's --methods goes through the same check.
        var cli = Run(data, outDir, $"{first},{second}");
        FuzzWorld.AssertClean(cli, "--methods");
        Assert.Equal(2, cli.ExitCode);
        Assert.Contains("same configuration", cli.Err);
    }

    [Fact]
    public void D14_effective_spec_drops_defaults_and_keeps_what_differs()
    {
        // Independent of the experiment code: the defaults come from the options class, the spellings from the binder.
        Assert.Equal("baro", MethodCatalog.Effective(MethodSpec.Parse("baro(window=0)")).ToString());
        Assert.Equal("baro(window=5)", MethodCatalog.Effective(MethodSpec.Parse("baro(window=05)")).ToString());
        Assert.Equal("nsigma", MethodCatalog.Effective(MethodSpec.Parse("nsigma(aggregate=max)")).ToString());
        Assert.Equal("nsigma(aggregate=mean)", MethodCatalog.Effective(MethodSpec.Parse("nsigma(aggregate=mean)")).ToString());
        // Two different configurations in one spec still both run.
        var (root, data, _) = FuzzWorld.Generic("d14-distinct");
        var outDir = Path.Combine(root, "out");
        var r = Run(data, outDir, "baro,baro(window=10)");
        FuzzWorld.AssertClean(r, "distinct");
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void D6_run_checks_the_label_of_every_layout_not_only_generic()
    {
        // An RCAEval-layout copy: the root cause comes from the folder name, so 'payment_cpu' names a service with no metrics.
        var root = CliRunner.TempDir("d6-rcaeval");
        var data = Path.Combine(root, "data");
        foreach (var c in new[] { "cart_cpu", "payment_cpu" })
        {
            var dir = Path.Combine(data, c, "1");
            Directory.CreateDirectory(dir);
            File.WriteAllLines(Path.Combine(dir, "data.csv"), FuzzWorld.MetricsLines());
            File.WriteAllText(Path.Combine(dir, "inject_time.txt"), "1020\n");
        }
        var outDir = Path.Combine(root, "out");
        var r = Run(data, outDir, "baro");
        FuzzWorld.AssertClean(r, "run", outDir, ["payment_cpu/1"]);
        Assert.Equal(3, r.ExitCode);
        using var store = RunStore.Open(outDir);
        var runs = store.ReadRuns().ToList();
        Assert.Equal(RunStatus.Ok, runs.Single(o => o.CaseId == "cart_cpu/1").Status);
        var bad = runs.Single(o => o.CaseId == "payment_cpu/1");
        Assert.Equal(RunStatus.Failed, bad.Status);
        Assert.True(bad.DataError);
        Assert.Contains("root cause 'payment' is not a service", bad.Error);
    }

    [Fact]
    public void D11_a_report_while_a_run_writes_the_store_neither_blocks_nor_changes_it()
    {
        var (root, data, _) = FuzzWorld.Generic("d11-reader");
        var outDir = Path.Combine(root, "out");
        Assert.Equal(0, Run(data, outDir, "baro,nsigma").ExitCode);
        string Runs()
        {
            using var s = RunStore.Open(outDir);
            return string.Join("\n", s.ReadRuns().Select(o => $"{o.CaseId} {o.Method} {o.Status} {o.Rank}"));
        }
        var committed = Runs();
        using (var writer = RunStore.Create(outDir))
        {
            // The writer is mid-transaction (a case half written) while the report reads.
            using var tx = writer.Connection.BeginTransaction();
            RunStore.Exec(writer.Connection, "DELETE FROM runs;", tx);
            var rep = CliRunner.Run("report", outDir, "--no-png");
            FuzzWorld.AssertClean(rep, "report during a run");
            Assert.Equal(0, rep.ExitCode);
            Assert.Contains("a run is still writing to this store", rep.Err);
            Assert.Equal(committed, Runs()); // the reader sees the last committed state, not the half-written one
            using (var reader = RunStore.Open(outDir))
            {
                var e = Assert.Throws<SqliteException>(() => RunStore.Exec(reader.Connection, "DELETE FROM meta;"));
                Assert.Contains("readonly", e.Message.Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
            }
            tx.Rollback(); // the writer is not blocked by the reader
        }
        using (var db = new SqliteConnection($"Data Source={Path.Combine(outDir, RunStore.FileName)};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check;";
            Assert.Equal("ok", cmd.ExecuteScalar());
        }
        Assert.Equal(committed, Runs());
        var after = CliRunner.Run("report", outDir, "--no-png");
        Assert.Equal(0, after.ExitCode);
        Assert.DoesNotContain("still writing", after.Err);
    }

    [Fact]
    public void D13_a_case_wider_than_the_graph_column_limit_fails_fast_with_the_reason()
    {
        // 1,600 moving columns: the statistical methods rank it; PC and CIRCA refuse it instead of running towards the timeout.
        var (root, data, bad) = FuzzWorld.Generic("d13-wide");
        int extra = WindowRecipe.GraphColumnLimit + 100;
        var lines = FuzzWorld.MetricsLines();
        var wide = lines.Select((l, i) => l + string.Concat(Enumerable.Range(0, extra).Select(j => i == 0
            ? $",svc{j}_cpu"
            : string.Create(CultureInfo.InvariantCulture, $",{Math.Sin(i * (0.3 + j * 0.001)) + j:0.######}")))).ToList();
        File.WriteAllLines(Path.Combine(bad, "metrics.csv"), wide);
        var outDir = Path.Combine(root, "out");
        var r = Run(data, outDir, "baro,pc-pagerank,circa");
        FuzzWorld.AssertClean(r, "run", outDir);
        Assert.Equal(0, r.ExitCode); // a method's failure is recorded per run; only unreadable cases make exit 3
        using var store = RunStore.Open(outDir);
        var runs = store.ReadRuns().Where(o => o.CaseId == "bad").ToList();
        Assert.Equal(RunStatus.Ok, runs.Single(o => o.Method == "baro").Status);
        foreach (var m in new[] { "pc-pagerank", "circa" })
        {
            var o = runs.Single(x => x.Method == m);
            Assert.Equal(RunStatus.Failed, o.Status);
            Assert.Contains("more than the 1,500 a causal-graph method accepts", o.Error);
        }
    }
}
