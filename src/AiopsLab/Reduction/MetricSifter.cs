using AiopsLab.Detection;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Rca;

namespace AiopsLab.Reduction;

/// <summary>
/// MetricSifter (Tsubouchi &amp; Tsuruta, "MetricSifter: Feature Reduction of Multivariate Time Series Data for Efficient
/// Fault Localization in Cloud Applications", IEEE Access 12, 2024, §IV, Algorithm 1): keeps the metrics whose change
/// points fall in the time segment where change points of all metrics are densest.
/// <list type="number">
/// <item>Step 0: drop metrics that cannot change: all missing, constant, linear (constant first difference), or whose
/// differences are all 0 — each up to a relative tolerance of 10⁻¹² (<see cref="Options.RelativeTolerance"/>; the
/// authors compare exactly).</item>
/// <item>Step 1: offline change points of each metric with <see cref="Pelt"/>, l2 cost, penalty β = σ²·ln n × the
/// adjustment factor (default 2.0, the reference implementation's default), σ the metric's standard deviation, minimum
/// segment length 2. Missing values: leading/trailing gaps trimmed, interior gaps linearly interpolated; the row where a
/// metric starts missing counts as a change point (as the reference implementation does).</item>
/// <item>Step 2: a Gaussian kernel density estimate (<see cref="Kde.GaussianAtRows"/>, bandwidth 2.5 rows) over all change
/// points of all metrics, evaluated at every row; its strict local minima split the time axis into segments, a change
/// point exactly on an inner minimum belonging to both neighbours (as in the authors' code).</item>
/// <item>Step 3: each segment's weight is Σ over its metrics of 1/(number of change points of the metric) (the reference
/// implementation's default <c>weighted_max</c>; <see cref="Options.Weighted"/> = false counts metrics); the heaviest
/// segment (the earliest on a tie, as the authors' <c>max</c>) wins and its metrics are kept, in frame order.</item>
/// </list>
/// Defaults are those of the reference implementation (github.com/ai4sre/metricsifter, <c>Sifter()</c>): pelt, l2,
/// bic, penalty_adjust 2.0, bandwidth 2.5, weighted_max. When no metric has a change point nothing is kept, and the
/// composition (<see cref="ReducedLocalizer"/>) then passes every metric on. Step 1 runs in parallel over the metrics
/// (frames of at least 4,096 cells); the result does not depend on the order in which they finish.
/// </summary>
/// <remarks>
/// <para><b>Numerically constant columns.</b> The authors' step 0 compares values exactly, so a column that is constant
/// but for rounding noise (Sock Shop's <c>shipping_lat_99</c>: 0.00495 and 0.0049499999999999) passes, and PELT then
/// segments the noise (its BIC penalty, σ²·ln n, is about 10⁻³³) into dozens of spurious change points that shift the
/// density of step 2. Here a spread within 10⁻¹² of the magnitude counts as none (the rule of
/// <see cref="Stats.IsNumericallyConstant"/> used by every localizer's preparation); <c>relative-tolerance=0</c> gives
/// the exact comparison.</para>
/// <para><b>An option of ours, off by default (<see cref="Options.AfterAnomaly"/>).</b> MetricSifter's premise is that
/// the failure's change points are the densest cluster in its input window. A whole case can hold a denser burst in its
/// normal period (a workload swing moves every load-driven metric at once: on the synthetic benchmark's easy cases the
/// densest segment is such a swing, 170 rows before the fault, and the root-cause metrics are dropped). With
/// <c>after-anomaly=true</c> only segments with a change point at or after (anomaly row − 3·bandwidth) compete (all do
/// if none has one); this is not in the paper or the authors' code.</para>
/// </remarks>
[Method("metricsifter", Summary = "Keeps the metrics whose PELT change points fall in the densest (KDE) segment.",
    Citation = "Tsubouchi & Tsuruta, MetricSifter, IEEE Access 2024")]
