using System.Diagnostics;
using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Evaluation;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Rca;

namespace AiopsLab.Experiments;

/// <summary>
/// Finds the anomaly time of a case without its label (end-to-end mode). Returns null when it raises no alarm.
/// </summary>
public interface IAnomalyTimeSource
{
    string Name { get; }
    long? Detect(MetricFrame metrics, MetricNaming naming, IReadOnlyList<string> slis, CancellationToken ct);
}

/// <summary>What to run.</summary>
public sealed record RunRequest
{
    public required IDataset Dataset { get; init; }
    public required IReadOnlyList<MethodSpec> Methods { get; init; }
    /// <summary>Experiment seed; each (case, method) gets its own stream derived from it.</summary>
    public long Seed { get; init; }
    /// <summary>Per (case, method) time limit.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Seconds added to the label's inject time (RCAEval's tΔ).</summary>
    public long Delay { get; init; }
    /// <summary>Cases run at once.</summary>
    public int Jobs { get; init; } = 1;
    /// <summary>Only cases for which this is true; null = all.</summary>
    public Func<CaseDescriptor, bool>? Filter { get; init; }
    /// <summary>End-to-end mode: the anomaly time comes from this detector instead of the label.</summary>
    public IAnomalyTimeSource? AnomalyTimeSource { get; init; }
    /// <summary>Called after each case with all its methods done.</summary>
    public IProgress<RunProgress>? Progress { get; init; }
}

/// <summary>Progress of a run: cases done of total, runs that failed or timed out, elapsed time.</summary>
public readonly record struct RunProgress(int CasesDone, int CasesTotal, int Failures, TimeSpan Elapsed)
{
    /// <summary>Estimated time left, from the mean time per case so far.</summary>
    public TimeSpan? Eta => CasesDone == 0 ? null : TimeSpan.FromTicks(Elapsed.Ticks / CasesDone * (CasesTotal - CasesDone));
}

/// <summary>
/// Runs methods over a dataset's cases: load a case, hide its label (a localizer gets an <see cref="RcaProblem"/>), run
/// each method with a timeout, join the label back in and score. Streams: one case per worker in memory; outcomes come
/// out in case order, then method order, whatever the number of jobs. A case that fails to load, or a method that throws
/// or times out, becomes an outcome with that status; the run goes on.
/// </summary>
public static class Runner
{
    /// <summary>Extra time after the timeout for a method to notice cancellation before it is abandoned.</summary>
    public static readonly TimeSpan CancellationGrace = TimeSpan.FromSeconds(2);

    /// <summary>Seed of one (experiment seed, case, method) run.</summary>
    public static ulong RunSeed(long experimentSeed, string caseId, string method) =>
        StableHash.Combine(unchecked((ulong)experimentSeed), caseId, method);

    /// <summary>The cases a request selects, in dataset order.</summary>
    public static IReadOnlyList<CaseDescriptor> SelectCases(RunRequest r) =>
        r.Filter is null ? r.Dataset.Cases : r.Dataset.Cases.Where(r.Filter).ToArray();

