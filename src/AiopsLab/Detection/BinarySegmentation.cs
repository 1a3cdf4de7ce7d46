using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>
/// Binary segmentation (Scott &amp; Knott, Biometrics 30, 1974; Vostrikova, Soviet Math. Dokl. 24, 1981; in the form of Truong,
/// Oudre &amp; Vayatis, Signal Processing 167, 2020, Algorithm 4) with the l2 cost (<see cref="L2Cost"/>): repeatedly split the segment
/// whose best single split gives the largest cost reduction G = C(a..b) − C(a..τ) − C(τ..b), while G exceeds the penalty β (the same
/// β as <see cref="Pelt"/>, <see cref="Pelt.PenaltyFor"/>) and, if set, until <see cref="Options.MaxChangePoints"/> are found.
/// Greedy, so only approximately optimal, but O(n log n) and its first split is exactly the best single change point.
/// </summary>
/// <remarks>
/// As an <see cref="IAnomalyDetector"/> (<c>binseg</c>, offline) the score at a change point (first row of the new segment) is,
/// as for PELT, the cost reduction it brings between its neighbouring change points divided by the series variance (a dimensionless
/// size of the change), 0 elsewhere; any change point alarms (<see cref="AlarmThreshold"/> 0). NaN points are left out and score 0.
/// </remarks>
[Method("binseg", Summary = "Binary segmentation with l2 cost and a BIC-style penalty; score = normalised gain at change points.", Citation = "Scott & Knott 1974; Vostrikova 1981; Truong et al., Signal Processing 2020")]
public sealed class BinarySegmentation : IChangePointDetector, IAlarmThreshold
{
    /// <summary>PELT's penalty and segment options, and a limit on the number of change points.</summary>
    public sealed record Options : PeltOptions
    {
        /// <summary>Stop after this many change points (0 = stop only on the penalty).</summary>
        public int MaxChangePoints { get; set; }
    }

    private readonly Options _o;

    public BinarySegmentation() : this(new Options()) { }

    public BinarySegmentation(Options options)
    {
        options.Validate(Name);
        DetectorOptions.Require(options.MaxChangePoints >= 0, Name, "max-change-points", "must be ≥ 0");
        _o = options;
    }

    public string Name => "binseg";

    public double AlarmThreshold => 0;

    public double[] Score(ReadOnlySpan<double> series) =>
        L2Cost.ChangePointScores(series, y =>
            ChangePoints(y, _o.PenaltyFor(y), _o.MinSize, _o.MaxChangePoints).Select(c => c.Index).ToArray());

    /// <summary>
    /// Change points (first rows of new segments) with their gains, ascending by position: splits are taken greedily by gain while
    /// the gain is above <paramref name="penalty"/> (and at most <paramref name="maxChangePoints"/> when that is positive).
    /// </summary>
    public static IReadOnlyList<(int Index, double Gain)> ChangePoints(ReadOnlySpan<double> y, double penalty, int minSize = 2, int maxChangePoints = 0, CancellationToken ct = default)
    {
        if (minSize < 1) throw new ArgumentOutOfRangeException(nameof(minSize));
        foreach (var v in y) if (!double.IsFinite(v)) throw new ArgumentException("binseg: the series has a NaN or infinite value.");
        var cost = new L2Cost(y);
        var found = new List<(int, double)>();
        var queue = new PriorityQueue<(int A, int B, int Tau, double Gain), (double, int)>();
        void Offer(int a, int b)
        {
            var (tau, gain) = BestSplit(cost, a, b, minSize);
            if (tau > 0) queue.Enqueue((a, b, tau, gain), (-gain, tau));
        }
        Offer(0, y.Length);
        while (queue.TryDequeue(out var s, out _))
        {
            ct.ThrowIfCancellationRequested();
            if (!(s.Gain > penalty)) break;
            if (maxChangePoints > 0 && found.Count >= maxChangePoints) break;
            found.Add((s.Tau, s.Gain));
            Offer(s.A, s.Tau);
            Offer(s.Tau, s.B);
        }
        found.Sort((p, q) => p.Item1.CompareTo(q.Item1));
        return found;
    }

    /// <summary>The split τ of rows a..b−1 with the largest gain (ties: the earliest), or (−1, 0) when no split fits.</summary>
    public static (int Tau, double Gain) BestSplit(L2Cost cost, int a, int b, int minSize)
    {
        double whole = cost.Cost(a, b), best = double.NegativeInfinity;
        int arg = -1;
        for (int t = a + minSize; t <= b - minSize; t++)
        {
            double g = whole - cost.Cost(a, t) - cost.Cost(t, b);
            if (g > best) { best = g; arg = t; }
        }
        return arg < 0 ? (-1, 0) : (arg, best);
    }
}
