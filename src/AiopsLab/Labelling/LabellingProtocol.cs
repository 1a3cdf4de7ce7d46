using AiopsLab.Numerics;

namespace AiopsLab.Labelling;

/// <summary>
/// One case prepared for labelling: the shared and original truth (kept by the protocol, never given to a labeller),
/// the grouping key, the input at the true root-cause service ("oracle") and at a localizer's top-1 ("end-to-end").
/// </summary>
/// <param name="Group">The recording the case was cut from; grouped folds never split a group.</param>
/// <param name="Split">The dataset's own split (<c>train</c>/<c>test</c>, PetShop), or null.</param>
/// <param name="EndToEnd">Input at the localizer's top-1 service, or null when the localizer failed (<paramref name="EndToEndError"/>).</param>
public sealed record LabelCase(string Id, string Dataset, string System, string Group, string? Split, MappedLabel Truth,
    string TrueService, LabelInput Oracle, string? PredictedService, LabelInput? EndToEnd, string? EndToEndError);

/// <summary>One labeller's answer for one case under one protocol and mode. <see cref="Error"/> set = failed, not scored.</summary>
public sealed record LabelPrediction(string Protocol, string Mode, string Labeller, string Dataset, string CaseId, string Group, int Fold,
    string Truth, string Original, string Service, IReadOnlyList<RankedType> Ranking, string? Error)
{
    public string? Top => Ranking.Count > 0 ? Ranking[0].Type : null;
    public bool Correct => Error is null && Top == Truth;
    public bool Top2 => Error is null && Ranking.Take(2).Any(r => r.Type == Truth);
}

/// <summary>Which evaluations <see cref="LabellingProtocol.Run"/> does.</summary>
public sealed record ProtocolOptions
{
    /// <summary>Folds of the within-dataset grouped cross-validation.</summary>
    public int Folds { get; init; } = 5;
    /// <summary>Seed of the fold assignment and of every labeller's training.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Protocols to run: <c>cv</c>, <c>lodo</c>, <c>split</c>.</summary>
    public IReadOnlyList<string> Protocols { get; init; } = [LabellingProtocol.CrossValidation, LabellingProtocol.LeaveOneDatasetOut, LabellingProtocol.OwnSplit];
    /// <summary>Training tasks run at once.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// The evaluation protocol of fault-type labelling. Labellers are always trained on oracle inputs (true service, true
/// type) of the training cases and tested on the test cases in both modes, so end-to-end scores measure what a
/// localizer's mistakes cost a labeller trained on clean data. Three protocols:
/// <list type="bullet">
/// <item><c>cv</c>: within each dataset, grouped k-fold cross-validation (<see cref="GroupedFolds"/>, seed
/// <see cref="ProtocolOptions.Seed"/> mixed with the dataset name): no recording is in both training and test.</item>
/// <item><c>lodo</c>: leave one dataset out: train on every other dataset, test on this one (transfer).</item>
/// <item><c>split</c>: the dataset's own train/test split, where it has one (PetShop).</item>
/// </list>
/// A labeller that learns nothing is run once per test case with the same answer in every protocol.
/// </summary>
public static class LabellingProtocol
{
    public const string CrossValidation = "cv", LeaveOneDatasetOut = "lodo", OwnSplit = "split";
    public const string Oracle = "oracle", EndToEnd = "end-to-end";

    private sealed record Task(string Protocol, string Dataset, int Fold, LabelCase[] Train, LabelCase[] Test);

