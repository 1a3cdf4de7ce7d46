using AiopsLab.Data;
using AiopsLab.Evaluation;
using Xunit;

namespace AiopsLab.Tests.Multimodal;

public class InnerServiceRankTests
{
    private static readonly MetricNaming Naming = new DelimitedNaming("_");

    [Fact]
    public void A_resource_label_matches_the_service_and_resource_only()
    {
        string[] ranked = ["ts-a_CpuUsageRate(%)", "ts-b_MemoryUsageRate(%)", "ts-b_CpuUsageRate(%)"];
        Assert.Equal(3, InnerServiceRank.RankOf(ranked, Naming, "ts-b", "CpuUsageRate(%)"));
        Assert.Null(InnerServiceRank.RankOf(ranked, Naming, "ts-b", "NetworkP90(ms)"));
    }

    [Fact]
    public void A_code_region_label_needs_both_statements_in_order()
    {
        // Nezha's label "A_B": A in the pattern's source event, B in its target event.
        string[] ranked = ["ts-c_c.s.X#34 -> c.s.X#31", "ts-c_c.s.X#31 -> ts-c op end", "ts-c_c.s.X#31 -> c.s.X#34"];
        Assert.Equal(3, InnerServiceRank.RankOf(ranked, Naming, "ts-c", "c.s.X#31_c.s.X#34"));
        Assert.False(InnerServiceRank.Matches("ts-d", "c.s.X#31 -> c.s.X#34", "ts-c", "c.s.X#31_c.s.X#34"));
    }
}
