using System.Diagnostics;
using System.Text;
using AiopsLab.Notebooks;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Notebooks;

/// <summary>The notebooks in notebooks/: each runs without error, shows what it promises, and matches its .cs twin.</summary>
[Collection(NotebookCollection.Name)]
public sealed class ShippedNotebooksTests
{
    private static string Folder => Path.Combine(TestData.RepoRoot, "notebooks");

    /// <summary>
    /// Notebook → strings that its outputs must contain, as the .NET Interactive kernel renders them: sequences of
    /// anonymous objects as the kernel's tree views (<c>{ method = baro, … }</c>), AiopsLab's values (figures, graphs,
    /// report tables) through the AiopsLab package's kernel extension; Plotly.NET charts through Plotly.NET.Interactive's
    /// formatter (its <c>renderPlotly_</c> script).
    /// </summary>
    public static readonly TheoryData<string, string[]> Expected = new()
    {
        { "01-quickstart.ipynb", ["{ method = baro, cases = 12", "{ method = nsigma,", "{ method = circa,", "Avg5 = ", "renderPlotly_"] },
        { "02-anomaly-detection.ipynb", ["detector = windowed-gaussian", "detector = bocpd", "detector = pelt", "top1pct_in_windows", "renderPlotly_"] },
        { "03-rca-in-depth.ipynb", ["BARO&#39;s first change point", "DirectedGraph:", "reduction ratio", "reduction_ratio=", "renderPlotly_", "Deedle frame: 420 rows x 5 columns", "mean_before = ", "(10 s mean, Deedle)", "MetricFrame: 42 rows"] },
        { "04-reproduce-tables.ipynb", ["experiment = "] },
    };

    [Fact]
    public void Every_notebook_is_listed_here_and_has_a_twin()
    {
        var notebooks = Directory.GetFiles(Folder, "*.ipynb").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Expected.Select(e => (string)e[0]).Order(StringComparer.Ordinal).ToArray(), notebooks);
        foreach (var nb in notebooks) Assert.True(File.Exists(Path.Combine(Folder, Path.ChangeExtension(nb!, ".cs"))), $"{nb} has no .cs twin");
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public async Task Notebook_runs_without_errors_and_shows_its_outputs(string name, string[] expected)
    {
        var outDir = CliRunner.TempDir("nb-shipped");
        var r = await NotebookRunner.RunAsync(Path.Combine(Folder, name), new NotebookRunOptions { OutDir = outDir, CellTimeout = TimeSpan.FromMinutes(5) });
        Assert.True(r.Ok, r.Error);
        var exec = TestNotebooks.Executed(r);
        Assert.Equal(".net-csharp", exec["metadata"]!["kernelspec"]!["name"]!.GetValue<string>());
        var outputs = TestNotebooks.AllOutputs(exec).ToList();
        Assert.DoesNotContain(outputs, o => o["output_type"]!.GetValue<string>() == "error");
        var all = new StringBuilder();
        foreach (var o in outputs)
        {
            all.Append(TestNotebooks.Text(o["text"]));
            if (o["data"] is { } d) all.Append(TestNotebooks.Text(d["text/html"])).Append(TestNotebooks.Text(d["text/plain"]));
        }
        var text = all.ToString();
        foreach (var e in expected) Assert.Contains(e, text);
        if (text.Contains("renderPlotly_", StringComparison.Ordinal))
        {
            // Charts draw offline: plotly.js inline once (PlotlyOffline), no script fetched from a CDN.
            Assert.DoesNotMatch(PlotlyOfflineTests.Loader, text);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, System.Text.RegularExpressions.Regex.Escape("plotly.js v2.28.0")));
        }
        if (name.StartsWith("04", StringComparison.Ordinal))
        {
            // Each paper experiment is either shown or named as missing.
            foreach (var x in AiopsLab.Reporting.PaperTables.Experiments)
                Assert.True(text.Contains($"{x}: no run store", StringComparison.Ordinal) || text.Contains($"experiment = {x},", StringComparison.Ordinal), $"{x} neither shown nor named missing");
            if (File.Exists(Path.Combine(TestData.RepoRoot, "results", "sockshop", "runs.db")))
                Assert.Contains("Fidelity on rcd-sockshop", text);
        }
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void Twin_matches_the_notebook(string name, string[] _)
    {
        var notebook = Path.Combine(Folder, name);
        var twin = File.ReadAllText(Path.ChangeExtension(notebook, ".cs")).ReplaceLineEndings("\n");
        Assert.True(NotebookTwin.Generate(NotebookDocument.Load(notebook)) == twin,
            $"{Path.ChangeExtension(name, ".cs")} differs from {name}: run './aiopslab notebook twin notebooks/{name}'");
    }

    /// <summary>
    /// Runs every twin with <c>dotnet run NAME.cs</c>, one after another in one test (the first builds the library for
    /// file-based apps, the rest reuse it); time-boxed at 4 minutes each.
    /// </summary>
    [Fact]
    public async Task Twins_run_as_file_based_apps()
    {
        var outDir = CliRunner.TempDir("nb-twins");
        var failures = new List<string>();
        foreach (var cs in Directory.GetFiles(Folder, "*.cs").Order(StringComparer.Ordinal))
        {
            var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = TestData.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("run");
            psi.ArgumentList.Add(Path.GetRelativePath(TestData.RepoRoot, cs));
            psi.Environment["AIOPSLAB_NOTEBOOK_OUT"] = Path.Combine(outDir, Path.GetFileNameWithoutExtension(cs));
            psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
            psi.Environment["DOTNET_NOLOGO"] = "1";
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(4)))
            {
                p.Kill(entireProcessTree: true);
                failures.Add($"{Path.GetFileName(cs)}: did not finish within 4 minutes");
                continue;
            }
            await p.WaitForExitAsync();
            string o = await stdout, e = await stderr;
            if (p.ExitCode != 0) { failures.Add($"{Path.GetFileName(cs)}: exit {p.ExitCode}\n{o}\n{e}"); continue; }
            if (!o.Contains("(HTML written to", StringComparison.Ordinal)) failures.Add($"{Path.GetFileName(cs)}: wrote no HTML output\n{o}");
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }
}
