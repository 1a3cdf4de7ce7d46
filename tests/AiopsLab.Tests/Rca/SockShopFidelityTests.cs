using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Evaluation;
using AiopsLab.Experiments;
using AiopsLab.Methods;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Rca;

/// <summary>
/// Our statistical methods against published numbers on the same data: RCAEval (Pham et al., ASE 2024) Table 5,
/// "Sock Shop 1" = rcd-sockshop, service-level Avg@5 for CPU / MEM faults, and the original Python code run on this data.
/// </summary>
public class SockShopFidelityTests
{
    private const double Tolerance = 0.03;

    private static Dictionary<(string Method, string Fault), double> Avg5(params string[] methods)
    {
        var ds = DatasetCatalog.Open("rcd-sockshop", TestData.DataRoot);
        var outcomes = Runner.Run(new RunRequest { Dataset = ds, Methods = methods.Select(MethodSpec.Parse).ToArray(), Jobs = 2 }).ToList();
        Assert.All(outcomes, o => Assert.Equal(RunStatus.Ok, o.Status));
        return Summary.Build(outcomes).ToDictionary(r => (r.Method, r.Fault), r => r.Avg5);
    }

    /// <summary>Within tolerance of the nearer of the published figure and the original code's figure.</summary>
    private static void Near(double ours, double published, double original, string what)
    {
        double gap = Math.Min(Math.Abs(ours - published), Math.Abs(ours - original));
        Assert.True(gap <= Tolerance, $"{what}: Avg@5 {ours:0.000}, published {published:0.00}, original code {original:0.00}.");
    }

    [DataFact("rcd-sockshop")]
    public void Baro_and_nsigma_match_rcaeval_table_5()
    {
        var a = Avg5("baro", "nsigma");
        Near(a[("baro", "cpu")], 0.99, 0.99, "baro cpu");
        Near(a[("baro", "mem")], 0.99, 0.99, "baro mem");
        Near(a[("nsigma", "cpu")], 0.98, 0.98, "nsigma cpu");
        Near(a[("nsigma", "mem")], 0.99, 0.99, "nsigma mem");
    }

    /// <summary>
    /// RCAEval's ε-Diagnosis is PyRCA's implementation with α = 0.01 on data without <c>_lat_50</c>/<c>_lat_99</c>
    /// (rq2.py); our PyRCA variant under the same settings must reproduce it. The paper's rule (our default) ranks
    /// changed metrics first and must do at least as well as the published figure.
    /// </summary>
    [DataFact("rcd-sockshop")]
    public void E_diagnosis_pyrca_variant_matches_rcaeval_and_the_paper_rule_is_not_worse()
    {
        const string pyrca = "e-diagnosis(exclude-kinds=lat_50;lat_99,mode=py-rca)";
        var a = Avg5(pyrca, "e-diagnosis");
        Near(a[(pyrca, "cpu")], 0.50, 0.46, "e-diagnosis (PyRCA variant) cpu");
        Near(a[(pyrca, "mem")], 0.55, 0.51, "e-diagnosis (PyRCA variant) mem");
        Assert.True(a[("e-diagnosis", "cpu")] >= 0.50 - Tolerance, $"paper-rule e-diagnosis cpu {a[("e-diagnosis", "cpu")]:0.000}");
        Assert.True(a[("e-diagnosis", "mem")] >= 0.55 - Tolerance, $"paper-rule e-diagnosis mem {a[("e-diagnosis", "mem")]:0.000}");
    }

    /// <summary>
    /// RCAEval's evaluation (rq2.py) maps a ranked metric to its service with <c>x.split("_")[0].replace("-db", "")</c>
    /// and keeps the first occurrence of each service. Re-implemented here independently and compared with our naming
    /// and <see cref="AiopsLab.Methods.RcaResult.Services"/> on every Sock Shop column.
    /// </summary>
    [DataFact("rcd-sockshop")]
    public void Service_ranking_follows_rcaeval_s_convention()
    {
        var ds = DatasetCatalog.Open("rcd-sockshop", TestData.DataRoot);
        var c = ds.Load(ds.Cases[0]);
        static string RcaEvalService(string metric) => metric.Split('_')[0].Replace("-db", "", StringComparison.Ordinal);
        foreach (var name in c.Metrics.Names)
            Assert.Equal(RcaEvalService(name), c.Naming.ServiceOf(name));
        // A ranking with repeated services: dedup keeps the first occurrence, in order.
        var ranking = new[] { "carts-db_mem", "orders_cpu", "carts_cpu", "front-end_mem", "orders-db_cpu", "user_lat_90" };
        var ours = new AiopsLab.Methods.RcaResult(ranking.Select((m, i) => new AiopsLab.Methods.RankedMetric(m, -i)).ToArray()).Services(c.Naming);
        var theirs = ranking.Select(RcaEvalService).Distinct().ToArray();
        Assert.Equal(theirs, ours);
    }
}
