using AiopsLab.Detection;
using AiopsLab.Numerics;
using Xunit;

namespace AiopsLab.Tests.Detection;

/// <summary>
/// The random cut forest's fast paths (the walks down interleaved over the trees, the walk up stopped at the first box that holds
/// the point) against a frozen copy of the forest as it was before them (<see cref="FrozenCutTree"/>, session 5's code kept
/// verbatim, and the plain per-tree loop with the reservoir key always computed): every score equal to the bit.
/// </summary>
public class RandomCutForestIdentityTests
{
    /// <summary>The forest's update before session 6, tree by tree: key, depth score, insertion (or CoDisp).</summary>
    private static double[] Frozen(RandomCutForest.Options o, double[] values)
    {
        var trees = new FrozenCutTree[o.Trees];
        var samples = new Reservoir[o.Trees];
        var rngs = new Rng[o.Trees];
        for (int i = 0; i < o.Trees; i++)
        {
            var rng = Rng.For(unchecked((ulong)o.Seed), "random-cut-forest", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            trees[i] = new FrozenCutTree(o.ShingleSize, o.SampleSize + 1, rng);
            samples[i] = new Reservoir(o.SampleSize);
            rngs[i] = rng;
        }
        int d = o.ShingleSize;
        var shingle = new double[d];
        var scores = new double[values.Length];
        double lambda = 1 / o.TimeDecay;
        for (int t = 0; t < values.Length; t++)
        {
            Array.Copy(shingle, 1, shingle, 0, d - 1);
            shingle[d - 1] = values[t];
            if (t < d - 1) continue;
            var point = (double[])shingle.Clone();
            double sum = 0;
            for (int i = 0; i < o.Trees; i++)
            {
                double u = ((rngs[i].NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));
                double key = Reservoir.Key(u, t, lambda);
                bool keep = samples[i].Count < samples[i].Capacity || key < samples[i].MaxKey;
                if (o.Score == RcfScore.Depth)
                {
                    sum += trees[i].DepthScore(point);
                    if (!keep) continue;
                    if (samples[i].Count == samples[i].Capacity) trees[i].Delete(samples[i].PopMax());
                    samples[i].Push(key, trees[i].Insert(point));
                    continue;
                }
                int leaf = trees[i].Insert(point);
                sum += trees[i].CoDisp(leaf);
                if (!keep) { trees[i].Delete(leaf); continue; }
                if (samples[i].Count == samples[i].Capacity) trees[i].Delete(samples[i].PopMax());
                samples[i].Push(key, leaf);
            }
            scores[t] = sum / o.Trees;
        }
        return scores;
    }

    /// <summary>Series with what NAB's have: repeated values, level shifts, spikes, a trend, and long runs of one value.</summary>
    private static double[] Series(int kind, int n)
    {
        var rng = Rng.For((ulong)kind, "rcf-identity");
        var x = new double[n];
        for (int i = 0; i < n; i++)
            x[i] = kind switch
            {
                0 => Math.Round(10 * rng.NextDouble(), 1) + (i > n / 2 ? 5 : 0),
                1 => Math.Sin(i / 20.0) + 0.1 * rng.NextDouble() + (i % 397 == 0 ? 8 : 0),
                2 => i < n / 3 ? 1.0 : i * 0.01 + rng.NextDouble(),
                _ => Math.Floor(4 * rng.NextDouble()),
            };
        return x;
    }

    [Theory]
    [InlineData(0, 1, RcfScore.Depth, 100, 256, 100_000.0)]
    [InlineData(1, 1, RcfScore.Depth, 100, 256, 100_000.0)]
    [InlineData(2, 1, RcfScore.Depth, 30, 64, 50.0)]
    [InlineData(3, 1, RcfScore.Depth, 20, 32, 100_000.0)]
    [InlineData(1, 3, RcfScore.Depth, 25, 64, 200.0)]
    [InlineData(0, 2, RcfScore.Codisp, 20, 64, 100_000.0)]
    public void Scores_equal_the_frozen_forest_to_the_bit(int kind, int shingle, RcfScore score, int trees, int sample, double decay)
    {
        var o = new RandomCutForest.Options { Trees = trees, SampleSize = sample, TimeDecay = decay, ShingleSize = shingle, Score = score, Seed = 7 + kind };
        var x = Series(kind, 3000);
        var expected = Frozen(o, x);
        var actual = new RandomCutForest(o).Score(x);
        Assert.Equal(expected.Length, actual.Length);
        Assert.Contains(expected, v => v > 0);
        for (int i = 0; i < x.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]),
                $"point {i}: frozen {expected[i]:R}, forest {actual[i]:R}");
    }
}

/// <summary>Session 5's <c>CutTree</c>, frozen verbatim (only renamed) as the reference for <see cref="RandomCutForestIdentityTests"/>.</summary>
internal sealed class FrozenCutTree
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
    public FrozenCutTree(int dim, int points, Rng rng)
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

}
