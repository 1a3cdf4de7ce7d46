using System.Globalization;
using System.Text;
using AiopsLab.Experiments;

namespace AiopsLab.Reporting;

/// <summary>
/// The report's <c>provenance.md</c>: how many runs, the spec, the datasets with their checksums, every invocation with
/// its commit and machine, and the package versions of the last one.
/// </summary>
public static class ReportProvenance
{
    public static string Markdown(RunStore store, StoreMeta meta, long expected, long present)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("# Provenance: ").Append(meta.Experiment).Append("\n\n");
        sb.Append(string.Create(inv, $"- runs: {present} of {expected}\n- spec: {(meta.SpecFile.Length == 0 ? "(command line)" : meta.SpecFile)}\n- seeds: {string.Join(", ", meta.Seeds)}; delays: {string.Join(", ", meta.Delays)}; timeout: {meta.TimeoutSeconds} s per method and case\n\n"));
        sb.Append("## Datasets\n\n| dataset | location | files | bytes | checksum (SHA-256 of the file manifest) |\n|---|---|---:|---:|---|\n");
        foreach (var d in store.Datasets())
            sb.Append(string.Create(inv, $"| {d.Key} | {d.Location} | {d.Files} | {d.Bytes} | {d.Checksum} |\n"));
        sb.Append("\n## Invocations\n\n| # | started (UTC) | finished | shard | outcome | rows | commit | dirty | runtime | OS | CPU | cores |\n|---:|---|---|---|---|---:|---|---|---|---|---|---:|\n");
        Provenance? last = null;
        foreach (var i in store.Invocations())
        {
            var p = Provenance.FromJson(i.Provenance);
            if (p is not null) last = p;
            sb.Append(string.Create(inv, $"| {i.Id} | {i.Started} | {i.Finished ?? "(not finished: killed or running)"} | {i.Shard} | {i.Outcome} | {i.Rows} | {p?.GitCommit ?? "unknown"} | {(p?.GitDirty is { } dirty ? dirty ? "yes" : "no" : "unknown")} | {p?.Runtime} | {p?.Os} | {p?.Cpu} | {p?.Cores} |\n"));
        }
        if (last is not null)
        {
            sb.Append("\n## Versions (last invocation)\n\n");
            sb.Append("- AiopsLab ").Append(last.AiopsLabVersion).Append('\n');
            foreach (var (k, v) in last.Packages) sb.Append("- ").Append(k).Append(' ').Append(v).Append('\n');
        }
        sb.Append("\n## Spec\n\n```yaml\n").Append(meta.SpecText.TrimEnd()).Append("\n```\n");
        return sb.ToString();
    }
}
