namespace AiopsLab.Numerics;

/// <summary>
/// A growing multiset of doubles with order statistics in O(log n) expected time: insert, the number of elements below a
/// value, and the k-th smallest element. A treap (Seidel &amp; Aragon, "Randomized search trees", Algorithmica 16, 1996) with
/// subtree sizes; priorities come from a fixed-seed generator, so the shape, and every answer, is deterministic. Insert-only:
/// streaming detectors that test each point against their whole history (Skyline's median, MAD and histogram) use it to
/// stay O(n log² n) over a series where recomputing from the history would be O(n²).
/// </summary>
public sealed class OrderStatisticTree
{
    // Node 0 is the empty tree; nodes are 1..Count.
    private double[] _key = new double[16];
    private int[] _left = new int[16], _right = new int[16], _size = new int[16];
    private uint[] _prio = new uint[16];
    private int _root;
    private ulong _rng = 0x9E3779B97F4A7C15UL;

    /// <summary>Number of elements.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a value (NaN is refused: it has no order).</summary>
    public void Add(double value)
    {
        if (double.IsNaN(value)) throw new ArgumentException("an order-statistic tree cannot hold NaN.", nameof(value));
        int node = ++Count;
        if (node == _key.Length)
        {
            int n = _key.Length * 2;
            Array.Resize(ref _key, n); Array.Resize(ref _left, n); Array.Resize(ref _right, n);
            Array.Resize(ref _size, n); Array.Resize(ref _prio, n);
        }
        _key[node] = value;
        _size[node] = 1;
        _rng ^= _rng << 13; _rng ^= _rng >> 7; _rng ^= _rng << 17; // xorshift64
        _prio[node] = (uint)(_rng >> 32);
        _root = Insert(_root, node);
    }

    private int Insert(int t, int node)
    {
        if (t == 0) return node;
        _size[t]++;
        var (side, other) = _key[node] < _key[t] ? (_left, _right) : (_right, _left);
        side[t] = Insert(side[t], node);
        return _prio[side[t]] > _prio[t] ? Rotate(t, side, other) : t;
    }

    /// <summary>
    /// Lifts the child of <paramref name="t"/> on one side (<paramref name="side"/>: that side's child links,
    /// <paramref name="other"/>: the opposite side's) above it, and returns it: a right rotation for the left child,
    /// a left rotation for the right one.
    /// </summary>
    private int Rotate(int t, int[] side, int[] other)
    {
        int c = side[t];
        side[t] = other[c];
        other[c] = t;
        _size[c] = _size[t];
        _size[t] = _size[_left[t]] + _size[_right[t]] + 1;
        return c;
    }

    /// <summary>Number of elements strictly below <paramref name="value"/>.</summary>
    public int CountBelow(double value)
    {
        int count = 0, t = _root;
        while (t != 0)
        {
            if (_key[t] < value) { count += _size[_left[t]] + 1; t = _right[t]; }
            else t = _left[t];
        }
        return count;
    }

    /// <summary>The k-th smallest element, k = 0 the minimum.</summary>
    public double Select(int k)
    {
        if ((uint)k >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(k), $"rank {k} of {Count} elements.");
        int t = _root;
        while (true)
        {
            int left = _size[_left[t]];
            if (k < left) t = _left[t];
            else if (k == left) return _key[t];
            else { k -= left + 1; t = _right[t]; }
        }
    }

    /// <summary>The median as numpy and pandas compute it: the middle element, or the mean (a + b)/2 of the two middle ones.</summary>
    public double Median()
    {
        if (Count == 0) return double.NaN;
        int h = Count / 2;
        return Count % 2 == 1 ? Select(h) : (Select(h - 1) + Select(h)) / 2;
    }

    /// <summary>
    /// The median of the absolute deviations |xᵢ − <paramref name="center"/>| (the MAD when the center is the median), in
    /// O(log² n): the deviations below and above the center are two sorted sequences read through <see cref="Select"/>, and
    /// the middle one(s) of their merge are found by bisection on how many come from below.
    /// </summary>
    public double MedianAbsoluteDeviation(double center)
    {
        if (Count == 0) return double.NaN;
        int below = CountBelow(center), h = Count / 2;
        return Count % 2 == 1 ? KthDeviation(h, center, below)
            : (KthDeviation(h - 1, center, below) + KthDeviation(h, center, below)) / 2;
    }

    /// <summary>The k-th smallest |xᵢ − c| (k from 0), with <paramref name="below"/> elements strictly below c.</summary>
    private double KthDeviation(int k, double c, int below)
    {
        int na = below, nb = Count - below;
        double A(int j) => c - Select(below - 1 - j);   // j-th smallest deviation below c
        double B(int j) => Select(below + j) - c;       // j-th smallest deviation at or above c
        int lo = Math.Max(0, k + 1 - nb), hi = Math.Min(k + 1, na);
        while (lo < hi)
        {
            int i = (lo + hi) / 2;                      // i from below, k + 1 − i from above
            if (A(i) < B(k - i)) lo = i + 1; else hi = i;
        }
        int fromA = lo, fromB = k + 1 - lo;
        double a = fromA > 0 ? A(fromA - 1) : double.NegativeInfinity, b = fromB > 0 ? B(fromB - 1) : double.NegativeInfinity;
        return Math.Max(a, b);
    }
}
