using System.Diagnostics;
using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Evaluation;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Rca;
using AiopsLab.Catalog;

namespace AiopsLab.Experiments;

/// <summary>What to run (in memory; <see cref="ExperimentRunner"/> runs a whole experiment into a run store).</summary>
public sealed record RunRequest
{
    public required IDataset Dataset { get; init; }
    public required IReadOnlyList<MethodSpec> Methods { get; init; }
    /// <summary>Experiment seed; each (case, method) gets its own stream derived from it.</summary>
    public long Seed { get; init; }
    /// <summary>Per (case, method) time limit.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Seconds added to the anomaly time (RCAEval's tΔ).</summary>
    public long Delay { get; init; }
    /// <summary>How much of each case the methods see (<see cref="Experiments.Window"/>).</summary>
    public Window Window { get; init; } = Window.Full;
    /// <summary>Cases run at once.</summary>
    public int Jobs { get; init; } = 1;
    /// <summary>Only cases for which this is true; null = all.</summary>
    public Func<CaseDescriptor, bool>? Filter { get; init; }
    /// <summary>End-to-end mode: the anomaly time comes from this detector instead of the label.</summary>
    public IAnomalyTimeSource? AnomalyTimeSource { get; init; }
    /// <summary>Called after each case with all its methods done.</summary>
    public IProgress<RunProgress>? Progress { get; init; }
}

/// <summary>Progress of a run: cases done (including those resumed from the store) of total, runs that failed or
/// timed out, elapsed time, and how many cases were already done when the run started.</summary>
public readonly record struct RunProgress(int CasesDone, int CasesTotal, int Failures, TimeSpan Elapsed, int CasesResumed = 0)
{
    /// <summary>Estimated time left, from the mean time per case run in this process so far.</summary>
    public TimeSpan? Eta
    {
        get
        {
            int ran = CasesDone - CasesResumed;
            return ran <= 0 ? null : TimeSpan.FromTicks(Elapsed.Ticks / ran * (CasesTotal - CasesDone));
        }
    }
}

/// <summary>A method configuration ready to run: built localizer, window, detection mode.</summary>
internal sealed record PreparedConfig(int Index, string Method, IRootCauseLocalizer Localizer, Window Window, string Detection, IAnomalyTimeSource? Source);

/// <summary>The outcomes of one case, and what loading it told (null when it could not be loaded).</summary>
internal sealed record CaseExecution(FaultCase? Case, IReadOnlyList<(int Config, CaseOutcome Outcome)> Outcomes);

