using System.Diagnostics;
using AiopsLab.Catalog;
using AiopsLab.External;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.External;

/// <summary>
/// External methods through the real command line, in a child process (so that registering them does not touch this
/// process's catalog, which other tests enumerate): listed by <c>methods</c>, mixed with built-in methods in a spec,
/// failures recorded with reasons while the experiment goes on, resume, and the report.
/// </summary>
public sealed class ExternalCliTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AiopsLab.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove(ExternalMethods.EnvironmentVariable);
        using var proc = Process.Start(psi)!;
        var err = proc.StandardError.ReadToEndAsync();
        var o = proc.StandardOutput.ReadToEnd();
        if (!proc.WaitForExit(600_000)) { proc.Kill(true); throw new TimeoutException("aiopslab did not finish in 10 minutes."); }
        return (proc.ExitCode, o, err.Result);
    }

    private static string MethodsFolder()
    {
        var dir = CliRunner.TempDir("external-methods");
        Py.CopyManifest(Path.Combine(Py.Examples, "py-nsigma" + ExternalManifest.FileSuffix), dir);
        Py.CopyManifest(Path.Combine(Py.Examples, "py-baro" + ExternalManifest.FileSuffix), dir);
        Py.WriteManifest(dir, "faulty", "faulty.py", "options:\n  mode: {type: text, default: by-column, choices: [by-column, ok, crash, hang, garbage]}\n");
        return dir;
    }

    [PythonFact]
    public void Methods_lists_external_methods_with_their_options()
    {
        var dir = MethodsFolder();
        var list = Cli("methods", "--methods-dir", dir);
        Assert.True(list.Code == 0, list.Err);
        Assert.Contains("py-nsigma", list.Out);
        Assert.Contains("nsigma", list.Out);
        var one = Cli("methods", "py-baro", "--methods-dir", dir);
        Assert.True(one.Code == 0, one.Err);
        Assert.Contains("memory-unit-divisor", one.Out);
        Assert.Contains("external: ", one.Out);
        var bad = Cli("run", "--dataset", "synthetic", "--methods", "py-nsigma(no-such=1)", "--methods-dir", dir, "--out", CliRunner.TempDir("bad"));
        Assert.Equal(2, bad.Code);
        Assert.Contains("unknown parameter of 'py-nsigma' 'no-such'", bad.Err);
    }

    [PythonFact]
    public void A_spec_mixes_external_and_built_in_methods_records_failures_resumes_and_reports()
    {
        var methods = MethodsFolder();
        var work = CliRunner.TempDir("external-spec");
        var spec = Path.Combine(work, "mixed.yaml");
        File.WriteAllText(spec, $"""
            name: mixed
            datasets:
              - name: synthetic
                options: {"{"}cases: 6{"}"}
            methods: [nsigma, py-nsigma, baro, py-baro, "faulty(mode=crash)"]
            methods-dir: {Path.GetRelativePath(work, methods)}
            timeout: 120
            jobs: 2
            """);
        var outDir = Path.Combine(work, "out");
        var r = Cli("run", spec, "--out", outDir);
        Assert.True(r.Code == 0, r.Out + r.Err);
        var summary = File.ReadAllLines(Path.Combine(outDir, "summary.csv"));
        // Same accuracy per fault type (every column of summary.csv but the method and its timing).
        var header = summary[0].Split(',');
        string[] Rows(string method) => summary.Skip(1).Select(l => l.Split(','))
            .Where(c => c[Array.IndexOf(header, "method")] == method)
            .Select(c => string.Join(",", c.Where((_, i) => header[i] is not ("method" or "median_seconds")))).ToArray();
        Assert.NotEmpty(Rows("nsigma"));
        Assert.Equal(Rows("nsigma"), Rows("py-nsigma"));
        Assert.Equal(Rows("baro"), Rows("py-baro"));

        // Every faulty run is a failed row with its reason; the built-in and Python methods ran on every case regardless.
        var cases = File.ReadAllLines(Path.Combine(outDir, "cases.csv"));
        var faulty = cases.Where(l => l.Contains(",faulty(mode=crash),", StringComparison.Ordinal)).ToArray();
        Assert.Equal(6, faulty.Length);
        Assert.All(faulty, l => Assert.Contains(",failed,", l));
        Assert.Equal(6, cases.Count(l => l.Contains(",py-nsigma,ok,", StringComparison.Ordinal)));
        var report = Cli("report", outDir);
        Assert.True(report.Code == 0, report.Err);
        var reportText = string.Join("\n", Directory.GetFiles(Path.Combine(outDir, "report"), "*.md").Select(File.ReadAllText));
        Assert.Contains("py-nsigma", reportText);
        Assert.Contains("py-baro", reportText);
        var errors = ErrorsOf(outDir);
        Assert.Equal(6, errors.Split('\n').Length); // the faulty runs and nothing else
        Assert.All(errors.Split('\n'), e => Assert.Contains("faulty(mode=crash): external method 'faulty': the worker exited before sending its reply (exit code 3). stderr: faulty: about to crash on purpose", e));

        // Resume: nothing left to do; with --retry only the failed rows run again (and fail again, with the reason).
        var again = Cli("run", spec, "--out", outDir);
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains("resumed: 6 of 6 case(s) were already in the store; ran 0.", again.Err);
    }

    /// <summary>The error texts stored for a run folder, read through the store's own export of failures.</summary>
    private static string ErrorsOf(string outDir)
    {
        using var store = AiopsLab.Experiments.RunStore.Open(outDir);
        return string.Join("\n", store.ReadRuns().Where(r => r.Status != AiopsLab.Evaluation.RunStatus.Ok).Select(r => r.Method + ": " + r.Error));
    }
}
