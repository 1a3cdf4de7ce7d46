using AiopsLab.Cli;
using AiopsLab.Experiments;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Experiments;

public class ProgressTests
{
    [Fact]
    public void The_eta_counts_only_the_cases_run_in_this_process()
    {
        // 40 of 100 done, 30 of them resumed from the store: 10 ran in 20 s, so 60 more take 120 s.
        var p = new RunProgress(40, 100, 2, TimeSpan.FromSeconds(20), 30);
        Assert.Equal(TimeSpan.FromSeconds(120), p.Eta);
        Assert.Null(new RunProgress(30, 100, 0, TimeSpan.FromSeconds(1), 30).Eta);
        Assert.Equal("exp: 40/100 cases (30 resumed), 2 failed, 20.0 s elapsed, ETA 2 min 0 s", ProgressDisplay.Line("exp", p));
        Assert.Equal("exp: 100/100 cases, 0 failed, 1 h 1 min elapsed", ProgressDisplay.Line("exp", new RunProgress(100, 100, 0, TimeSpan.FromMinutes(61))));
    }

    [Fact]
    public void Output_that_is_not_a_terminal_gets_plain_progress_lines()
    {
        var r = CliRunner.Run("quickstart", "--out", CliRunner.TempDir("plain"), "-D", "cases=5");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("quickstart: 5/5 cases, 0 failed,", r.Err);
        Assert.DoesNotContain("\u001b[", r.Err); // no terminal control sequences
    }
}
