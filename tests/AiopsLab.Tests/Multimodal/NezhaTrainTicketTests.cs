using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Evaluation;
using AiopsLab.Methods;
using AiopsLab.Rca;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Multimodal;

/// <summary>
/// The native multi-modal localizers on Nezha's Train Ticket faults (45 cases, traces and logs), scored at the service
/// and the inner-service level. The floors are far above chance (about 40 services, so a random ranking puts the root
/// cause in the top 3 about 8 % of the time) and below what the methods reach here (docs/multimodal.md), so they catch
/// a broken method or reader, not a small drift.
/// </summary>
public class NezhaTrainTicketTests
{
    private static (List<int?> Service, List<int?> Inner) Ranks(IRootCauseLocalizer m, IEnumerable<CaseDescriptor>? only = null)
    {
        var ds = DatasetCatalog.Open("nezha", TestData.DataRoot, DatasetOptions.Parse([]));
        var service = new List<int?>();
        var inner = new List<int?>();
        foreach (var d in only ?? ds.Cases.Where(c => c.System == "train-ticket"))
        {
            var c = ds.Load(d);
            var p = new RcaProblem(c.Metrics, c.Label.InjectTime, c.CallGraph, c.Naming) { Telemetry = c.Telemetry, Slis = c.Slis };
            var r = m.Localize(p);
            service.Add(RankingMetrics.RankOf(r.Services(c.Naming), c.Label.RootCause));
            Assert.NotNull(c.Label.InnerRootCause);
            inner.Add(InnerServiceRank.RankOf(r.Ranking.Select(x => x.Metric).ToArray(), c.Naming, c.Label.RootCause, c.Label.InnerRootCause!));
        }
        return (service, inner);
    }

    [DataFact("nezha")]
    public void Nezha_finds_most_train_ticket_root_causes_at_service_and_inner_service_level()
    {
        var (service, inner) = Ranks(new NezhaLocalizer());
        Assert.Equal(45, service.Count);
        double as3 = RankingMetrics.AcAt(service, 3), ais3 = RankingMetrics.AcAt(inner, 3);
        Assert.True(as3 >= 0.6, $"nezha AS@3 on Train Ticket = {as3:F3}");
        Assert.True(ais3 >= 0.5, $"nezha AIS@3 on Train Ticket = {ais3:F3}");
        // An inner-service hit is a service hit at the same or a better position.
        for (int i = 0; i < inner.Count; i++)
            if (inner[i] is { } k) Assert.True(service[i] is { } s && s <= k, $"case {i}: inner rank {k} but service rank {service[i]}");
    }

    /// <summary>MicroRank and PDiagnose beat chance on the 21 resource faults (AS@3 ≥ 0.2; chance ≈ 0.08). TraceRCA is left
    /// out: on Train Ticket it stays near chance (docs/multimodal.md explains why).</summary>
    [DataFact("nezha")]
    public void MicroRank_and_PDiagnose_beat_chance_on_train_ticket_resource_faults()
    {
        var ds = DatasetCatalog.Open("nezha", TestData.DataRoot, DatasetOptions.Parse([]));
        var resource = ds.Cases.Where(c => c.System == "train-ticket" && c.FaultClass == "resource").ToArray();
        Assert.Equal(21, resource.Length);
        foreach (var m in new IRootCauseLocalizer[] { new MicroRank(), new PDiagnose() })
        {
            var (service, _) = Ranks(m, resource);
            double as3 = RankingMetrics.AcAt(service, 3);
            Assert.True(as3 >= 0.2, $"{m.Name} AS@3 on Train Ticket resource faults = {as3:F3} (chance ≈ 0.08)");
        }
    }
}
