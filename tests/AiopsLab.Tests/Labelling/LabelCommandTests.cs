using System.Globalization;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Labelling;

/// <summary><c>aiopslab label</c> end to end on real data, and its errors.</summary>
public class LabelCommandTests
{
    [DataFact("rcd-sockshop")]
    public void Labels_rcd_sockshop_in_oracle_and_end_to_end_modes_and_writes_every_output()
    {
        var dir = CliRunner.TempDir("label");
        var r = CliRunner.Run("label", "-d", "rcd-sockshop", "--out", dir, "--protocols", "cv", "--localizer", "baro", "--data-root", TestData.Root);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        var lines = File.ReadAllLines(Path.Combine(dir, "predictions.csv"));
        // 50 cases (10 service-fault folders × 5 repetitions) × 3 labellers × 2 modes, each tested in exactly one fold.
        Assert.Equal(1 + 50 * 3 * 2, lines.Length);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.All(rows, c => Assert.Contains(c[7], new[] { "cpu", "memory" }));
        Assert.Equal(50, rows.Where(c => c[1] == "oracle" && c[2] == "gbdt").Select(c => c[4]).Distinct().Count());
        // A case's recording (its own folder) is never in two folds.
        Assert.All(rows.GroupBy(c => c[5]), g => Assert.Single(g.Select(c => c[6]).Distinct()));
        foreach (var f in new[] { "summary.csv", "summary.md", "confusion-cv-oracle-gbdt.svg" }) Assert.True(File.Exists(Path.Combine(dir, f)), f);
        // Two balanced types: chance is 0.5; the rule reading the injected metric family does much better.
        var rule = rows.Where(c => c[1] == "oracle" && c[2] == "max-family").ToArray();
        double acc = rule.Count(c => c[13] == "1") / (double)rule.Length;
        Assert.True(acc > 0.65, acc.ToString(CultureInfo.InvariantCulture));
        Assert.Contains("Paired tests against max-family", File.ReadAllText(Path.Combine(dir, "summary.md")));
    }

    [Fact]
    public void An_unknown_labeller_is_an_error_naming_the_known_ones()
    {
        var r = CliRunner.Run("label", "-d", "synthetic", "--out", CliRunner.TempDir("label-bad"), "--labellers", "nope");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("knn", r.Err);
    }
}