public sealed class MetricSifter : IMetricReducer
{
    /// <summary>Options of <see cref="MetricSifter"/>.</summary>
    public sealed record Options
    {
        /// <summary>Multiplies the BIC penalty σ²·ln n (reference default 2.0).</summary>
        public double PenaltyAdjust { get; set; } = 2.0;
        /// <summary>KDE bandwidth in rows (reference default 2.5).</summary>
        public double Bandwidth { get; set; } = 2.5;
        /// <summary>Minimum segment length of PELT (reference: 2).</summary>
        public int MinSize { get; set; } = 2;
        /// <summary>Weight a segment by Σ 1/|cps(metric)| (true, reference default) or by its number of metrics.</summary>
        public bool Weighted { get; set; } = true;
        /// <summary>Ours, not the authors': only segments holding a change point at or after the anomaly time (less 3
        /// bandwidths) compete. Default false, the authors' selection (every segment competes). See remarks.</summary>
        public bool AfterAnomaly { get; set; }
        /// <summary>Step 0's tolerance: a series whose values (or first differences) spread by at most this times its
        /// largest magnitude is constant (or linear). Default 10⁻¹²; 0 reproduces the authors' exact comparisons.</summary>
        public double RelativeTolerance { get; set; } = DefaultRelativeTolerance;
    }

    private readonly Options _o;

    public MetricSifter() : this(new Options()) { }

    public MetricSifter(Options options)
    {
        if (!(options.PenaltyAdjust >= 0) || double.IsInfinity(options.PenaltyAdjust)) throw new ArgumentException("metricsifter: penalty-adjust must be a finite number ≥ 0.");
        if (!(options.Bandwidth > 0)) throw new ArgumentException("metricsifter: bandwidth must be > 0.");
        if (options.MinSize < 1) throw new ArgumentException("metricsifter: min-size must be ≥ 1.");
        if (!(options.RelativeTolerance >= 0) || options.RelativeTolerance >= 1) throw new ArgumentException("metricsifter: relative-tolerance must be in [0, 1).");
        _o = options;
    }

    public string Name => "metricsifter";

