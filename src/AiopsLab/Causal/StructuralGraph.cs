using AiopsLab.Data;

namespace AiopsLab.Causal;

/// <summary>The four meta-variable types of CIRCA's structural graph (the "golden signals").</summary>
public enum MetaType
{
    /// <summary>Traffic: request or load rates.</summary>
    Traffic,
    /// <summary>Saturation: resource usage (CPU, memory, disk, network, threads, …).</summary>
    Saturation,
    /// <summary>Latency: response or processing time.</summary>
    Latency,
    /// <summary>Errors: error or failure rates (and success rates, their complement).</summary>
    Errors,
}

/// <summary>
/// CIRCA's structural graph (Li, Chen, Jiang, Zhang, Pei, Zhang, Chen, Ma, Zhou &amp; Pei, "Causal Inference-Based Root
/// Cause Analysis for Online Service Systems with Intervention Recognition", KDD 2022, §4.1 and Figure 4): a causal graph
/// over metrics derived from the architecture instead of learned from data.
/// </summary>
/// <remarks>
/// <para><b>Skeleton among meta variables</b> (type, component), one per type and service of the call graph, with
/// CIRCA's assumptions (the paper's Figure 4 and its reference configuration): within a service T → S, T → L, T → E,
/// S → L, S → E, L → E; along a call caller → callee: caller.T → callee.T (load travels to the callee),
/// callee.L → caller.L and callee.E → caller.E (latency and errors travel back); errors also travel to every indirect
/// caller: callee.E → ancestor.E.</para>
/// <para><b>Metrics</b> are mapped to meta variables by (service, metric kind → type). Visiting the meta variables in
/// topological order (strongly connected components contracted), a meta variable's metrics get as parents the metrics
/// "visible" at its causes; a meta variable with no metric passes its own parents on as visible, so the graph skips
/// unobserved meta variables (CIRCA's <c>StructuralGraph.visit</c>).</para>
/// <para><b>Kinds to types</b> (<see cref="DefaultType"/>): latency-like kinds → L, error-like → E, traffic-like → T,
/// everything else (CPU, memory, disk, network, …) → S.</para>
/// </remarks>
public static class StructuralGraph
{
    /// <summary>The meta type of a metric kind by its name (case-insensitive substrings; see <see cref="StructuralGraph"/>).</summary>
    public static MetaType DefaultType(string kind)
    {
        var k = kind.ToLowerInvariant();
        bool Has(string s) => k.Contains(s, StringComparison.Ordinal);
        if (Has("error") || Has("fail") || Has("success") || Has("availability") || Has("5xx") || Has("4xx") || k == "err") return MetaType.Errors;
        if (Has("latency") || Has("duration") || Has("response") || k == "lat" || k.StartsWith("lat_", StringComparison.Ordinal)
            || k.StartsWith("lat-", StringComparison.Ordinal) || k == "rt" || Has("delay")) return MetaType.Latency;
        if (Has("load") || k == "lod" || Has("qps") || Has("rps") || Has("tps") || Has("request") || Has("throughput")
            || Has("traffic") || Has("count") || Has("calls")) return MetaType.Traffic;
        return MetaType.Saturation;
    }

