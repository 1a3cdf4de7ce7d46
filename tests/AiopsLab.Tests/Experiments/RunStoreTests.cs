using AiopsLab.Datasets;
using AiopsLab.Experiments;
using AiopsLab.Methods;
using AiopsLab.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Xunit;
using AiopsLab.Evaluation;

namespace AiopsLab.Tests.Experiments;

public class RunStoreTests
{
    internal static ExperimentPlan Plan(string yaml) => ExperimentPlan.Build(ExperimentSpec.Parse(yaml, "t.yaml"), TestData.DataRoot);

    internal const string Small = """
        name: small
        datasets:
          - name: synthetic
            options: { cases: 10, services: 5 }
        methods:
          - random
          - random(per-service=false)
        seeds: [0, 3]
        delays: [0, 20]
        """;


    /// <summary>Turns the store in <paramref name="dir"/> into an older schema by running <paramref name="sql"/> on it
    /// (dropping columns, setting <c>user_version</c>): older stores made on demand for the upgrade tests.</summary>
    internal static void Downgrade(string dir, string sql)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = RunStore.FileOf(dir), Pooling = false }.ToString());
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>The schema version (<c>PRAGMA user_version</c>) of an open store.</summary>
    internal static long SchemaVersionOf(RunStore s)
    {
        using var q = s.Connection.CreateCommand();
        q.CommandText = "PRAGMA user_version;";
        return (long)q.ExecuteScalar()!;
    }
    internal static ExperimentRunStats RunInto(string dir, ExperimentPlan plan, int jobs = 2, Shard? shard = null, bool retry = false)
    {
        using var store = RunStore.Create(dir);
        return ExperimentRunner.Run(plan, store, new ExperimentRunOptions { Jobs = jobs, Shard = shard ?? Shard.All, Retry = retry, CommandLine = "test" });
    }

    [Fact]
    public void Rankings_round_trip_through_the_codec()
    {
        int[] idx = [3, 0, 200, 1, 70000];
        double[] scores = [2.5, double.NaN, -1e300, 0, double.PositiveInfinity];
        var (i2, s2) = RankingCodec.Decode(RankingCodec.Encode(idx, scores));
        Assert.Equal(idx, i2);
        Assert.Equal(scores, s2);
    }

    [Fact]
    public void The_store_gives_back_exactly_what_the_in_memory_runner_computes()
    {
        var dir = CliRunner.TempDir("store-rt");
        var plan = Plan(Small);
        var stats = RunInto(dir, plan);
        Assert.Equal(10, stats.CasesRun);
        Assert.Equal(10 * 2 * 2 * 2, stats.RowsWritten);

        using var store = RunStore.Open(dir);
        Assert.Equal("ok", store.IntegrityCheck());
        var stored = store.ReadRuns(rankings: true).ToList();
        Assert.Equal(80, stored.Count);
        var ds = plan.Datasets[0].Dataset;
        foreach (var seed in new long[] { 0, 3 })
            foreach (var delay in new long[] { 0, 20 })
            {
                var mem = Runner.Run(new RunRequest { Dataset = ds, Methods = plan.Methods.Select(MethodSpec.Parse).ToArray(), Seed = seed, Delay = delay }).ToList();
                foreach (var o in mem)
                {
                    var s = stored.Single(d => d.CaseId == o.CaseId && d.Method == o.Method && d.Seed == seed && d.Delay == delay);
                    Assert.Equal(o.Ranking.Select(r => r.Metric), s.Ranking.Select(r => r.Metric));
                    Assert.Equal(o.Ranking.Select(r => r.Score), s.Ranking.Select(r => r.Score));
                    Assert.Equal(o.Services, s.Services);
                    Assert.Equal(o.Rank, s.Rank);                 // the rank stored at write time
                    Assert.Equal(RankingMetrics.RankOf(s.Services, s.RootCause), s.Rank); // and the one the stored ranking gives
                    Assert.Equal(o.MetricRank, s.MetricRank);
                    Assert.Equal(o.AnomalyTime, s.AnomalyTime);
                    Assert.Equal(o.ServiceCount, s.ServiceCount);
                    Assert.Equal(o.RootCauseMetric, s.RootCauseMetric);
                    Assert.Equal(o with { Ranking = s.Ranking, Services = s.Services, Diagnostics = s.Diagnostics, DatasetKey = s.DatasetKey, CaseOrd = s.CaseOrd, ConfigOrd = s.ConfigOrd, LoadSeconds = s.LoadSeconds, Seconds = s.Seconds }, s);
                }
            }
        // Provenance, checksum and spec are recorded.
        var inv = Assert.Single(store.Invocations());
        Assert.Equal("complete", inv.Outcome);
        var prov = Provenance.FromJson(inv.Provenance)!;
        Assert.False(string.IsNullOrEmpty(prov.Runtime));
        Assert.True(prov.Cores > 0);
        Assert.Contains("Microsoft.Data.Sqlite", prov.Packages.Keys);
        Assert.Equal(DatasetChecksum.Generated, store.Datasets()[0].Checksum);
        Assert.Contains("name: small", store.Meta()!.SpecText);
        // Metric names are stored once per distinct column list (synthetic: one per system), not per row.
        Assert.InRange(store.MetricSets().Count, 1, 3);
    }

    [Fact]
    public void A_rerun_skips_done_rows_and_runs_only_what_the_spec_added()
    {
        var dir = CliRunner.TempDir("store-resume");
        var first = RunInto(dir, Plan(Small));
        Assert.Equal(80, first.RowsWritten);
        var again = RunInto(dir, Plan(Small));
        Assert.Equal(0, again.RowsWritten);
        Assert.Equal(10, again.CasesResumed);
        // A new delay: only its rows run.
        var more = RunInto(dir, Plan(Small.Replace("delays: [0, 20]", "delays: [0, 20, 40]", StringComparison.Ordinal)));
        Assert.Equal(40, more.RowsWritten);
        using var store = RunStore.Open(dir);
        Assert.Equal((120L, 120L), store.Completeness());
        // Removing a method hides its rows from the current experiment but keeps them as cache.
        var fewer = RunInto(dir, Plan(Small.Replace("  - random(per-service=false)\n", "", StringComparison.Ordinal)));
        Assert.Equal(0, fewer.RowsWritten);
        using var s2 = RunStore.Open(dir);
        Assert.Equal(40, s2.ReadRuns().Count());
    }

    [Fact]
    public void Failed_rows_are_rows_with_their_error_and_retry_reruns_only_them()
    {
        var data = AiopsLab.Tests.Datasets.UserLayoutTests.MakeGenericDataset(CliRunner.TempDir("retry-data"), badCsvLine: "1004,10,abc,2");
        var yaml = $"datasets: ['{data}']\nmethods: [random, 'random(per-service=false)']\n";
        var dir = CliRunner.TempDir("store-retry");
        var s1 = RunInto(dir, Plan(yaml));
        Assert.Equal(4, s1.RowsWritten);
        Assert.Equal(2, s1.Failures);
        Assert.Single(s1.DataErrors);
        using (var store = RunStore.Open(dir))
        {
            var failed = store.ReadRuns(rankings: true).Where(r => r.Status == RunStatus.Failed).ToList();
            Assert.Equal(2, failed.Count);
            Assert.All(failed, r => Assert.Contains("cannot read 'abc' as a number", r.Error));
            Assert.All(failed, r => Assert.True(r.DataError));
            Assert.All(failed, r => Assert.Empty(r.Ranking)); // never a fallback ranking
            Assert.All(failed, r => Assert.Null(r.Rank));
        }
        Assert.Equal(0, RunInto(dir, Plan(yaml)).RowsWritten);             // a plain rerun: failures count as done
        Assert.Equal(2, RunInto(dir, Plan(yaml), retry: true).RowsWritten); // --retry: only the failed rows again
    }

    [Fact]
    public void The_exported_summary_equals_the_in_memory_summary_of_the_same_outcomes()
    {
        var data = AiopsLab.Tests.Datasets.UserLayoutTests.MakeGenericDataset(CliRunner.TempDir("sum-data"), badCsvLine: "1004,10,abc,2");
        foreach (var (yaml, dataset) in new[] { (Small.Replace("delays: [0, 20]", "delays: [0]", StringComparison.Ordinal).Replace("seeds: [0, 3]", "seeds: [3]", StringComparison.Ordinal), "synthetic"), ($"datasets: ['{data}']\nmethods: [random]\n", data) })
        {
            var plan = Plan(yaml);
            var dir = CliRunner.TempDir("sum");
            using var store = RunStore.Create(dir);
            ExperimentRunner.Run(plan, store, new ExperimentRunOptions { Kind = StoreKind.Shortcut, Jobs = 2 });
            var export = ResultFiles.Export(store, dir).Summary.Select(r => r.Row).ToList();
            var mem = AiopsLab.Evaluation.Summary.Build(Runner.Run(new RunRequest { Dataset = plan.Datasets[0].Dataset, Methods = plan.Methods.Select(MethodSpec.Parse).ToArray(), Seed = plan.Seeds[0] }));
            Assert.Equal(mem.Count, export.Count);
            for (int i = 0; i < mem.Count; i++)
                Assert.Equal(mem[i] with { MedianSeconds = 0 }, export[i] with { MedianSeconds = 0 }); // every score bit for bit
        }
    }

    [Fact]
    public void Shards_are_a_disjoint_cover_of_the_cases()
    {
        var plan = Plan(Small.Replace("cases: 10", "cases: 23", StringComparison.Ordinal) + "\n");
        var all = plan.Units(Shard.All).Select(u => u.Global).ToArray();
        Assert.Equal(23, all.Length);
        foreach (int n in new[] { 1, 2, 3, 5, 30 })
        {
            var parts = Enumerable.Range(1, n).Select(i => plan.Units(new Shard(i, n)).Select(u => u.Global).ToArray()).ToArray();
            Assert.Equal(all, parts.SelectMany(p => p).OrderBy(g => g));           // cover, no duplicates
            Assert.Equal(all.Length, parts.SelectMany(p => p).Distinct().Count()); // disjoint
            Assert.True(parts.Max(p => p.Length) - parts.Min(p => p.Length) <= 1);  // balanced
        }
        Assert.Throws<AiopsLab.Data.AiopsLabException>(() => Shard.Parse("0/4"));
        Assert.Throws<AiopsLab.Data.AiopsLabException>(() => Shard.Parse("5/4"));
        Assert.Equal(new Shard(2, 4), Shard.Parse("2/4"));
    }

    [Fact]
    public void A_store_that_is_not_a_run_store_is_refused()
    {
        var dir = CliRunner.TempDir("notstore");
        using (var c = new SqliteConnection($"Data Source={Path.Combine(dir, RunStore.FileName)};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE x(a);";
            cmd.ExecuteNonQuery();
        }
        Assert.Contains("not an AiopsLab run store", Assert.Throws<AiopsLab.Data.AiopsLabException>(() => RunStore.Create(dir)).Message);
        Assert.Contains("no run store", Assert.Throws<AiopsLab.Data.AiopsLabException>(() => RunStore.Open(CliRunner.TempDir("empty"))).Message);
    }
}
