using System.Diagnostics;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Paper;

/// <summary>Runs only where the paper can be built: under CI (paper/build.sh installs texlive itself) or where latexmk is on the PATH.</summary>
public sealed class PaperFactAttribute : FactAttribute
{
    public PaperFactAttribute()
    {
        if (!TestData.InCi && !OnPath("latexmk"))
            Skip = "latexmk is not installed here (paper/build.sh installs Debian's texlive when run as root; CI runs this test).";
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, tool)));
}

/// <summary>The paper builds from the committed generated tables (issue: "CI checks that the paper builds").</summary>
public class PaperBuildTests
{
    [PaperFact]
    public void Paper_builds_to_a_pdf()
    {
        var paper = Path.Combine(TestData.RepoRoot, "paper");
        var pdf = Path.Combine(paper, "main.pdf");
        var psi = new ProcessStartInfo("bash", [Path.Combine(paper, "build.sh")])
        {
            WorkingDirectory = paper, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(25)), "paper/build.sh did not finish within 25 minutes.");
        Assert.True(p.ExitCode == 0, $"paper/build.sh failed ({p.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        Assert.True(File.Exists(pdf));
        var head = new byte[5];
        using (var f = File.OpenRead(pdf)) f.ReadExactly(head);
        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(head));
        Assert.True(new FileInfo(pdf).Length > 50_000, "the PDF is suspiciously small.");
    }
}
