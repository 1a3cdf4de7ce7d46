using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Experiments;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Fuzzing;

/// <summary>
/// The seed corpus of the fuzzing suite: each repro of issue 16 (defects D1–D14), one regression test named after it.
/// Every one goes through the CLI in-process and checks <see cref="FuzzWorld.AssertClean"/> besides its own message.
/// </summary>
public sealed partial class SeedCorpusTests
{
    private static CliRunner.Result Check(string data) => CliRunner.Run("datasets", "check", data);

    private static CliRunner.Result Run(string data, string outDir, string methods = "baro,pc-pagerank") =>
        CliRunner.Run("run", "--dataset", data, "--methods", methods, "--out", outDir, "--jobs", "1");

    [Theory]
    [InlineData("\"call_graph\": \"x\"", "$.call_graph")]
    [InlineData("\"call_graph\": [1, 2]", "$.call_graph[0]")]
    [InlineData("\"call_graph\": [[\"frontend\"]]", "$.call_graph[0]")]
    [InlineData("\"call_graph\": [[\"frontend\", 7]]", "$.call_graph[0][1]")]
    [InlineData("\"service_map\": {\"cart-db\": 1}", "$.service_map['cart-db']")]
    [InlineData("\"service_map\": \"cart\"", "$.service_map")]
    [InlineData("\"inject_time\": \"soon\"", "$.inject_time")]
    [InlineData("\"inject_time\": [1020]", "$.inject_time")]
    [InlineData("\"separator\": \"\"", "$.separator")]
    public void D1_a_wrongly_typed_case_json_is_an_error_naming_the_file_and_json_path(string field, string path)
    {
        var (_, data, bad) = FuzzWorld.Generic("d1");
        var key = field[1..field.IndexOf('"', 1)];
        var json = System.Text.Json.Nodes.JsonNode.Parse(FuzzWorld.CaseJson)!.AsObject();
        json.Remove(key);
        var text = json.ToJsonString().TrimEnd('}') + ", " + field + "}";
        File.WriteAllText(Path.Combine(bad, "case.json"), text);
        var r = Check(data);
        FuzzWorld.AssertClean(r, field);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(Path.Combine(bad, "case.json"), r.Err);
        Assert.Contains(path, r.Err);
    }

    [Theory]
    [InlineData("""{ "2022-08-22 10": {"inject_time": "2022-08-22 10:00:00"} }""", "$['2022-08-22 10']")]
    [InlineData("""{ "h": [5] }""", "$.h[0]")]
    [InlineData("""{ "h": [{"inject_time": 1, "inject_pod": "a", "inject_type": "cpu"}] }""", "$.h[0].inject_time")]
    [InlineData("""[1, 2]""", "$")]
    public void D1_a_wrongly_typed_nezha_fault_list_names_the_json_path(string faultList, string path)
    {
        var dir = CliRunner.TempDir("d1-nezha");
        var day = Path.Combine(dir, "rca_data", "2022-08-22");
        Directory.CreateDirectory(Path.Combine(day, "metric"));
        File.WriteAllText(Path.Combine(day, "2022-08-22-fault_list.json"), faultList);
        var r = Check(dir);
        FuzzWorld.AssertClean(r, faultList);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("2022-08-22-fault_list.json", r.Err);
        Assert.Contains(path, r.Err);
    }

    [Fact]
    public void D1_a_nezha_root_cause_file_that_is_an_array_names_the_file()
    {
        var dir = CliRunner.TempDir("d1-nezha-rc");
        Directory.CreateDirectory(Path.Combine(dir, "rca_data", "2022-08-22", "metric"));
        File.WriteAllText(Path.Combine(dir, "rca_data", "2022-08-22", "2022-08-22-fault_list.json"), "{}");
        Directory.CreateDirectory(Path.Combine(dir, "construct_data"));
        File.WriteAllText(Path.Combine(dir, "construct_data", "root_cause_hipster.json"), "[1]");
        var r = Check(dir);
        FuzzWorld.AssertClean(r, "root_cause array");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("root_cause_hipster.json: at $: expected an object, found an array", r.Err);
    }

