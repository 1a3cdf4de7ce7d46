using System.Diagnostics;
using AiopsLab.Data;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.External;
using AiopsLab.Methods;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.External;

/// <summary>
/// Failures of an external method are data: each misbehaviour of a real python3 worker (tests/…/External/clients/faulty.py,
/// which speaks the protocol without our client) becomes a failed or timed-out run through the runner's own call
/// (<see cref="Runner.Invoke"/>), with the reason and the worker's stderr; the worker is replaced and the next case runs.
/// </summary>
public sealed class ExternalFailureTests : IDisposable
{
    private readonly string _dir = CliRunner.TempDir("external-faulty");
    private readonly ExternalLocalizer _faulty;

    public ExternalFailureTests()
    {
        if (Py.Path is null) { _faulty = null!; return; }
        var path = Py.WriteManifest(_dir, "faulty", "faulty.py", "options:\n  mode: {type: text, default: by-column}\n");
        _faulty = new ExternalLocalizer(ExternalManifest.Load(path), new Dictionary<string, string>());
    }

    public void Dispose() => _faulty?.Dispose();

    /// <summary>A small case whose first column names the behaviour faulty.py is asked for.</summary>
    internal static RcaProblem Problem(string first, int rows = 20)
    {
        var time = Enumerable.Range(0, rows).Select(i => 1000L + 10 * i).ToArray();
        string[] names = [first, "b_cpu", "c_mem"];
        var cols = names.Select((_, j) => Enumerable.Range(0, rows).Select(i => (double)(i * (j + 1) % 7)).ToArray()).ToArray();
        return new RcaProblem(new MetricFrame(time, names, cols), time[rows / 2], null, new DelimitedNaming("_"));
    }

    private (RunStatus Status, RcaResult? Result, string? Error) Run(string mode, double timeoutSeconds = 30)
    {
        var (s, r, _, e) = Runner.Invoke(_faulty, Problem(mode), TimeSpan.FromSeconds(timeoutSeconds), CancellationToken.None);
        return (s, r, e);
    }

    private double OkPid()
    {
        var (s, r, e) = Run("ok");
        Assert.True(s == RunStatus.Ok, e);
        return r!.Diagnostics["pid"];
    }

    [PythonFact]
    public void A_crash_is_a_failed_run_with_exit_code_and_stderr_and_the_worker_is_restarted()
    {
        double pid = OkPid();
        Assert.Equal(pid, OkPid()); // the worker is kept between cases: start-up is paid once
        var (s, _, e) = Run("crash");
        Assert.Equal(RunStatus.Failed, s);
        Assert.Contains("external method 'faulty'", e);
        Assert.Contains("exit code 3", e);
        Assert.Contains("faulty: about to crash on purpose", e);
        Assert.NotEqual(pid, OkPid());
        Assert.Equal(1, _faulty.WorkerCount);
    }

    [PythonFact]
    public void A_timeout_kills_the_worker_and_the_next_case_gets_a_new_one()
    {
        double pid = OkPid();
        var sw = Stopwatch.StartNew();
        var (s, _, e) = Run("hang", timeoutSeconds: 1);
        Assert.Equal(RunStatus.Timeout, s);
        Assert.Contains("timeout", e);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"the hung worker was not stopped promptly ({sw.Elapsed}).");
        Assert.True(ProcessGone((int)pid), $"the hung worker {pid} is still running.");
        Assert.NotEqual(pid, OkPid());
    }

    private static bool ProcessGone(int pid)
    {
        for (int i = 0; i < 50; i++)
        {
            try { using var p = Process.GetProcessById(pid); if (p.HasExited) return true; }
            catch (ArgumentException) { return true; }
            Thread.Sleep(100);
        }
        return false;
    }

    [PythonTheory]
    [InlineData("garbage", "malformed JSON in the reply", true)]
    [InlineData("unknown-metric", "names metric 'no-such-metric', which is not in the request", true)]
    [InlineData("empty", "empty ranking", true)]
    [InlineData("wrong-id", "does not carry the request's id", true)]
    [InlineData("duplicate", "twice", true)]
    [InlineData("error", "the method reported an error: ValueError: asked to fail", false)]
    public void A_bad_reply_is_a_failed_run_with_the_reason(string mode, string reason, bool restarts)
    {
        double pid = OkPid();
        var (s, r, e) = Run(mode);
        Assert.Equal(RunStatus.Failed, s);
        Assert.Null(r);
        Assert.Contains(reason, e);
        // A reply that breaks the protocol leaves the worker in an unknown state: it is replaced. An error reply does not.
        Assert.Equal(restarts, pid != OkPid());
    }

    [PythonFact]
    public void A_worker_that_cannot_start_or_does_not_greet_fails_the_run_with_the_reason()
    {
        var missing = ExternalManifest.Load(Py.WriteManifest(_dir, "missing", "faulty.py")) with { Command = ["/nonexistent/interpreter"] };
        using (var l = new ExternalLocalizer(missing, new Dictionary<string, string>()))
        {
            var (s, _, _, e) = Runner.Invoke(l, Problem("ok"), TimeSpan.FromSeconds(30), CancellationToken.None);
            Assert.Equal(RunStatus.Failed, s);
            Assert.Contains("cannot start '/nonexistent/interpreter'", e);
        }
        var mute = ExternalManifest.Load(Py.WriteManifest(_dir, "mute", "faulty.py")) with { Command = [Py.Require(), "-c", "import sys; print('hi'); sys.stderr.write('no protocol here\\n')"] };
        using (var l = new ExternalLocalizer(mute, new Dictionary<string, string>()))
        {
            var (s, _, _, e) = Runner.Invoke(l, Problem("ok"), TimeSpan.FromSeconds(30), CancellationToken.None);
            Assert.Equal(RunStatus.Failed, s);
            Assert.Contains("did not start with a hello line", e);
            Assert.Contains("hi", e);
        }
    }

    [PythonFact]
    public void Concurrent_cases_use_at_most_one_worker_each()
    {
        var pids = new System.Collections.Concurrent.ConcurrentBag<double>();
        Parallel.For(0, 12, new ParallelOptions { MaxDegreeOfParallelism = 2 }, _ => pids.Add(OkPid()));
        Assert.InRange(pids.Distinct().Count(), 1, 2);
        Assert.InRange(_faulty.WorkerCount, 1, 2);
    }
}
