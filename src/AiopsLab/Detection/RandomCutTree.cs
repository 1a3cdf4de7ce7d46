using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>
/// One robust random cut tree over points of dimension d, maintained under insertion and deletion (Guha et al., ICML 2016, §3:
/// Definition 1, Theorems 5 and 6), with the collusive displacement of a leaf (Definition 6). Nodes live in flat arrays (a free
/// list recycles them); a leaf stores its point as a degenerate box and a count of equal points; an internal node stores its
/// cut (dimension, value: points with x[dim] ≤ value go left), its subtree's bounding box and its number of points.
/// </summary>
internal sealed class CutTree
{
    private readonly int _d;
    private readonly Rng _rng;
    private readonly int[] _left, _right, _parent, _count, _dim;
    private readonly double[] _cut, _min, _max;
    private int _root = -1, _free = -1, _next;

    /// <summary>A tree for at most <paramref name="points"/> distinct points at once.</summary>
    public CutTree(int dim, int points, Rng rng)
    {
        _d = dim;
        _rng = rng;
        int nodes = 2 * points + 1;
        _left = new int[nodes]; _right = new int[nodes]; _parent = new int[nodes]; _count = new int[nodes]; _dim = new int[nodes];
        _cut = new double[nodes]; _min = new double[nodes * dim]; _max = new double[nodes * dim];
    }

    /// <summary>Points in the tree (with multiplicity).</summary>
    public int Count => _root < 0 ? 0 : _count[_root];

    private int Alloc()
    {
        if (_free >= 0) { int n = _free; _free = _left[n]; return n; }
        return _next++;
    }

    private void Release(int n) { _left[n] = _free; _free = n; }

    private int NewLeaf(ReadOnlySpan<double> x, int parent)
    {
        int n = Alloc();
        _left[n] = _right[n] = -1; _parent[n] = parent; _count[n] = 1;
        x.CopyTo(_min.AsSpan(n * _d, _d)); x.CopyTo(_max.AsSpan(n * _d, _d));
        return n;
    }

    private void Extend(int n, ReadOnlySpan<double> x)
    {
        int o = n * _d;
        for (int k = 0; k < _d; k++)
        {
            if (x[k] < _min[o + k]) _min[o + k] = x[k];
            if (x[k] > _max[o + k]) _max[o + k] = x[k];
        }
    }

    private void Replace(int parent, int old, int now)
    {
        _parent[now] = parent;
        if (parent < 0) _root = now;
        else if (_left[parent] == old) _left[parent] = now;
        else _right[parent] = now;
    }

    /// <summary>Inserts x (Theorem 6) and returns its leaf.</summary>
    public int Insert(ReadOnlySpan<double> x)
    {
        if (_root < 0) return _root = NewLeaf(x, -1);
        int node = _root;
        while (true)
        {
            int o = node * _d;
            // A cut uniform over the total side length of the box extended by x.
            double total = 0;
            int last = -1;
            for (int k = 0; k < _d; k++)
            {
                double span = Math.Max(_max[o + k], x[k]) - Math.Min(_min[o + k], x[k]);
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
                double span = Math.Max(_max[o + k], x[k]) - Math.Min(_min[o + k], x[k]);
                if (r < span) { dim = k; break; }
                r -= span;
            }
            double lo = Math.Min(_min[o + dim], x[dim]), hi = Math.Max(_max[o + dim], x[dim]);
            double cut = Math.Min(lo + r, Math.BitDecrement(hi)); // in [lo, hi): x ≤ cut or x > cut is decided
            bool below = cut < _min[o + dim], above = cut >= _max[o + dim];
            if (!below && !above)
            {
                // The cut falls inside the node's box: x follows the node's own cut one level down (counted and boxed here).
                _count[node]++;
                Extend(node, x);
                node = x[_dim[node]] <= _cut[node] ? _left[node] : _right[node];
                continue;
            }
            // The cut separates x from the node's points: a new internal node takes the node's place, x its leaf sibling.
            int parent = _parent[node];
            int branch = Alloc();
            int leaf = NewLeaf(x, branch);
            _dim[branch] = dim; _cut[branch] = cut; _count[branch] = _count[node] + 1;
            Array.Copy(_min, o, _min, branch * _d, _d); Array.Copy(_max, o, _max, branch * _d, _d);
            Extend(branch, x);
            if (below) { _left[branch] = leaf; _right[branch] = node; }
            else { _left[branch] = node; _right[branch] = leaf; }
            Replace(parent, node, branch);
            _parent[node] = branch;
            return leaf;
        }
    }

