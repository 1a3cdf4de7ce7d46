using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using AiopsLab.Experiments;
using AiopsLab.Reporting;
using AiopsLab.Reporting.Figures;
using AiopsLab.Tests.Experiments;
using AiopsLab.Tests.Infrastructure;
using Xunit;
using AiopsLab.Evaluation;

namespace AiopsLab.Tests.Reporting;

/// <summary>A fact that needs headless chromium (plotly.js always comes from Plotly.NET): skipped where absent, except under CI where test.sh installs it.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (TestData.InCi) return;
        if (Chromium.Find() is null) Skip = "chromium is not installed (scripts/install-chromium.sh); the PNG rendering test is skipped.";
    }
}

public class ReportTests
{
    /// <summary>
    /// A store with hand-made rankings: 4 synthetic cases, 5 services each (one metric per service), methods A = random
    /// and B = random(per-service=false) (names only; the rows are written by hand). The root cause is at rank
    /// A: 1, 2, 4, not ranked; B: 3, 1, failed, 1.
    /// </summary>
    private static string KnownStore()
    {
        var dir = CliRunner.TempDir("known");
        var plan = RunStoreTests.Plan("name: known\ndatasets:\n  - name: synthetic\n    options: {cases: 4, services: 5}\nmethods: [random, 'random(per-service=false)']\n");
        using var store = RunStore.Create(dir);
        var reg = store.Register(plan, StoreKind.Experiment, Shard.All, Provenance.Capture("test"), [(DatasetChecksum.Generated, 0, 0)], retry: false);
        int?[][] ranks = [[1, 2, 4, null], [3, 1, -1, 1]]; // -1: failed
        var results = new List<CaseResult>();
        for (int c = 0; c < 4; c++)
        {
            var rc = plan.Datasets[0].Cases[c].RootCause;
            var services = new[] { rc, "x1", "x2", "x3", "x4" };
            var set = new MetricSet(services.Select(s => s + "_cpu").ToArray(), services);
            var rows = new List<RunRow>();
            for (int m = 0; m < 2; m++)
            {
                var r = ranks[m][c];
                if (r == -1) { rows.Add(new RunRow(reg.ConfigRefs[m], 0, 0, RunStatus.Failed, 0.5, 0.1) { Error = "boom" }); continue; }
                // Order: others first, with the root cause (index 0) put at rank r, or left out.
                var order = new List<int> { 1, 2, 3, 4 };
                if (r is { } k) order.Insert(k - 1, 0);
                rows.Add(new RunRow(reg.ConfigRefs[m], 0, 0, RunStatus.Ok, 0.01 * (m + 1), 0.1)
                {
                    Ranking = RankingCodec.Encode(order.ToArray(), order.Select(i => (double)(10 - i)).ToArray()),
                    Rank = r,
                });
            }
            results.Add(new CaseResult(reg.CaseRefs[0][c], new CaseInfo(plan.Datasets[0].Cases[c].FaultType, "resource", rc, null, 5, set), rows));
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
    public void Report_tables_of_a_known_store_hold_the_hand_computed_values()
    {
        var dir = KnownStore();
        var r = CliRunner.Run("report", dir, "--no-png");
        Assert.True(r.ExitCode == 0, r.Err);
        var rep = Path.Combine(dir, "report");
        var acc = ReadCsv(Path.Combine(rep, "accuracy.csv")).Where(x => x["fault"] == "all").ToArray();
        var a = acc.Single(x => x["method"] == "random");
        var b = acc.Single(x => x["method"] == "random(per-service=false)");
        // A: ranks 1, 2, 4, miss. AC@1 = 1/4, AC@3 = 2/4, Avg@5 = (1+2+2+3+3)/(4*5) = 0.55, MRR = (1 + 1/2 + 1/4 + 0)/4.
        Assert.Equal((4, 0.25, 0.5, 0.55, 0.438, 0), (int.Parse(a["runs"], CultureInfo.InvariantCulture), D(a["ac1"]), D(a["ac3"]), D(a["avg5"]), D(a["mrr"]), int.Parse(a["failed"], CultureInfo.InvariantCulture)));
        // B: ranks 3, 1, failed, 1. AC@1 = 2/4, AC@3 = 3/4, Avg@5 = (2+2+3+3+3)/20 = 0.65, MRR = (1/3 + 1 + 0 + 1)/4 = 0.583.
        Assert.Equal((0.5, 0.75, 0.65, 0.583, 1), (D(b["ac1"]), D(b["ac3"]), D(b["avg5"]), D(b["mrr"]), int.Parse(b["failed"], CultureInfo.InvariantCulture)));
        // 5 services: chance Avg@5 = (1/5)(1+2+3+4+5)/5 = 0.6; lift = Avg@5 / 0.6.
        Assert.Equal(0.6, D(a["chance_avg5"]));
        Assert.Equal((0.92, 1.08), (D(a["lift"]), D(b["lift"])));
        // One case per fault type (round-robin cpu, mem, delay, error): the cpu row is case 0.
        var cpuA = ReadCsv(Path.Combine(rep, "accuracy.csv")).Single(x => x["fault"] == "cpu" && x["method"] == "random");
        Assert.Equal((1.0, 1.0), (D(cpuA["ac1"]), D(cpuA["mrr"])));

        // Paired tests on the per-case reciprocal rank: A = (1, 1/2, 1/4, 0), B = (1/3, 1, 0, 1). Differences
        // 2/3, -1/2, 1/4, -1: ranks 3, 2, 1, 4 -> R+ = 4, R- = 6; exact two-sided p = 2 * P(R+ <= 4) = 2 * 7/16 = 0.875.
        var w = ReadCsv(Path.Combine(rep, "significance-synthetic.csv")).Single();
        Assert.Equal((4.0, 6.0, 0.875, "yes"), (D(w["r_plus"]), D(w["r_minus"]), D(w["p"]), w["exact"]));
        // Friedman: each method is better on two cases -> average ranks 1.5 and 1.5.
        Assert.All(ReadCsv(Path.Combine(rep, "ranks-synthetic.csv")), x => Assert.Equal(1.5, D(x["average_rank"])));
        // Runtime: medians of the successful calls, 0.01 s for A, 0.02 s for B (3 ok runs).
        var rt = ReadCsv(Path.Combine(rep, "runtime.csv"));
        Assert.Equal((0.01, 0.02, "1"), (D(rt[0]["median_seconds"]), D(rt[1]["median_seconds"]), rt[1]["failed"]));
    }

    [Fact]
    public void Latex_marks_best_in_bold_and_second_underlined_with_ties()
    {
        var t = new ReportTable
        {
            Title = "t", Label = "tab:t",
            Columns = [new("Method", "method", Key: true), new("Avg@5", "avg5", Better.Higher), new("s", "seconds", Better.Lower), new("n", "n")],
        };
        t.Blocks.Add(
        [
            ["a", TableCell.Number(0.5004, 3), TableCell.Number(2, 1), "10"],
            ["b", TableCell.Number(0.7, 3), TableCell.Number(1, 1), "10"],
            ["c", TableCell.Number(0.69951, 3), TableCell.Number(3, 1), "10"], // shows as 0.700: a visible tie with b
            ["d_x", TableCell.Number(0.6, 3), TableCell.Number(1, 1), "10"],
        ]);
        var tex = t.ToLatex().Split('\n');
        string Row(string m) => tex.Single(l => l.StartsWith(m + " &", StringComparison.Ordinal));
        Assert.Equal(@"a & 0.500 & \underline{2.0} & 10 \\", Row("a"));
        Assert.Equal(@"b & \textbf{0.700} & \textbf{1.0} & 10 \\", Row("b"));
        Assert.Equal(@"c & \textbf{0.700} & 3.0 & 10 \\", Row("c"));
        Assert.Equal(@"d\_x & \underline{0.600} & \textbf{1.0} & 10 \\", Row(@"d\_x"));
        Assert.Contains(@"\toprule", tex);
        Assert.Contains(@"\bottomrule", tex);
        Assert.Contains(@"\midrule", tex);
        var md = t.ToMarkdown();
        Assert.Contains("| b | **0.700** | **1.0** | 10 |", md);
        Assert.Contains("| d_x | <u>0.600</u> | **1.0** | 10 |", md);
        Assert.Equal("method,avg5,seconds,n\na,0.5,2,10\nb,0.7,1,10\nc,0.7,3,10\nd_x,0.6,1,10\n", t.ToCsv());

        // Repeated key cells are blanked only while every key column before them repeats too.
        var pairs = new ReportTable { Title = "p", Label = "tab:p", Columns = [new("A", "a", Key: true), new("B", "b", Key: true), new("p", "p")] };
        pairs.Blocks.Add([["x", "y", "1"], ["x", "z", "2"], ["w", "z", "3"]]);
        Assert.Contains("| x | y | 1 |\n|  | z | 2 |\n| w | z | 3 |", pairs.ToMarkdown());
    }

    [Fact]
    public void Figures_are_written_as_plotly_html_and_json_and_as_svg()
    {
        var root = CliRunner.TempDir("figs");
        var spec = Path.Combine(root, "f.yaml");
        File.WriteAllText(spec, RunStoreTests.Small);
        Assert.Equal(0, CliRunner.Run("run", spec, "--out", Path.Combine(root, "o")).ExitCode);
        var r = CliRunner.Run("report", Path.Combine(root, "o"), "--no-png");
        Assert.True(r.ExitCode == 0, r.Err);
        var rep = Path.Combine(root, "o", "report");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(rep, "accuracy-synthetic.json")));
        var data = json.RootElement.GetProperty("data");
        Assert.Equal(4, data.GetArrayLength()); // AC@1, AC@3, Avg@5, chance line
        Assert.StartsWith("chance Avg@5", data[3].GetProperty("name").GetString());
        Assert.True(File.Exists(Path.Combine(rep, "plotly.min.js")), "plotly.js is not written beside the pages");
        Assert.Equal("bar", data[0].GetProperty("type").GetString());
        Assert.Equal(["random", "random(per-service=false)"], data[0].GetProperty("x").EnumerateArray().Select(e => e.GetString()));
        var html = File.ReadAllText(Path.Combine(rep, "robustness-synthetic.html"));
        Assert.Contains("<script src=\"plotly.min.js\"></script>", html);
        Assert.Contains("Plotly.newPlot", html);
        foreach (var svg in new[] { "robustness-synthetic.svg", "cd-synthetic.svg" })
        {
            var x = XDocument.Parse(File.ReadAllText(Path.Combine(rep, svg))); // well-formed
            Assert.Equal("svg", x.Root!.Name.LocalName);
            Assert.Contains("random(per-service=false)", x.ToString());
        }
        Assert.Contains("random", File.ReadAllText(Path.Combine(rep, "report.md")));
    }