    /// <summary>Runs the request, yielding outcomes in (case, method) order.</summary>
    public static IEnumerable<CaseOutcome> Run(RunRequest request, CancellationToken ct = default)
    {
        // Build every method up front: a bad spec fails before any work is done.
        var methods = request.Methods.Select(m => (Spec: m.ToString(), Localizer: MethodCatalog.CreateLocalizer(m))).ToArray();
        var cases = SelectCases(request);
        var sw = Stopwatch.StartNew();
        int done = 0, failures = 0;
        int jobs = Math.Max(1, request.Jobs);
        int batch = jobs == 1 ? 1 : jobs * 2;
        for (int b = 0; b < cases.Count; b += batch)
        {
            ct.ThrowIfCancellationRequested();
            int count = Math.Min(batch, cases.Count - b);
            var results = new CaseOutcome[count][];
            if (jobs == 1)
                results[0] = RunCase(request, cases[b], methods, ct);
            else
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = ct },
                    i => results[i] = RunCase(request, cases[b + i], methods, ct));
            foreach (var r in results)
            {
                done++;
                failures += r.Count(o => o.Status != RunStatus.Ok);
                foreach (var o in r) yield return o;
                request.Progress?.Report(new RunProgress(done, cases.Count, failures, sw.Elapsed));
            }
        }
    }

    private static CaseOutcome[] RunCase(RunRequest req, CaseDescriptor d, (string Spec, IRootCauseLocalizer Localizer)[] methods, CancellationToken ct)
    {
        CaseOutcome Base(string method) => new()
        {
            Dataset = req.Dataset.Name, CaseId = d.Id, System = d.System, Fault = d.FaultType, FaultClass = d.FaultClass,
            RootCause = d.RootCause, Method = method, Status = RunStatus.Failed, Delay = req.Delay, Seed = req.Seed,
        };

        FaultCase fc;
        long anomalyTime;
        try
        {
            if (d.Problem is not null) throw new CaseUnavailableException(d.Problem);
            fc = req.Dataset.Load(d, ct);
            if (req.AnomalyTimeSource is { } src)
            {
                var t = src.Detect(fc.Metrics, fc.Naming, fc.Slis, ct);
                if (t is null) throw new AiopsLabException($"end-to-end mode: detector '{src.Name}' raised no alarm on this case.");
                anomalyTime = t.Value + req.Delay;
            }
            else anomalyTime = fc.Label.InjectTime + req.Delay;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception e)
        {
            var msg = "loading case: " + Describe(e);
            bool dataError = e is DataFormatException or IOException or UnauthorizedAccessException;
            return methods.Select(m => Base(m.Spec) with { Error = msg, DataError = dataError }).ToArray();
        }

        int serviceCount = fc.Naming.Services(fc.Metrics.Names).Count;
        var outcomes = new CaseOutcome[methods.Length];
        for (int k = 0; k < methods.Length; k++)
        {
            var (spec, loc) = methods[k];
            var problem = new RcaProblem(fc.Metrics, anomalyTime, fc.CallGraph, fc.Naming)
            {
                Seed = RunSeed(req.Seed, d.Id, spec),
                Slis = fc.Slis,
            };
            var o = Base(spec) with
            {
                RootCause = fc.Label.RootCause, RootCauseMetric = fc.Label.RootCauseMetric, Fault = fc.Label.FaultType,
                FaultClass = fc.Label.FaultClass ?? d.FaultClass, ServiceCount = serviceCount, AnomalyTime = anomalyTime,
            };
            var (status, result, seconds, error) = Invoke(loc, problem, req.Timeout, ct);
            if (status != RunStatus.Ok) { outcomes[k] = o with { Status = status, Seconds = seconds, Error = error }; continue; }
            var services = result!.Services(fc.Naming);
            outcomes[k] = o with
            {
                Status = RunStatus.Ok,
                Seconds = seconds,
                Services = services,
                Ranking = result.Ranking,
                Diagnostics = result.Diagnostics,
                Rank = RankingMetrics.RankOf(services, fc.Label.RootCause),
                MetricRank = fc.Label.RootCauseMetric is { } rm ? RankingMetrics.RankOf(result.Ranking.Select(r => r.Metric).ToArray(), rm) : null,
            };
        }
        return outcomes;
    }

    /// <summary>
    /// Calls a localizer on its own thread with a timeout. A method that ignores cancellation is abandoned after the
    /// grace period and recorded as a timeout; its thread is left to finish in the background.
    /// </summary>
    public static (RunStatus Status, RcaResult? Result, double Seconds, string? Error) Invoke(
        IRootCauseLocalizer localizer, RcaProblem problem, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var sw = Stopwatch.StartNew();
        var task = Task.Factory.StartNew(() => localizer.Localize(problem, cts.Token), cts.Token,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        bool finished;
        try { finished = task.Wait(timeout + CancellationGrace, ct); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (AggregateException) { finished = true; }
        double secs = sw.Elapsed.TotalSeconds;
        string limit = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
        if (!finished) return (RunStatus.Timeout, null, secs, $"did not finish within {limit} (abandoned; it ignored cancellation).");
        if (task.IsCanceled || task.Exception?.InnerException is OperationCanceledException)
        {
            if (ct.IsCancellationRequested) throw new OperationCanceledException(ct);
            return (RunStatus.Timeout, null, secs, $"cancelled after the {limit} timeout.");
        }
        if (task.Exception is { } ex) return (RunStatus.Failed, null, secs, Describe(ex.InnerException ?? ex));
        var result = task.Result;
        if (result is null) return (RunStatus.Failed, null, secs, "the method returned no result.");
        return (RunStatus.Ok, result, secs, null);
    }

    private static string Describe(Exception e) => e is AiopsLabException
        ? e.Message
        : $"{e.GetType().Name}: {e.Message}{(e.StackTrace is { } st ? " at " + st.Split('\n').FirstOrDefault()?.Trim() : "")}";
}
