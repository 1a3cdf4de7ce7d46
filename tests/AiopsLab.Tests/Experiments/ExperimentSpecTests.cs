using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Experiments;
using AiopsLab.Methods;
using AiopsLab.Tests.Infrastructure;
using Xunit;
using AiopsLab.Catalog;

namespace AiopsLab.Tests.Experiments;

public class ExperimentSpecTests
{
    private static DataRoot Root => TestData.DataRoot;

    private const string Good = """
        name: demo
        description: a test
        datasets:
          - name: synthetic
            options: { cases: 12, services: 6 }
            faults: [cpu, mem]
            limit: 5
          - synthetic
        methods:
          - baro
          - random:
              per-service: [true, false]
        seeds: [0, 7]
        delays: [0, 30]
        windows: [full, 120]
        detection: label
        timeout: 30
        jobs: 2
        """;

    [Fact]
    public void A_good_spec_parses_into_every_field()
    {
        var s = ExperimentSpec.Parse(Good, "demo.yaml");
        Assert.Equal("demo", s.Name);
        Assert.Equal(2, s.Datasets.Count);
        Assert.Equal("12", s.Datasets[0].Options["cases"]);
        Assert.Equal(["cpu", "mem"], s.Datasets[0].Faults!);
        Assert.Equal(5, s.Datasets[0].Limit);
        Assert.Equal([0L, 7L], s.Seeds);
        Assert.Equal([0L, 30L], s.Delays);
        Assert.Equal([Window.Full, new Window(120)], s.Windows);
        Assert.Equal(["label"], s.Detection);
        Assert.Equal(TimeSpan.FromSeconds(30), s.Timeout);
        Assert.Equal(2, s.Jobs);
    }

    [Fact]
    public void A_plan_expands_grids_and_crosses_windows_detection_and_methods()
    {
        var spec = ExperimentSpec.Parse(Good.Replace("  - synthetic\n", "", StringComparison.Ordinal), "demo.yaml");
        var plan = ExperimentPlan.Build(spec, Root);
        Assert.Equal(["baro", "random(per-service=true)", "random(per-service=false)"], plan.Methods);
        Assert.Equal(2 * 1 * 3, plan.Configs.Count); // windows x detection x methods
        Assert.Equal("baro|full|label", plan.Configs[0].Key);
        Assert.Equal("random(per-service=false)|120|label", plan.Configs[^1].Key);
        // faults filter then limit: 5 cases, all cpu or mem
        Assert.Equal(5, plan.Datasets[0].Cases.Count);
        Assert.All(plan.Datasets[0].Cases, c => Assert.Contains(c.FaultType, new[] { "cpu", "mem" }));
        Assert.Equal(5L * 6 * 2 * 2, plan.RunCount);
    }

