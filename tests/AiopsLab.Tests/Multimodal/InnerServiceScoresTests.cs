using System.Globalization;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Reporting;
using AiopsLab.Tests.Experiments;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Multimodal;

/// <summary>AIS@k (Nezha's inner-service level) through the run store, summary.csv and the report.</summary>
public class InnerServiceScoresTests
{
    /// <summary>
    /// 4 synthetic cases; cases 0–2 carry an inner-service label, case 3 none. Inner ranks written by hand:
    /// method A 1, 4, not ranked (and 2 on the unlabelled case, which must not count); method B 2, failed, 1.
    /// </summary>
    private static string InnerStore()
    {
        var dir = CliRunner.TempDir("inner");
        var plan = RunStoreTests.Plan("name: inner\ndatasets:\n  - name: synthetic\n    options: {cases: 4, services: 5}\nmethods: [random, 'random(per-service=false)']\n");
        using var store = RunStore.Create(dir);
        var reg = store.Register(plan, StoreKind.Experiment, Shard.All, Provenance.Capture("test"), [(DatasetChecksum.Generated, 0, 0)], retry: false);
        int?[][] inner = [[1, 4, null, 2], [2, -1, 1, 1]]; // -1: failed
        var results = new List<CaseResult>();
        for (int c = 0; c < 4; c++)
        {
            var rc = plan.Datasets[0].Cases[c].RootCause;
            var services = new[] { rc, "x1", "x2", "x3", "x4" };
            var set = new MetricSet(services.Select(s => s + "_cpu").ToArray(), services);
            var rows = new List<RunRow>();
            for (int m = 0; m < 2; m++)
            {
                if (inner[m][c] == -1) { rows.Add(new RunRow(reg.ConfigRefs[m], 0, 0, RunStatus.Failed, 0.5, 0.1) { Error = "boom", InnerRank = 1 }); continue; }
                rows.Add(new RunRow(reg.ConfigRefs[m], 0, 0, RunStatus.Ok, 0.01, 0.1)
                {
                    Ranking = RankingCodec.Encode([0, 1, 2, 3, 4], [5, 4, 3, 2, 1]), Rank = 1, InnerRank = inner[m][c],
                });
            }
            var info = new CaseInfo(plan.Datasets[0].Cases[c].FaultType, "resource", rc, null, 5, set) { InnerRootCause = c < 3 ? "CpuUsageRate(%)" : null };
            results.Add(new CaseResult(reg.CaseRefs[0][c], info, rows));
        }
        store.Write(results, reg.Invocation);
        store.FinishInvocation(reg.Invocation, "complete", 8);
        return dir;
    }

    private static Dictionary<string, string>[] ReadCsv(string path)
    {
        var recs = AiopsLab.Data.Csv.ReadRecords(path).Select(r => r.Fields).ToList();
        return recs.Skip(1).Select(f => recs[0].Select((h, i) => (h, f[i])).ToDictionary(x => x.h, x => x.Item2)).ToArray();
    }

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public void The_store_keeps_the_inner_label_and_rank_and_summary_csv_scores_AIS_over_the_labelled_runs_only()
    {
        var dir = InnerStore();
        using var store = RunStore.Open(dir);
        var runs = store.ReadRuns().ToList();
        Assert.Equal(6, runs.Count(r => r.InnerRootCause == "CpuUsageRate(%)")); // 3 labelled cases x 2 methods
        Assert.Equal(new int?[] { 1, 4, null, 2 }, runs.Where(r => r.Method == "random").OrderBy(r => r.CaseOrd).Select(r => r.InnerRank));

        ResultFiles.Export(store, dir);
        var all = ReadCsv(Path.Combine(dir, "summary.csv")).Where(x => x["fault"] == "all").ToArray();
        var a = all.Single(x => x["method"] == "random");
        var b = all.Single(x => x["method"] == "random(per-service=false)");
        // A on the 3 labelled cases: ranks 1, 4, miss (the unlabelled case's 2 is not counted): AIS@1 = AIS@3 = 1/3, AIS@5 = 2/3.
        Assert.Equal(("3", 0.3333, 0.3333, 0.6667), (a["inner_cases"], D(a["ais1"]), D(a["ais3"]), D(a["ais5"])));
        // B: 2, failed (a miss whatever rank was stored), 1: AIS@1 = 1/3, AIS@3 = AIS@5 = 2/3.
        Assert.Equal(("3", 0.3333, 0.6667, 0.6667), (b["inner_cases"], D(b["ais1"]), D(b["ais3"]), D(b["ais5"])));
    }

    [Fact]
    public void The_report_has_an_inner_service_table_only_when_a_case_is_labelled()
    {
        var dir = InnerStore();
        using (var store = RunStore.Open(dir))
            ExperimentReport.Write(store, new ReportOptions { OutDir = Path.Combine(dir, "report"), Render = false });
        var b = ReadCsv(Path.Combine(dir, "report", "inner.csv")).Single(x => x["fault"] == "all" && x["method"] == "random(per-service=false)");
        Assert.Equal((3, 0.333, 0.667, 0.667, 1), (int.Parse(b["runs"], CultureInfo.InvariantCulture), D(b["ais1"]), D(b["ais3"]), D(b["ais5"]), int.Parse(b["failed"], CultureInfo.InvariantCulture)));
        Assert.Contains("Inner-service accuracy", File.ReadAllText(Path.Combine(dir, "report", "report.md")));

        var plain = CliRunner.TempDir("no-inner");
        RunStoreTests.RunInto(plain, RunStoreTests.Plan("name: p\ndatasets:\n  - name: synthetic\n    options: {cases: 2, services: 4}\nmethods: [random]\n"));
        using (var store = RunStore.Open(plain))
        {
            ExperimentReport.Write(store, new ReportOptions { OutDir = Path.Combine(plain, "report"), Render = false });
            ResultFiles.Export(store, plain);
        }
        Assert.False(File.Exists(Path.Combine(plain, "report", "inner.csv")));
        Assert.DoesNotContain("ais1", File.ReadLines(Path.Combine(plain, "summary.csv")).First());
    }

    [Fact]
    public void A_version_1_store_reads_as_unlabelled_and_is_upgraded_only_when_opened_for_writing()
    {
        var dir = CliRunner.TempDir("v1");
        RunStoreTests.RunInto(dir, RunStoreTests.Plan("name: v1\ndatasets:\n  - name: synthetic\n    options: {cases: 2, services: 4}\nmethods: [random]\n"));
        RunStoreTests.Downgrade(dir, "ALTER TABLE runs DROP COLUMN inner_rank; ALTER TABLE runs DROP COLUMN kept; ALTER TABLE cases DROP COLUMN inner_root_cause; PRAGMA user_version=1;");
        // Opened for reading (report, merge input): read as it is, without inner-service columns, and left at version 1.
        using (var store = RunStore.Open(dir))
        {
            Assert.False(store.HasInnerColumns);
            var runs = store.ReadRuns().ToList();
            Assert.Equal(2, runs.Count);
            Assert.All(runs, r => Assert.True(r.InnerRootCause is null && r.InnerRank is null && r.Status == RunStatus.Ok));
            ResultFiles.Export(store, dir);
            Assert.Equal(1, RunStoreTests.SchemaVersionOf(store));
        }
        // Opened for writing (a resumed run): upgraded in place, the rows kept.
        using (var store = RunStore.Create(dir))
        {
            Assert.True(store.HasInnerColumns);
            Assert.Equal(RunStore.SchemaVersion, RunStoreTests.SchemaVersionOf(store));
            Assert.Equal(2, store.ReadRuns().Count());
        }
    }
}
