using AiopsLab.Cli;

namespace AiopsLab.Tests.Infrastructure;

/// <summary>Runs the <c>aiopslab</c> command line in-process and captures its output.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Err);

    public static Result Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.RunAsync(args, o, e).GetAwaiter().GetResult();
        return new Result(code, o.ToString(), e.ToString());
    }

    /// <summary>A fresh empty folder under the system temp folder.</summary>
    public static string TempDir(string tag)
    {
        var d = Path.Combine(Path.GetTempPath(), "aiopslab-tests", tag + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d);
        return d;
    }
}
