namespace AiopsLab.Data;

/// <summary>
/// An immutable directed graph over named nodes. It serves as the service call graph (the design's ServiceGraph:
/// an edge <c>A → B</c> means A calls B, so a fault at B shows up at A) and as a known causal graph over metrics
/// (<c>cause → effect</c>). One type for both lets the graph metrics compare any two graphs.
/// Nodes and neighbour lists are in ordinal order, so every traversal is deterministic.
/// </summary>
public sealed class DirectedGraph
{
    private readonly string[] _nodes;
    private readonly Dictionary<string, string[]> _out;
    private readonly Dictionary<string, string[]> _in;

    public DirectedGraph(IEnumerable<(string From, string To)> edges, IEnumerable<string>? isolatedNodes = null)
    {
        var outs = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var ins = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        void Touch(string n)
        {
            if (string.IsNullOrEmpty(n)) throw new ArgumentException("a graph node has an empty name.");
            if (!outs.ContainsKey(n)) { outs[n] = new SortedSet<string>(StringComparer.Ordinal); ins[n] = new SortedSet<string>(StringComparer.Ordinal); }
        }
        foreach (var n in isolatedNodes ?? []) Touch(n);
        foreach (var (a, b) in edges)
        {
            Touch(a); Touch(b);
            outs[a].Add(b);
            ins[b].Add(a);
        }
        _nodes = outs.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();
        _out = outs.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
        _in = ins.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Nodes => _nodes;

    public int NodeCount => _nodes.Length;

    public int EdgeCount => _out.Values.Sum(v => v.Length);

    /// <summary>Edges in ordinal order of (from, to).</summary>
    public IEnumerable<(string From, string To)> Edges =>
        _nodes.SelectMany(a => _out[a].Select(b => (a, b)));

    public bool Contains(string node) => _out.ContainsKey(node);

    public bool HasEdge(string from, string to) =>
        _out.TryGetValue(from, out var s) && Array.BinarySearch(s, to, StringComparer.Ordinal) >= 0;

    /// <summary>Nodes <paramref name="node"/> points to (callees, or effects).</summary>
    public IReadOnlyList<string> Successors(string node) => _out.TryGetValue(node, out var s) ? s : [];

    /// <summary>Nodes pointing to <paramref name="node"/> (callers, or causes).</summary>
    public IReadOnlyList<string> Predecessors(string node) => _in.TryGetValue(node, out var s) ? s : [];

    /// <summary>Every edge turned around.</summary>
    public DirectedGraph Reverse() => new(Edges.Select(e => (e.To, e.From)), _nodes);

    /// <summary>Nodes in topological order (Kahn's algorithm, ordinal tie-break), or null if the graph has a cycle.</summary>
    public IReadOnlyList<string>? TopologicalOrder()
    {
        var indeg = _nodes.ToDictionary(n => n, n => _in[n].Length, StringComparer.Ordinal);
        var ready = new SortedSet<string>(_nodes.Where(n => indeg[n] == 0), StringComparer.Ordinal);
        var order = new List<string>(_nodes.Length);
        while (ready.Count > 0)
        {
            var n = ready.Min!;
            ready.Remove(n);
            order.Add(n);
            foreach (var m in _out[n])
                if (--indeg[m] == 0) ready.Add(m);
        }
        return order.Count == _nodes.Length ? order : null;
    }

    public bool IsAcyclic => TopologicalOrder() is not null;

    /// <summary>All nodes reachable from <paramref name="node"/> along edges (excluding itself unless on a cycle).</summary>
    public IReadOnlySet<string> Descendants(string node)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(Successors(node));
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (seen.Add(n)) foreach (var m in Successors(n)) stack.Push(m);
        }
        return seen;
    }

    public override string ToString() => $"DirectedGraph({NodeCount} nodes, {EdgeCount} edges)";
}
