using System.Text.Json;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Rca;

/// <summary>The runner's end-to-end mode: the anomaly time comes from BARO's BOCPD instead of the label.</summary>
public class EndToEndModeTests
{
    /// <summary>
    /// Delay and error faults on the synthetic benchmark: each case either gets a detected anomaly time (recorded in the
    /// outcome) or, when BOCPD raises no alarm, is recorded as failed with that reason: never silently given the label's time.
    /// </summary>
    [Fact]
    public void Anomaly_time_from_bocpd_is_recorded_or_the_case_fails_with_the_reason()
    {
        var labelled = CliRunner.TempDir("e2e-label");
        var detected = CliRunner.TempDir("e2e-bocpd");
        var common = new[] { "--dataset", "synthetic", "--methods", "baro", "--jobs", "1", "--dataset-option", "cases=6", "--dataset-option", "faults=delay;error" };
        Assert.Equal(0, CliRunner.Run([.. new[] { "run" }, .. common, "--out", labelled]).ExitCode);
        var r = CliRunner.Run([.. new[] { "run" }, .. common, "--out", detected, "--anomaly-time", "bocpd"]);
        Assert.True(r.ExitCode == 0, r.Err);
        static Dictionary<string, (long Time, string Status, string? Error)> Read(string dir) =>
            File.ReadLines(Path.Combine(dir, "rankings.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
                .ToDictionary(e => e.GetProperty("case").GetString()!,
                    e => (e.GetProperty("anomaly_time").ValueKind == JsonValueKind.Number ? e.GetProperty("anomaly_time").GetInt64() : 0L, e.GetProperty("status").GetString()!, e.GetProperty("error").GetString()));
        var a = Read(labelled);
        var b = Read(detected);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (id, v) in b)
        {
            if (v.Status == "ok") Assert.NotEqual(0, v.Time);
            else Assert.Contains("raised no alarm", v.Error);
        }
        // Where it fires on these step faults, it fires at the injection row.
        Assert.Contains(b, kv => kv.Value.Status == "ok" && kv.Value.Time == a[kv.Key].Time);
    }

    [Fact]
    public void An_unknown_anomaly_time_source_is_a_clear_error()
    {
        var r = CliRunner.Run("run", "--dataset", "synthetic", "--methods", "baro", "--out", CliRunner.TempDir("e2e-bad"), "--anomaly-time", "oracle");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("oracle", r.Err);
        Assert.Contains("bocpd", r.Err);
    }
}
