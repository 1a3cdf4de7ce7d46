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
    public static string? SplitOf(CaseDescriptor d) => d.Id.Split('/') is [_, "train" or "test" and var s, ..] ? s : null;

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
}