    /// <summary>
    /// The structural graph over <paramref name="columns"/> (arrows cause → effect), from the service call graph
    /// (caller → callee) and each column's (service, kind). <paramref name="typeOf"/> maps a kind to its meta type
    /// (default <see cref="DefaultType"/>).
    /// </summary>
    public static CausalGraph Build(IReadOnlyList<string> columns, MetricNaming naming, DirectedGraph callGraph, Func<string, MetaType>? typeOf = null)
    {
        typeOf ??= DefaultType;
        var services = callGraph.Nodes.Concat(columns.Select(naming.ServiceOf)).Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var types = Enum.GetValues<MetaType>();
        string Meta(MetaType t, string service) => ((int)t).ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + service;

        var edges = new List<(string, string)>();
        foreach (var s in services)
        {
            edges.Add((Meta(MetaType.Traffic, s), Meta(MetaType.Saturation, s)));
            edges.Add((Meta(MetaType.Traffic, s), Meta(MetaType.Latency, s)));
            edges.Add((Meta(MetaType.Traffic, s), Meta(MetaType.Errors, s)));
            edges.Add((Meta(MetaType.Saturation, s), Meta(MetaType.Latency, s)));
            edges.Add((Meta(MetaType.Saturation, s), Meta(MetaType.Errors, s)));
            edges.Add((Meta(MetaType.Latency, s), Meta(MetaType.Errors, s)));
        }
        foreach (var (caller, callee) in callGraph.Edges)
        {
            if (caller == callee) continue;
            edges.Add((Meta(MetaType.Traffic, caller), Meta(MetaType.Traffic, callee)));
            edges.Add((Meta(MetaType.Latency, callee), Meta(MetaType.Latency, caller)));
            edges.Add((Meta(MetaType.Errors, callee), Meta(MetaType.Errors, caller)));
        }
        var reversedCalls = callGraph.Reverse();
        foreach (var callee in callGraph.Nodes)
            foreach (var ancestor in reversedCalls.Descendants(callee))
                if (ancestor != callee) edges.Add((Meta(MetaType.Errors, callee), Meta(MetaType.Errors, ancestor)));
        var skeleton = new DirectedGraph(edges, services.SelectMany(s => types.Select(t => Meta(t, s))));

        // Metrics of each meta variable.
        var members = skeleton.Nodes.ToDictionary(n => n, _ => new List<int>(), StringComparer.Ordinal);
        for (int i = 0; i < columns.Count; i++)
            members[Meta(typeOf(naming.KindOf(columns[i])), naming.ServiceOf(columns[i]))].Add(i);

        var visible = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        var arrows = new bool[columns.Count, columns.Count];
        foreach (var layer in Layers(skeleton))
        {
            foreach (var mv in layer)
            {
                var parents = new HashSet<int>();
                foreach (var cause in skeleton.Predecessors(mv))
                    if (visible.TryGetValue(cause, out var v)) parents.UnionWith(v);
                var current = members[mv];
                foreach (var p in parents)
                    foreach (var c in current)
                        if (p != c) arrows[p, c] = true;
                visible[mv] = current.Count > 0 ? current.ToHashSet() : parents;
            }
        }
        return new CausalGraph(columns, arrows);
    }

    /// <summary>
    /// Nodes in topological layers, strongly connected components contracted (members of one component share a layer),
    /// nodes within a layer in ordinal order (CIRCA's <c>topological_sort</c>).
    /// </summary>
    internal static List<List<string>> Layers(DirectedGraph g)
    {
        // Kosaraju: finishing order on g, then components on the reverse.
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in g.Nodes)
        {
            if (!seen.Add(start)) continue;
            var stack = new Stack<(string Node, int Next)>();
            stack.Push((start, 0));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var succ = g.Successors(node);
                if (next < succ.Count)
                {
                    stack.Push((node, next + 1));
                    if (seen.Add(succ[next])) stack.Push((succ[next], 0));
                }
                else order.Add(node);
            }
        }
        var component = new Dictionary<string, int>(StringComparer.Ordinal);
        var members = new List<List<string>>();
        for (int k = order.Count - 1; k >= 0; k--)
        {
            var root = order[k];
            if (component.ContainsKey(root)) continue;
            int id = members.Count;
            members.Add([]);
            var stack = new Stack<string>();
            stack.Push(root);
            component[root] = id;
            while (stack.Count > 0)
            {
                var node = stack.Pop();
                members[id].Add(node);
                foreach (var p in g.Predecessors(node))
                    if (component.TryAdd(p, id)) stack.Push(p);
            }
        }
        // Topological generations of the condensation.
        int c = members.Count;
        var indeg = new int[c];
        var succs = Enumerable.Range(0, c).Select(_ => new HashSet<int>()).ToArray();
        foreach (var (a, b) in g.Edges)
        {
            int ca = component[a], cb = component[b];
            if (ca != cb && succs[ca].Add(cb)) indeg[cb]++;
        }
        var layers = new List<List<string>>();
        var ready = Enumerable.Range(0, c).Where(i => indeg[i] == 0).ToList();
        while (ready.Count > 0)
        {
            layers.Add(ready.SelectMany(i => members[i]).OrderBy(n => n, StringComparer.Ordinal).ToList());
            var next = new List<int>();
            foreach (var i in ready)
                foreach (var j in succs[i])
                    if (--indeg[j] == 0) next.Add(j);
            ready = next;
        }
        return layers;
    }
}
