using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>
/// Streaming robust random cut forest (Guha, Mishra, Roy &amp; Schrijvers, "Robust random cut forest based anomaly detection on
/// streams", ICML 2016), as NAB ran it through AWS Kinesis Analytics' <c>RANDOM_CUT_FOREST</c> (<c>nab/detectors/random_cut_forest</c>:
/// 100 trees, 256 points per tree, time decay 100,000, shingle size 1).
/// </summary>
/// <remarks>
/// <para><b>Trees.</b> A robust random cut tree (Definition 1) cuts its bounding box in a dimension chosen with probability
/// proportional to the box's side length, at a uniform position along it. Each tree keeps its own sample of the stream and is
/// maintained exactly by the paper's insertion (§3, Theorem 6: inserting x into RRCT(S) gives a tree distributed as RRCT(S ∪ {x}) —
/// at each node a cut is drawn over the box extended by x; if it separates x from the box, x becomes a sibling of the node, otherwise
/// x descends) and deletion (Theorem 5: a leaf's parent is replaced by its sibling). Equal points share a leaf with a count.</para>
/// <para><b>Sample.</b> Each tree's sample is a time-decayed reservoir (weighted reservoir sampling, Efraimidis &amp; Spirakis 2006,
/// with weight e^{λt}, λ = 1/<see cref="Options.TimeDecay"/>, as AWS's <c>timeDecay</c>): a point gets the key
/// ln(−ln u) − λt with u ~ U(0, 1) and the tree keeps the <see cref="Options.SampleSize"/> points of smallest key.</para>
/// <para><b>Score</b> (<see cref="Options.Score"/>). <c>codisp</c>, the paper's collusive displacement (Definition 6 and §4): x is
/// inserted into every tree; in a tree, CoDisp(x) is the largest |sibling(C)|/|C| over the subtrees C on the path from x's leaf to
/// the root (the points whose depth drops when C is removed, per point of C); the score is its mean over the trees, and x stays in a
/// tree whose reservoir accepts it (evicting the point of largest key) and is deleted from the others. <c>depth</c> (default), the
/// score AWS's <c>RANDOM_CUT_FOREST</c> returned to NAB: x is scored against each tree before the tree changes, by the expected
/// 1/(depth + 1) at which a random cut separates it (<see cref="CutTree.DepthScore"/>), times log₂(N + 1), mean over the trees
/// (0 to log₂ 257 ≈ 8; NAB divided it by 8); then a tree whose reservoir accepts x inserts it. Both read the same trees; the
/// depth form is the one that reproduces NAB's published row (docs/detection.md: CoDisp scores 5.6–6.1 lower on NAB). The first point scores 0. With a shingle of d &gt; 1 values the points are the last d values and the
/// first d − 1 values score 0.</para>
/// <para><b>Graded score</b> (<see cref="IGradedScore"/>): the score over its bound, in [0, 1] — depth: / log₂(sample size + 1)
/// (NAB's / 8); codisp: / sample size, the share of a tree's sample the point displaces. Randomised: <see cref="Options.Seed"/>
/// fixes every tree's stream; the same input and seed give the same scores. Cost per point and tree: O(depth) (≈ 10–20 at 256).
/// Depth scores of one point are computed for all trees before any tree changes, their walks down interleaved
/// (<see cref="CutTree.DepthScores"/>), and a tree unchanged since it scored the same value returns that score; both leave
/// every score equal to the bit (<c>RandomCutForestIdentityTests</c>).</para>
/// </remarks>
[Method("random-cut-forest", Summary = "Streaming robust random cut forest over time-decayed reservoir trees, AWS's depth score (or the paper's CoDisp); seeded.", Citation = "Guha, Mishra, Roy & Schrijvers, Robust random cut forest based anomaly detection on streams, ICML 2016")]
public sealed class RandomCutForest : StreamingDetector, IGradedScore
{
    /// <summary>The forest's options (trees, points kept per tree: NAB/AWS's subSampleSize, seed of the random cuts and
    /// reservoir draws) and AWS's.</summary>
    public sealed record Options : ForestOptions
    {
        /// <summary>AWS's timeDecay: the reservoir weighs a point by e^{t/time-decay} (NAB: 100,000).</summary>
        public double TimeDecay { get; set; } = 100_000;
        /// <summary>Consecutive values per point (NAB/AWS: 1).</summary>
        public int ShingleSize { get; set; } = 1;
        /// <summary>depth (default: the score of AWS's RANDOM_CUT_FOREST, which NAB ran; <see cref="CutTree.DepthScore"/>) or codisp
        /// (the paper's collusive displacement, Definition 6).</summary>
        public RcfScore Score { get; set; } = RcfScore.Depth;
    }

    private readonly Options _o;

    public RandomCutForest() : this(new Options()) { }

    public RandomCutForest(Options options)
    {
        options.Validate(Name);
        DetectorOptions.Require(options.TimeDecay > 0, Name, "time-decay", "must be > 0");
        DetectorOptions.Require(options.ShingleSize >= 1, Name, "shingle-size", "must be ≥ 1");
        _o = options;
    }

    public override string Name => "random-cut-forest";

    public double Grade(double score) => Math.Clamp(score / (_o.Score == RcfScore.Depth ? Math.Log2(_o.SampleSize + 1) : _o.SampleSize), 0, 1);

    public override IDetectorState Start() => new State(_o);

    private sealed class State : IDetectorState
    {
        private readonly Options _o;
        private readonly CutTree[] _trees;
        private readonly Reservoir[] _samples;
        private readonly Rng[] _rngs;
        private readonly double[] _shingle;
        private readonly double[] _point;
        private readonly double[] _depth;   // each tree's depth score of the current point
        private long _t;

