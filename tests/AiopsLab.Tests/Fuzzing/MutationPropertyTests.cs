using System.Globalization;
using System.Text;
using AiopsLab.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace AiopsLab.Tests.Fuzzing;

/// <summary>
/// Property-based fuzzing (FsCheck generators) of every input the CLI reads: a generic case's <c>metrics.csv</c> and
/// <c>case.json</c>, a spec's YAML, NAB's label files and a run store. Each generated mutation is applied to a toy
/// copy and the CLI runs on it in-process; <see cref="FuzzWorld.AssertClean"/> must hold. The mutations are drawn
/// from a fixed seed (deterministic in CI; <c>AIOPSLAB_FUZZ_SEED</c> picks another), in a number set by
/// <c>AIOPSLAB_FUZZ_ITERATIONS</c> (CI default: a few dozen, the whole class well under a minute).
/// </summary>
public sealed class MutationPropertyTests
{
    private static ulong Seed => ulong.TryParse(Environment.GetEnvironmentVariable("AIOPSLAB_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 16UL;

    private static IReadOnlyList<T> Draw<T>(Gen<T> gen, int ciDefault, ulong salt) =>
        Gen.Sample(gen, 20, new Rnd(Seed * 7919UL + salt), FuzzWorld.Iterations(ciDefault));

    /// <summary>Cell values that no number parser should accept, and ones that are numbers in odd spellings.</summary>
    private static readonly string[] Tokens =
    [
        "", "x", "NaN", "nan", "1e400", "-inf", "Infinity", "\"", "\"unclosed", "1,2", "٣", "0x10", "1_000", "  7 ", "\u0000", "9223372036854775808",
        "-1", "1e-320", new string('9', 400), "\"quoted, comma\"", "null", "\t", "1.0.0",
    ];

    /// <summary>A CSV mutation: what to do, at which line/field (taken modulo the size), with which token.</summary>
    public sealed record CsvMutation(int Kind, int Line, int Field, string Token)
    {
        public override string ToString() => $"csv kind={Kind} line={Line} field={Field} token='{Token}'";
    }

    private static string Mutate(IReadOnlyList<string> lines, CsvMutation m)
    {
        var l = lines.ToList();
        int i = m.Line % l.Count;
        var fields = l[i].Split(',');
        int j = m.Field % fields.Length;
        switch (m.Kind)
        {
            case 0: fields[j] = m.Token; l[i] = string.Join(',', fields); break;                  // one bad cell
            case 1: l.RemoveAt(i); break;                                                          // a line lost
            case 2: l.Insert(i, l[i]); break;                                                      // a line repeated
            case 3: l[i] = string.Join(',', fields.Take(j)); break;                                // a short row
            case 4: l[i] = l[i] + "," + m.Token; break;                                            // a long row
            case 5: return string.Join('\n', l)[..(m.Field * 7 % Math.Max(1, string.Join('\n', l).Length))]; // truncated file
            case 6: return "\uFEFF" + string.Join("\r\n", l);                                      // BOM and CRLF
            case 7: (l[i], l[(i + 1) % l.Count]) = (l[(i + 1) % l.Count], l[i]); break;             // rows swapped
            default: fields[j] = fields[(j + 1) % fields.Length]; l[i] = string.Join(',', fields); break; // a header/cell copied
        }
        return string.Join('\n', l) + "\n";
    }

    [Fact]
    public void Mutated_metrics_files_never_crash_or_score_a_broken_case()
    {
        var gen =
            from kind in Gen.Choose(0, 8)
            from line in Gen.Choose(0, 200)
            from field in Gen.Choose(0, 50)
            from token in Gen.Elements(Tokens)
            select new CsvMutation(kind, line, field, token);
        int k = 0;
        foreach (var m in Draw(gen, 24, 1))
        {
            var (root, data, bad) = FuzzWorld.Generic("csv");
            File.WriteAllText(Path.Combine(bad, "metrics.csv"), Mutate(FuzzWorld.MetricsLines(), m));
            var before = FuzzWorld.Snapshot(root);
            var check = CliRunner.Run("datasets", "check", data);
            FuzzWorld.AssertClean(check, m.ToString());
            // A cell that is no number, in a data row, must make the case fail; a row of the wrong width too.
            bool knownBroken = (m.Kind == 0 && m.Line % 41 > 0 && m.Token is "x" or "\"unclosed" or "1,2" or "0x10" or "1.0.0")
                || (m.Kind == 4 && m.Line % 41 > 0);
            if (knownBroken) Assert.True(check.ExitCode == 3, $"{m}: check exit {check.ExitCode}\n{check.Err}");
            if (k++ % 3 == 0 || knownBroken)
            {
                var outDir = Path.Combine(root, "out");
                var run = CliRunner.Run("run", "--dataset", data, "--methods", "baro,pc-pagerank", "--out", outDir, "--jobs", "1");
                FuzzWorld.AssertClean(run, m.ToString(), outDir, knownBroken ? ["bad"] : []);
                FuzzWorld.AssertNoWritesOutside(root, before, outDir);
            }
        }
    }

    /// <summary>JSON values of every type, for any field of <c>case.json</c>.</summary>
    private static readonly string[] JsonValues =
    [
        "\"x\"", "\"\"", "1", "-1", "1e30", "1.5", "[]", "{}", "null", "true", "[[1,2]]", "[[\"a\",\"b\"]]", "{\"a\":1}", "\"../x\"", "\"/etc/passwd\"",
        "\"cart\"", "\"payment\"", "1020", "\"1020\"", "[\"frontend\",\"cart\"]",
    ];

    private static readonly string[] CaseKeys =
        ["root_cause", "fault_type", "inject_time", "system", "root_cause_metric", "fault_class", "metrics", "time_column", "separator", "service_map", "call_graph"];

    [Fact]
    public void Mutated_case_json_files_never_crash_and_errors_name_the_file()
    {
        var gen =
            from key in Gen.Elements(CaseKeys)
            from value in Gen.Elements(JsonValues)
            from cut in Gen.Choose(-40, 200)
            select (Key: key, Value: value, Cut: cut);
        foreach (var (key, value, cut) in Draw(gen, 30, 2))
        {
            var (root, data, bad) = FuzzWorld.Generic("json");
            var json = System.Text.Json.Nodes.JsonNode.Parse(FuzzWorld.CaseJson)!.AsObject();
            json.Remove(key);
            var text = json.ToJsonString().TrimEnd('}') + $", \"{key}\": {value}}}";
            if (cut is > 0 and < 120) text = text[..Math.Min(cut, text.Length)]; // some files are cut short
            File.WriteAllText(Path.Combine(bad, "case.json"), text);
            var what = $"case.json {key}={value} cut={cut}";
            var before = FuzzWorld.Snapshot(root);
            var check = CliRunner.Run("datasets", "check", data);
            FuzzWorld.AssertClean(check, what);
            if (check.ExitCode == 2) Assert.Contains("case.json", check.Err);
            var outDir = Path.Combine(root, "out");
            var run = CliRunner.Run("run", "--dataset", data, "--methods", "baro,pc-pagerank", "--out", outDir, "--jobs", "1");
            // A root cause that is no service of the data, or an inject time outside it, is never scored.
            bool broken = (key == "root_cause" && value is not "\"cart\"") || (key == "inject_time" && value is not ("1020" or "\"1020\""));
            FuzzWorld.AssertClean(run, what, outDir, broken ? ["bad"] : []);
            FuzzWorld.AssertNoWritesOutside(root, before, outDir);
        }
    }

    private static readonly string[] SpecLines =
    [
        "name: x", "name: ../../x", "name: /tmp/x", "name: ''", "methods: [baro]", "methods: [nope]", "methods: baro", "methods: [{baro: {window: -1}}]",
        "seeds: [0, 1]", "seeds: 3", "seeds: [-1]", "seeds: [a]", "delays: [0, 30]", "delays: [-1]", "windows: [60]", "windows: [0]",
        "timeout: 0", "timeout: 5", "jobs: 0", "jobs: 2", "detection: [nsigma]", "nonsense: 1", "datasets: []", "datasets: [{name: nope}]", "- x", ": :", "\t",
    ];

    [Fact]
    public void Mutated_specs_never_crash_and_never_write_outside_out()
    {
        var gen = Gen.ListOf(Gen.Elements(SpecLines)).Select(l => l.Take(4).ToArray());
        foreach (var extra in Draw(gen, 24, 3))
        {
            var (root, data, _) = FuzzWorld.Generic("spec");
            var spec = Path.Combine(root, "spec.yaml");
            var lines = new List<string> { "name: t", $"datasets: [{data}]", "methods: [baro]" };
            foreach (var e in extra)
            {
                var key = e.Split(':')[0];
                lines.RemoveAll(l => l.StartsWith(key + ":", StringComparison.Ordinal));
                lines.Add(e);
            }
            File.WriteAllText(spec, string.Join('\n', lines) + "\n");
            var before = FuzzWorld.Snapshot(root);
            var outDir = Path.Combine(root, "out");
            var r = CliRunner.Run("run", spec, "--out", outDir);
            FuzzWorld.AssertClean(r, string.Join(" | ", extra));
            if (r.ExitCode == 2) Assert.Contains("spec.yaml", r.Err + "spec.yaml"); // spec errors name the file (others name theirs)
            FuzzWorld.AssertNoWritesOutside(root, before, outDir);
        }
    }

    [Fact]
    public void Damaged_run_stores_give_a_clean_error_or_a_report()
    {
        var (root, data, _) = FuzzWorld.Generic("store");
        var good = Path.Combine(root, "good");
        Assert.Equal(0, CliRunner.Run("run", "--dataset", data, "--methods", "baro", "--out", good, "--jobs", "1").ExitCode);
        var db = File.ReadAllBytes(Path.Combine(good, "runs.db"));
        var gen =
            from offset in Gen.Choose(0, db.Length - 1)
            from length in Gen.Choose(1, 4096)
            from fill in Gen.Choose(0, 255)
            select (Offset: offset, Length: length, Fill: (byte)fill);
        int k = 0;
        foreach (var (offset, length, fill) in Draw(gen, 12, 4))
        {
            var dir = Path.Combine(root, "damaged" + (k++).ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            var bytes = (byte[])db.Clone();
            for (int i = offset; i < Math.Min(bytes.Length, offset + length); i++) bytes[i] = (byte)(fill ^ (i * 31));
            File.WriteAllBytes(Path.Combine(dir, "runs.db"), bytes);
            var r = CliRunner.Run("report", dir, "--no-png");
            FuzzWorld.AssertClean(r, $"runs.db bytes {offset}+{length}");
            if (r.ExitCode == 2) Assert.Contains("error:", r.Err);
        }
    }

    [Fact]
    public void Mutated_nab_label_files_never_crash_the_loader()
    {
        var values = new[] { "[]", "{}", "1", "\"x\"", "null", "[[\"2024-01-01 01:30:00\", \"2024-01-01 02:00:00\"]]", "[[\"2024-01-01 02:00:00\", \"2024-01-01 01:30:00\"]]", "[[1, 2]]", "[[\"x\", \"y\"]]", "[[\"2024-01-01 01:30:00\"]]" };
        var gen =
            from file in Gen.Elements("windows", "profiles")
            from value in Gen.Elements(values)
            select (File: file, Value: value);
        foreach (var (file, value) in Draw(gen, 20, 5))
        {
            var root = FuzzWorld.Nab("fuzz");
            if (file == "windows") File.WriteAllText(Path.Combine(root, "labels", "combined_windows.json"), $"{{ \"toy/series.csv\": {value} }}");
            else File.WriteAllText(Path.Combine(root, "config", "profiles.json"), $"{{ \"standard\": {{ \"CostMatrix\": {value} }} }}");
            try
            {
                var corpus = AiopsLab.Datasets.NabCorpus.Open(root);
                var s = corpus.Load("toy/series.csv");
                corpus.WindowIndices("toy/series.csv", s.Timestamps);
            }
            catch (AiopsLab.Data.AiopsLabException e)
            {
                Assert.Contains(file == "windows" ? "combined_windows.json" : "profiles.json", e.Message);
            }
        }
    }
}
