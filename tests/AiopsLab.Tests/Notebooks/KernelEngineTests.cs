using System.Diagnostics;
using AiopsLab.Notebooks;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Notebooks;

/// <summary>
/// Notebooks on the real .NET Interactive C# kernel (<see cref="NotebookEngine.Kernel"/>, the default): state, errors,
/// time limits, and AiopsLab loaded as a Polyglot user loads it, from the local feed that the build fills.
/// </summary>
[Collection(NotebookCollection.Name)]
public sealed class KernelEngineTests
{
    private static string Feed => Path.Combine(TestData.RepoRoot, "artifacts", "feed");

    private static Task<NotebookRunResult> Run(string path, TimeSpan? timeout = null) =>
        NotebookRunner.RunAsync(path, new NotebookRunOptions { OutDir = Path.Combine(Path.GetDirectoryName(path)!, "out"), CellTimeout = timeout });

    [Fact]
    public async Task State_carries_and_outputs_come_from_kernel_events()
    {
        var dir = CliRunner.TempDir("nbk-state");
        var nb = TestNotebooks.Ipynb(dir, "state.ipynb",
            "var x = 20;\nint Twice(int v) => 2 * v;",
            "Console.WriteLine(\"twice: \" + Twice(x));\ndisplay(HTML(\"<b>bold</b>\"));",
            "Twice(x) + 2");
        var r = await Run(nb);
        Assert.True(r.Ok, r.Error);
        var exec = TestNotebooks.Executed(r);
        var cell2 = TestNotebooks.Outputs(exec, 2);
        Assert.Equal("stream", cell2[0]!["output_type"]!.GetValue<string>());
        Assert.Equal("twice: 40\n", TestNotebooks.Text(cell2[0]!["text"]));
        Assert.Equal("display_data", cell2[1]!["output_type"]!.GetValue<string>());
        Assert.Contains("<b>bold</b>", TestNotebooks.Text(cell2[1]!["data"]!["text/html"]));
        var result = TestNotebooks.Outputs(exec, 3)[0]!;
        Assert.Equal("execute_result", result["output_type"]!.GetValue<string>());
        Assert.Contains("42", TestNotebooks.Text(result["data"]!["text/plain"] ?? result["data"]!["text/html"]));
    }

    [Fact]
    public async Task Errors_stop_the_notebook_with_the_cell_number()
    {
        var dir = CliRunner.TempDir("nbk-error");
        var nb = TestNotebooks.Ipynb(dir, "error.ipynb", "# title", "var a = 1;", "int b = \"text\";", "Console.WriteLine(a);");
        var r = await Run(nb);
        Assert.False(r.Ok);
        Assert.Equal(3, r.FailedCell);
        Assert.Contains("cell 3 (code cell 2 of 3)", r.Error);
        Assert.Contains("CS0029", r.Error);
        var exec = TestNotebooks.Executed(r);
        Assert.Equal("error", TestNotebooks.Outputs(exec, 3)[0]!["output_type"]!.GetValue<string>());
        Assert.Empty(TestNotebooks.Outputs(exec, 4));

        var thrown = TestNotebooks.Ipynb(dir, "throw.ipynb", "throw new InvalidOperationException(\"boom\");");
        var t = await Run(thrown);
        Assert.False(t.Ok);
        Assert.Contains("InvalidOperationException: boom", t.Error);
    }

    /// <summary>
    /// A fresh notebook as a Polyglot user writes it: <c>#i</c> of the local feed (an absolute path, as #i requires), then
    /// <c>#r "nuget: AiopsLab, VERSION"</c>; it opens a run store (SQLite, whose native library must resolve) and shows a
    /// MetricFrame through the package's kernel extension.
    /// </summary>
    [Fact]
    public async Task Fresh_notebook_loads_the_package_from_the_local_feed_and_opens_a_run_store()
    {
        var version = typeof(AiopsLab.Data.MetricFrame).Assembly.GetName().Version!;
        var package = Path.Combine(Feed, $"AiopsLab.{version.Major}.{version.Minor}.{version.Build}.nupkg");
        Assert.True(File.Exists(package), $"{package} is missing: every build packs it (src/AiopsLab.Interactive)");
        var dir = CliRunner.TempDir("nbk-fresh");
        var store = Path.Combine(dir, "store");
        var nb = TestNotebooks.Ipynb(dir, "fresh.ipynb",
            $"#i \"nuget: {Feed}\"\n#r \"nuget: AiopsLab, {version.Major}.{version.Minor}.{version.Build}\"\nusing AiopsLab.Experiments;\nusing AiopsLab.Data;",
            $"using (var s = RunStore.Create(@\"{store}\")) {{ }}\nvar opened = RunStore.Open(@\"{store}\");\nConsole.WriteLine(\"store: \" + opened.Path);\nopened.Dispose();",
            "display(new MetricFrame(new long[] { 0, 60 }, new[] { \"svc_cpu\" }, new[] { new[] { 1.5, 2.5 } }));");
        var r = await Run(nb, TimeSpan.FromMinutes(5));
        Assert.True(r.Ok, r.Error);
        var exec = TestNotebooks.Executed(r);
        Assert.Contains("store: ", TestNotebooks.Text(TestNotebooks.Outputs(exec, 2)[0]!["text"]));
        Assert.True(File.Exists(AiopsLab.Experiments.RunStore.FileOf(store)));
        var frame = TestNotebooks.Text(TestNotebooks.Outputs(exec, 3)[0]!["data"]!["text/html"]);
        Assert.Contains("svc_cpu", frame);
        Assert.Contains("MetricFrame: 2 rows", frame); // RichView, through the package's kernel extension
    }

    /// <summary><c>dotnet tool install</c> of AiopsLab.Cli from the local feed gives a working <c>aiopslab</c>.</summary>
    [Fact]
    public void Tool_installs_from_the_local_feed_and_lists_methods()
    {
        Assert.True(File.Exists(Path.Combine(Feed, "AiopsLab.Cli.0.1.0.nupkg")) || Directory.GetFiles(Feed, "AiopsLab.Cli.*.nupkg").Length > 0, "no AiopsLab.Cli package in " + Feed);
        var toolDir = CliRunner.TempDir("tool-install");
        var install = Exec("dotnet", TimeSpan.FromMinutes(5), "tool", "install", "--tool-path", toolDir, "--add-source", Feed, "AiopsLab.Cli");
        Assert.True(install.ExitCode == 0, install.Output);
        var methods = Exec(Path.Combine(toolDir, "aiopslab"), TimeSpan.FromMinutes(2), "methods");
        Assert.True(methods.ExitCode == 0, methods.Output);
        foreach (var m in new[] { "baro", "circa", "windowed-gaussian" }) Assert.Contains(m, methods.Output);
    }

    private static (int ExitCode, string Output) Exec(string file, TimeSpan limit, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit)) { p.Kill(entireProcessTree: true); return (-1, $"{file} did not finish within {limit}"); }
        p.WaitForExit();
        return (p.ExitCode, o.Result + e.Result);
    }
}
