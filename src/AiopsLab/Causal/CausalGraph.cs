using AiopsLab.Data;

namespace AiopsLab.Causal;

/// <summary>
/// A graph over named variables that causal discovery returns: a DAG (LiNGAM), a CPDAG / PDAG with undirected edges
/// (PC), or a directed graph that may have cycles and mutual edges (Granger). It is stored as arrow marks:
/// <c>HasArrow(i, j)</c> means "i may cause j". A directed edge i → j has only that mark; an undirected edge i — j
/// (direction unknown) and a mutual edge i ⇄ j both have both marks. This is the reading every graph-based ranking
/// and RCAEval's graph metrics give an undirected edge (RCAEval <c>finalize_directed_adj</c>: "--- to &lt;-&gt;").
/// Immutable; node order is the order given.
/// </summary>
public sealed class CausalGraph
{
    private readonly string[] _names;
    private readonly bool[] _arrow;
    private readonly Dictionary<string, int> _index;

    /// <summary>Builds a graph from an n×n arrow matrix (<c>arrows[i, j]</c> = i → j mark). The diagonal is ignored.</summary>
    public CausalGraph(IReadOnlyList<string> names, bool[,] arrows)
    {
        int n = names.Count;
        if (arrows.GetLength(0) != n || arrows.GetLength(1) != n)
            throw new ArgumentException($"{n} names but a {arrows.GetLength(0)}×{arrows.GetLength(1)} arrow matrix.");
        _names = names.ToArray();
        _index = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
            if (!_index.TryAdd(_names[i], i)) throw new ArgumentException($"node '{_names[i]}' appears twice.");
        _arrow = new bool[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                _arrow[i * n + j] = i != j && arrows[i, j];
    }

    /// <summary>A graph with the given arrows (pairs of node positions).</summary>
    public static CausalGraph FromArrows(IReadOnlyList<string> names, IEnumerable<(int From, int To)> arrows)
    {
        var a = new bool[names.Count, names.Count];
        foreach (var (f, t) in arrows) a[f, t] = true;
        return new CausalGraph(names, a);
    }

    /// <summary>The graph of a <see cref="DirectedGraph"/> over <paramref name="names"/> (its edges among them; other names are isolated).</summary>
    public static CausalGraph FromDirectedGraph(DirectedGraph g, IReadOnlyList<string> names)
    {
        var idx = names.Select((s, i) => (s, i)).ToDictionary(t => t.s, t => t.i, StringComparer.Ordinal);
        var a = new bool[names.Count, names.Count];
        foreach (var (f, t) in g.Edges)
            if (idx.TryGetValue(f, out var i) && idx.TryGetValue(t, out var j)) a[i, j] = true;
        return new CausalGraph(names, a);
    }

    /// <summary>Number of nodes.</summary>
    public int Count => _names.Length;

    /// <summary>Node names in order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Position of <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out var i) ? i : -1;

    /// <summary>True when there is an i → j mark (a directed edge i → j, or an undirected / mutual edge).</summary>
    public bool HasArrow(int i, int j) => _arrow[i * _names.Length + j];

    /// <summary>True when i and j are joined by any edge.</summary>
    public bool Adjacent(int i, int j) => HasArrow(i, j) || HasArrow(j, i);

    /// <summary>True for an edge with both marks (undirected, or mutual).</summary>
    public bool IsUndirected(int i, int j) => HasArrow(i, j) && HasArrow(j, i);

    /// <summary>True for a directed edge i → j only.</summary>
    public bool IsDirected(int i, int j) => HasArrow(i, j) && !HasArrow(j, i);

    /// <summary>Number of adjacent pairs.</summary>
    public int AdjacencyCount
    {
        get
        {
            int c = 0, n = _names.Length;
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                    if (Adjacent(i, j)) c++;
            return c;
        }
    }

    /// <summary>Number of arrow marks (an undirected edge counts twice).</summary>
    public int ArrowCount => _arrow.Count(b => b);

    /// <summary>Nodes j with a mark i → j (children, or undirected neighbours), in node order.</summary>
    public IReadOnlyList<int> Children(int i)
    {
        var r = new List<int>();
        for (int j = 0; j < _names.Length; j++) if (HasArrow(i, j)) r.Add(j);
        return r;
    }

    /// <summary>Nodes j with a mark j → i (parents, or undirected neighbours), in node order.</summary>
    public IReadOnlyList<int> Parents(int i)
    {
        var r = new List<int>();
        for (int j = 0; j < _names.Length; j++) if (HasArrow(j, i)) r.Add(j);
        return r;
    }

    /// <summary>Every mark as a (from, to) pair of positions, row-major.</summary>
    public IEnumerable<(int From, int To)> Arrows
    {
        get
        {
            int n = _names.Length;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    if (_arrow[i * n + j]) yield return (i, j);
        }
    }

    /// <summary>Every mark turned around (effect → cause).</summary>
    public CausalGraph Reverse() => FromArrows(_names, Arrows.Select(a => (a.To, a.From)));

    /// <summary>The graph as a <see cref="DirectedGraph"/> (an undirected edge becomes two opposite edges); every node is kept.</summary>
    public DirectedGraph ToDirectedGraph() =>
        new(Arrows.Select(a => (_names[a.From], _names[a.To])), _names);

    public override string ToString() => $"CausalGraph({Count} nodes, {AdjacencyCount} adjacencies, {ArrowCount} arrow marks)";
}