    [Theory]
    [InlineData("datasets: [synthetic]\nmethods: [random]\nbogus: 1\n", 3, 1, "unknown top-level key 'bogus'")]
    [InlineData("datasets: [synthetic]\nmethods: [random]\nwindows: [full, -5]\n", 3, 17, "a window is 'full' or a positive number of seconds; got '-5'")]
    [InlineData("datasets: [synthetic]\nmethods: [random]\nseeds: [1, x]\n", 3, 12, "'seeds' takes whole numbers; got 'x'")]
    [InlineData("datasets:\n  - name: synthetic\n    filter: cpu\nmethods: [random]\n", 3, 5, "unknown dataset key 'filter'")]
    [InlineData("datasets: [synthetic]\nmethods:\n  - random(per-service=true\n", 3, 5, "unbalanced '('")]
    [InlineData("datasets: [synthetic]\n", 1, 1, "missing key 'methods'")]
    [InlineData("datasets: [synthetic]\nmethods: [random]\ntimeout: soon\n", 3, 10, "'timeout' must be a positive number of seconds")]
    [InlineData("datasets: [synthetic]\nmethods: [random]\nseeds: [1, 1]\n", 3, 8, "seed '1' is listed twice")]
    [InlineData("datasets: [synthetic\nmethods: [random]\n", 2, 1, "unclosed '['")]
    [InlineData("datasets: [synthetic]\nmethods: [random]\nmethods: [random]\n", 3, 1, "Duplicate key methods")]
    public void A_bad_spec_names_file_line_column_and_the_bad_key(string yaml, int line, int column, string message)
    {
        var e = Assert.Throws<DataFormatException>(() => ExperimentSpec.Parse(yaml, "bad.yaml"));
        Assert.Equal("bad.yaml", e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        Assert.Contains(message, e.Message);
        Assert.StartsWith($"bad.yaml:{line}:{column}: ", e.Message);
    }

    [Fact]
    public void An_unknown_method_fails_the_plan_at_its_line_before_anything_runs()
    {
        var spec = ExperimentSpec.Parse("datasets: [synthetic]\nmethods:\n  - random\n  - nope(k=2)\n", "x.yaml");
        var e = Assert.Throws<DataFormatException>(() => ExperimentPlan.Build(spec, Root));
        Assert.Equal((4, 5), (e.Line!.Value, e.Column!.Value));
        Assert.Contains("unknown method 'nope'", e.Message);
        Assert.Contains("random", e.Message); // lists the known ones
    }

    [Fact]
    public void Unknown_names_of_parameters_systems_faults_datasets_and_detection_are_located()
    {
        void Check(string yaml, int line, string text)
        {
            var e = Assert.Throws<DataFormatException>(() => ExperimentPlan.Build(ExperimentSpec.Parse(yaml, "x.yaml"), Root));
            Assert.Equal(line, e.Line);
            Assert.Contains(text, e.Message);
        }
        Check("datasets: [synthetic]\nmethods:\n  - random(speed=3)\n", 3, "unknown parameter of 'random' 'speed'");
        Check("datasets:\n  - name: synthetic\n    systems: [nowhere]\nmethods: [random]\n", 3, "unknown system of 'synthetic' 'nowhere'");
        Check("datasets:\n  - name: synthetic\n    faults: [disk]\nmethods: [random]\n", 3, "unknown fault type or class of 'synthetic' 'disk'");
        Check("datasets: [no-such-set]\nmethods: [random]\n", 1, "unknown dataset 'no-such-set'");
        Check("datasets:\n  - name: synthetic\n    options: {colour: red}\nmethods: [random]\n", 2, "colour");
        Check("datasets: [synthetic]\nmethods: [random]\ndetection: [label, psychic]\n", 3, "unknown detection mode 'psychic'");
        Check("datasets: [synthetic]\nmethods:\n  - random:\n      per-service: [true]\n  - random(per-service=true)\n", 5, "already listed at line 3");
    }

    [Fact]
    public void Grids_take_the_product_in_written_order_and_address_named_stages()
    {
        var entry = ExperimentSpec.Parse("datasets: [synthetic]\nmethods:\n  - random(per-service=true):\n      a: [1, 2]\n      b: [x, y, z]\n", "g.yaml").Methods[0];
        var specs = MethodGrid.Expand(entry).Select(s => s.ToString()).ToArray();
        Assert.Equal(
        [
            "random(a=1,b=x,per-service=true)", "random(a=1,b=y,per-service=true)", "random(a=1,b=z,per-service=true)",
            "random(a=2,b=x,per-service=true)", "random(a=2,b=y,per-service=true)", "random(a=2,b=z,per-service=true)",
        ], specs);

        var staged = ExperimentSpec.Parse("datasets: [synthetic]\nmethods:\n  - red+loc(q=1):\n      red.k: [1, 2]\n      w: [5]\n", "g.yaml").Methods[0];
        Assert.Equal(["red(k=1)+loc(q=1,w=5)", "red(k=2)+loc(q=1,w=5)"], MethodGrid.Expand(staged).Select(s => s.ToString()));

        var bad = ExperimentSpec.Parse("datasets: [synthetic]\nmethods:\n  - loc(q=1):\n      q: [2]\n", "g.yaml").Methods[0];
        var e = Assert.Throws<DataFormatException>(() => MethodGrid.Expand(bad));
        Assert.Contains("already fixes 'q'", e.Message);
        Assert.Equal(4, e.Line);
        var missing = ExperimentSpec.Parse("datasets: [synthetic]\nmethods:\n  - a+b:\n      c.k: [2]\n", "g.yaml").Methods[0];
        Assert.Contains("'c' is not a stage of 'a+b'", Assert.Throws<DataFormatException>(() => MethodGrid.Expand(missing)).Message);
    }

    [Fact]
    public void Every_shipped_spec_parses_and_names_only_methods_that_exist_or_fail_clearly()
    {
        var files = Directory.GetFiles(Path.Combine(TestData.RepoRoot, "experiments"), "*.yaml");
        Assert.Contains(files, f => Path.GetFileName(f) == "quickstart.yaml");
        foreach (var f in files)
        {
            var spec = ExperimentSpec.Load(f);
            foreach (var entry in spec.Methods)
                foreach (var m in MethodGrid.Expand(entry))
                    foreach (var stage in m.Stages)
                    {
                        // Each name is registered, or is one of the methods other branches are adding; either way the
                        // plan would name it with its line if it is missing.
                        if (MethodCatalog.All.Any(x => x.Name == stage.Name)) continue;
                        Assert.Contains(stage.Name, new[] { "baro", "nsigma", "e-diagnosis", "circa", "metricsifter", "pc-pagerank", "rcd" });
                        var e = Assert.Throws<DataFormatException>(() => ExperimentPlan.Build(spec with { Datasets = [new DatasetSpec { Name = "synthetic", Where = SpecLocation.None }] }, Root));
                        Assert.Contains("unknown method", e.Message);
                        Assert.StartsWith(f + ":", e.Message);
                    }
        }
    }
}
