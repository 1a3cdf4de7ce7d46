using System.Globalization;
using AiopsLab.Datasets;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Methods;
using AiopsLab.Tests.Datasets;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Cli;

public class CliTests
{
    private static string[] WithRoot(params string[] args) => [.. args, "--data-root", TestData.Root];

    [Fact]
    public void An_unknown_dataset_is_one_clear_error()
    {
        var r = CliRunner.Run(WithRoot("datasets", "info", "no-such-set"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: unknown dataset 'no-such-set'", r.Err);
        Assert.Contains("rcd-sockshop", r.Err); // lists the known names
    }

    [Fact]
    public void An_unknown_method_fails_before_anything_is_written()
    {
        var outDir = Path.Combine(CliRunner.TempDir("badmethod"), "out");
        var r = CliRunner.Run("run", "--dataset", "synthetic", "--methods", "random,nope", "--out", outDir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: unknown method 'nope'", r.Err);
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());
    }

    [Fact]
    public void A_wrong_data_root_is_named()
    {
        var r = CliRunner.Run("run", "--dataset", "rcd-sockshop", "--methods", "random", "--out", CliRunner.TempDir("x"), "--data-root", "/no/such/root");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("data root '/no/such/root'", r.Err);
        Assert.Contains("does not exist", r.Err);
    }

    [Fact]
    public void A_malformed_csv_is_reported_with_file_and_line_and_the_rest_of_the_run_completes()
    {
        var data = UserLayoutTests.MakeGenericDataset(CliRunner.TempDir("badcsv"), badCsvLine: "1004,10,abc,2");
        var outDir = CliRunner.TempDir("badcsv-out");
        var r = CliRunner.Run("run", "--dataset", data, "--methods", "random", "--out", outDir);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains(Path.Combine(data, "case1", "metrics.csv") + ":6:3: cannot read 'abc' as a number", r.Err);
        var rows = File.ReadAllLines(Path.Combine(outDir, "cases.csv"));
        Assert.Equal(3, rows.Length); // header + both cases: the bad one recorded as failed, not dropped
        Assert.Contains(",random,ok,", rows[1]);
        Assert.Contains(",random,failed,", rows[2]);
    }

    [Fact]
    public void Quickstart_writes_both_result_files_with_the_documented_columns()
    {
        var outDir = CliRunner.TempDir("qs");
        var r = CliRunner.Run("quickstart", "--out", outDir, "-D", "cases=8");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(string.Join(",", ResultFiles.CaseColumns), File.ReadLines(Path.Combine(outDir, "cases.csv")).First());
        Assert.Equal(string.Join(",", ResultFiles.SummaryColumns), File.ReadLines(Path.Combine(outDir, "summary.csv")).First());
        Assert.Contains("Avg@5", r.Out);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));
    }

    [Fact]
    public void The_same_command_gives_the_same_tables_whatever_the_number_of_jobs()
    {
        string Run(int jobs)
        {
            var d = CliRunner.TempDir("det");
            var r = CliRunner.Run("quickstart", "--out", d, "-D", "cases=12", "--jobs", jobs.ToString(CultureInfo.InvariantCulture), "--seed", "5");
            Assert.Equal(0, r.ExitCode);
            // seconds differ run to run; everything else must be identical
            return string.Join("\n", File.ReadAllLines(Path.Combine(d, "cases.csv")).Select(l => { var f = l.Split(','); f[7] = ""; return string.Join(",", f); }));
        }
        Assert.Equal(Run(1), Run(2));
    }

    [DataFact("rcd-sockshop", "nezha", "petshop")]
    public void Datasets_info_reports_the_case_counts()
    {
        foreach (var (name, n) in new[] { ("rcd-sockshop", 50), ("nezha", 101), ("petshop", 68) })
        {
            var r = CliRunner.Run(WithRoot("datasets", "info", name));
            Assert.True(r.ExitCode == 0, r.Err);
            Assert.Contains($"cases:    {n}", r.Out);
        }
    }

    [DataFact("rcd-sockshop")]
    public void Run_random_on_rcd_sockshop_writes_both_files_and_scores_near_chance()
    {
        var outDir = CliRunner.TempDir("sock-random");
        var r = CliRunner.Run(WithRoot("run", "--dataset", "rcd-sockshop", "--methods", "random", "--out", outDir));
        Assert.True(r.ExitCode == 0, r.Err);
        var cases = File.ReadAllLines(Path.Combine(outDir, "cases.csv"));
        Assert.Equal(51, cases.Length);
        var summary = File.ReadAllLines(Path.Combine(outDir, "summary.csv"));
        Assert.Contains(summary, l => l.StartsWith("rcd-sockshop,random,all,50,", StringComparison.Ordinal));

        // Over 10 seeds (500 case runs) the mean Avg@5 must be within 0.05 of the mean chance level
        // (1/5)·Σ min(k, n)/n; the standard error of that mean is about 0.016.
        var ds = DatasetCatalog.Open("rcd-sockshop", TestData.DataRoot);
        var all = Enumerable.Range(0, 10).SelectMany(seed => Runner.Run(new RunRequest { Dataset = ds, Methods = [MethodSpec.Parse("random")], Seed = seed })).ToList();
        Assert.All(all, o => Assert.Equal(RunStatus.Ok, o.Status));
        double avg5 = RankingMetrics.AvgAt(all.Select(o => o.Rank).ToArray(), 5);
        double chance = all.Average(o => RankingMetrics.ChanceAvgAt(o.ServiceCount, 5));
        Assert.InRange(avg5, chance - 0.05, chance + 0.05);
    }
}
