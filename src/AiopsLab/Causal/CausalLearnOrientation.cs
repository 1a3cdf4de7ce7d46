namespace AiopsLab.Causal;

/// <summary>
/// Orientation of a PC skeleton exactly as causal-learn 0.1.3.3 performs it for <c>pc(…, uc_rule=0, uc_priority=2)</c>
/// without background knowledge (its <c>UCSepset.uc_sepset</c> then <c>Meek.meek</c>), for replicating code that calls
/// it (RCAEval's <c>rcaeval=true</c> modes). Meek's rules (Meek, UAI 1995, R1–R3) are the same rules as
/// <see cref="Orientation"/> applies, but causal-learn applies them one triple at a time, in the order of lists built
/// once before the loop, and skips an orientation j → k whenever its ancestor matrix says k is already an ancestor of j.
/// That matrix (<c>GeneralGraph.dpath</c>) is kept incrementally — each new arrow i → j marks i and i's recorded
/// ancestors as ancestors of j, and j's recorded descendants as descendants of i, in one pass — and rebuilt from the
/// edge list (last edge first) when a directed edge is removed; it is not the full transitive closure. When the collider
/// pattern is consistent with a DAG both procedures give the same CPDAG; where finite-sample tests make colliders conflict,
/// the order decides and the two can orient an edge differently (docs/causal.md, "Agreement with RCAEval's code").
/// </summary>
/// <remarks>
/// Marks follow causal-learn's <c>graph</c> matrix: <c>g[i, j]</c> is the endpoint at i of the edge i–j, −1 a tail, 1 an
/// arrowhead, 0 no edge; i → j is <c>g[i, j] = −1, g[j, i] = 1</c>. Lists are enumerated as causal-learn's
/// <c>find_adj</c> (tails then arrowheads, each by <c>np.where</c> in row-major order, as (column, row) pairs) and
/// <c>itertools.permutations</c> of it.
/// </remarks>
public static class CausalLearnOrientation
{
    /// <summary>
    /// Orients the skeleton <paramref name="arrow"/> (every adjacency undirected: both marks) in place, using the union
    /// separating sets <paramref name="sepsets"/> (keys (x, y) with x &lt; y, see <see cref="SeparatingSetRule.CausalLearn"/>).
    /// </summary>
    public static void Orient(bool[,] arrow, IReadOnlyDictionary<(int, int), int[]> sepsets)
    {
        int n = arrow.GetLength(0);
        var s = new State(n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j && (arrow[i, j] || arrow[j, i])) s.G[i, j] = -1;

        // uc_sepset, priority 2 ("prioritise existing colliders").
        foreach (var (x, y, z) in s.UnshieldedTriples().Where(t => t.I < t.K).ToList())
        {
            if (sepsets.TryGetValue((x, z), out var sep) && Array.IndexOf(sep, y) >= 0) continue;
            if (!sepsets.ContainsKey((x, z))) continue;
            if (s.Directed(y, x) || s.Directed(y, z)) continue;
            s.Remove(x, y); s.AddDirected(x, y);
            s.Remove(z, y); s.AddDirected(z, y);
        }

        // meek: R1 over unshielded triples, R2 over triangles, R3 over kites, until a pass changes nothing.
        var ut = s.UnshieldedTriples().ToList();
        var tri = s.Triangles().ToList();
        var kites = new List<(int I, int J, int K, int L)>();
        for (int a = 0; a < tri.Count; a++)
            for (int b = 0; b < tri.Count; b++)
                if (a != b && tri[a].I == tri[b].I && tri[a].K == tri[b].K && tri[a].J < tri[b].J && s.G[tri[a].J, tri[b].J] == 0)
                    kites.Add((tri[a].I, tri[a].J, tri[b].J, tri[a].K));
        bool loop = true;
        while (loop)
        {
            loop = false;
            foreach (var (i, j, k) in ut)
                if (s.Directed(i, j) && s.Undirected(j, k) && !s.IsAncestor(k, j)) { s.Remove(j, k); s.AddDirected(j, k); loop = true; }
            foreach (var (i, j, k) in tri)
                if (s.Directed(i, j) && s.Directed(j, k) && s.Undirected(i, k) && !s.IsAncestor(k, i)) { s.Remove(i, k); s.AddDirected(i, k); loop = true; }
            foreach (var (i, j, k, l) in kites)
                if (s.Undirected(i, j) && s.Undirected(i, k) && s.Directed(j, l) && s.Directed(k, l) && s.Undirected(i, l) && !s.IsAncestor(l, i))
                { s.Remove(i, l); s.AddDirected(i, l); loop = true; }
        }

        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                arrow[i, j] = i != j && s.G[i, j] != 0 && !s.Directed(j, i); // undirected: both marks
    }

