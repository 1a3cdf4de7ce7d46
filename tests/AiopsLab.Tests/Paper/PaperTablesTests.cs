using AiopsLab.Data;
using AiopsLab.Experiments;
using AiopsLab.Methods;
using AiopsLab.Reporting;
using AiopsLab.Tests.Infrastructure;
using Xunit;
using AiopsLab.Catalog;

namespace AiopsLab.Tests.Paper;

public class PaperTablesTests
{
    private static string PaperSpecs => Path.Combine(TestData.RepoRoot, "experiments", "paper");

    [Fact]
    public void The_gap_is_the_distance_to_the_nearer_reference_and_zero_inside_a_range()
    {
        Assert.Equal(0.02, PaperTables.Gap(0.72, 0.70, "0.61"), 12);
        Assert.Equal(0.01, PaperTables.Gap(0.62, 0.70, "0.61"), 12);
        Assert.Equal(0.0, PaperTables.Gap(0.40, 0.645, "0.33-0.45"), 12);
        Assert.Equal(0.05, PaperTables.Gap(0.28, null, "0.33-0.45"), 12);
        Assert.True(double.IsNaN(PaperTables.Gap(0.5, null, null)));
    }

    [Fact]
    public void Every_reference_figure_names_a_method_of_its_experiment_spec()
    {
        var refs = PaperTables.ReadPublished(Path.Combine(PaperSpecs, "published.yaml"));
        Assert.NotEmpty(refs);
        foreach (var g in refs.GroupBy(r => r.Experiment))
        {
            var spec = ExperimentSpec.Load(Path.Combine(PaperSpecs, g.Key + ".yaml"));
            var methods = spec.Methods.SelectMany(MethodGrid.Expand).Select(m => m.ToString()).ToHashSet(StringComparer.Ordinal);
            foreach (var r in g)
            {
                Assert.Contains(MethodSpec.Parse(r.Method).ToString(), methods);
                Assert.True(r.Published is not null || r.Original is not null, $"{r.Label}: no reference figure.");
            }
        }
    }

    [Fact]
    public void Every_paper_spec_parses_and_names_registered_methods()
    {
        foreach (var f in Directory.GetFiles(PaperSpecs, "*.yaml").Where(f => !f.EndsWith("published.yaml", StringComparison.Ordinal)))
        {
            var spec = ExperimentSpec.Load(f);
            foreach (var m in spec.Methods.SelectMany(MethodGrid.Expand))
                MethodCatalog.CreateLocalizer(m); // throws with the name if anything is unknown
        }
    }

    [Fact]
    public void Python_timings_give_medians_and_ratios_and_bad_cells_name_file_and_line()
    {
        var dir = CliRunner.TempDir("external");
        var path = Path.Combine(dir, PaperExternal.TimingFile);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // baro: Python 0.01, 0.03, 0.05 s (median 0.03), ours 0.001, 0.003, 0.002 s (median 0.002): ratio 15.
        File.WriteAllText(path, "method,case,python_seconds,aiopslab_seconds\nbaro,a,0.01,0.001\nbaro,b,0.05,0.003\nbaro,c,0.03,0.002\n");
        var m = new SortedDictionary<string, string>(StringComparer.Ordinal);
        PaperExternal.Numbers(dir, m);
        Assert.Equal("30.0", m["resPyBaroPyMs"]);
        Assert.Equal("2.0", m["resPyBaroOursMs"]);
        Assert.Equal("15", m["resPyBaroRatio"]);
        Assert.Equal("3", m["resPyCases"]);
        File.WriteAllText(path, "method,case,python_seconds,aiopslab_seconds\nbaro,a,slow,0.001\n");
        var e = Assert.Throws<DataFormatException>(() => PaperExternal.Medians(dir));
        Assert.Equal(2, e.Line);
        Assert.Equal(3, e.Column);
    }

    [Fact]
    public void A_malformed_reference_file_names_the_file_and_line()
    {
        var p = Path.Combine(CliRunner.TempDir("published"), "published.yaml");
        File.WriteAllText(p, "- experiment: sockshop\n  source: x\n  rows:\n    - { label: A, method: baro, group: cpu, published: high }\n");
        var e = Assert.Throws<DataFormatException>(() => PaperTables.ReadPublished(p));
        Assert.Equal(p, e.File);
        Assert.Equal(4, e.Line);
        Assert.Contains("'high'", e.Message);
    }

    [Fact]
    public void The_methods_table_lists_every_registered_method_with_its_paper()
    {
        var t = PaperTables.MethodTable();
        var names = t.Blocks.SelectMany(b => b).Select(r => r[0].Text).ToHashSet(StringComparer.Ordinal);
        // The paper's table lists the methods that rank, reduce or score; anomaly-time sources (detection modes) are not in
        // it, and labellers have their own table (results/paper/labelling, docs/labelling.md).
        Assert.Equal(MethodCatalog.All.Where(m => m.Kind is not (MethodKind.AnomalyTimeSource or MethodKind.Labeller)).Select(m => m.Name).ToHashSet(StringComparer.Ordinal), names);
        Assert.All(t.Blocks.SelectMany(b => b), r => Assert.False(string.IsNullOrWhiteSpace(r[2].Text), $"{r[0].Text} names no paper"));
    }
}

/// <summary>The committed paper tables are exactly what the committed run stores and detection outputs give.</summary>
public class CommittedTablesTests
{
    [Fact]
    public void Paper_tables_regenerate_identically_from_the_committed_results()
    {
        var results = Path.Combine(AiopsLab.Tests.Infrastructure.TestData.RepoRoot, "results");
        var committed = Path.Combine(results, "paper");
        Assert.True(Directory.Exists(committed), "results/paper/ is missing: run ./aiopslab reproduce and commit results/.");
        var tmp = AiopsLab.Tests.Infrastructure.CliRunner.TempDir("paper-tables");
        try
        {
            var published = Path.Combine(AiopsLab.Tests.Infrastructure.TestData.RepoRoot, "experiments", "paper", "published.yaml");
            var written = AiopsLab.Reporting.PaperTables.Write(results, published, tmp).Concat(AiopsLab.Reporting.PaperReproduction.DetectionTables(results, tmp)).ToList();
            Assert.NotEmpty(written);
            foreach (var file in written)
            {
                var name = Path.GetRelativePath(tmp, file).Replace('\\', '/');
                var mine = Path.Combine(committed, name);
                Assert.True(File.Exists(mine), $"results/paper/{name} is not committed.");
                Assert.True(File.ReadAllText(mine) == File.ReadAllText(file), $"results/paper/{name} differs from what the committed results give.");
            }
        }
        finally { Directory.Delete(tmp, true); }
    }
}
