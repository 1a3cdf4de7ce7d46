using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>
/// One robust random cut tree over points of dimension d, maintained under insertion and deletion (Guha et al., ICML 2016, §3:
/// Definition 1, Theorems 5 and 6), with the collusive displacement of a leaf (Definition 6). Nodes live in one array of 16-byte
/// structs holding what a walk down reads (cut value, children), with their parent, count and cut dimension in arrays beside it
/// and their boxes in one flat array (a node's minima then maxima, side by side); a free list recycles them. A leaf stores its point as a degenerate box and a count of equal
/// points; an internal node stores its cut (dimension, value: points with x[dim] ≤ value go left), its subtree's bounding box and
/// its number of points.
/// </summary>
internal sealed class CutTree
{
    private readonly int _d, _s;   // dimension, box stride 2d
    private readonly Rng _rng;
    /// <summary>What a walk down reads: 16 bytes, so four nodes share a cache line and none straddles two.</summary>
    private struct Node
    {
        public double Cut;
        public int Left, Right;
    }

    private readonly Node[] _nodes;
    private readonly int[] _parent, _count, _dim;   // per node, beside the walk's data
    private readonly double[] _box;   // node n: minima at [2dn, 2dn + d), maxima at [2dn + d, 2dn + 2d)
    private int _root = -1, _free = -1, _next, _logMassOf = -1;
    // The depth scores of recent one-dimensional points, direct-mapped by the point's bits, valid while the tree is unchanged
    // (_version counts insertions and deletions): the score is a function of the tree and x alone, and NAB's values repeat.
    private const int CacheBits = 4;
    private readonly double[] _cacheX = new double[1 << CacheBits], _cacheScore = new double[1 << CacheBits];
    private readonly int[] _cacheVersion = new int[1 << CacheBits];
    private int _version;
    private double _logMass;   // log₂(_logMassOf + 1)

    /// <summary>A tree for at most <paramref name="points"/> distinct points at once.</summary>
    public CutTree(int dim, int points, Rng rng)
    {
        _d = dim; _s = 2 * dim;
        _rng = rng;
        int nodes = 2 * points + 1;
        _nodes = new Node[nodes];
        _parent = new int[nodes]; _count = new int[nodes]; _dim = new int[nodes];
        _box = new double[2 * nodes * dim];
        Array.Fill(_cacheVersion, -1);
    }

    private static int CacheSlot(double x) => (int)((ulong)BitConverter.DoubleToInt64Bits(x) * 0x9E3779B97F4A7C15UL >> (64 - CacheBits));

    /// <summary>Points in the tree (with multiplicity).</summary>
    public int Count => _root < 0 ? 0 : _count[_root];

    private int Alloc()
    {
        if (_free >= 0) { int n = _free; _free = _nodes[n].Left; return n; }
        return _next++;
    }

    private void Release(int n) { _nodes[n].Left = _free; _free = n; }

    private int NewLeaf(ReadOnlySpan<double> x, int parent)
    {
        int n = Alloc();
        _nodes[n].Left = _nodes[n].Right = -1; _parent[n] = parent; _count[n] = 1;
        x.CopyTo(_box.AsSpan(n * _s, _d)); x.CopyTo(_box.AsSpan(n * _s + _d, _d));
        return n;
    }

    private void Extend(int n, ReadOnlySpan<double> x)
    {
        int o = n * _s;
        for (int k = 0; k < _d; k++)
        {
            if (x[k] < _box[o + k]) _box[o + k] = x[k];
            if (x[k] > _box[o + k + _d]) _box[o + k + _d] = x[k];
        }
    }

    private void Replace(int parent, int old, int now)
    {
        _parent[now] = parent;
        if (parent < 0) _root = now;
        else if (_nodes[parent].Left == old) _nodes[parent].Left = now;
        else _nodes[parent].Right = now;
    }