        public State(Options o)
        {
            _o = o;
            _trees = new CutTree[o.Trees];
            _samples = new Reservoir[o.Trees];
            _rngs = new Rng[o.Trees];
            for (int i = 0; i < o.Trees; i++)
            {
                _rngs[i] = Rng.For(unchecked((ulong)o.Seed), "random-cut-forest", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                _trees[i] = new CutTree(o.ShingleSize, o.SampleSize + 1, _rngs[i]);
                _samples[i] = new Reservoir(o.SampleSize);
            }
            _shingle = new double[o.ShingleSize];
            _point = new double[o.ShingleSize];
            _depth = new double[o.Trees];
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public double Update(double value)
        {
            int d = _o.ShingleSize;
            // The shingle holds the last d values, oldest first.
            Array.Copy(_shingle, 1, _shingle, 0, d - 1);
            _shingle[d - 1] = value;
            long t = _t++;
            if (t < d - 1) return 0;
            _shingle.CopyTo(_point, 0);
            double lambda = 1 / _o.TimeDecay, sum = 0;
            // Depth: every tree scores the point before any tree changes (the walks interleaved; each tree's own arithmetic).
            if (_o.Score == RcfScore.Depth) CutTree.DepthScores(_trees, _point, _depth);
            for (int i = 0; i < _trees.Length; i++)
            {
                var tree = _trees[i];
                var sample = _samples[i];
                var rng = _rngs[i];
                // u in (0, 1): the 53-bit draw shifted by half a step, so ln(−ln u) is finite.
                double u = ((rng.NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));
                // A full sample rejects most points: a u at or below the sample's bound surely has key ≥ MaxKey (two logarithms saved).
                bool surelyOut = sample.Count == sample.Capacity && sample.SurelyRejects(u, t, lambda);
                double key = surelyOut ? double.NaN : Reservoir.Key(u, t, lambda);
                bool keep = !surelyOut && (sample.Count < sample.Capacity || key < sample.MaxKey);
                if (_o.Score == RcfScore.Depth)
                {
                    // Scored against the sample before it changes; inserted only when kept.
                    sum += _depth[i];
                    if (!keep) continue;
                    if (sample.Count == sample.Capacity) tree.Delete(sample.PopMax());
                    sample.Push(key, tree.Insert(_point));
                    continue;
                }
                int leaf = tree.Insert(_point);
                sum += tree.CoDisp(leaf);
                if (!keep) { tree.Delete(leaf); continue; }
                if (sample.Count == sample.Capacity) tree.Delete(sample.PopMax());
                sample.Push(key, leaf);
            }
            // The first point has no other point to displace: CoDisp 0 in every tree.
            return sum / _trees.Length;
        }
    }
}

/// <summary>The score of <see cref="RandomCutForest"/>.</summary>
public enum RcfScore { Codisp, Depth }

/// <summary>A max-heap of (key, leaf): the sample of one tree, evicting the largest key.</summary>
internal sealed class Reservoir(int capacity)
{
    private readonly double[] _key = new double[capacity];
    private readonly int[] _leaf = new int[capacity];
    private double _safeU;
    private long _safeUntil = -1;

    /// <summary>The key ln(−ln u) − λt of a point drawn u at time t (Efraimidis &amp; Spirakis with weight e^{λt}).</summary>
    public static double Key(double u, long t, double lambda) => Math.Log(-Math.Log(u)) - lambda * t;

    /// <summary>
    /// True only when <see cref="Key"/>(u, t, λ) ≥ <see cref="MaxKey"/> for sure, without the two logarithms. The bound
    /// u* = exp(−exp(MaxKey + λ·t₁ + 10⁻⁶)), held for t ≤ t₁ = (time of computing) + 1024 and until the heap changes: ln(−ln u) is
    /// decreasing, so u ≤ u* gives ln(−ln u) ≥ MaxKey + λt₁ + 10⁻⁶ ≥ MaxKey + λt + 10⁻⁶, and the 10⁻⁶ exceeds the rounding of the
    /// two logarithms, the subtraction and u* itself (≤ 10⁻⁹ while 1 − u* ≥ 10⁻⁶; a smaller 1 − u* disables the shortcut). When it
    /// answers false the key is computed as before, so the sample is the one the key alone gives.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool SurelyRejects(double u, long t, double lambda)
    {
        if (t > _safeUntil)
        {
            _safeUntil = t + 1024;
            double e = Math.Exp(MaxKey + lambda * _safeUntil + 1e-6);
            _safeU = e >= 1e-6 ? Math.Exp(-e) : 0;
        }
        return u <= _safeU;
    }

    public int Capacity => capacity;
    public int Count { get; private set; }
    public double MaxKey => _key[0];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Push(double key, int leaf)
    {
        _safeUntil = -1;
        int i = Count++;
        while (i > 0)
        {
            int p = (i - 1) / 2;
            if (_key[p] >= key) break;
            _key[i] = _key[p]; _leaf[i] = _leaf[p]; i = p;
        }
        _key[i] = key; _leaf[i] = leaf;
    }

    /// <summary>Removes the entry of largest key and returns its leaf.</summary>
    public int PopMax()
    {
        _safeUntil = -1;
        int top = _leaf[0];
        double key = _key[--Count];
        int leaf = _leaf[Count], i = 0;
        while (true)
        {
            int c = 2 * i + 1;
            if (c >= Count) break;
            if (c + 1 < Count && _key[c + 1] > _key[c]) c++;
            if (_key[c] <= key) break;
            _key[i] = _key[c]; _leaf[i] = _leaf[c]; i = c;
        }
        _key[i] = key; _leaf[i] = leaf;
        return top;
    }
}
