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
/// <para><b>Score.</b> Collusive displacement (Definition 6 and §4): x is inserted into every tree; in a tree, CoDisp(x) is the
/// largest |sibling(C)|/|C| over the subtrees C on the path from x's leaf to the root (the number of points whose depth drops when
/// C is removed, per point of C); the score is its mean over the trees. Then x stays in a tree whose reservoir accepts it (evicting
/// the point of largest key) and is deleted from the others. The first point scores 0. With a shingle of d &gt; 1 values the points
/// are the last d values and the first d − 1 values score 0.</para>
/// <para><b>Graded score</b> (<see cref="IGradedScore"/>): CoDisp / sample size, the share of a tree's sample that the point displaces,
/// in [0, 1] (a tree holds at most sample size + 1 points while x is in it). NAB's run divided AWS's score by log₂ 256 = 8 instead;
/// AWS scores with its own normalised depth-based form, not CoDisp, so single values differ while the ranking idea is the paper's.
/// Randomised: <see cref="Options.Seed"/> fixes every tree's stream; the same input and seed give the same scores.</para>
/// </remarks>
[Method("random-cut-forest", Summary = "Streaming robust random cut forest: mean collusive displacement (CoDisp) over time-decayed reservoir trees; seeded.",
    Citation = "Guha, Mishra, Roy & Schrijvers, Robust random cut forest based anomaly detection on streams, ICML 2016")]
public sealed class RandomCutForest : StreamingDetector, IGradedScore
{
    public sealed record Options
    {
        /// <summary>Trees in the forest (NAB/AWS: 100).</summary>
        public int Trees { get; set; } = 100;
        /// <summary>Points kept per tree (NAB/AWS: subSampleSize 256).</summary>
        public int SampleSize { get; set; } = 256;
        /// <summary>AWS's timeDecay: the reservoir weighs a point by e^{t/time-decay} (NAB: 100,000).</summary>
        public double TimeDecay { get; set; } = 100_000;
        /// <summary>Consecutive values per point (NAB/AWS: 1).</summary>
        public int ShingleSize { get; set; } = 1;
        /// <summary>Seed of the forest's random cuts and reservoir draws.</summary>
        public long Seed { get; set; }
    }

    private readonly Options _o;

    public RandomCutForest() : this(new Options()) { }

    public RandomCutForest(Options options)
    {
        DetectorOptions.Require(options.Trees >= 1, Name, "trees", "must be ≥ 1");
        DetectorOptions.Require(options.SampleSize >= 2, Name, "sample-size", "must be ≥ 2");
        DetectorOptions.Require(options.TimeDecay > 0, Name, "time-decay", "must be > 0");
        DetectorOptions.Require(options.ShingleSize >= 1, Name, "shingle-size", "must be ≥ 1");
        _o = options;
    }

    public override string Name => "random-cut-forest";

    public double Grade(double score) => Math.Clamp(score / _o.SampleSize, 0, 1);

    public override IDetectorState Start() => new State(_o);

    private sealed class State : IDetectorState
    {
        private readonly Options _o;
        private readonly CutTree[] _trees;
        private readonly Reservoir[] _samples;
        private readonly Rng[] _rngs;
        private readonly double[] _shingle;
        private readonly double[] _point;
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
        }

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
            for (int i = 0; i < _trees.Length; i++)
            {
                var tree = _trees[i];
                var sample = _samples[i];
                var rng = _rngs[i];
                // u in (0, 1): the 53-bit draw shifted by half a step, so ln(−ln u) is finite.
                double u = ((rng.NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));
                double key = Math.Log(-Math.Log(u)) - lambda * t;
                int leaf = tree.Insert(_point);
                sum += tree.CoDisp(leaf);
                if (sample.Count < sample.Capacity) sample.Push(key, leaf);
                else if (key < sample.MaxKey) { tree.Delete(sample.PopMax()); sample.Push(key, leaf); }
                else tree.Delete(leaf);
            }
            // The first point has no other point to displace: CoDisp 0 in every tree.
            return sum / _trees.Length;
        }
    }
}

/// <summary>A max-heap of (key, leaf): the sample of one tree, evicting the largest key.</summary>
internal sealed class Reservoir(int capacity)
{
    private readonly double[] _key = new double[capacity];
    private readonly int[] _leaf = new int[capacity];

    public int Capacity => capacity;
    public int Count { get; private set; }
    public double MaxKey => _key[0];

    public void Push(double key, int leaf)
    {
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