    /// <summary>causal-learn's endpoint matrix and its ancestor matrix <c>dpath</c> (<c>dpath[j, i] = 1</c>: i is an ancestor of j).</summary>
    private sealed class State
    {
        public readonly int[,] G;
        private readonly int[,] _dpath;
        private readonly int _n;

        public State(int n)
        {
            _n = n; G = new int[n, n]; _dpath = new int[n, n];
            for (int i = 0; i < n; i++) _dpath[i, i] = 1;
        }

        public bool Directed(int i, int j) => G[i, j] == -1 && G[j, i] == 1;
        public bool Undirected(int i, int j) => G[i, j] == -1 && G[j, i] == -1;
        /// <summary><c>is_ancestor_of(a, b)</c>: <c>dpath[b, a] == 1</c>.</summary>
        public bool IsAncestor(int a, int b) => _dpath[b, a] == 1;

        public void AddDirected(int i, int j) { G[j, i] = 1; G[i, j] = -1; Adjust(i, j); }

        /// <summary><c>remove_edge</c>: a directed edge's removal rebuilds the ancestor matrix.</summary>
        public void Remove(int i, int j)
        {
            bool directed = Directed(i, j) || Directed(j, i);
            G[i, j] = 0; G[j, i] = 0;
            if (!directed) return;
            Array.Clear(_dpath);
            for (int v = 0; v < _n; v++) Adjust(v, v);
            var edges = new List<(int, int)>();
            for (int a = 0; a < _n; a++)
                for (int b = a + 1; b < _n; b++)
                    if (G[b, a] != 0) edges.Add((a, b));
            for (int e = edges.Count - 1; e >= 0; e--)
            {
                var (a, b) = edges[e];
                if (Directed(a, b)) Adjust(a, b);
                else if (Directed(b, a)) Adjust(b, a);
            }
        }

        /// <summary><c>adjust_dpath(i, j)</c> for a new arrow i → j, one in-place pass as causal-learn's.</summary>
        private void Adjust(int i, int j)
        {
            _dpath[j, i] = 1;
            for (int k = 0; k < _n; k++)
            {
                if (_dpath[i, k] == 1) _dpath[j, k] = 1;
                if (_dpath[k, j] == 1) _dpath[k, i] = 1;
            }
        }

        /// <summary><c>find_adj</c>: (column, row) of every tail mark, then of every arrowhead, row-major.</summary>
        private List<(int A, int B)> Adjacencies()
        {
            var list = new List<(int, int)>();
            foreach (int mark in new[] { -1, 1 })
                for (int r = 0; r < _n; r++)
                    for (int c = 0; c < _n; c++)
                        if (G[r, c] == mark) list.Add((c, r));
            return list;
        }

        public IEnumerable<(int I, int J, int K)> UnshieldedTriples() => Pairs(shielded: false);

        public IEnumerable<(int I, int J, int K)> Triangles() => Pairs(shielded: true);

        private IEnumerable<(int I, int J, int K)> Pairs(bool shielded)
        {
            var adj = Adjacencies();
            for (int a = 0; a < adj.Count; a++)
                for (int b = 0; b < adj.Count; b++)
                {
                    if (a == b || adj[a].B != adj[b].A || adj[a].A == adj[b].B) continue;
                    if ((G[adj[a].A, adj[b].B] != 0) == shielded) yield return (adj[a].A, adj[a].B, adj[b].B);
                }
        }
    }
}
