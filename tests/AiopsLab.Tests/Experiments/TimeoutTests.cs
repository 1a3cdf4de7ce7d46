using AiopsLab.Datasets.Synthetic;
using AiopsLab.Experiments;
using AiopsLab.Rca;
using Xunit;
using AiopsLab.Methods;
using AiopsLab.Evaluation;

namespace AiopsLab.Tests.Experiments;

public class TimeoutTests
{
    private sealed class Slow(bool honoursCancellation, int steps = 200) : IRootCauseLocalizer
    {
        public string Name => "slow";

        public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
        {
            for (int i = 0; i < steps; i++)
            {
                if (honoursCancellation) ct.ThrowIfCancellationRequested();
                Thread.Sleep(10);
            }
            return RcaResult.FromScores(problem.Metrics.Names, problem.Metrics.Names.Select(_ => 1.0).ToArray());
        }
    }

    private sealed class Throws : IRootCauseLocalizer
    {
        public string Name => "throws";
        public RcaResult Localize(RcaProblem problem, CancellationToken ct = default) => throw new InvalidOperationException("kaput");
    }

    [Fact]
    public void Timeouts_and_exceptions_become_rows_with_that_status_and_no_ranking()
    {
        var ds = new SyntheticBenchmark(new SyntheticOptions { Cases = 1, Services = 3 });
        PreparedConfig C(int i, string name, IRootCauseLocalizer l) => new(i, name, l, Window.Full, ExperimentSpec.DefaultDetection, null);
        var configs = new[] { C(0, "slow", new Slow(true)), C(1, "stubborn", new Slow(false, 500)), C(2, "throws", new Throws()), C(3, "random", new RandomBaseline()) };
        var timeout = TimeSpan.FromMilliseconds(100);
        var ex = Runner.Execute(ds, ds.Cases[0], configs, [0], [0], null, timeout, CancellationToken.None);
        var o = ex.Outcomes.Select(x => x.Outcome).ToArray();
        Assert.Equal([RunStatus.Timeout, RunStatus.Timeout, RunStatus.Failed, RunStatus.Ok], o.Select(x => x.Status));
        Assert.Contains("cancelled after the 0.1 s timeout", o[0].Error);
        Assert.Contains("abandoned; it ignored cancellation", o[1].Error);
        Assert.Contains("kaput", o[2].Error);
        Assert.All(o.Take(3), x => { Assert.Empty(x.Ranking); Assert.Null(x.Rank); });
        var rows = ExperimentRunner.ToResult(7, ex, [10, 11, 12, 13]).Rows;
        Assert.All(rows.Take(3), r => Assert.Null(r.Ranking));
        Assert.NotNull(rows[3].Ranking);
        Assert.Equal([10L, 11, 12, 13], rows.Select(r => r.ConfigRef));
    }

    [Fact]
    public void A_window_cuts_the_rows_the_method_sees_around_the_anomaly_time()
    {
        var ds = new SyntheticBenchmark(new SyntheticOptions { Cases = 1, Services = 3, Normal = 300, Anomalous = 120 });
        var seen = new List<(int Rows, long First, long Last, long Anomaly)>();
        var spy = new Spy(p => seen.Add((p.Metrics.RowCount, p.Metrics.StartTime, p.Metrics.EndTime, p.AnomalyTime)));
        var configs = new[] { new PreparedConfig(0, "spy", spy, new Window(50), "label", null), new PreparedConfig(1, "spy-full", spy, Window.Full, "label", null) };
        var ex = Runner.Execute(ds, ds.Cases[0], configs, [0], [10], null, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.All(ex.Outcomes, x => Assert.Equal(RunStatus.Ok, x.Outcome.Status));
        long inject = ds.Load(ds.Cases[0]).Label.InjectTime;
        // t_a = inject + 10; window 50: rows t_a - 50 <= t < t_a + 50, 1 s apart.
        Assert.Equal((100, inject + 10 - 50, inject + 10 + 49, inject + 10), seen[0]);
        Assert.Equal(420, seen[1].Rows);
    }

    private sealed class Spy(Action<RcaProblem> see) : IRootCauseLocalizer
    {
        public string Name => "spy";

        public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
        {
            lock (this) see(problem);
            return RcaResult.FromScores(problem.Metrics.Names, problem.Metrics.Names.Select(_ => 1.0).ToArray());
        }
    }
}
