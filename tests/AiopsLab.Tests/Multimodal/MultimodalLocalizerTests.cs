using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Rca;
using Xunit;
using static AiopsLab.Tests.Multimodal.HandBuiltTelemetry;

namespace AiopsLab.Tests.Multimodal;

/// <summary>
/// The native multi-modal localizers on <see cref="HandBuiltTelemetry"/>, where the root cause is known by construction,
/// and their formulas against values worked out by hand.
/// </summary>
public class MultimodalLocalizerTests
{
    private static IReadOnlyList<string> Services(RcaResult r, RcaProblem p) => r.Services(p.Naming);

    private static string Top(IRootCauseLocalizer m, RcaProblem p)
    {
        var r = m.Localize(p);
        Assert.NotEmpty(r.Ranking);
        return Services(r, p)[0];
    }

    // --- Nezha -------------------------------------------------------------------------------------------------------

    [Fact]
    public void Nezha_names_the_code_region_whose_log_pattern_the_fault_broke()
    {
        var p = Case("b", Fault.Code);
        var r = new NezhaLocalizer().Localize(p);
        // b's normal pattern x.b#10 → x.b#11 vanished under the fault (replaced by x.b#10 → x.b#99).
        Assert.Equal("b_x.b#10 -> x.b#11", r.Ranking[0].Metric);
        Assert.Equal(1.0, Math.Floor(r.Ranking[0].Score));
    }

    [Theory]
    [InlineData(Fault.Cpu, "c", "c_CpuUsageRate(%)")]
    [InlineData(Fault.Network, "b", "b_NetworkP90(ms)")]
    public void Nezha_names_the_alarmed_resource_of_the_faulty_service(Fault fault, string root, string expected)
    {
        foreach (var separate in new[] { false, true })
        {
            var c = FaultCaseOf(root, fault, 7, separate);
            var p = new RcaProblem(c.Metrics, FaultAt, null, c.Naming) { Telemetry = c.Telemetry };
            Assert.Equal(expected, new NezhaLocalizer().Localize(p).Ranking[0].Metric);
        }
    }

    [Fact]
    public void Nezha_without_a_changed_pattern_ranks_nothing_at_score_one()
    {
        // A pure compute slowdown changes no event order and raises no alarm: Nezha's blind spot by design.
        var r = new NezhaLocalizer().Localize(Case("b", Fault.Slow));
        Assert.DoesNotContain(r.Ranking, x => x.Score >= 1);
    }

    [Fact]
    public void Nezha_network_latency_is_the_parents_end_minus_the_childs_end()
    {
        // Four spans of svc "k" whose parents (pod p) end 100, 200, 300, 400 ms after them; P90 (linear) = 370 ms.
        var rows = new List<(string, string, string?, string, long, long)> { ("t", "root", null, "p", 0, 10_000_000) };
        for (int i = 1; i <= 4; i++)
        {
            rows.Add(("t", "par" + i, "root", "p", 0, 1_000_000 + i * 100_000));
            rows.Add(("t", "kid" + i, "par" + i, "k", 0, 1_000_000));
        }
        var s = new SpanTable(rows.Select(r => r.Item1).ToArray(), rows.Select(r => r.Item2).ToArray(), rows.Select(r => r.Item3).ToArray(),
            rows.Select(r => r.Item4).ToArray(), rows.Select(r => r.Item4 + "-pod").ToArray(), rows.Select(_ => "op").ToArray(),
            rows.Select(r => r.Item5).ToArray(), rows.Select(r => r.Item6).ToArray(), rows.Select(_ => SpanStatus.Ok).ToArray());
        var p90 = NezhaLocalizer.NetworkP90(s, Enumerable.Range(0, s.Count).ToArray());
        Assert.Equal(370.0, p90["k"], 9);
        Assert.False(p90.ContainsKey("p")); // p's own spans: one has no parent, the others' parent is in the same pod
    }

    // --- MicroRank ---------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(Fault.Slow, "b")]
    [InlineData(Fault.Cpu, "c")]
    [InlineData(Fault.Network, "b")]
    public void MicroRank_ranks_the_service_every_anomalous_trace_passes_through_first(Fault fault, string root) =>
        Assert.Equal(root, Top(new MicroRank(), Case(root, fault)));

