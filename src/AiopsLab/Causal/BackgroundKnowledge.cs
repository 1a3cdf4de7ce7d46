using AiopsLab.Data;

namespace AiopsLab.Causal;

/// <summary>
/// Background knowledge for constraint-based discovery (Meek, "Causal inference and causal explanation with background
/// knowledge", UAI 1995): arrows that must not appear (<see cref="Forbid"/>) and arrows that must (<see cref="Require"/>).
/// PC never tests a pair forbidden in both directions (it is non-adjacent from the start), never removes a required
/// adjacency, orients required arrows and the reverse of one-way forbidden ones before looking for v-structures, and
/// never orients an edge against the knowledge afterwards. Names are variable (column) names; unknown names are ignored.
/// </summary>
public sealed class BackgroundKnowledge
{
    private readonly HashSet<(string, string)> _forbidden = [];
    private readonly HashSet<(string, string)> _required = [];

    /// <summary>Forbids the arrow <paramref name="from"/> → <paramref name="to"/>.</summary>
    public BackgroundKnowledge Forbid(string from, string to)
    {
        if (_required.Contains((from, to))) throw new ArgumentException($"the arrow {from} -> {to} is both required and forbidden.");
        _forbidden.Add((from, to));
        return this;
    }

    /// <summary>Requires the arrow <paramref name="from"/> → <paramref name="to"/>.</summary>
    public BackgroundKnowledge Require(string from, string to)
    {
        if (_forbidden.Contains((from, to))) throw new ArgumentException($"the arrow {from} -> {to} is both required and forbidden.");
        if (_required.Contains((to, from))) throw new ArgumentException($"both {from} -> {to} and {to} -> {from} are required.");
        _required.Add((from, to));
        return this;
    }

    public bool IsForbidden(string from, string to) => _forbidden.Contains((from, to));

    public bool IsRequired(string from, string to) => _required.Contains((from, to));

    public int ForbiddenCount => _forbidden.Count;

    public int RequiredCount => _required.Count;

    /// <summary>
    /// Knowledge derived from a service call graph (caller → callee): an arrow between metrics of two different services
    /// is forbidden unless one of them calls the other (either direction, since a fault travels back to callers and load
    /// travels on to callees). Metrics of one service may be joined freely. Columns whose service is not in the call
    /// graph get no constraint.
    /// </summary>
    public static BackgroundKnowledge FromCallGraph(IReadOnlyList<string> columns, MetricNaming naming, DirectedGraph callGraph)
    {
        var k = new BackgroundKnowledge();
        var service = columns.Select(naming.ServiceOf).ToArray();
        for (int i = 0; i < columns.Count; i++)
            for (int j = 0; j < columns.Count; j++)
            {
                if (i == j) continue;
                string a = service[i], b = service[j];
                if (a == b || !callGraph.Contains(a) || !callGraph.Contains(b)) continue;
                if (!callGraph.HasEdge(a, b) && !callGraph.HasEdge(b, a)) k.Forbid(columns[i], columns[j]);
            }
        return k;
    }
}
