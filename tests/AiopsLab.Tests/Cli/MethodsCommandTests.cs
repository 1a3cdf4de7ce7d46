using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Methods;
using AiopsLab.Rca;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Cli;

/// <summary><c>aiopslab methods</c>, the README's generated method table, detection modes as registered methods, and
/// the messages a bad option gives.</summary>
public class MethodsCommandTests
{
    private const string Begin = "<!-- methods:begin (aiopslab methods --markdown) -->\n", End = "<!-- methods:end -->";

    [Fact]
    public void The_readme_method_table_is_the_generated_one()
    {
        var r = CliRunner.Run("methods", "--markdown");
        Assert.Equal(0, r.ExitCode);
        var readme = File.ReadAllText(Path.Combine(TestData.RepoRoot, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        int b = readme.IndexOf(Begin, StringComparison.Ordinal), e = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(b >= 0 && e > b, "README.md lacks the generated method table's markers.");
        Assert.Equal(r.Out, readme[(b + Begin.Length)..e]);
        // Every registered method has its row (the table is the catalog, not a hand-kept list).
        foreach (var m in MethodCatalog.All) Assert.Contains($"| `{m.Name}` | {m.Kind.Text()} |", r.Out);
    }

    [Fact]
    public void The_list_shows_every_kind_and_a_shared_name_shows_both_methods()
    {
        var list = CliRunner.Run("methods");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("anomaly-time", list.Out);
        Assert.Contains("first-alarm", list.Out);
        var both = CliRunner.Run("methods", "bocpd");
        Assert.Equal(0, both.ExitCode);
        Assert.Contains("bocpd (detector)", both.Out);
        Assert.Contains("bocpd (anomaly-time)", both.Out);
        Assert.Contains("lambda", both.Out);
    }

    [Fact]
    public void Detection_modes_are_built_from_the_catalog()
    {
        Assert.Null(AnomalyTimeSources.Create("label"));
        Assert.IsType<BaroAnomalyDetector>(AnomalyTimeSources.Create("bocpd"));
        Assert.Equal("bocpd(lambda=100)", MethodSpec.Parse("bocpd(lambda=100)").ToString());
        Assert.IsType<BaroAnomalyDetector>(AnomalyTimeSources.Create("bocpd(lambda=100)"));
        var fa = AnomalyTimeSources.Create("first-alarm(detector=spot( q = 0.001 ),threshold=2.5)")!;
        Assert.Equal("first-alarm(detector=spot(q=0.001),threshold=2.5)", fa.Name);
        // The form an experiment's { detector, threshold } mapping records is the one earlier results carry.
        Assert.Equal("first-alarm(detector=spot(q=0.001),threshold=2.5)", DetectorAlarmSource.Canonical("spot(q=0.001)", 2.5));
        var e = Assert.Throws<UnknownNameException>(() => AnomalyTimeSources.Create("psychic"));
        Assert.Contains("bocpd", e.Message);
        Assert.Contains("first-alarm", e.Message);
        // A detector with no alarm threshold of its own needs one.
        var noOwn = MethodCatalog.OfKind(MethodKind.Detector).FirstOrDefault(m => MethodCatalog.CreateDetector(m.Name) is not IAlarmThreshold);
        if (noOwn is not null)
            Assert.Contains("give threshold", Assert.Throws<AiopsLabException>(() => AnomalyTimeSources.Create($"first-alarm(detector={noOwn.Name})")).Message);
    }

    [Fact]
    public void A_name_of_another_kind_is_named_as_such()
    {
        Assert.Contains("is a detector, not a root-cause localizer", Assert.Throws<AiopsLabException>(() => MethodCatalog.Find("spot", MethodKind.Localizer)).Message);
        Assert.Contains("the last stage must be a root-cause localizer; 'spot' is a detector", Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateLocalizer("spot")).Message);
        Assert.Contains("'baro' is a localizer, not an anomaly detector", Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateDetector("baro")).Message);
        Assert.Contains("'random' is a localizer, not an anomaly-time source", Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateAnomalyTimeSource("random")).Message);
    }

    [Fact]
    public void A_bad_option_names_the_method_once()
    {
        var r = CliRunner.Run("run", "--dataset", "synthetic", "--methods", "baro(window=-1)", "--out", CliRunner.TempDir("badopt"), "--dry-run");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("method 'baro': window must be ≥ 0.", r.Err);
        Assert.DoesNotContain("baro: baro", r.Err.Replace("'", "", StringComparison.Ordinal));
        Assert.Equal("method 'spot': q must be in (0, 1).", Assert.Throws<AiopsLabException>(() => MethodCatalog.CreateDetector("spot(q=2)")).Message);
    }

    [Fact]
    public void Window_seconds_has_its_unit_in_its_name_and_the_old_spelling_still_works()
    {
        foreach (var flag in new[] { "--window-seconds", "--window" })
        {
            var ok = CliRunner.Run("run", "--dataset", "synthetic", "--methods", "random", "--out", CliRunner.TempDir("win"), flag, "120", "--dry-run");
            Assert.True(ok.ExitCode == 0, ok.Err);
        }
        var bad = CliRunner.Run("run", "--dataset", "synthetic", "--methods", "random", "--out", CliRunner.TempDir("win"), "--window", "soon", "--dry-run");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--window-seconds 'soon'", bad.Err);
    }
}
