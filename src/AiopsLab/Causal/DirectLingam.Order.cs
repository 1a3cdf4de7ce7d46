namespace AiopsLab.Causal;

public static partial class DirectLingam
{
    /// <summary>
    /// The causal order of Algorithm 1 (steps 1–2) with the pairwise likelihood-ratio measure, found by an exact
    /// best-first branch and bound (see the class remarks): the same order, bit for bit, as scoring every pair.
    /// </summary>
    public static int[] CausalOrder(IReadOnlyList<double[]> columns, DirectLingamOptions? options = null, CancellationToken ct = default)
    {
        var o = options ?? new DirectLingamOptions();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = o.Parallelism > 0 ? o.Parallelism : Environment.ProcessorCount, CancellationToken = ct };
        return new OrderSearch(columns, parallel).Run();
    }

    /// <summary>
    /// One causal-order search. Step k scores each remaining variable a by S(a) = Σ_c min(0, ΔI(a, c))² (summed over the
    /// partners c in position order, as a full scan sums) and takes the smallest (ties: lowest position). Every term is
    /// ≥ 0, so the terms known so far give a lower bound on S(a); the candidate with the smallest bound is expanded by one
    /// pair at a time, and once the smallest belongs to a completely scored candidate no other can beat it. Partners
    /// whose term was largest in earlier steps are tried first (ΔI changes little when one variable is regressed out),
    /// so most candidates are ruled out after a few pairs; the winner needs all of its pairs.
    /// </summary>
    private sealed class OrderSearch
    {
        // A bound is compared after shrinking it by this factor, far more than the rounding error of a sum of ≤ 10⁶
        // non-negative terms (10⁶·2⁻⁵³ ≈ 10⁻¹⁰), so the bound never exceeds the score summed in another order.
        private const double BoundSlack = 1 - 1e-9;
        private readonly int _p, _n;
        private readonly double[][] _x, _z;
        private readonly double[] _h;
        private readonly double[] _diff;  // ΔI(lo, hi) by variable pair lo < hi, as of the step in _stamp
        private readonly int[] _stamp;
        private readonly double[] _hint;  // per variable: its score, or bound, in the previous step
        private readonly ParallelOptions _parallel;
        private readonly double[] _buf;
        private int _step;
        private int[] _rem = [];
        private bool _nan;

        public OrderSearch(IReadOnlyList<double[]> columns, ParallelOptions parallel)
        {
            _p = columns.Count;
            _n = _p == 0 ? 0 : columns[0].Length;
            _parallel = parallel;
            _x = columns.Select(c => (double[])c.Clone()).ToArray();
            _z = new double[_p][];
            _h = new double[_p];
            _diff = new double[(long)_p * _p];
            _stamp = new int[(long)_p * _p];
            _hint = new double[_p];
            _buf = new double[3 * _n];
        }

        public int[] Run()
        {
            var remaining = Enumerable.Range(0, _p).ToList();
            var order = new List<int>(_p);
            while (remaining.Count > 0)
            {
                _parallel.CancellationToken.ThrowIfCancellationRequested();
                int m = remaining.Count == 1 ? remaining[0] : Choose(remaining);
                var others = remaining.Where(i => i != m).ToArray();
                var xm = _x[m];
                Parallel.For(0, others.Length, _parallel, k => _x[others[k]] = Residual(_x[others[k]], xm));
                order.Add(m);
                remaining.Remove(m);
            }
            return order.ToArray();
        }

        private int Choose(List<int> remaining)
        {
            _step++;
            _rem = remaining.ToArray();
            _nan = false;
            int r = _rem.Length;
            Parallel.For(0, r, _parallel, () => new double[2 * _n], (a, _, scratch) =>
            {
                int v = _rem[a];
                _z[v] = Standardize(_x[v]);
                _h[v] = Entropy(_z[v], scratch);
                return scratch;
            }, _ => { });
            var rank = Enumerable.Range(0, r).OrderBy(a => _hint[_rem[a]]).ThenBy(a => a).ToArray();
            var rankOf = new int[r];
            for (int i = 0; i < r; i++) rankOf[rank[i]] = i;
            var bound = new double[r];
            var known = new int[r];       // partners scored this step
            var cursor = new int[r];      // next position in rank to try once the hinted partners are used
            var hints = new Hints(r, _step > 1, _n >= 64 ? 32 : 8);
            // Smallest key first; at equal keys an incomplete candidate before a complete one, then by rank / position.
            var queue = new PriorityQueue<int, (double Key, int Complete, int Tie)>(r);
            for (int a = 0; a < r; a++) queue.Enqueue(a, (0, 0, rankOf[a]));
            int best = -1;
            while (queue.TryDequeue(out int a, out var key))
            {
                if (key.Complete == 1) { best = a; break; }
                if (key.Key != bound[a] * BoundSlack) { queue.Enqueue(a, (bound[a] * BoundSlack, 0, rankOf[a])); continue; }
                if (known[a] == r - 1)
                {
                    double s = Score(a);
                    _hint[_rem[a]] = s;
                    queue.Enqueue(a, (s, 1, a));
                    continue;
                }
                int c = NextPartner(a, rank, cursor, hints);
                double d = Pair(a, c);
                if (_nan) break;
                known[a]++; known[c]++;
                bound[a] += Term(a, c, d);
                bound[c] += Term(c, a, d);
                _hint[_rem[a]] = bound[a];
                _hint[_rem[c]] = bound[c];
                queue.Enqueue(a, (bound[a] * BoundSlack, 0, rankOf[a]));
            }
            if (_nan || best < 0) best = FullScan(); // NaN terms: no bounds; take the full scan's rule as it is
            return _rem[best];
        }

        /// <summary>
        /// Per candidate, up to <see cref="Count"/> partners with the largest terms in an earlier step, picked once per
        /// step: 32 when a pair costs ≥ 64 rows of entropy terms (PetShop: 19% fewer pairs than with 8), else 8 (on
        /// Nezha's 15-row windows more hints save 4% of the pairs and cost as much in picking them).
        /// </summary>
        private sealed class Hints(int r, bool enabled, int count)
        {
            public readonly int Count = count;
            public readonly int[] Partner = new int[r * count];
            public readonly int[] Length = new int[r];
            public readonly int[] Used = new int[r];
            public readonly bool[] Picked = new bool[r];
            public readonly bool Enabled = enabled;
        }

        /// <summary>An unscored partner of <paramref name="a"/>: those whose term was largest in an earlier step first, then by rank.</summary>
        private int NextPartner(int a, int[] rank, int[] cursor, Hints hints)
        {
            int va = _rem[a];
            if (hints.Enabled && !hints.Picked[a]) PickHints(a, hints);
            while (hints.Used[a] < hints.Length[a])
            {
                int c = hints.Partner[a * hints.Count + hints.Used[a]++];
                if (_stamp[Index(va, _rem[c])] != _step) return c;
            }
            while (true)
            {
                int c = rank[cursor[a]++];
                if (c != a && _stamp[Index(va, _rem[c])] != _step) return c;
            }
        }

        /// <summary>The partners of <paramref name="a"/> with the largest non-zero terms when last scored (insertion into a short list).</summary>
        private void PickHints(int a, Hints hints)
        {
            hints.Picked[a] = true;
            int va = _rem[a], len = 0, at = a * hints.Count;
            Span<double> top = stackalloc double[hints.Count];
            for (int c = 0; c < _rem.Length; c++)
            {
                if (c == a) continue;
                long k = Index(va, _rem[c]);
                int st = _stamp[k];
                if (st == _step || st == 0) continue;
                double t = Term(a, c, _diff[k]);
                if (!(t > 0) || (len == hints.Count && t <= top[len - 1])) continue;
                int i = len < hints.Count ? len++ : len - 1;
                while (i > 0 && top[i - 1] < t) { top[i] = top[i - 1]; hints.Partner[at + i] = hints.Partner[at + i - 1]; i--; }
                top[i] = t;
                hints.Partner[at + i] = c;
            }
            hints.Length[a] = len;
        }

        private long Index(int u, int v) => u < v ? (long)u * _p + v : (long)v * _p + u;

        /// <summary>ΔI between the variables at positions a and c, oriented as (lower position, higher position).</summary>
        private double Pair(int a, int c)
        {
            int lo = _rem[Math.Min(a, c)], hi = _rem[Math.Max(a, c)];
            long k = (long)lo * _p + hi;
            if (_stamp[k] == _step) return _diff[k];
            double d = PairDifference(_z[lo], _z[hi], _h[lo], _h[hi], _buf);
            _nan |= double.IsNaN(d);
            _diff[k] = d;
            _stamp[k] = _step;
            return d;
        }

        /// <summary>The term of the candidate at position a for the pair with position c: min(0, ±ΔI)².</summary>
        private static double Term(int a, int c, double d)
        {
            double t = a < c ? Math.Min(0, d) : Math.Min(0, -d);
            return t * t;
        }

        /// <summary>S(a), summed over the partners in position order.</summary>
        private double Score(int a)
        {
            double s = 0;
            for (int c = 0; c < _rem.Length; c++) if (c != a) s += Term(a, c, Pair(a, c));
            return s;
        }

        /// <summary>Every score, and the first position with the smallest (a later one only when strictly smaller).</summary>
        private int FullScan()
        {
            int best = 0;
            var score = new double[_rem.Length];
            for (int a = 0; a < _rem.Length; a++)
            {
                score[a] = _hint[_rem[a]] = Score(a);
                if (score[a] < score[best]) best = a;
            }
            return best;
        }
    }
}