    /// <summary>Runs the protocols; predictions are ordered by protocol, dataset, case, mode and labeller order.</summary>
    /// <param name="notes">Receives why a protocol was skipped for a dataset (one group only, no split, …).</param>
    public static IReadOnlyList<LabelPrediction> Run(IReadOnlyList<LabelCase> cases, IReadOnlyList<IFaultLabeller> labellers, ProtocolOptions o,
        Action<string>? notes = null, Action<int, int>? progress = null, CancellationToken ct = default)
    {
        var tasks = new List<Task>();
        var datasets = cases.Select(c => c.Dataset).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var protocol in o.Protocols)
            foreach (var d in datasets)
            {
                var mine = cases.Where(c => c.Dataset == d).ToArray();
                switch (protocol)
                {
                    case CrossValidation:
                        var folds = GroupedFolds.Assign(mine.Select(c => c.Group).ToArray(), o.Folds, StableHash.Combine(o.Seed, "folds", d));
                        int k = folds.Length == 0 ? 0 : folds.Max() + 1;
                        if (k < 2) { notes?.Invoke($"{d}: one recording group only; no cross-validation."); break; }
                        for (int f = 0; f < k; f++)
                            tasks.Add(new Task(protocol, d, f, mine.Where((_, i) => folds[i] != f).ToArray(), mine.Where((_, i) => folds[i] == f).ToArray()));
                        break;
                    case LeaveOneDatasetOut:
                        if (datasets.Length < 2) { notes?.Invoke("leave-one-dataset-out needs two datasets or more."); break; }
                        tasks.Add(new Task(protocol, d, -1, cases.Where(c => c.Dataset != d).ToArray(), mine));
                        break;
                    case OwnSplit:
                        var train = mine.Where(c => c.Split == "train").ToArray();
                        var test = mine.Where(c => c.Split == "test").ToArray();
                        if (train.Length == 0 || test.Length == 0) { notes?.Invoke($"{d}: no train/test split of its own."); break; }
                        tasks.Add(new Task(protocol, d, -1, train, test));
                        break;
                    default:
                        throw new Data.AiopsLabException($"unknown labelling protocol '{protocol}' (known: {CrossValidation}, {LeaveOneDatasetOut}, {OwnSplit}).");
                }
            }
        var results = new List<LabelPrediction>[tasks.Count];
        int done = 0;
        Parallel.For(0, tasks.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Jobs), CancellationToken = ct }, t =>
        {
            var task = tasks[t];
            var list = new List<LabelPrediction>();
            var examples = task.Train.Select(c => new LabelExample(c.Oracle, c.Truth.Type)).ToArray();
            foreach (var l in labellers)
            {
                ulong seed = StableHash.Combine(o.Seed, task.Protocol, task.Dataset, task.Fold.ToString(System.Globalization.CultureInfo.InvariantCulture), l.Name);
                IFaultLabeller? trained = null; string? trainError = null;
                try { trained = l.Learns ? l.Train(examples, seed, ct) : l; }
                catch (Exception e) when (e is not OperationCanceledException) { trainError = "training failed: " + e.Message; }
                foreach (var c in task.Test)
                {
                    list.Add(Predict(task, l.Name, c, Oracle, c.TrueService, c.Oracle, trained, trainError, ct));
                    list.Add(Predict(task, l.Name, c, EndToEnd, c.PredictedService ?? "", c.EndToEnd, trained, trainError ?? c.EndToEndError, ct));
                }
            }
            results[t] = list;
            progress?.Invoke(Interlocked.Increment(ref done), tasks.Count);
        });
        var order = labellers.Select((l, i) => (l.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        return results.SelectMany(r => r)
            .OrderBy(p => p.Protocol, StringComparer.Ordinal).ThenBy(p => p.Dataset, StringComparer.Ordinal).ThenBy(p => p.CaseId, StringComparer.Ordinal)
            .ThenBy(p => p.Mode, StringComparer.Ordinal).ThenBy(p => order[p.Labeller]).ToArray();
    }

    private static LabelPrediction Predict(Task task, string labeller, LabelCase c, string mode, string service, LabelInput? input,
        IFaultLabeller? trained, string? error, CancellationToken ct)
    {
        var p = new LabelPrediction(task.Protocol, mode, labeller, c.Dataset, c.Id, c.Group, task.Fold, c.Truth.Type, c.Truth.Original, service, [], error);
        if (error is not null || trained is null || input is null) return p with { Error = error ?? "no input" };
        try { return p with { Ranking = trained.Label(input, ct).Ranking }; }
        catch (Exception e) when (e is not OperationCanceledException) { return p with { Error = e.Message }; }
    }
}