    [Theory]
    [InlineData("[1]", "at $: expected an object")]
    [InlineData("""{"target": {"node": "a", "metric": "m", "agg": "avg", "timestamp": "soon"}, "root_cause": {"node": "b"}}""", "$.target.timestamp")]
    [InlineData("""{"target": {"node": "a", "metric": "m", "agg": "avg", "timestamp": 1}, "root_cause": {"node": "b"}, "metadata": "x"}""", "$.metadata")]
    [InlineData("""{"target": {"node": "a", "metric": "m", "agg": "avg", "timestamp": 1}, "root_cause": ["b"]}""", "$.root_cause")]
    public void D1_a_wrongly_typed_petshop_target_json_names_the_json_path(string target, string expected)
    {
        var dir = CliRunner.TempDir("d1-petshop");
        var issue = Path.Combine(dir, "dataset", "low_traffic", "train", "issue_0");
        Directory.CreateDirectory(issue);
        File.WriteAllText(Path.Combine(issue, "target.json"), target);
        var e = Assert.Throws<DataFormatException>(() => new PetShop(dir));
        Assert.EndsWith("target.json", e.File);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("labels/combined_windows.json", "[1]", "at $: expected an object")]
    [InlineData("labels/combined_windows.json", """{ "toy/series.csv": [1, 2] }""", "$['toy/series.csv'][0]")]
    [InlineData("labels/combined_windows.json", """{ "toy/series.csv": [["2024-01-01 01:30:00.000000"]] }""", "[start, end]")]
    [InlineData("config/profiles.json", """{ "standard": {} }""", "missing required field 'CostMatrix'")]
    [InlineData("config/profiles.json", """{ "standard": { "CostMatrix": { "tpWeight": "1", "fpWeight": 0.11, "fnWeight": 1 } } }""", "$.standard.CostMatrix.tpWeight")]
    public void D1_wrongly_typed_nab_label_and_profile_files_name_the_json_path(string file, string text, string expected)
    {
        var root = FuzzWorld.Nab("d1");
        File.WriteAllText(Path.Combine(root, file), text);
        var e = Assert.Throws<DataFormatException>(() => NabCorpus.Open(root));
        Assert.EndsWith(Path.GetFileName(file), e.File);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void D2_a_metrics_file_with_a_header_only_is_a_named_failed_case_not_a_crash()
    {
        var (root, data, bad) = FuzzWorld.Generic("d2");
        File.WriteAllText(Path.Combine(bad, "metrics.csv"), FuzzWorld.Header + "\n");
        var c = Check(data);
        FuzzWorld.AssertClean(c, "check");
        Assert.Equal(3, c.ExitCode);
        Assert.Contains("error: bad:", c.Err);
        var outDir = Path.Combine(root, "out");
        var r = Run(data, outDir);
        FuzzWorld.AssertClean(r, "run", outDir, ["bad"]);
        Assert.Equal(3, r.ExitCode);
    }

    [Fact]
    public void D3_detect_exits_3_and_names_the_cases_it_cannot_read()
    {
        var (root, data, bad) = FuzzWorld.Generic("d3");
        File.WriteAllText(Path.Combine(bad, "metrics.csv"), FuzzWorld.Header + "\n1000,x,1,2,3\n");
        var r = CliRunner.Run("detect", "--dataset", data, "--detectors", "n-sigma", "--out", Path.Combine(root, "out"), "--jobs", "1");
        FuzzWorld.AssertClean(r, "detect");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("failed: bad", r.Err);
    }

    [Theory]
    [InlineData(999)]      // before the data
    [InlineData(1000)]     // at the first row: no normal rows
    [InlineData(1040)]     // after the last row
    [InlineData(-5)]
    public void D4_an_inject_time_outside_the_data_fails_the_case_instead_of_scoring_it(long inject)
    {
        var (root, data, bad) = FuzzWorld.Generic("d4");
        File.WriteAllText(Path.Combine(bad, "case.json"), FuzzWorld.CaseJson.Replace("1020", inject.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var outDir = Path.Combine(root, "out");
        var r = Run(data, outDir);
        FuzzWorld.AssertClean(r, "run", outDir, ["bad"]);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("outside the data", File.ReadAllText(Path.Combine(outDir, "cases.csv")) + r.Err);
    }

    [Fact]
    public void D4_a_one_row_frame_is_not_ranked_by_pc_pagerank()
    {
        var (root, data, bad) = FuzzWorld.Generic("d4-one-row");
        var lines = FuzzWorld.MetricsLines();
        File.WriteAllLines(Path.Combine(bad, "metrics.csv"), [lines[0], lines[20]]);
        var outDir = Path.Combine(root, "out");
        var r = Run(data, outDir, "pc-pagerank");
        FuzzWorld.AssertClean(r, "run", outDir, ["bad"]);
        Assert.Equal(3, r.ExitCode);
    }

    [Fact]
    public void D4_a_window_of_constant_columns_makes_the_localizer_say_it_cannot_rank()
    {
        var (root, data, bad) = FuzzWorld.Generic("d4-constant");
        var lines = new List<string> { FuzzWorld.Header };
        for (int t = 0; t < 40; t++) lines.Add($"{1000 + t},1,2,3,4");
        File.WriteAllLines(Path.Combine(bad, "metrics.csv"), lines);
        var outDir = Path.Combine(root, "out");
        var r = Run(data, outDir, "pc-pagerank");
        FuzzWorld.AssertClean(r, "run", outDir, ["bad"]); // failed (a method failure: exit 0, the case is 'failed'), never 'ok'
        Assert.Contains("nothing to rank", RunStoreErrors(outDir));
    }

    private static string RunStoreErrors(string outDir)
    {
        using var store = RunStore.Open(outDir);
        return string.Join("\n", store.ReadRuns().Select(o => o.Error ?? ""));
    }

    [Fact]
    public void D5_a_duplicate_time_header_is_rejected_not_ranked_as_a_service()
    {
        var (_, data, bad) = FuzzWorld.Generic("d5");
        var lines = FuzzWorld.MetricsLines();
        var doubled = lines.Select((l, i) => i == 0 ? l + ",time" : l + "," + l.Split(',')[0]).ToList();
        File.WriteAllLines(Path.Combine(bad, "metrics.csv"), doubled);
        var r = Check(data);
        FuzzWorld.AssertClean(r, "check");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("metrics.csv:1:6: a second time column", r.Err);
    }

    [Theory]
    [InlineData("\"root_cause\": \"cart\"", "\"root_cause\": \"payment\"", "root cause 'payment' is not a service")]
    [InlineData("\"root_cause_metric\": \"cart_cpu\"", "\"root_cause_metric\": \"cart_mem\"", "root_cause_metric 'cart_mem' is not a column")]
    public void D6_a_label_that_does_not_match_the_data_is_an_error_not_a_miss(string from, string to, string expected)
    {
        var (root, data, bad) = FuzzWorld.Generic("d6");
        File.WriteAllText(Path.Combine(bad, "case.json"), FuzzWorld.CaseJson.Replace(from, to, StringComparison.Ordinal));
        var c = Check(data);
        FuzzWorld.AssertClean(c, "check");
        Assert.Equal(3, c.ExitCode);
        Assert.Contains(expected, c.Err);
        Assert.Contains(Path.Combine(bad, "case.json"), c.Err);
        var outDir = Path.Combine(root, "out");
        var r = Run(data, outDir, "baro");
        FuzzWorld.AssertClean(r, "run", outDir, ["bad"]);
        Assert.Equal(3, r.ExitCode);
    }

    [Theory]
    [InlineData("../good/metrics.csv")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../x.csv")]
    public void D6_a_metrics_path_that_leaves_the_case_folder_is_refused(string metrics)
    {
        var (_, data, bad) = FuzzWorld.Generic("d6-path");
        File.WriteAllText(Path.Combine(bad, "case.json"), FuzzWorld.CaseJson.TrimEnd('}') + $", \"metrics\": \"{metrics}\" }}");
        var r = Check(data);
        FuzzWorld.AssertClean(r, "check");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("case.json", r.Err);
        Assert.True(r.Err.Contains("must be a relative path inside", StringComparison.Ordinal) || r.Err.Contains("leaves the folder", StringComparison.Ordinal), r.Err);
        Assert.DoesNotContain("root:", r.Err); // nothing of /etc/passwd echoed
    }

    [Fact]
    public void D6_a_reversed_nab_window_is_refused()
    {
        var root = FuzzWorld.Nab("d6");
        File.WriteAllText(Path.Combine(root, "labels", "combined_windows.json"),
            """{ "toy/series.csv": [["2024-01-01 02:00:00.000000", "2024-01-01 01:30:00.000000"]] }""");
        var e = Assert.Throws<DataFormatException>(() => NabCorpus.Open(root));
        Assert.Contains("$['toy/series.csv'][0]: the window ends before it starts", e.Message);
    }

    [Fact]
    public void D7_a_huge_bad_cell_is_cut_in_the_message_and_the_store()
    {
        var (root, data, bad) = FuzzWorld.Generic("d7");
        var lines = FuzzWorld.MetricsLines();
        lines[3] = "1002," + new string('z', 200_000) + ",1,2,3";
        File.WriteAllLines(Path.Combine(bad, "metrics.csv"), lines);
        var c = Check(data);
        FuzzWorld.AssertClean(c, "check");
        Assert.Contains("more characters cut]", c.Err);
        Assert.True(c.Err.Length < 10_000, $"stderr has {c.Err.Length} characters");
        var outDir = Path.Combine(root, "out");
        var r = Run(data, outDir, "baro");
        FuzzWorld.AssertClean(r, "run", outDir, ["bad"]);
        Assert.True(r.Err.Length < 20_000);
        Assert.True(RunStoreErrors(outDir).Length < 10_000);
    }

    [Fact]
    public void D8_a_symlink_loop_in_a_dataset_folder_is_walked_once()
    {
        var (root, data, _) = FuzzWorld.Generic("d8");
        Directory.CreateSymbolicLink(Path.Combine(data, "good", "loop"), data);
        var c = Check(data);
        FuzzWorld.AssertClean(c, "check");
        Assert.Equal(0, c.ExitCode);
        Assert.Contains("2 cases loaded", c.Out);
        var (_, files, _) = DatasetChecksum.OfFolder(data);
        Assert.Equal(4, files);
        var outDir = Path.Combine(root, "out");
        var r = Run(data, outDir, "baro");
        FuzzWorld.AssertClean(r, "run", outDir, []);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void D9_an_out_that_is_a_file_is_a_clear_error_for_every_command()
    {
        var (root, data, _) = FuzzWorld.Generic("d9");
        var file = Path.Combine(root, "a-file");
        File.WriteAllText(file, "x");
        var before = FuzzWorld.Snapshot(root);
        foreach (var args in new[]
        {
            new[] { "run", "--dataset", data, "--methods", "baro", "--out", file },
            ["detect", "--dataset", data, "--detectors", "n-sigma", "--out", file],
            ["report", Path.Combine(root, "nope"), "--out", file],
        })
        {
            var r = CliRunner.Run(args);
            FuzzWorld.AssertClean(r, args[0]);
            Assert.Equal(2, r.ExitCode);
        }
        Assert.Empty(Directory.GetDirectories(root, "*.tmp-*"));
        FuzzWorld.AssertNoWritesOutside(root, before);
        var detect = CliRunner.Run("detect", "--dataset", data, "--detectors", "n-sigma", "--out", file);
        Assert.Contains("is a file, not a folder", detect.Err);
    }

    [Theory]
    [InlineData("../../escape")]
    [InlineData("/tmp/abs-name")]
    [InlineData("..")]
    public void D10_a_spec_name_cannot_write_outside_out(string name)
    {
        var (root, data, _) = FuzzWorld.Generic("d10");
        var spec = Path.Combine(root, "spec.yaml");
        File.WriteAllText(spec, $"name: {name}\ndatasets: [{data}]\nmethods: [baro]\n");
        var before = FuzzWorld.Snapshot(root);
        var r = CliRunner.Run("run", spec);
        FuzzWorld.AssertClean(r, "run");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'name' must be a plain folder name", r.Err);
        FuzzWorld.AssertNoWritesOutside(root, before);
    }

    [Fact]
    public void D11_a_second_writer_on_one_store_is_refused_and_a_damaged_store_is_a_clean_error()
    {
        var (root, data, _) = FuzzWorld.Generic("d11");
        var outDir = Path.Combine(root, "out");
        Assert.Equal(0, Run(data, outDir, "baro").ExitCode);
        using (RunStore.Create(outDir))
        {
            var second = Run(data, outDir, "baro");
            FuzzWorld.AssertClean(second, "second writer");
            Assert.Equal(2, second.ExitCode);
            Assert.Contains("another process is writing to the run store", second.Err);
        }
        // A stale temporary of a killed export (a pid that cannot be running) is removed on the next run.
        var stale = Path.Combine(outDir, "cases.csv.999999999.tmp");
        File.WriteAllText(stale, "half");
        Assert.Equal(0, Run(data, outDir, "baro").ExitCode);
        Assert.False(File.Exists(stale));
        // A dropped table: the report is an error (exit 2), not an internal error.
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(outDir, "runs.db")};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "DROP TABLE runs;";
            cmd.ExecuteNonQuery();
        }
        var rep = CliRunner.Run("report", outDir, "--no-png");
        FuzzWorld.AssertClean(rep, "report on a damaged store");
        Assert.Equal(2, rep.ExitCode);
    }

    [Fact]
    public void D13_degenerate_inputs_fail_early_instead_of_running_to_the_timeout()
    {
        // A one-row generic case: the label check refuses it before any method runs (the one-row PetShop issue, whose
        // label is fine, is D13_pc_pagerank_on_a_clique_of_identical_columns_fails_the_run_with_the_reason).
        var (root, data, bad) = FuzzWorld.Generic("d13");
        var lines = FuzzWorld.MetricsLines();
        File.WriteAllLines(Path.Combine(bad, "metrics.csv"), [lines[0], lines[21]]);
        var outDir = Path.Combine(root, "out");
        var r = Run(data, outDir, "pc-pagerank,circa");
        FuzzWorld.AssertClean(r, "run", outDir, ["bad"]);
        Assert.Equal(3, r.ExitCode);
        var errors = RunStoreErrors(outDir);
        Assert.Contains("outside the data", errors);
    }

    [Theory]
    [InlineData("seeds: 3", "write [3] for the one value 3")]
    [InlineData("seeds: [-1]", "whole numbers ≥ 0")]
    [InlineData("delays: [-30]", "whole numbers ≥ 0")]
    public void D14_seeds_and_delays_are_unambiguous_and_not_negative(string line, string expected)
    {
        var (_, _, r) = RunSpec("d14", $"methods: [baro]\n{line}\n");
        FuzzWorld.AssertClean(r, line);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Err);
        Assert.Contains("spec.yaml", r.Err);
    }

    [Fact]
    public void D14_a_json_syntax_error_reports_one_position_one_based()
    {
        var e = Assert.Throws<DataFormatException>(() => JsonFile.Parse("x.json", "{\n  \"a\": 1,\n  \"b\": ]\n}"));
        Assert.Equal(3, e.Line);
        Assert.DoesNotContain("LineNumber", e.Message);
    }

    [Fact]
    public void D14_header_only_nab_data_says_no_rows()
    {
        var root = FuzzWorld.Nab("d14");
        File.WriteAllText(Path.Combine(root, "data", "toy", "series.csv"), "timestamp,value\n");
        var corpus = NabCorpus.Open(root);
        var e = Assert.Throws<DataFormatException>(() => corpus.Load("toy/series.csv"));
        Assert.Contains("no rows", e.Message);
    }

    [Fact]
    public void D14_report_on_a_runs_db_folder_says_it_is_a_folder()
    {
        var dir = CliRunner.TempDir("d14-report");
        Directory.CreateDirectory(Path.Combine(dir, "runs.db"));
        var r = CliRunner.Run("report", dir);
        FuzzWorld.AssertClean(r, "report");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is a folder", r.Err);
    }
}