    /// <summary>Inserts x (Theorem 6) and returns its leaf.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int Insert(ReadOnlySpan<double> x)
    {
        _version++;
        if (_root < 0) return _root = NewLeaf(x, -1);
        int node = _root;
        while (true)
        {
            int o = node * _s;
            // A cut uniform over the total side length of the box extended by x.
            double total = 0;
            int last = -1;
            for (int k = 0; k < _d; k++)
            {
                double span = Math.Max(_box[o + k + _d], x[k]) - Math.Min(_box[o + k], x[k]);
                if (span > 0) { total += span; last = k; }
            }
            if (last < 0)
            {
                // x equals every point below: only a leaf has a degenerate box. Count it there (the path above was counted on the way down).
                _count[node]++;
                return node;
            }
            double r = _rng.NextDouble() * total;
            int dim = last;
            for (int k = 0; k < last; k++)
            {
                double span = Math.Max(_box[o + k + _d], x[k]) - Math.Min(_box[o + k], x[k]);
                if (r < span) { dim = k; break; }
                r -= span;
            }
            double lo = Math.Min(_box[o + dim], x[dim]), hi = Math.Max(_box[o + dim + _d], x[dim]);
            double cut = Math.Min(lo + r, Math.BitDecrement(hi)); // in [lo, hi): x ≤ cut or x > cut is decided
            bool below = cut < _box[o + dim], above = cut >= _box[o + dim + _d];
            if (!below && !above)
            {
                // The cut falls inside the node's box: x follows the node's own cut one level down (counted and boxed here).
                _count[node]++;
                Extend(node, x);
                node = x[_dim[node]] <= _nodes[node].Cut ? _nodes[node].Left : _nodes[node].Right;
                continue;
            }
            // The cut separates x from the node's points: a new internal node takes the node's place, x its leaf sibling.
            int parent = _parent[node];
            int branch = Alloc();
            int leaf = NewLeaf(x, branch);
            _dim[branch] = dim; _nodes[branch].Cut = cut; _count[branch] = _count[node] + 1;
            Array.Copy(_box, o, _box, branch * _s, _s);
            Extend(branch, x);
            if (below) { _nodes[branch].Left = leaf; _nodes[branch].Right = node; }
            else { _nodes[branch].Left = node; _nodes[branch].Right = leaf; }
            Replace(parent, node, branch);
            _parent[node] = branch;
            return leaf;
        }
    }

    /// <summary>Removes one point of <paramref name="leaf"/> (Theorem 5: the parent is replaced by the sibling).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Delete(int leaf)
    {
        _version++;
        if (_count[leaf] > 1)
        {
            for (int n = leaf; n >= 0; n = _parent[n]) _count[n]--;
            return;
        }
        int parent = _parent[leaf];
        Release(leaf);
        if (parent < 0) { _root = -1; return; }
        int sibling = _nodes[parent].Left == leaf ? _nodes[parent].Right : _nodes[parent].Left;
        int grand = _parent[parent];
        Replace(grand, parent, sibling);
        Release(parent);
        for (int n = grand; n >= 0; n = _parent[n])
        {
            _count[n]--;
            int o = n * _s, l = _nodes[n].Left * _s, r = _nodes[n].Right * _s;
            for (int k = 0; k < _d; k++)
            {
                _box[o + k] = Math.Min(_box[l + k], _box[r + k]);
                _box[o + k + _d] = Math.Max(_box[l + k + _d], _box[r + k + _d]);
            }
        }
    }

    /// <summary>CoDisp of a leaf (Definition 6): the largest |sibling(C)| / |C| over the subtrees C from the leaf up to the root.</summary>
    public double CoDisp(int leaf)
    {
        double best = 0;
        for (int n = leaf, p = _parent[n]; p >= 0; n = p, p = _parent[n])
        {
            int sibling = _nodes[p].Left == n ? _nodes[p].Right : _nodes[p].Left;
            double disp = (double)_count[sibling] / _count[n];
            if (disp > best) best = disp;
        }
        return best;
    }

    /// <summary>
    /// The depth form of the score of a point x not in the tree, as the AWS RCF implementation describes it: 1/(depth + 1) where a
    /// random cut would first separate x, in expectation — walking up from the leaf x would reach, each node's box separates x
    /// with probability (side length x adds)/(extended side length); at a leaf equal to x, (1 − m/2N)/(depth + log₂(m + 1)) for
    /// the leaf's m points of N. Scaled by log₂(N + 1), so a point separated at the root scores about log₂(N + 1).
    /// </summary>
    public double DepthScore(ReadOnlySpan<double> x)
    {
        if (_root < 0) return 0;
        int depth = 0, node = _root;
        while (_nodes[node].Left >= 0)
        {
            node = x[_dim[node]] <= _nodes[node].Cut ? _nodes[node].Left : _nodes[node].Right;
            depth++;
        }
        return DepthScoreFrom(node, depth, x);
    }

