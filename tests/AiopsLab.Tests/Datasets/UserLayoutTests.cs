using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Datasets;

public class UserLayoutTests
{
    internal static string MakeGenericDataset(string dir, string? badCsvLine = null)
    {
        for (int k = 0; k < 2; k++)
        {
            var c = Path.Combine(dir, "case" + k);
            Directory.CreateDirectory(c);
            var lines = new List<string> { "time,frontend_latency,cart_cpu,cart-db_cpu" };
            for (int t = 0; t < 20; t++) lines.Add($"{1000 + t},{10 + (t >= 10 ? 5 : 0)},{1 + (t >= 10 && k == 0 ? 9 : 0)},{2}");
            if (badCsvLine is not null && k == 1) lines[5] = badCsvLine;
            File.WriteAllLines(Path.Combine(c, "metrics.csv"), lines);
            File.WriteAllText(Path.Combine(c, "case.json"),
                $$"""{ "root_cause": "cart", "fault_type": "cpu", "inject_time": 1010, "system": "shop", "root_cause_metric": "cart_cpu", "call_graph": [["frontend", "cart"]] }""");
        }
        return dir;
    }

    [Fact]
    public void The_generic_layout_is_detected_and_loaded()
    {
        var dir = MakeGenericDataset(CliRunner.TempDir("generic"));
        var ds = DatasetCatalog.Open(dir, TestData.DataRoot);
        Assert.IsType<GenericDataset>(ds);
        Assert.Equal(["case0", "case1"], ds.Cases.Select(c => c.Id));
        var c = ds.Load(ds.Cases[0]);
        Assert.Equal(new FaultLabel("cart", "cpu", 1010, "cart_cpu", null), c.Label);
        Assert.True(c.CallGraph!.HasEdge("frontend", "cart"));
        Assert.Equal("cart", c.Naming.ServiceOf("cart-db_cpu"));
    }

    [Fact]
    public void A_malformed_case_json_names_the_file_and_line()
    {
        var dir = CliRunner.TempDir("badjson");
        Directory.CreateDirectory(Path.Combine(dir, "c"));
        File.WriteAllText(Path.Combine(dir, "c", "metrics.csv"), "time,a_x\n1,2\n");
        File.WriteAllText(Path.Combine(dir, "c", "case.json"), "{\n \"root_cause\": \"a\",\n \"fault_type\": \"cpu\"\n \"inject_time\": 1 }");
        var e = Assert.Throws<DataFormatException>(() => DatasetCatalog.Open(dir, TestData.DataRoot));
        Assert.EndsWith("case.json", e.File);
        Assert.Equal(4, e.Line);
    }

    [Fact]
    public void A_case_json_without_a_required_field_says_which()
    {
        var dir = CliRunner.TempDir("nofield");
        Directory.CreateDirectory(Path.Combine(dir, "c"));
        File.WriteAllText(Path.Combine(dir, "c", "case.json"), """{ "root_cause": "a", "inject_time": 1 }""");
        var e = Assert.Throws<DataFormatException>(() => DatasetCatalog.Open(dir, TestData.DataRoot));
        Assert.Contains("'fault_type'", e.Message);
    }

    [Fact]
    public void The_rcaeval_layout_is_detected_and_picks_the_system_service_and_fault_from_the_folders()
    {
        var dir = CliRunner.TempDir("rcaeval");
        var c = Path.Combine(dir, "RE2-OB", "checkoutservice_cpu", "1");
        Directory.CreateDirectory(c);
        File.WriteAllText(Path.Combine(c, "simple_metrics.csv"), "time,checkoutservice_cpu,frontend_latency\n100,1,2\n101,1,2\n102,9,3\n");
        File.WriteAllText(Path.Combine(c, "inject_time.txt"), "102\n");
        var ds = DatasetCatalog.Open(dir, TestData.DataRoot);
        Assert.IsType<RcaEvalDataset>(ds);
        var d = Assert.Single(ds.Cases);
        Assert.Equal(("RE2-OB", "checkoutservice", "cpu"), (d.System, d.RootCause, d.FaultType));
        var fc = ds.Load(d);
        Assert.Equal(102, fc.Label.InjectTime);
        Assert.Equal("checkoutservice_cpu", fc.Label.RootCauseMetric);
    }

    [Fact]
    public void A_folder_of_no_known_layout_is_a_clear_error()
    {
        var dir = CliRunner.TempDir("empty");
        var e = Assert.Throws<AiopsLabException>(() => DatasetCatalog.Open(dir, TestData.DataRoot));
        Assert.Contains("not in a layout AiopsLab knows", e.Message);
    }
}