    [Fact]
    public void Spectrum_formulas_match_hand_computed_values()
    {
        // DStar²: ef²/(ep + nf) = 16/(1 + 1) = 8. Ochiai: ef/√((ef + ep)(ef + nf)) = 2/√(4·4) = 0.5.
        Assert.Equal(8, MicroRank.Suspiciousness(MicroRank.Spectrum.DStar2, 4, 1, 1, 3), 12);
        Assert.Equal(0.5, MicroRank.Suspiciousness(MicroRank.Spectrum.Ochiai, 2, 2, 2, 5), 12);
        // Tarantula: (ef/F)/((ef/F) + (ep/P)) with F = 4, P = 8: 0.5/(0.5 + 0.25) = 2/3.
        Assert.Equal(2.0 / 3, MicroRank.Suspiciousness(MicroRank.Spectrum.Tarantula, 2, 2, 2, 6), 12);
    }

    // --- TraceRCA ----------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(Fault.Slow, "b")]
    [InlineData(Fault.Code, "b")]
    [InlineData(Fault.Cpu, "c")]
    public void TraceRca_ranks_the_callee_of_anomalous_calls_that_makes_none_first(Fault fault, string root) =>
        Assert.Equal(root, Top(new TraceRca(), Case(root, fault)));

    [Fact]
    public void TraceRca_jaccard_of_support_and_confidence_is_the_set_jaccard_index()
    {
        // Item in 4 traces, 8 anomalous traces, 2 in both: |A∩B|/|A∪B| = 2/10; sup = 2/8, conf = 2/4.
        Assert.Equal(0.2, TraceRca.Jaccard(2.0 / 8, 2.0 / 4), 12);
        Assert.Equal(1.0, TraceRca.Jaccard(1, 1), 12);
    }

    // --- PDiagnose ---------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(Fault.Slow, "b")]
    [InlineData(Fault.Code, "b")]
    [InlineData(Fault.Cpu, "c")]
    public void PDiagnose_ranks_the_service_most_sources_flag_first(Fault fault, string root) =>
        Assert.Equal(root, Top(new PDiagnose(), Case(root, fault)));

    [Fact]
    public void PDiagnose_counts_votes_before_severity()
    {
        // CPU fault on c: metrics and traces both flag c (2 votes); its callers' spans slow down too (trace vote only).
        var r = new PDiagnose().Localize(Case("c", Fault.Cpu));
        Assert.True(r.Ranking[0].Score >= 2, $"c should have two votes, got {r.Ranking[0].Score}");
        Assert.True(r.Ranking[1].Score < 2);
    }

    // --- all ---------------------------------------------------------------------------------------------------------

    public static TheoryData<string> Methods() => ["nezha", "microrank", "tracerca", "pdiagnose"];

    [Theory, MemberData(nameof(Methods))]
    public void A_case_with_only_metrics_gives_an_error_naming_the_method(string method)
    {
        var c = Case("b", Fault.Slow);
        var p = c with { Telemetry = null };
        var e = Assert.Throws<AiopsLabException>(() => Catalog.MethodCatalog.CreateLocalizer(method).Localize(p));
        Assert.StartsWith(method + " needs traces", e.Message, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Methods))]
    public void The_result_does_not_depend_on_the_order_of_the_span_rows(string method)
    {
        var p = Case("b", Fault.Code, 9);
        var s = p.Telemetry!.Spans!;
        var idx = Enumerable.Range(0, s.Count).Reverse().ToArray();
        var rev = new SpanTable(idx.Select(i => s.TraceId[i]).ToArray(), idx.Select(i => s.SpanId[i]).ToArray(), idx.Select(i => s.ParentId[i]).ToArray(),
            idx.Select(i => s.Service[i]).ToArray(), idx.Select(i => s.Pod[i]).ToArray(), idx.Select(i => s.Operation[i]).ToArray(),
            idx.Select(i => s.StartMicros[i]).ToArray(), idx.Select(i => s.DurationMicros[i]).ToArray(), idx.Select(i => s.Status[i]).ToArray());
        var q = p with { Telemetry = new CaseTelemetry(() => rev, () => p.Telemetry.Logs) };
        var m = Catalog.MethodCatalog.CreateLocalizer(method);
        Assert.Equal(Services(m.Localize(p), p).Take(3), Services(m.Localize(q), q).Take(3));
    }
}