    /// <summary>
    /// <see cref="DepthScore"/> of x in every tree of <paramref name="trees"/>, into <paramref name="scores"/>. The same arithmetic
    /// tree by tree; only the walks down are interleaved: one level of every unfinished tree per pass, so the node loads of
    /// different trees (independent, each likely a cache miss) overlap instead of waiting on each other. For a one-dimensional
    /// x, a tree that has not changed since it last scored the same x (bit for bit; 16 recent values kept per tree) returns that
    /// score without the walk.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void DepthScores(CutTree[] trees, ReadOnlySpan<double> x, Span<double> scores)
    {
        int n = trees.Length;
        Span<int> node = n <= 256 ? stackalloc int[n] : new int[n];
        Span<int> depth = n <= 256 ? stackalloc int[n] : new int[n];
        Span<int> lanes = n <= 256 ? stackalloc int[n] : new int[n];
        int active = 0;
        bool cached = x.Length == 1; // one-dimensional: the cache applies and the walk reads x[0] alone
        double x0 = x[0];
        int slot = cached ? CacheSlot(x0) : 0;
        for (int t = 0; t < n; t++)
        {
            var tree = trees[t];
            depth[t] = 0;
            node[t] = tree._root;
            if (node[t] < 0) continue;
            if (cached && tree._cacheVersion[slot] == tree._version
                && BitConverter.DoubleToInt64Bits(tree._cacheX[slot]) == BitConverter.DoubleToInt64Bits(x0))
            {
                node[t] = -2; // answered from the cache
                scores[t] = tree._cacheScore[slot];
                continue;
            }
            lanes[active++] = t;
        }
        while (active > 0)
        {
            int w = 0;
            for (int j = 0; j < active; j++)
            {
                int t = lanes[j];
                var tree = trees[t];
                ref readonly Node nd = ref tree._nodes[node[t]];
                if (nd.Left < 0) continue; // at its leaf
                node[t] = (cached ? x0 : x[tree._dim[node[t]]]) <= nd.Cut ? nd.Left : nd.Right;
                depth[t]++;
                lanes[w++] = t;
            }
            active = w;
        }
        for (int t = 0; t < n; t++)
        {
            if (node[t] == -2) continue;
            if (node[t] < 0) { scores[t] = 0; continue; }
            var tree = trees[t];
            scores[t] = tree.DepthScoreFrom(node[t], depth[t], x);
            if (cached) { tree._cacheX[slot] = x0; tree._cacheScore[slot] = scores[t]; tree._cacheVersion[slot] = tree._version; }
        }
    }

    /// <summary>The rest of <see cref="DepthScore"/> once x's walk down has reached <paramref name="leaf"/> at <paramref name="depth"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double DepthScoreFrom(int leaf, int depth, ReadOnlySpan<double> x)
    {
        int node = leaf;
        int mass = _count[_root];
        bool equal = true;
        for (int k = 0; k < _d && equal; k++) equal = _box[node * _s + k] == x[k];
        double score = equal
            ? (1 - _count[node] / (2.0 * mass)) / (depth + Math.Log2(_count[node] + 1))
            : 1.0 / (depth + 1);
        // Back up the path by the parent links, the level falling by one per node. A node's box holds its children's boxes
        // (it is the box of its points), so once x lies in a box (nothing added) it lies in every box above: the walk stops
        // there, since those nodes would leave the score unchanged.
        for (int n = _parent[node], level = depth - 1; n >= 0; n = _parent[n], level--)
        {
            int o = n * _s;
            double added = 0, total = 0;
            for (int k = 0; k < _d; k++)
            {
                double lo = _box[o + k], hi = _box[o + k + _d];
                double ext = Math.Max(0, lo - x[k]) + Math.Max(0, x[k] - hi);
                added += ext; total += hi - lo + ext;
            }
            if (added > 0) { double p = added / total; score = (1 - p) * score + p / (level + 1); }
            else break;
        }
        if (mass != _logMassOf) { _logMassOf = mass; _logMass = Math.Log2(mass + 1); }
        return score * _logMass;
    }

    /// <summary>Depth of a leaf (edges to the root), for tests.</summary>
    internal int Depth(int leaf)
    {
        int depth = 0;
        for (int n = _parent[leaf]; n >= 0; n = _parent[n]) depth++;
        return depth;
    }

    /// <summary>
    /// For tests: recomputes every node's count and bounding box from its leaves and checks them, and that every point sits on its
    /// side of each cut above it. Returns a message for the first violation, or null.
    /// </summary>
    internal string? CheckInvariants()
    {
        if (_root < 0) return null;
        if (_parent[_root] != -1) return "root has a parent";
        string? error = null;
        void Walk(int n, List<(int Leaf, int Count)> leaves)
        {
            if (_nodes[n].Left < 0) { leaves.Add((n, _count[n])); return; }
            var l = new List<(int, int)>(); var r = new List<(int, int)>();
            if (_parent[_nodes[n].Left] != n || _parent[_nodes[n].Right] != n) error ??= $"node {n}: a child's parent link is wrong";
            Walk(_nodes[n].Left, l); Walk(_nodes[n].Right, r);
            foreach (var (leaf, _) in l) if (_box[leaf * _s + _dim[n]] > _nodes[n].Cut) error ??= $"node {n}: a left point is above the cut";
            foreach (var (leaf, _) in r) if (_box[leaf * _s + _dim[n]] <= _nodes[n].Cut) error ??= $"node {n}: a right point is not above the cut";
            leaves.AddRange(l); leaves.AddRange(r);
            if (leaves.Sum(e => e.Count) != _count[n]) error ??= $"node {n}: count {_count[n]} is not its points' {leaves.Sum(e => e.Count)}";
            for (int k = 0; k < _d; k++)
            {
                double lo = leaves.Min(e => _box[e.Leaf * _s + k]), hi = leaves.Max(e => _box[e.Leaf * _s + k]);
                if (lo != _box[n * _s + k] || hi != _box[n * _s + k + _d]) error ??= $"node {n}: box is not its points' box in dimension {k}";
            }
        }
        Walk(_root, []);
        return error;
    }
}