    [ChromiumFact]
    public void Headless_chromium_renders_a_plotly_figure_to_png()
    {
        var dir = CliRunner.TempDir("png");
        PlotlyJs.WriteBeside(dir);
        var fig = new PlotlyFigure
        {
            Title = "test", Width = 640, Height = 400,
            Traces = [new PlotlyTrace { Name = "a", Mode = "lines+markers", X = [0.0, 1.0, 2.0], Y = [0.1, 0.5, 0.9] }],
        };
        var html = Path.Combine(dir, "f.html");
        File.WriteAllText(html, fig.ToHtml());
        var png = Path.Combine(dir, "f.png");
        Chromium.Screenshot(Chromium.Find()!, html, png, fig.Width, fig.Height);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
        // IHDR: width and height, big-endian, at bytes 16..23.
        Assert.Equal(640, (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19]);
        Assert.Equal(400, (bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23]);
        Assert.True(bytes.Length > 8000, $"the PNG is only {bytes.Length} bytes: plotly probably did not draw.");
    }
}

public class SignificanceBlockTests
{
    /// <summary>
    /// Seeds do not multiply the evidence: with 3 seeds of deterministic methods on 6 cases, the paired tests run on
    /// 6 blocks (cases), not 18 (case × seed) pseudo-replicates.
    /// </summary>
    [Fact]
    public void Paired_tests_use_one_block_per_case_whatever_the_number_of_seeds()
    {
        var dir = CliRunner.TempDir("sig-seeds");
        var spec = Path.Combine(dir, "spec.yaml");
        File.WriteAllText(spec, "name: sig\ndatasets:\n  - name: synthetic\n    options: {cases: 6, min-magnitude: 0.5, max-magnitude: 2}\nmethods: [baro, nsigma, random]\nseeds: [0, 1, 2]\n");
        var run = CliRunner.Run("run", spec, "--out", Path.Combine(dir, "out"), "--jobs", "1");
        Assert.True(run.ExitCode == 0, run.Err);
        var rep = CliRunner.Run("report", Path.Combine(dir, "out"), "--no-png");
        Assert.True(rep.ExitCode == 0, rep.Err);
        var md = File.ReadAllText(Path.Combine(dir, "out", "report", "significance-synthetic.md"));
        Assert.Contains("N = 6 cases", md);
    }
}
