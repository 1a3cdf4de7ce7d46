using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Evaluation;
using AiopsLab.Catalog;

namespace AiopsLab.Experiments;

/// <summary>How to run an experiment plan into a store.</summary>
public sealed record ExperimentRunOptions
{
    /// <summary>Cases run at once (results do not depend on it).</summary>
    public int Jobs { get; init; } = 1;
    public Shard Shard { get; init; } = Shard.All;
    /// <summary>Rerun rows that failed or timed out (otherwise every stored row counts as done).</summary>
    public bool Retry { get; init; }
    public StoreKind Kind { get; init; } = StoreKind.Experiment;
    /// <summary>Recorded in the provenance; the process's arguments when null.</summary>
    public string? CommandLine { get; init; }
    public IProgress<RunProgress>? Progress { get; init; }
    /// <summary>Most completed cases written in one transaction.</summary>
    public int MaxBatch { get; init; } = 64;
}

/// <summary>What a run did.</summary>
public sealed record ExperimentRunStats(int CasesInShard, int CasesResumed, int CasesRun, long RowsWritten, long Failures,
    IReadOnlyDictionary<string, string> DataErrors, TimeSpan Elapsed);

/// <summary>
/// Runs an <see cref="ExperimentPlan"/> (or one shard of it) into a <see cref="RunStore"/>: registers the experiment and
/// its provenance, skips rows already in the store (resume), then streams the remaining cases through
/// <c>jobs</c> workers. Each worker loads one case at a time and runs every (configuration, seed, delay) still to do on
/// it; a single writer commits completed cases in batched transactions (a case is never split across transactions).
/// Memory stays flat in the number of cases: bounded queues between the case source, the workers and the writer; no
/// outcome is kept after it is written.
/// </summary>
public static class ExperimentRunner
{
    private readonly record struct Unit(PlannedDataset Dataset, int Index, long CaseRef);

    public static ExperimentRunStats Run(ExperimentPlan plan, RunStore store, ExperimentRunOptions options, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        int jobs = Math.Max(1, options.Jobs);
        var checksums = plan.Datasets.Select(d => DatasetChecksum.Compute(d.Dataset, ct)).ToArray();
        var provenance = Provenance.Capture(options.CommandLine);
        var reg = store.Register(plan, options.Kind, options.Shard, provenance, checksums, options.Retry);
        var configs = plan.Configs.Select((c, i) => new PreparedConfig(i, c.Method, MethodCatalog.CreateLocalizer(MethodSpec.Parse(c.Method)), c.Window, c.Detection,
            AnomalyTimeSources.Create(c.Detection))).ToArray();
        var seeds = plan.Seeds.ToArray();
        var delays = plan.Delays.ToArray();

        // Which cases of this shard still have rows to do.
        bool AllDone(long caseRef)
        {
            foreach (var s in seeds)
                foreach (var dl in delays)
                    foreach (var c in configs)
                        if (!reg.Done.Contains((caseRef, reg.ConfigRefs[c.Index], s, dl))) return false;
            return true;
        }
        int inShard = 0, resumed = 0;
        foreach (var (d, i, _) in plan.Units(options.Shard))
        {
            inShard++;
            if (AllDone(reg.CaseRefs[d.Index][i])) resumed++;
        }
        IEnumerable<Unit> Pending() => plan.Units(options.Shard)
            .Select(u => new Unit(u.Dataset, u.Index, reg.CaseRefs[u.Dataset.Index][u.Index]))
            .Where(u => !AllDone(u.CaseRef));

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var inQ = new BlockingCollection<Unit>(jobs * 2);
        using var outQ = new BlockingCollection<CaseResult>(jobs * 4);
        Exception? failure = null;
        var producer = new Thread(() =>
        {
            try { foreach (var u in Pending()) inQ.Add(u, cts.Token); }
            catch (OperationCanceledException) { }
            catch (Exception e) { Interlocked.CompareExchange(ref failure, e, null); cts.Cancel(); }
            finally { inQ.CompleteAdding(); }
        }) { IsBackground = true, Name = "aiopslab-cases" };
        int running = jobs;
        var workers = Enumerable.Range(0, jobs).Select(k => new Thread(() =>
        {
            try
            {
                foreach (var u in inQ.GetConsumingEnumerable(cts.Token))
                {
                    long caseRef = u.CaseRef;
                    var ex = Runner.Execute(u.Dataset.Dataset, u.Dataset.Cases[u.Index], configs, seeds, delays,
                        (c, s, dl) => !reg.Done.Contains((caseRef, reg.ConfigRefs[c], s, dl)), plan.Spec.Timeout, cts.Token);
                    outQ.Add(ToResult(caseRef, ex, reg.ConfigRefs), cts.Token);
                }
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { Interlocked.CompareExchange(ref failure, e, null); cts.Cancel(); }
            finally { if (Interlocked.Decrement(ref running) == 0) outQ.CompleteAdding(); }
        }) { IsBackground = true, Name = "aiopslab-worker-" + k }).ToArray();
        producer.Start();
        foreach (var w in workers) w.Start();

        // The writer: this thread. It drains the queue until every worker is done, so completed cases are kept even
        // when the run is cancelled.
        long rows = 0, failures = 0;
        int ran = 0;
        var dataErrors = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var batch = new List<CaseResult>(options.MaxBatch);
        string outcome = "complete";
        try
        {
            while (!outQ.IsCompleted)
            {
                if (!outQ.TryTake(out var first, 250)) continue;
                batch.Add(first);
                while (batch.Count < options.MaxBatch && outQ.TryTake(out var more)) batch.Add(more);
                store.Write(batch, reg.Invocation);
                foreach (var c in batch)
                {
                    ran++;
                    rows += c.Rows.Count;
                    foreach (var r in c.Rows)
                    {
                        if (r.Status != RunStatus.Ok) failures++;
                        if (r.DataError) dataErrors.TryAdd(CaseName(plan, c.CaseRef, reg), r.Error ?? "");
                    }
                }
                batch.Clear();
                options.Progress?.Report(new RunProgress(resumed + ran, inShard, (int)Math.Min(int.MaxValue, failures), sw.Elapsed, resumed));
            }
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref failure, e, null);
            cts.Cancel();
            outcome = "failed";
        }
        finally
        {
            producer.Join();
            foreach (var w in workers) w.Join();
        }
        if (failure is not null) outcome = "failed";
        else if (ct.IsCancellationRequested) outcome = "cancelled";
        store.FinishInvocation(reg.Invocation, outcome, rows);
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        ct.ThrowIfCancellationRequested();
        if (ran == 0) options.Progress?.Report(new RunProgress(inShard, inShard, 0, sw.Elapsed, resumed));
        return new ExperimentRunStats(inShard, resumed, ran, rows, failures, dataErrors, sw.Elapsed);
    }

