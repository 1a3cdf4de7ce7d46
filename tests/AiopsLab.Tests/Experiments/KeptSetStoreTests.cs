using AiopsLab.Data;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Reporting;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Experiments;

/// <summary>
/// The metrics a reducer kept (<c>metricsifter+baro</c>) are stored per run (schema 3's <c>kept</c> column), read back,
/// written by the report (<c>kept.csv</c>), and a schema-2 store still reads (without kept sets) and is upgraded only
/// when opened for writing.
/// </summary>
public class KeptSetStoreTests
{
    private const string Spec = "name: k\ndatasets:\n  - name: synthetic\n    options: {cases: 3, services: 4}\nmethods: [metricsifter+baro, baro]\n";

    [Fact]
    public void Kept_sets_round_trip_through_the_store_and_match_what_the_localizer_ranked()
    {
        var dir = CliRunner.TempDir("kept");
        RunStoreTests.RunInto(dir, RunStoreTests.Plan(Spec));
        using var store = RunStore.Open(dir);
        Assert.True(store.HasKeptColumn);
        var runs = store.ReadRuns(rankings: true).ToList();
        Assert.Equal(6, runs.Count);
        foreach (var r in runs)
        {
            Assert.Equal(RunStatus.Ok, r.Status);
            if (!r.Method.StartsWith("metricsifter", StringComparison.Ordinal)) { Assert.Null(r.Kept); continue; }
            Assert.NotNull(r.Kept);
            // The localizer ranks exactly the columns it was given: the stored kept set is that set, and its size is
            // the run's metrics_after diagnostic (computed by the reducer composition, not by the store).
            Assert.Equal(r.Kept!.Order(StringComparer.Ordinal), r.Ranking.Select(m => m.Metric).Order(StringComparer.Ordinal));
            Assert.Equal(r.Diagnostics["metrics_after"], r.Kept.Count);
            Assert.True(r.Kept.Count <= r.Diagnostics["metrics_before"]);
        }
        Assert.Contains(runs, r => r.Kept is { } k && k.Count < r.Diagnostics["metrics_before"]);
        // Without decoding rankings the kept sets are read too (the report reads that way).
        Assert.Equal(runs.Select(r => r.Kept?.Count), store.ReadRuns().Select(r => r.Kept?.Count));

        var report = Path.Combine(dir, "report");
        ExperimentReport.Write(store, new ReportOptions { OutDir = report, Render = false });
        var lines = File.ReadAllLines(Path.Combine(report, "kept.csv"));
        Assert.Equal(string.Join(",", KeptSets.Columns), lines[0]);
        Assert.Equal(3, lines.Length - 1);
        var first = runs.First(r => r.Kept is not null);
        Assert.Contains(lines, l => l.Contains(first.CaseId, StringComparison.Ordinal) && l.EndsWith(string.Join(";", first.Kept!), StringComparison.Ordinal));
        Assert.Contains("Kept metrics", File.ReadAllText(Path.Combine(report, "report.md")));
    }

    [Fact]
    public void A_version_2_store_reads_without_kept_sets_and_is_upgraded_only_when_opened_for_writing()
    {
        var dir = CliRunner.TempDir("kept-v2");
        RunStoreTests.RunInto(dir, RunStoreTests.Plan(Spec));
        RunStoreTests.Downgrade(dir, "ALTER TABLE runs DROP COLUMN kept; PRAGMA user_version=2;");
        using (var store = RunStore.Open(dir))
        {
            Assert.False(store.HasKeptColumn);
            Assert.True(store.HasInnerColumns);
            var runs = store.ReadRuns(rankings: true).ToList();
            Assert.Equal(6, runs.Count);
            Assert.All(runs, r => Assert.Null(r.Kept));
            ExperimentReport.Write(store, new ReportOptions { OutDir = Path.Combine(dir, "report"), Render = false });
            Assert.False(File.Exists(Path.Combine(dir, "report", "kept.csv")));
            Assert.Equal(2, RunStoreTests.SchemaVersionOf(store));
        }
        using (var store = RunStore.Create(dir))
        {
            Assert.True(store.HasKeptColumn);
            Assert.Equal(RunStore.SchemaVersion, RunStoreTests.SchemaVersionOf(store));
            Assert.Equal(6, store.ReadRuns().Count());
        }
        // A resumed run fills nothing in (all rows are done), and the old rows read with a NULL kept set.
        RunStoreTests.RunInto(dir, RunStoreTests.Plan(Spec));
        using (var store = RunStore.Open(dir)) Assert.All(store.ReadRuns(), r => Assert.Null(r.Kept));
    }

    [Fact]
    public void Index_lists_encode_compactly_and_are_told_apart_from_rankings()
    {
        int[] idx = [0, 5, 127, 128, 300, 70000];
        var blob = RankingCodec.EncodeIndices(idx);
        Assert.Equal(idx, RankingCodec.DecodeIndices(blob));
        Assert.Equal(1 + 1 + 1 + 1 + 1 + 2 + 2 + 3, blob.Length); // format, count, then 1-3 varint bytes each
        Assert.Empty(RankingCodec.DecodeIndices(RankingCodec.EncodeIndices([])));
        Assert.Throws<AiopsLabException>(() => RankingCodec.DecodeIndices(RankingCodec.Encode([1, 2], [0.5, 0.25])));
        Assert.Throws<AiopsLabException>(() => RankingCodec.DecodeIndices([.. blob, 0]));
    }
}
