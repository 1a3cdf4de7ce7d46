using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>
/// Isolation Forest (Liu, Ting &amp; Zhou, "Isolation Forest", ICDM 2008, Algorithms 1–3 and Eqs. 1–2): t trees, each grown on a
/// sub-sample of ψ points (without replacement) by random axis-parallel splits (a random attribute with a spread, a split value
/// uniform in its range) up to the height limit ⌈log₂ ψ⌉; the path length of x is the edges to its leaf plus c(size) for the points
/// left there; the score is s(x, ψ) = 2^(−E[h(x)] / c(ψ)) with c(n) = 2H(n − 1) − 2(n − 1)/n, H(i) ≈ ln i + 0.5772156649 (Eq. 1).
/// s near 1 marks anomalies, s ≤ 0.5 normal points (§2).
/// </summary>
/// <remarks>
/// <b>Univariate</b> (<c>isolation-forest</c> as an <see cref="IAnomalyDetector"/>): each point is described by the window of the
/// last <see cref="Options.Window"/> values ending at it (sliding windows, as time-series benchmarks such as TSB-UAD use it); the
/// first Window − 1 points score 0. <b>Multivariate</b>: <see cref="ScoreFrame"/> uses, for each row, the window of every column.
/// NaN values are carried forward inside windows (0 before the first); a NaN point itself scores 0. The default window of 4 is
/// short enough that a one-point spike is still isolated in few splits and long enough that the windows straddling a level shift
/// are rare patterns (with a window of 1 a lasting shift forms its own dense cluster and is not isolated). The forest is seeded by <see cref="Options.Seed"/>: the same input and seed
/// give the same scores.
/// </remarks>
[Method("isolation-forest", Summary = "Isolation Forest on sliding windows (univariate) or rows of a frame (multivariate); seeded.", Citation = "Liu, Ting & Zhou, ICDM 2008")]
public sealed class IsolationForest : SlidingWindowDetector, IAnomalyDetector, IAlarmThreshold
{
    /// <summary>The forest's options (t trees, sub-sample size ψ, seed) and the window and alarm threshold.</summary>
    public sealed record Options : ForestOptions
    {
        /// <summary>Sliding-window length: the features of a point are its last Window values (1 = the value alone).</summary>
        public int Window { get; set; } = 4;
        /// <summary>Alarm threshold on s (a heuristic: the paper calls s close to 1 anomalous and s ≤ 0.5 normal).</summary>
        public double Threshold { get; set; } = 0.6;
    }

    private readonly Options _o;

    public IsolationForest() : this(new Options()) { }

    public IsolationForest(Options options)
    {
        options.Validate(Name);
        DetectorOptions.Require(options.Window >= 1, Name, "window", "must be ≥ 1");
        DetectorOptions.Require(options.Threshold > 0 && options.Threshold < 1, Name, "threshold", "must be in (0, 1)");
        _o = options;
    }

    public string Name => "isolation-forest";

    public double AlarmThreshold => _o.Threshold;

    /// <summary>c(n), the average path length of an unsuccessful BST search (Eq. 1); c(1) = 0, c(2) = 1.</summary>
    public static double C(int n)
    {
        if (n <= 1) return 0;
        if (n == 2) return 1;
        return 2 * (Math.Log(n - 1) + 0.5772156649015329) - 2.0 * (n - 1) / n;
    }

    protected override int WindowLength => _o.Window;

    protected override void ScoreWindows(double[] x, int rows, int d, Span<double> scores)
    {
        var forest = Fit(x, rows, d, _o.Trees, _o.SampleSize, unchecked((ulong)_o.Seed));
        for (int r = 0; r < rows; r++) scores[r] = forest.Score(x.AsSpan(r * d, d));
    }

    /// <summary>Grows a forest on <paramref name="rows"/> points of dimension <paramref name="dim"/> stored row-major in <paramref name="x"/>.</summary>
    public static Forest Fit(double[] x, int rows, int dim, int trees, int sampleSize, ulong seed)
    {
        int psi = Math.Min(sampleSize, rows);
        int limit = (int)Math.Ceiling(Math.Log2(Math.Max(2, psi)));
        var rng = Rng.For(seed, "isolation-forest");
        var all = Enumerable.Range(0, rows).ToArray();
        var roots = new Node[trees];
        for (int t = 0; t < trees; t++)
        {
            // Partial Fisher–Yates: the first ψ entries are a sample without replacement.
            for (int i = 0; i < psi; i++) { int j = i + rng.NextInt(rows - i); (all[i], all[j]) = (all[j], all[i]); }
            roots[t] = Grow(x, dim, all.AsSpan(0, psi).ToArray(), 0, limit, rng);
        }
        return new Forest(roots, psi);
    }

    private static Node Grow(double[] x, int dim, int[] members, int depth, int limit, Rng rng)
    {
        if (depth >= limit || members.Length <= 1) return Node.Leaf(members.Length);
        // Attributes with a spread among the members; none → the members are identical: a leaf.
        Span<double> lo = dim <= 256 ? stackalloc double[dim] : new double[dim];
        Span<double> hi = dim <= 256 ? stackalloc double[dim] : new double[dim];
        lo.Fill(double.PositiveInfinity); hi.Fill(double.NegativeInfinity);
        foreach (var m in members)
            for (int q = 0; q < dim; q++) { double v = x[m * dim + q]; if (v < lo[q]) lo[q] = v; if (v > hi[q]) hi[q] = v; }
        int spread = 0;
        for (int q = 0; q < dim; q++) if (hi[q] > lo[q]) spread++;
        if (spread == 0) return Node.Leaf(members.Length);
        int pick = rng.NextInt(spread), attr = -1;
        for (int q = 0; q < dim; q++) if (hi[q] > lo[q] && pick-- == 0) { attr = q; break; }
        double split = rng.Uniform(lo[attr], hi[attr]);
        var left = members.Where(m => x[m * dim + attr] < split).ToArray();
        var right = members.Where(m => x[m * dim + attr] >= split).ToArray();
        return new Node(attr, split, Grow(x, dim, left, depth + 1, limit, rng), Grow(x, dim, right, depth + 1, limit, rng), 0);
    }

    /// <summary>A grown isolation tree node: internal (attribute, split value) or external (size).</summary>
    public sealed record Node(int Attribute, double Split, Node? Left, Node? Right, int Size)
    {
        public static Node Leaf(int size) => new(-1, 0, null, null, size);
    }

    /// <summary>A fitted forest: <see cref="Score"/> gives s(x, ψ).</summary>
    public sealed class Forest(Node[] roots, int psi)
    {
        public int SampleSize => psi;

        /// <summary>The path length h(x) in one tree (Algorithm 3).</summary>
        public static double PathLength(ReadOnlySpan<double> point, Node node)
        {
            int e = 0;
            while (node.Left is not null)
            {
                node = point[node.Attribute] < node.Split ? node.Left : node.Right!;
                e++;
            }
            return e + C(node.Size);
        }

        public double Score(ReadOnlySpan<double> point)
        {
            double sum = 0;
            foreach (var r in roots) sum += PathLength(point, r);
            return Math.Pow(2, -(sum / roots.Length) / C(psi));
        }
    }
}