    public IReadOnlyList<string> Reduce(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var f = problem.Metrics;
        int n = f.RowCount;
        // Step 1 is independent per metric: the metrics are spread over the cores, and gathered back in frame order.
        var perColumn = new int[]?[f.ColumnCount];
        var parallel = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = (long)n * f.ColumnCount >= ParallelCells ? -1 : 1 };
        Parallel.For(0, f.ColumnCount, parallel, () => new double[n], (j, _, core) =>
        {
            var col = f.Column(j);
            if (CanChange(col, _o.RelativeTolerance)) perColumn[j] = ChangePoints(col, _o.PenaltyAdjust, _o.MinSize, ct, core);
            return core;
        }, _ => { });
        var names = new List<string>();
        var cps = new List<int[]>();
        for (int j = 0; j < f.ColumnCount; j++)
            if (perColumn[j] is { } c) { names.Add(f.Names[j]); cps.Add(c); }
        int? minRow = _o.AfterAnomaly ? problem.AnomalyRow - (int)Math.Ceiling(3 * _o.Bandwidth) : null;
        var selected = SelectDensest(cps, n, _o.Bandwidth, _o.Weighted, minRow);
        var kept = new string[selected.Length];
        for (int i = 0; i < kept.Length; i++) kept[i] = names[selected[i]];
        return kept;
    }

    /// <summary>
    /// Step 0: false for a series that cannot change. The authors' rule (all missing; all equal; first differences all
    /// equal; every first difference 0 or missing) with "equal" and "0" read up to <paramref name="relativeTolerance"/>
    /// times the series' largest magnitude: a spread within it is floating-point noise (see
    /// <see cref="Options.RelativeTolerance"/>). 0 gives the authors' exact comparisons.
    /// </summary>
    public static bool CanChange(ReadOnlySpan<double> x, double relativeTolerance = DefaultRelativeTolerance)
    {
        if (x.Length < 2) return false;
        double scale = 0, lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var v in x) if (!double.IsNaN(v)) { scale = Math.Max(scale, Math.Abs(v)); lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (lo > hi) return false; // all missing
        double tol = relativeTolerance * scale;
        bool anyNan = false;
        foreach (var v in x) if (double.IsNaN(v)) { anyNan = true; break; }
        if (!anyNan && hi - lo <= tol) return false; // constant (with gaps: caught below, as in the authors' code)
        double d0 = x[1] - x[0], dLo = double.PositiveInfinity, dHi = double.NegativeInfinity;
        bool linear = !double.IsNaN(d0), diffsZero = true;
        for (int i = 1; i < x.Length; i++)
        {
            double d = x[i] - x[i - 1];
            if (double.IsNaN(d)) { linear = false; continue; }
            dLo = Math.Min(dLo, d); dHi = Math.Max(dHi, d);
            if (Math.Abs(d) > tol) diffsZero = false;
        }
        if (linear && dHi - dLo <= tol) return false;
        return !diffsZero;
    }

    /// <summary>Frames of at least this many cells (rows × metrics) run step 1 on all cores; smaller ones on one.</summary>
    private const long ParallelCells = 4096;

    /// <summary>Default of <see cref="Options.RelativeTolerance"/>: 10⁻¹², as <see cref="Stats.IsNumericallyConstant"/>.</summary>
    public const double DefaultRelativeTolerance = 1e-12;

    /// <summary>
    /// Step 1 for one metric: PELT change points of the NaN-trimmed, interpolated series (offset back to row numbers),
    /// united with the rows where a run of missing values begins. Ascending, distinct. <paramref name="buffer"/>, when
    /// given with at least <c>x.Length</c> elements, is used as scratch space.
    /// </summary>
    public static int[] ChangePoints(ReadOnlySpan<double> x, double penaltyAdjust = 2.0, int minSize = 2, CancellationToken ct = default, double[]? buffer = null)
    {
        int left = 0, right = x.Length - 1;
        while (left <= right && double.IsNaN(x[left])) left++;
        while (right >= left && double.IsNaN(x[right])) right--;
        int[] found = [];
        if (right - left + 1 >= 2)
        {
            var core = buffer is not null && buffer.Length >= x.Length ? buffer.AsSpan(0, right - left + 1) : new double[right - left + 1];
            x[left..(right + 1)].CopyTo(core);
            Interpolate(core);
            double pen = Pelt.PenaltyFor(core, PeltPenalty.Bic, penaltyAdjust);
            found = Pelt.ChangePoints(core, pen, minSize, ct);
        }
        var missing = new List<int>();
        for (int i = 0; i < x.Length; i++)
            if (double.IsNaN(x[i]) && (i == 0 || !double.IsNaN(x[i - 1]))) missing.Add(i);
        if (missing.Count == 0)
        {
            if (left != 0) for (int k = 0; k < found.Length; k++) found[k] += left;
            return found;
        }
        var set = new SortedSet<int>(missing);
        foreach (var cp in found) set.Add(cp + left);
        return set.ToArray();
    }

    /// <summary>Linear interpolation of interior NaN in place (the ends must be finite).</summary>
    private static void Interpolate(Span<double> y)
    {
        int i = 0;
        while (i < y.Length)
        {
            if (!double.IsNaN(y[i])) { i++; continue; }
            int a = i - 1, b = i;
            while (double.IsNaN(y[b])) b++;
            for (int k = a + 1; k < b; k++) y[k] = y[a] + (y[b] - y[a]) * (k - a) / (b - a);
            i = b;
        }
    }

    /// <summary>
    /// Steps 2–3: indices of the metrics (into <paramref name="changePoints"/>) in the heaviest KDE segment of a time axis
    /// of <paramref name="length"/> rows, ascending. Empty when no metric has a change point. With <paramref name="minRow"/>,
    /// only segments holding a change point at or after that row compete (all do when none holds one).
    /// </summary>
    /// <remarks>
    /// A segment's weight is Σ 1/|cps(metric)| over its metrics (or their count), the terms added smallest first so that
    /// two segments with the same metrics' counts weigh exactly the same; the earliest of equally heavy segments wins, as
    /// Python's <c>max</c> over the authors' label-ordered dictionary returns the first maximum. (The authors add the
    /// terms in the iteration order of a Python set of names, which depends on the process's string-hash seed, so in
    /// their code two segments of equal weight can also compare unequal by rounding.)
    /// </remarks>
    public static int[] SelectDensest(IReadOnlyList<int[]> changePoints, int length, double bandwidth = 2.5, bool weighted = true, int? minRow = null)
    {
        int total = 0;
        foreach (var c in changePoints) total += c.Length;
        if (total == 0) return [];
        var all = new int[total];
        int at = 0;
        foreach (var c in changePoints) { c.CopyTo(all, at); at += c.Length; }
        var seg = Segments(all, length, bandwidth);
        int segments = seg.Count;
        int metrics = changePoints.Count;
        var member = new bool[segments * metrics];
        var eligible = new bool[segments];
        bool anyEligible = false;
        for (int m = 0; m < metrics; m++)
            foreach (var cp in changePoints[m])
            {
                var (s, alsoPrevious) = seg.Of(cp);
                member[s * metrics + m] = true;
                if (alsoPrevious) member[(s - 1) * metrics + m] = true;
                if (minRow is null || cp >= minRow)
                {
                    eligible[s] = anyEligible = true;
                    if (alsoPrevious) eligible[s - 1] = true;
                }
            }
        if (!anyEligible) Array.Fill(eligible, true);
        int best = -1; double bestW = double.NegativeInfinity;
        var counts = new List<int>();
        for (int s = 0; s < segments; s++)
        {
            if (!eligible[s]) continue;
            counts.Clear();
            for (int m = 0; m < metrics; m++) if (member[s * metrics + m]) counts.Add(changePoints[m].Length);
            if (counts.Count == 0) continue;
            double wgt = counts.Count;
            if (weighted)
            {
                counts.Sort();
                wgt = 0;
                for (int k = counts.Count - 1; k >= 0; k--) wgt += 1.0 / counts[k];
            }
            if (wgt > bestW) { bestW = wgt; best = s; }
        }
        if (best < 0) return [];
        var r = new List<int>();
        for (int m = 0; m < metrics; m++) if (member[best * metrics + m]) r.Add(m);
        return r.ToArray();
    }

    /// <summary>
    /// Segment label of each change point (the first label of a point that belongs to two segments, see
    /// <see cref="Segments"/>). All points share label 0 when they are all equal or the density has no minimum.
    /// </summary>
    public static int[] SegmentLabels(int[] points, int length, double bandwidth)
    {
        var seg = Segments(points, length, bandwidth);
        var labels = new int[points.Length];
        for (int i = 0; i < points.Length; i++)
        {
            var (s, alsoPrevious) = seg.Of(points[i]);
            labels[i] = alsoPrevious ? s - 1 : s;
        }
        return labels;
    }

    /// <summary>
    /// The time axis cut at the local minima m₀ &lt; m₁ &lt; … (<see cref="Kde.LocalMinima"/>: a flat bottom of two equal
    /// rows counts, at its first row; the authors' strict test finds it at either row or not at all, as rounding falls) of the KDE (bandwidth h) of all change points
    /// (with multiplicity), evaluated at rows 0..length−1 (<see cref="Kde.GaussianAtRows"/>). As in the authors'
    /// <c>segment_changepoints_with_kde</c>: segment 0 holds x &lt; m₀, segment i holds m_{i−1} ≤ x ≤ m_i, the last
    /// x ≥ m_last; so a change point exactly on a minimum other than m₀ belongs to both neighbouring segments (its metric
    /// is a member of both), one on m₀ only to segment 1. One segment when all points are equal or there is no minimum.
    /// </summary>
    private static SegmentAxis Segments(int[] points, int length, double bandwidth)
    {
        bool spread = false;
        foreach (var p in points) if (p != points[0]) { spread = true; break; }
        if (!spread || length < 3) return new SegmentAxis([]);
        var mins = Kde.LocalMinima(Kde.GaussianAtRows(points, bandwidth, length));
        return new SegmentAxis(mins);
    }

    private readonly record struct SegmentAxis(int[] Minima)
    {
        public int Count => Minima.Length + 1;

        /// <summary>The later segment of <paramref name="x"/>, and whether it also belongs to the one before.</summary>
        public (int Segment, bool AlsoPrevious) Of(int x)
        {
            int lo = 0, hi = Minima.Length; // number of minima ≤ x
            while (lo < hi) { int mid = (lo + hi) >> 1; if (Minima[mid] <= x) lo = mid + 1; else hi = mid; }
            bool onMin = lo > 0 && Minima[lo - 1] == x;
            return (lo, onMin && lo >= 2);
        }
    }
}