    private static string CaseName(ExperimentPlan plan, long caseRef, RunStore.Registration reg)
    {
        foreach (var d in plan.Datasets)
        {
            int i = Array.IndexOf(reg.CaseRefs[d.Index], caseRef);
            if (i >= 0) return plan.Datasets.Count == 1 ? d.Cases[i].Id : d.Name + "/" + d.Cases[i].Id;
        }
        return caseRef.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Encodes one case's outcomes as store rows: rankings as indices into the case's metric set.</summary>
    internal static CaseResult ToResult(long caseRef, CaseExecution ex, long[] configRefs)
    {
        CaseInfo? info = null;
        MetricSet? set = null;
        if (ex.Case is { } fc)
        {
            set = MetricSet.Of(fc.Metrics.Names, fc.Naming);
            info = new CaseInfo(fc.Label.FaultType, ex.Outcomes.Count > 0 ? ex.Outcomes[0].Outcome.FaultClass : fc.Label.FaultClass,
                fc.Label.RootCause, fc.Label.RootCauseMetric, fc.Naming.Services(fc.Metrics.Names).Count, set) { InnerRootCause = fc.Label.InnerRootCause };
        }
        var rows = new RunRow[ex.Outcomes.Count];
        for (int k = 0; k < rows.Length; k++)
        {
            var (ci, o) = ex.Outcomes[k];
            byte[]? blob = null;
            MetricSet? rowSet = null;
            if (o.Status == RunStatus.Ok && set is not null && ex.Case is { } c)
            {
                var idx = new int[o.Ranking.Count];
                var scores = new double[o.Ranking.Count];
                List<string>? extra = null;
                for (int i = 0; i < idx.Length; i++)
                {
                    var name = o.Ranking[i].Metric;
                    if (!set.Index.TryGetValue(name, out var j))
                    {
                        // A name that is not a column of the case: the row gets its own, extended metric set.
                        extra ??= [];
                        int e = extra.IndexOf(name);
                        if (e < 0) { extra.Add(name); e = extra.Count - 1; }
                        j = set.Names.Count + e;
                    }
                    idx[i] = j;
                    scores[i] = o.Ranking[i].Score;
                }
                if (extra is not null)
                    rowSet = new MetricSet([.. set.Names, .. extra], [.. set.Services, .. extra.Select(c.Naming.ServiceOf)]);
                blob = RankingCodec.Encode(idx, scores);
            }
            rows[k] = new RunRow(configRefs[ci], o.Seed, o.Delay, o.Status, o.Seconds, o.LoadSeconds)
            {
                AnomalyTime = o.Status == RunStatus.Ok || o.AnomalyTime != 0 ? o.AnomalyTime : null,
                Rank = o.Rank, MetricRank = o.MetricRank, InnerRank = o.InnerRank, Ranking = blob, Set = rowSet,
                Diagnostics = o.Status == RunStatus.Ok ? DiagnosticsJson(o.Diagnostics) : null,
                Kept = o.Status == RunStatus.Ok && o.Kept is { } kept && set is not null ? RankingCodec.EncodeIndices(kept.Where(set.Index.ContainsKey).Select(n => set.Index[n]).ToArray()) : null,
                Error = o.Error, DataError = o.DataError,
            };
        }
        return new CaseResult(caseRef, info, rows);
    }

    /// <summary>Finite diagnostics as a JSON object with sorted keys; null when there are none.</summary>
    internal static string? DiagnosticsJson(IReadOnlyDictionary<string, double> d)
    {
        var finite = d.Where(kv => double.IsFinite(kv.Value)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        if (finite.Length == 0) return null;
        var sorted = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (k, v) in finite) sorted[k] = v;
        return JsonSerializer.Serialize(sorted);
    }
}