    /// <summary>Removes one point of <paramref name="leaf"/> (Theorem 5: the parent is replaced by the sibling).</summary>
    public void Delete(int leaf)
    {
        if (_count[leaf] > 1)
        {
            for (int n = leaf; n >= 0; n = _parent[n]) _count[n]--;
            return;
        }
        int parent = _parent[leaf];
        Release(leaf);
        if (parent < 0) { _root = -1; return; }
        int sibling = _left[parent] == leaf ? _right[parent] : _left[parent];
        int grand = _parent[parent];
        Replace(grand, parent, sibling);
        Release(parent);
        for (int n = grand; n >= 0; n = _parent[n])
        {
            _count[n]--;
            int o = n * _d, l = _left[n] * _d, r = _right[n] * _d;
            for (int k = 0; k < _d; k++)
            {
                _min[o + k] = Math.Min(_min[l + k], _min[r + k]);
                _max[o + k] = Math.Max(_max[l + k], _max[r + k]);
            }
        }
    }

    /// <summary>CoDisp of a leaf (Definition 6): the largest |sibling(C)| / |C| over the subtrees C from the leaf up to the root.</summary>
    public double CoDisp(int leaf)
    {
        double best = 0;
        for (int n = leaf, p = _parent[n]; p >= 0; n = p, p = _parent[n])
        {
            int sibling = _left[p] == n ? _right[p] : _left[p];
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
        while (_left[node] >= 0)
        {
            node = x[_dim[node]] <= _cut[node] ? _left[node] : _right[node];
            depth++;
        }
        int mass = _count[_root];
        bool equal = true;
        for (int k = 0; k < _d && equal; k++) equal = _min[node * _d + k] == x[k];
        double score = equal
            ? (1 - _count[node] / (2.0 * mass)) / (depth + Math.Log2(_count[node] + 1))
            : 1.0 / (depth + 1);
        // Back up the path by the parent links, the level falling by one per node.
        for (int n = _parent[node], level = depth - 1; n >= 0; n = _parent[n], level--)
        {
            int o = n * _d;
            double added = 0, total = 0;
            for (int k = 0; k < _d; k++)
            {
                double lo = _min[o + k], hi = _max[o + k];
                double ext = Math.Max(0, lo - x[k]) + Math.Max(0, x[k] - hi);
                added += ext; total += hi - lo + ext;
            }
            if (added > 0) { double p = added / total; score = (1 - p) * score + p / (level + 1); }
        }
        return score * Math.Log2(mass + 1);
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
            if (_left[n] < 0) { leaves.Add((n, _count[n])); return; }
            var l = new List<(int, int)>(); var r = new List<(int, int)>();
            if (_parent[_left[n]] != n || _parent[_right[n]] != n) error ??= $"node {n}: a child's parent link is wrong";
            Walk(_left[n], l); Walk(_right[n], r);
            foreach (var (leaf, _) in l) if (_min[leaf * _d + _dim[n]] > _cut[n]) error ??= $"node {n}: a left point is above the cut";
            foreach (var (leaf, _) in r) if (_min[leaf * _d + _dim[n]] <= _cut[n]) error ??= $"node {n}: a right point is not above the cut";
            leaves.AddRange(l); leaves.AddRange(r);
            if (leaves.Sum(e => e.Count) != _count[n]) error ??= $"node {n}: count {_count[n]} is not its points' {leaves.Sum(e => e.Count)}";
            for (int k = 0; k < _d; k++)
            {
                double lo = leaves.Min(e => _min[e.Leaf * _d + k]), hi = leaves.Max(e => _min[e.Leaf * _d + k]);
                if (lo != _min[n * _d + k] || hi != _max[n * _d + k]) error ??= $"node {n}: box is not its points' box in dimension {k}";
            }
        }
        Walk(_root, []);
        return error;
    }
}