/// <summary>
/// Runs methods over cases: load a case, hide its label (a localizer gets an <see cref="RcaProblem"/>), cut the window,
/// run each method with a timeout, join the label back in and score. Streams: one case per worker in memory; outcomes
/// come out in case order, then method order, whatever the number of jobs. A case that fails to load, a detector that
/// raises no alarm, or a method that throws or times out, becomes an outcome with that status; the run goes on.
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
        var detection = request.AnomalyTimeSource?.Name ?? ExperimentSpec.DefaultDetection;
        var configs = request.Methods.Select((m, i) => new PreparedConfig(i, m.ToString(), MethodCatalog.CreateLocalizer(m), request.Window, detection, request.AnomalyTimeSource)).ToArray();
        var cases = SelectCases(request);
        var sw = Stopwatch.StartNew();
        int done = 0, failures = 0;
        int jobs = Math.Max(1, request.Jobs);
        int batch = jobs == 1 ? 1 : jobs * 2;
        long[] seeds = [request.Seed], delays = [request.Delay];
        for (int b = 0; b < cases.Count; b += batch)
        {
            ct.ThrowIfCancellationRequested();
            int count = Math.Min(batch, cases.Count - b);
            var results = new CaseExecution[count];
            if (jobs == 1)
                results[0] = Execute(request.Dataset, cases[b], configs, seeds, delays, null, request.Timeout, ct);
            else
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = ct },
                    i => results[i] = Execute(request.Dataset, cases[b + i], configs, seeds, delays, null, request.Timeout, ct));
            foreach (var r in results)
            {
                done++;
                failures += r.Outcomes.Count(o => o.Outcome.Status != RunStatus.Ok);
                foreach (var o in r.Outcomes) yield return o.Outcome;
                request.Progress?.Report(new RunProgress(done, cases.Count, failures, sw.Elapsed));
            }
        }
    }

    /// <summary>
    /// Runs every (config, seed, delay) of one case for which <paramref name="todo"/> is true (all when null), in
    /// seed, delay, config order. The case is loaded once; each detection mode runs once.
    /// </summary>
    internal static CaseExecution Execute(IDataset dataset, CaseDescriptor d, IReadOnlyList<PreparedConfig> configs,
        IReadOnlyList<long> seeds, IReadOnlyList<long> delays, Func<int, long, long, bool>? todo, TimeSpan timeout, CancellationToken ct)
    {
        var wanted = new List<(PreparedConfig Config, long Seed, long Delay)>();
        foreach (var s in seeds)
            foreach (var dl in delays)
                foreach (var c in configs)
                    if (todo is null || todo(c.Index, s, dl)) wanted.Add((c, s, dl));

        CaseOutcome Base(PreparedConfig c, long seed, long delay) => new()
        {
            Dataset = dataset.Name, CaseId = d.Id, System = d.System, Fault = d.FaultType, FaultClass = d.FaultClass,
            RootCause = d.RootCause, Method = c.Method, Status = RunStatus.Failed, Delay = delay, Seed = seed,
            Window = c.Window.ToString(), Detection = c.Detection,
        };

        var sw = Stopwatch.StartNew();
        FaultCase fc;
        try
        {
            if (d.Problem is not null) throw new CaseUnavailableException(d.Problem);
            fc = dataset.Load(d, ct);
            CaseValidation.Check(fc); // every layout: a label that does not fit the data fails the case, never scores it
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception e)
        {
            var msg = "loading case: " + Describe(e);
            bool dataError = e is DataFormatException or IOException or UnauthorizedAccessException;
            double secs = sw.Elapsed.TotalSeconds;
            return new CaseExecution(null, wanted.Select(w => (w.Config.Index, Base(w.Config, w.Seed, w.Delay) with { Error = msg, DataError = dataError, LoadSeconds = secs })).ToArray());
        }
        double loadSeconds = sw.Elapsed.TotalSeconds;

        // Each detection mode once per case: (alarm time or error, seconds it took).
        var detected = new Dictionary<string, (long? Time, string? Error, double Seconds)>(StringComparer.Ordinal);
        foreach (var c in configs)
        {
            if (detected.ContainsKey(c.Detection) || !wanted.Any(w => w.Config.Detection == c.Detection)) continue;
            if (c.Source is null) { detected[c.Detection] = (fc.Label.InjectTime, null, 0); continue; }
            var dsw = Stopwatch.StartNew();
            try
            {
                var t = c.Source.Detect(fc.Metrics, fc.Naming, fc.Slis, ct);
                detected[c.Detection] = t is null
                    ? (null, $"end-to-end mode: detector '{c.Source.Name}' raised no alarm on this case.", dsw.Elapsed.TotalSeconds)
                    : (t, null, dsw.Elapsed.TotalSeconds);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception e) { detected[c.Detection] = (null, $"end-to-end mode: detector '{c.Source.Name}' failed: {Describe(e)}", dsw.Elapsed.TotalSeconds); }
        }

        int serviceCount = fc.Naming.Services(fc.Metrics.Names).Count;
        var frames = new Dictionary<(long, Window), MetricFrame>();
        var outcomes = new List<(int, CaseOutcome)>(wanted.Count);
        foreach (var (c, seed, delay) in wanted)
        {
            var (time, detectError, detectSeconds) = detected[c.Detection];
            var o = Base(c, seed, delay) with
            {
                RootCause = fc.Label.RootCause, RootCauseMetric = fc.Label.RootCauseMetric, InnerRootCause = fc.Label.InnerRootCause, Fault = fc.Label.FaultType,
                FaultClass = fc.Label.FaultClass ?? d.FaultClass, ServiceCount = serviceCount, LoadSeconds = loadSeconds + detectSeconds,
            };
            if (time is null) { outcomes.Add((c.Index, o with { Error = detectError })); continue; }
            long anomalyTime = time.Value + delay;
            o = o with { AnomalyTime = anomalyTime };
            if (!frames.TryGetValue((anomalyTime, c.Window), out var frame))
            {
                frame = c.Window.Seconds is { } w ? fc.Metrics.SliceTime(anomalyTime - w, anomalyTime + w) : fc.Metrics;
                frames[(anomalyTime, c.Window)] = frame;
            }
            var problem = new RcaProblem(frame, anomalyTime, fc.CallGraph, fc.Naming)
            {
                Seed = RunSeed(seed, d.Id, c.Method),
                Slis = fc.Slis,
                Telemetry = fc.Telemetry,
            };
            var (status, result, seconds, error) = Invoke(c.Localizer, problem, timeout, ct);
            if (status != RunStatus.Ok) { outcomes.Add((c.Index, o with { Status = status, Seconds = seconds, Error = error })); continue; }
            var services = result!.Services(fc.Naming);
            outcomes.Add((c.Index, o with
            {
                Status = RunStatus.Ok,
                Seconds = seconds,
                Services = services,
                Ranking = result.Ranking,
                Diagnostics = result.Diagnostics,
                Kept = result.Kept,
                Rank = RankingMetrics.RankOf(services, fc.Label.RootCause),
                MetricRank = fc.Label.RootCauseMetric is { } rm ? RankingMetrics.RankOf(result.Ranking.Select(r => r.Metric).ToArray(), rm) : null,
                InnerRank = fc.Label.InnerRootCause is { } ir ? InnerServiceRank.RankOf(result.Ranking.Select(r => r.Metric).ToArray(), fc.Naming, fc.Label.RootCause, ir) : null,
            }));
        }
        return new CaseExecution(fc, outcomes);
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

    internal static string Describe(Exception e) => e is AiopsLabException
        ? e.Message
        : ErrorText.Limit($"{e.GetType().Name}: {e.Message}{(e.StackTrace is { } st ? " at " + st.Split('\n').FirstOrDefault()?.Trim() : "")}");
}
