using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>
/// One robust random cut tree over points of dimension d, maintained under insertion and deletion (Guha et al., ICML 2016, §3:
/// Definition 1, Theorems 5 and 6), with the collusive displacement of a leaf (Definition 6). Nodes live in one array of structs
/// (links, count, cut: 32 bytes) and their boxes in one flat array (a node's minima then maxima, side by side), so a step down or
/// up the tree reads two cache lines; a free list recycles them. A leaf stores its point as a degenerate box and a count of equal
/// points; an internal node stores its cut (dimension, value: points with x[dim] ≤ value go left), its subtree's bounding box and
/// its number of points.
/// </summary>
internal sealed class CutTree
{
    private readonly int _d, _s;   // dimension, box stride 2d
    private readonly Rng _rng;
    private struct Node
    {
        public int Left, Right, Parent, Count, Dim;
        public double Cut;
    }

    private readonly Node[] _nodes;
    private readonly double[] _box;   // node n: minima at [2dn, 2dn + d), maxima at [2dn + d, 2dn + 2d)
    private int _root = -1, _free = -1, _next, _logMassOf = -1;
    private double _logMass;   // log₂(_logMassOf + 1)

    /// <summary>A tree for at most <paramref name="points"/> distinct points at once.</summary>
    public CutTree(int dim, int points, Rng rng)
    {
        _d = dim; _s = 2 * dim;
        _rng = rng;
        int nodes = 2 * points + 1;
        _nodes = new Node[nodes];
        _box = new double[2 * nodes * dim];
    }

    /// <summary>Points in the tree (with multiplicity).</summary>
    public int Count => _root < 0 ? 0 : _nodes[_root].Count;

    private int Alloc()
    {
        if (_free >= 0) { int n = _free; _free = _nodes[n].Left; return n; }
        return _next++;
    }

    private void Release(int n) { _nodes[n].Left = _free; _free = n; }

    private int NewLeaf(ReadOnlySpan<double> x, int parent)
    {
        int n = Alloc();
        _nodes[n].Left = _nodes[n].Right = -1; _nodes[n].Parent = parent; _nodes[n].Count = 1;
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
        _nodes[now].Parent = parent;
        if (parent < 0) _root = now;
        else if (_nodes[parent].Left == old) _nodes[parent].Left = now;
        else _nodes[parent].Right = now;
    }

    /// <summary>Inserts x (Theorem 6) and returns its leaf.</summary>
    public int Insert(ReadOnlySpan<double> x)
    {
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
                _nodes[node].Count++;
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
                _nodes[node].Count++;
                Extend(node, x);
                node = x[_nodes[node].Dim] <= _nodes[node].Cut ? _nodes[node].Left : _nodes[node].Right;
                continue;
            }
            // The cut separates x from the node's points: a new internal node takes the node's place, x its leaf sibling.
            int parent = _nodes[node].Parent;
            int branch = Alloc();
            int leaf = NewLeaf(x, branch);
            _nodes[branch].Dim = dim; _nodes[branch].Cut = cut; _nodes[branch].Count = _nodes[node].Count + 1;
            Array.Copy(_box, o, _box, branch * _s, _s);
            Extend(branch, x);
            if (below) { _nodes[branch].Left = leaf; _nodes[branch].Right = node; }
            else { _nodes[branch].Left = node; _nodes[branch].Right = leaf; }
            Replace(parent, node, branch);
            _nodes[node].Parent = branch;
            return leaf;
        }
    }

    /// <summary>Removes one point of <paramref name="leaf"/> (Theorem 5: the parent is replaced by the sibling).</summary>
    public void Delete(int leaf)
    {
        if (_nodes[leaf].Count > 1)
        {
            for (int n = leaf; n >= 0; n = _nodes[n].Parent) _nodes[n].Count--;
            return;
        }
        int parent = _nodes[leaf].Parent;
        Release(leaf);
        if (parent < 0) { _root = -1; return; }
        int sibling = _nodes[parent].Left == leaf ? _nodes[parent].Right : _nodes[parent].Left;
        int grand = _nodes[parent].Parent;
        Replace(grand, parent, sibling);
        Release(parent);
        for (int n = grand; n >= 0; n = _nodes[n].Parent)
        {
            _nodes[n].Count--;
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
        for (int n = leaf, p = _nodes[n].Parent; p >= 0; n = p, p = _nodes[n].Parent)
        {
            int sibling = _nodes[p].Left == n ? _nodes[p].Right : _nodes[p].Left;
            double disp = (double)_nodes[sibling].Count / _nodes[n].Count;
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
            node = x[_nodes[node].Dim] <= _nodes[node].Cut ? _nodes[node].Left : _nodes[node].Right;
            depth++;
        }
        int mass = _nodes[_root].Count;
        bool equal = true;
        for (int k = 0; k < _d && equal; k++) equal = _box[node * _s + k] == x[k];
        double score = equal
            ? (1 - _nodes[node].Count / (2.0 * mass)) / (depth + Math.Log2(_nodes[node].Count + 1))
            : 1.0 / (depth + 1);
        // Back up the path by the parent links, the level falling by one per node.
        for (int n = _nodes[node].Parent, level = depth - 1; n >= 0; n = _nodes[n].Parent, level--)
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
        }
        if (mass != _logMassOf) { _logMassOf = mass; _logMass = Math.Log2(mass + 1); }
        return score * _logMass;
    }

    /// <summary>Depth of a leaf (edges to the root), for tests.</summary>
    internal int Depth(int leaf)
    {
        int depth = 0;
        for (int n = _nodes[leaf].Parent; n >= 0; n = _nodes[n].Parent) depth++;
        return depth;
    }

    /// <summary>
    /// For tests: recomputes every node's count and bounding box from its leaves and checks them, and that every point sits on its
    /// side of each cut above it. Returns a message for the first violation, or null.
    /// </summary>
    internal string? CheckInvariants()
    {
        if (_root < 0) return null;
        if (_nodes[_root].Parent != -1) return "root has a parent";
        string? error = null;
        void Walk(int n, List<(int Leaf, int Count)> leaves)
        {
            if (_nodes[n].Left < 0) { leaves.Add((n, _nodes[n].Count)); return; }
            var l = new List<(int, int)>(); var r = new List<(int, int)>();
            if (_nodes[_nodes[n].Left].Parent != n || _nodes[_nodes[n].Right].Parent != n) error ??= $"node {n}: a child's parent link is wrong";
            Walk(_nodes[n].Left, l); Walk(_nodes[n].Right, r);
            foreach (var (leaf, _) in l) if (_box[leaf * _s + _nodes[n].Dim] > _nodes[n].Cut) error ??= $"node {n}: a left point is above the cut";
            foreach (var (leaf, _) in r) if (_box[leaf * _s + _nodes[n].Dim] <= _nodes[n].Cut) error ??= $"node {n}: a right point is not above the cut";
            leaves.AddRange(l); leaves.AddRange(r);
            if (leaves.Sum(e => e.Count) != _nodes[n].Count) error ??= $"node {n}: count {_nodes[n].Count} is not its points' {leaves.Sum(e => e.Count)}";
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
