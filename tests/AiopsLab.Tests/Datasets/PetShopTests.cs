using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Experiments;
using AiopsLab.Methods;
using AiopsLab.Tests.Infrastructure;
using Xunit;
using AiopsLab.Evaluation;

namespace AiopsLab.Tests.Datasets;

public class PetShopTests
{
    private static IDataset Open(params string[] options) =>
        DatasetCatalog.Open("petshop", TestData.DataRoot, DatasetOptions.Parse(options));

    [DataFact("petshop")]
    public void Lists_68_issues_per_scenario_and_flags_the_16_without_normal_data()
    {
        var ds = Open();
        Assert.Equal(68, ds.Cases.Count);
        var per = ds.Cases.GroupBy(c => c.System).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(26, per["high_traffic"]);
        Assert.Equal(26, per["low_traffic"]);
        Assert.Equal(8, per["temporal_traffic1"]);
        Assert.Equal(8, per["temporal_traffic2"]);
        var missing = ds.Cases.Where(c => c.Problem is not null).ToArray();
        Assert.Equal(16, missing.Length);
        Assert.All(missing, c => Assert.StartsWith("temporal_traffic", c.System));
        Assert.All(missing, c => Assert.Contains("no normal data", c.Problem));
        Assert.Contains(ds.Notes, n => n.Contains("temporal_traffic1", StringComparison.Ordinal));
        Assert.Equal([("delay", 30), ("error", 32), ("overload", 6)], ds.Cases.GroupBy(c => c.FaultType).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())));
    }

    [DataFact("petshop")]
    public void Cases_without_normal_data_fail_clearly_and_are_not_faked()
    {
        var ds = Open();
        var d = ds.Cases.First(c => c.Problem is not null);
        var e = Assert.Throws<CaseUnavailableException>(() => ds.Load(d));
        Assert.Contains("noissue", e.Message);
        var run = Runner.Run(new RunRequest { Dataset = ds, Methods = [MethodSpec.Parse("random")], Filter = c => c.Id == d.Id }).Single();
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Null(run.Rank);
        // Only when asked do they use their own rows before the SLO violation as normal data.
        var opted = Open("normal=issue-rows");
        var c = opted.Load(opted.Cases.Single(x => x.Id == d.Id));
        Assert.Equal(5, c.Metrics.RowCount);
        Assert.InRange(c.Metrics.RowAtOrAfter(c.Label.InjectTime), 1, 4);
    }

    [DataFact("petshop")]
    public void A_case_is_the_normal_recording_then_the_issue_rows_without_a_gap()
    {
        var ds = Open();
        var d = ds.Cases.First(c => c.Id == "low_traffic/train/issue_0");
        var c = ds.Load(d);
        var root = Path.Combine(TestData.For("petshop"), "dataset", "low_traffic");
        int normalRows = File.ReadLines(Path.Combine(root, "noissue", "metrics.csv")).Skip(4).Count(l => l.Length > 0);
        var issueLines = File.ReadLines(Path.Combine(root, "train", "issue_0", "metrics.csv")).Skip(4).Where(l => l.Length > 0).ToArray();
        Assert.Equal(normalRows + issueLines.Length, c.Metrics.RowCount);
        long first = (long)double.Parse(issueLines[0].Split(',')[0], CultureInfo.InvariantCulture);
        Assert.Equal(first, c.Label.InjectTime);
        int a = c.Metrics.RowAtOrAfter(c.Label.InjectTime);
        Assert.Equal(normalRows, a);
        Assert.Equal(300, c.Metrics.Time[a] - c.Metrics.Time[a - 1]);
        Assert.Null(c.Label.RootCauseMetric);
        Assert.Equal(["PetSite|latency|Average"], c.Slis.Where(s => s.StartsWith("PetSite|latency", StringComparison.Ordinal)).Take(1));
    }

    [DataFact("petshop")]
    public void The_three_row_header_becomes_node_metric_statistic_columns()
    {
        var path = Path.Combine(TestData.For("petshop"), "dataset", "low_traffic", "train", "issue_0", "metrics.csv");
        var header = File.ReadLines(path).Take(3).Select(l => l.Split(',')).ToArray();
        var f = PetShop.ReadMetrics(path);
        Assert.Equal(header[0].Length - 1, f.ColumnCount);
        Assert.Equal($"{header[0][1]}|{header[1][1]}|{header[2][1]}", f.Names[0]);
        Assert.Equal(header[0][1], PetShop.PetShopNaming.ServiceOf(f.Names[0]));
    }

    [DataFact("petshop")]
    public void The_call_graph_has_an_edge_for_each_nonzero_cell()
    {
        var path = Path.Combine(TestData.For("petshop"), "dataset", "low_traffic", "graph.csv");
        var rows = File.ReadAllLines(path).Where(l => l.Length > 0).Skip(1).Select(l => l.Split(',')).ToArray();
        int nonzero = rows.Sum(r => r.Skip(1).Count(v => double.Parse(v, CultureInfo.InvariantCulture) != 0));
        var g = PetShop.ReadGraph(path);
        Assert.Equal(nonzero, g.EdgeCount);
        Assert.InRange(g.NodeCount, 40, 45);
    }

    [Fact]
    public void Fault_types_are_read_from_the_injection_command()
    {
        Assert.Equal("delay", PetShop.FaultOf("aws ssm put-parameter --name '/petstore/searchdelay' --value '1000' --overwrite"));
        Assert.Equal("error", PetShop.FaultOf("aws ssm put-parameter --name '/petstore/searcherrorpercent' --value '50'"));
        Assert.Equal("error", PetShop.FaultOf("sed -i 's/inject = false/inject = true/g' file.py"));
        Assert.Equal("delay", PetShop.FaultOf("sed -i 's/sleep\\(([0-9]+)/sleep(1000/g' x"));
        Assert.Equal("overload", PetShop.FaultOf("python -m issue_dynamo_db_requests --rate 100"));
    }

    [Fact]
    public void A_malformed_target_json_names_the_file()
    {
        var dir = CliRunner.TempDir("petshop-bad");
        var issue = Path.Combine(dir, "dataset", "low_traffic", "train", "issue_0");
        Directory.CreateDirectory(issue);
        File.WriteAllText(Path.Combine(issue, "target.json"), "{\"target\": {\"node\": \"PetSite\"}");
        var e = Assert.Throws<DataFormatException>(() => new PetShop(dir));
        Assert.EndsWith("target.json", e.File);
    }
}
