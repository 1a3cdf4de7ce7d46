using System.Diagnostics;
using System.Globalization;
using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Labelling;
using AiopsLab.Methods;

namespace AiopsLab.Evaluation;

/// <summary>
/// Prepares a dataset's cases for fault-type labelling (<see cref="LabellingProtocol"/>): loads each case, maps its label
/// to the shared vocabulary, runs the localizer (anomaly time = the label's inject time) for the end-to-end service and
/// computes the labelling inputs at the true and the localized service. The label never reaches a labeller: inputs are
/// built from the <see cref="RcaProblem"/>, which has no field for it.
/// </summary>
public static class LabellingCases
{
    /// <summary>
    /// The recording a case was cut from, the unit grouped folds keep together: a Nezha day (one continuous recording
    /// per day), a PetShop scenario (its issues share the scenario's normal recording), a generated system, and otherwise
    /// the case itself when the dataset stores every case as its own recording (RCD Sock Shop's <c>service-fault/rep</c>)
    /// — else the system, the safe choice.
    /// </summary>
    public static string GroupOf(string dataset, CaseDescriptor d) => dataset switch
    {
        "nezha" => d.Id.Split('/')[0],
        "rcd-sockshop" => d.Id,
        _ => d.System,
    };

    /// <summary>PetShop's own split (<c>scenario/train/issue_k</c>), else null.</summary>
    public static string? SplitOf(CaseDescriptor d) => d.Id.Split('/') is [_, var s, ..] && s is "train" or "test" ? s : null;

    /// <summary>Prepares every runnable, mappable case of <paramref name="ds"/>. Cases that cannot be loaded or whose
    /// fault type has no shared type are left out, each with a note.</summary>
    public static IReadOnlyList<LabelCase> Prepare(IDataset ds, string localizerSpec, int jobs, Action<string> note, Action<int, int>? progress = null, CancellationToken ct = default)
    {
        MethodCatalog.CreateLocalizer(localizerSpec); // fails early on a bad spec
        var descriptors = ds.Cases.ToArray();
        var result = new LabelCase?[descriptors.Length];
        var notes = new string?[descriptors.Length];
        int done = 0;
        Parallel.For(0, descriptors.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs), CancellationToken = ct }, i =>
        {
            var d = descriptors[i];
            try
            {
                if (d.Problem is not null) { notes[i] = $"{ds.Name}/{d.Id}: skipped: {d.Problem}"; return; }
                if (FaultVocabulary.Shared(d.FaultType) is not { } type) { notes[i] = $"{ds.Name}/{d.Id}: skipped: fault type '{d.FaultType}' has no shared type."; return; }
                var fc = ds.Load(d, ct);
                var problem = new RcaProblem(fc.Metrics, fc.Label.InjectTime, fc.CallGraph, fc.Naming) { Slis = fc.Slis, Telemetry = fc.Telemetry };
                var oracle = LabelInput.Of(problem, fc.Label.RootCause, ct);
                string? predicted = null, error = null; LabelInput? e2e = null;
                try
                {
                    var r = MethodCatalog.CreateLocalizer(localizerSpec).Localize(problem, ct);
                    predicted = r.Services(fc.Naming).FirstOrDefault();
                    if (predicted is null) error = $"{localizerSpec} ranked no service";
                    else e2e = predicted == fc.Label.RootCause ? oracle : LabelInput.Of(problem, predicted, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException) { error = $"{localizerSpec} failed: {e.Message}"; }
                result[i] = new LabelCase(d.Id, ds.Name, d.System, GroupOf(ds.Name, d), SplitOf(d), new MappedLabel(type, d.FaultType),
                    fc.Label.RootCause, oracle, predicted, e2e, error);
            }
            catch (Exception e) when (e is DataFormatException or CaseUnavailableException) { notes[i] = $"{ds.Name}/{d.Id}: skipped: {e.Message}"; }
            finally { progress?.Invoke(Interlocked.Increment(ref done), descriptors.Length); }
        });
        foreach (var n in notes) if (n is not null) note(n);
        return result.Where(c => c is not null).Select(c => c!).ToArray();
    }

    /// <summary>
    /// The whole labelling benchmark: prepares every case of <paramref name="datasets"/>, runs the protocols and writes
    /// predictions.csv, summary.{csv,md} and confusion SVGs to <paramref name="outDir"/>. Per-case skip notes are
    /// collapsed to one line per reason. Progress and timing go to <paramref name="log"/>.
    /// </summary>
    public static LabellingRun Run(IEnumerable<IDataset> datasets, IReadOnlyList<string> labellerSpecs, string localizerSpec, ProtocolOptions o,
        string baseline, string outDir, TextWriter log, CancellationToken ct = default)
    {
        var built = labellerSpecs.Select(MethodCatalog.CreateLabeller).ToArray();
        if (!built.Any(l => l.Name == baseline)) throw new AiopsLabException($"baseline '{baseline}' is not among the labellers ({string.Join(", ", labellerSpecs)}).");
        var sw = Stopwatch.StartNew();
        var skipped = new List<string>();
        var cases = new List<LabelCase>();
        foreach (var ds in datasets)
        {
            var t0 = sw.Elapsed;
            var prepared = Prepare(ds, localizerSpec, o.Jobs, n => { lock (skipped) skipped.Add(n); }, Progress(log, sw, ds.Name + ": cases"), ct);
            cases.AddRange(prepared);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ds.Name}: {prepared.Count} case(s) prepared in {(sw.Elapsed - t0).TotalSeconds:0.0} s"));
        }
        double prepare = sw.Elapsed.TotalSeconds;
        var notes = new List<string>();
        var predictions = LabellingProtocol.Run(cases, built, o, notes.Add, Progress(log, sw, "train/evaluate tasks"), ct);
        double evaluate = sw.Elapsed.TotalSeconds - prepare;
        notes.InsertRange(0, skipped.GroupBy(n => n[(n.IndexOf(": skipped: ", StringComparison.Ordinal) + 2)..], StringComparer.Ordinal)
            .Select(g => $"{g.Count()} case(s) {g.Key} (e.g. {g.First()[..g.First().IndexOf(": skipped: ", StringComparison.Ordinal)]})"));
        notes.Insert(0, string.Create(CultureInfo.InvariantCulture,
            $"{cases.Count} cases; labellers {string.Join(", ", labellerSpecs)}; localizer {localizerSpec}; folds {o.Folds}; seed {o.Seed}; protocols {string.Join(",", o.Protocols)}. Time: {prepare:0.0} s loading, localizing and features, {evaluate:0.0} s training and evaluation."));
        var md = LabellingReport.Write(outDir, predictions, baseline, $"Fault-type labelling ({string.Join(", ", cases.Select(c => c.Dataset).Distinct())})", notes);
        return new LabellingRun(predictions, md, prepare, evaluate);
    }

    private static Action<int, int> Progress(TextWriter log, Stopwatch sw, string what)
    {
        var last = TimeSpan.Zero;
        return (done, total) =>
        {
            lock (log)
                if (done == total || sw.Elapsed - last > TimeSpan.FromSeconds(5))
                {
                    last = sw.Elapsed;
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what}: {done}/{total}, {sw.Elapsed.TotalSeconds:0.0} s"));
                }
        };
    }
}

/// <summary>What <see cref="LabellingCases.Run"/> produced: the predictions, the Markdown summary and the time of each phase.</summary>
public sealed record LabellingRun(IReadOnlyList<LabelPrediction> Predictions, string Markdown, double PrepareSeconds, double EvaluateSeconds);
