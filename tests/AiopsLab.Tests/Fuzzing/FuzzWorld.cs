using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Fuzzing;

/// <summary>
/// Toy copies of the dataset layouts for the fuzzing suite, and the property every run of the CLI on them must keep
/// (issue 16): the outcome is a success (exit 0), a clean error naming a file (exit 2), or named failed cases (exit 3);
/// never exit 70 ("internal error"), never a case known to be broken scored <c>ok</c>, never a file written outside the
/// output folder and the data root.
/// </summary>
internal static class FuzzWorld
{
    /// <summary>Random iterations per property: small in CI, more with <c>AIOPSLAB_FUZZ_ITERATIONS</c>.</summary>
    public static int Iterations(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable("AIOPSLAB_FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : ciDefault;

    public const string Header = "time,frontend_latency,cart_cpu,cart-db_cpu,catalogue_cpu";

    /// <summary>A valid generic case: 40 rows, the fault at row 20 on cart (deterministic values).</summary>
    public static List<string> MetricsLines()
    {
        var lines = new List<string> { Header };
        for (int t = 0; t < 40; t++)
        {
            double wobble = Math.Sin(t * 1.7) * 0.5 + Math.Cos(t * 0.37) * 0.3;
            double fault = t >= 20 ? 1 : 0;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{1000 + t},{10 + wobble + 4 * fault},{1 + 0.2 * wobble + 8 * fault},{2 + 0.1 * Math.Sin(t * 2.9)},{3 + 0.3 * Math.Cos(t * 1.3)}"));
        }
        return lines;
    }

    public const string CaseJson =
        """{ "root_cause": "cart", "fault_type": "cpu", "inject_time": 1020, "system": "shop", "root_cause_metric": "cart_cpu", "call_graph": [["frontend", "cart"], ["frontend", "catalogue"]] }""";

    /// <summary>A generic dataset of two cases, <c>good</c> and <c>bad</c>; the caller then breaks <c>bad</c>.</summary>
    public static (string Root, string Data, string Bad) Generic(string tag)
    {
        var root = CliRunner.TempDir("fuzz-" + tag);
        var data = Path.Combine(root, "data");
        foreach (var c in new[] { "good", "bad" })
        {
            var dir = Path.Combine(data, c);
            Directory.CreateDirectory(dir);
            File.WriteAllLines(Path.Combine(dir, "metrics.csv"), MetricsLines());
            File.WriteAllText(Path.Combine(dir, "case.json"), CaseJson);
        }
        return (root, data, Path.Combine(data, "bad"));
    }

    /// <summary>A toy NAB corpus: one series of 30 rows, one window, the standard profile.</summary>
    public static string Nab(string tag)
    {
        var root = Path.Combine(CliRunner.TempDir("fuzz-nab-" + tag), "nab");
        Directory.CreateDirectory(Path.Combine(root, "data", "toy"));
        Directory.CreateDirectory(Path.Combine(root, "labels"));
        Directory.CreateDirectory(Path.Combine(root, "config"));
        var lines = new List<string> { "timestamp,value" };
        var t0 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int i = 0; i < 30; i++)
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{t0.AddMinutes(5 * i):yyyy-MM-dd HH:mm:ss},{(i is >= 20 and < 23 ? 50 : 10 + i % 3)}"));
        File.WriteAllLines(Path.Combine(root, "data", "toy", "series.csv"), lines);
        File.WriteAllText(Path.Combine(root, "labels", "combined_windows.json"),
            """{ "toy/series.csv": [["2024-01-01 01:30:00.000000", "2024-01-01 02:00:00.000000"]] }""");
        File.WriteAllText(Path.Combine(root, "config", "profiles.json"),
            """{ "standard": { "CostMatrix": { "tpWeight": 1.0, "fpWeight": 0.11, "fnWeight": 1.0, "tnWeight": 1.0 } } }""");
        return root;
    }

    /// <summary>Every file under <paramref name="root"/> with its size and write time (a snapshot to compare).</summary>
    public static Dictionary<string, (long, DateTime)> Snapshot(string root) =>
        Directory.Exists(root)
            ? new DirectoryInfo(root).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
                .ToDictionary(f => f.FullName, f => (f.Length, f.LastWriteTimeUtc), StringComparer.Ordinal)
            : [];

    /// <summary>
    /// The property. <paramref name="mustNotScore"/>: case ids known to be broken, which no row may score <c>ok</c>.
    /// <paramref name="allowed"/>: folders the command may write in; the rest of <paramref name="watched"/> must not change.
    /// </summary>
    public static void AssertClean(CliRunner.Result r, string what, string? outDir = null, IEnumerable<string>? mustNotScore = null)
    {
        Assert.True(r.ExitCode is 0 or 2 or 3, $"{what}: exit {r.ExitCode}\n{r.Err}");
        Assert.DoesNotContain("internal error", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal); // no stack trace
        if (r.ExitCode == 2) Assert.Contains("error:", r.Err, StringComparison.Ordinal);
        foreach (var line in r.Err.Split('\n')) Assert.True(line.Length <= ErrorText.MaxLength + 3000, $"{what}: an error line of {line.Length} characters");
        if (outDir is null || mustNotScore is null) return;
        var cases = Path.Combine(outDir, "cases.csv");
        if (!File.Exists(cases)) return;
        var rows = Csv.ReadRecords(cases).ToList();
        int ci = Array.IndexOf(rows[0].Fields, "case"), si = Array.IndexOf(rows[0].Fields, "status");
        var broken = mustNotScore.ToHashSet(StringComparer.Ordinal);
        foreach (var row in rows.Skip(1))
            Assert.False(broken.Contains(row.Fields[ci]) && row.Fields[si] == "ok", $"{what}: broken case '{row.Fields[ci]}' was scored ok");
    }

    /// <summary>Asserts that nothing under <paramref name="root"/> outside the <paramref name="allowed"/> folders changed.</summary>
    public static void AssertNoWritesOutside(string root, Dictionary<string, (long, DateTime)> before, params string[] allowed)
    {
        var after = Snapshot(root);
        bool Allowed(string f) => allowed.Any(a => f.StartsWith(Path.GetFullPath(a) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        foreach (var (f, v) in after)
            if (!Allowed(f)) Assert.True(before.TryGetValue(f, out var old) && old == v, $"written outside the output folder: {f}");
    }
}
