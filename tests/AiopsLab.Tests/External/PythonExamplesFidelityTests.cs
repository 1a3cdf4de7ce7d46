using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.External;
using AiopsLab.Methods;
using AiopsLab.Rca;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.External;

/// <summary>
/// The Python examples (clients/python/examples, plain Python against the stdlib-only client) are the same methods as
/// ours: on every rcd-sockshop case, py-nsigma ranks exactly as <see cref="NSigma"/> and py-baro exactly as
/// <see cref="Baro"/> — same metrics in the same order, same scores to the bit (ties and dropped constant columns included).
/// Two independent implementations agreeing on 50 real cases checks both, and checks that the protocol carries the
/// numbers exactly.
/// </summary>
public sealed class PythonExamplesFidelityTests
{
    [PythonDataFact("rcd-sockshop")]
    public void Python_nsigma_and_baro_rank_every_rcd_sockshop_case_as_ours()
    {
        var ds = DatasetCatalog.Open("rcd-sockshop", TestData.DataRoot);
        using var pyNsigma = new ExternalLocalizer(Py.Example("py-nsigma"), new Dictionary<string, string>());
        using var pyBaro = new ExternalLocalizer(Py.Example("py-baro"), new Dictionary<string, string>());
        var pairs = new (IRootCauseLocalizer Ours, ExternalLocalizer Theirs)[] { (new NSigma(), pyNsigma), (new Baro(), pyBaro) };
        int compared = 0, ties = 0;
        foreach (var d in ds.Cases)
        {
            var fc = ds.Load(d);
            var p = new RcaProblem(fc.Metrics, fc.Label.InjectTime, fc.CallGraph, fc.Naming) { Slis = fc.Slis };
            foreach (var (ours, theirs) in pairs)
            {
                var a = ours.Localize(p);
                var b = theirs.Localize(p);
                Assert.True(a.Ranking.Select(r => r.Metric).SequenceEqual(b.Ranking.Select(r => r.Metric)),
                    $"{d.Id}: {ours.Name} and {theirs.Name} rank differently: {string.Join(",", a.Ranking.Take(5).Select(r => r.Metric))} vs {string.Join(",", b.Ranking.Take(5).Select(r => r.Metric))}.");
                Assert.True(a.Ranking.Select(r => BitConverter.DoubleToInt64Bits(r.Score)).SequenceEqual(b.Ranking.Select(r => BitConverter.DoubleToInt64Bits(r.Score))),
                    $"{d.Id}: {ours.Name} and {theirs.Name} give different scores.");
                Assert.Equal(a.Diagnostics["dropped_constant"], b.Diagnostics["dropped_constant"]);
                ties += a.Ranking.Zip(a.Ranking.Skip(1)).Count(x => x.First.Score == x.Second.Score || (double.IsNaN(x.First.Score) && double.IsNaN(x.Second.Score)));
                compared++;
            }
        }
        Assert.Equal(2 * ds.Cases.Count, compared);
        Assert.True(ds.Cases.Count >= 50, $"rcd-sockshop has {ds.Cases.Count} cases; expected 50.");
        Assert.True(ties > 0, "no tied scores were compared; the tie rule went unchecked.");
    }
}
