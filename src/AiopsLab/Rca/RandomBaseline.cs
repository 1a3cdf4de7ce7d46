using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Rca;

/// <summary>
/// The chance baseline ("Dummy" in RCAEval, Pham et al., ASE 2024, Table 5): a uniformly random permutation of the
/// metrics, drawn from the problem's seed. At service level its expected Avg@5 over a case with n services is
/// (1/5)·Σ_{k=1..5} min(k, n)/n only when every service has the same number of metrics; with unequal counts a service
/// with more metrics is more likely to appear early, so <see cref="Options.PerService"/> (default) permutes services
/// first, which makes the service ranking exactly uniform and the expectation exactly that formula.
/// </summary>
[Method("random", Summary = "Seeded uniformly random ranking (chance baseline).", Citation = "RCAEval's Dummy baseline (Pham et al., ASE 2024)", IsBaseline = true)]
public sealed class RandomBaseline : IRootCauseLocalizer
{
    public sealed record Options
    {
        /// <summary>Permute services uniformly (then metrics within each), rather than metrics.</summary>
        public bool PerService { get; set; } = true;
    }

    private readonly Options _o;

    public RandomBaseline() : this(new Options()) { }

    public RandomBaseline(Options options) => _o = options;

    public string Name => "random";

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var rng = new Rng(problem.Seed);
        // Start from a canonical order so the result does not depend on column order.
        var names = problem.Metrics.Names.OrderBy(n => n, StringComparer.Ordinal).ToList();
        List<string> order;
        if (_o.PerService)
        {
            var services = problem.Naming.Services(names).OrderBy(s => s, StringComparer.Ordinal).ToList();
            rng.Shuffle(services);
            order = [];
            foreach (var s in services)
            {
                var ms = names.Where(n => problem.Naming.ServiceOf(n) == s).ToList();
                rng.Shuffle(ms);
                order.AddRange(ms);
            }
        }
        else
        {
            order = names;
            rng.Shuffle(order);
        }
        var ranking = order.Select((n, i) => new RankedMetric(n, order.Count - i)).ToArray();
        return new RcaResult(ranking);
    }
}
