using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>How <see cref="Pelt"/> sets its penalty β per added change point.</summary>
public enum PeltPenalty
{
    /// <summary>β = σ²·ln n (BIC-style; σ = population standard deviation of the series), times the adjustment.</summary>
    Bic,
    /// <summary>β = σ² (AIC-style), times the adjustment.</summary>
    Aic,
    /// <summary>β = the adjustment itself (a fixed penalty).</summary>
    Fixed,
}

/// <summary>Options of <see cref="Pelt"/>, and the penalized-segmentation options <see cref="BinarySegmentation"/> shares.</summary>
public record PeltOptions
{
    /// <summary>Penalty family.</summary>
    public PeltPenalty Penalty { get; set; } = PeltPenalty.Bic;
    /// <summary>Multiplies the penalty (MetricSifter calls it penalty_adjust); for <see cref="PeltPenalty.Fixed"/> it is β.</summary>
    public double PenaltyAdjust { get; set; } = 1;
    /// <summary>Smallest segment length (ruptures' <c>min_size</c>; MetricSifter uses 2).</summary>
    public int MinSize { get; set; } = 2;

    /// <summary>β for the series <paramref name="y"/> (<see cref="Pelt.PenaltyFor"/>).</summary>
    internal double PenaltyFor(ReadOnlySpan<double> y) => Pelt.PenaltyFor(y, Penalty, PenaltyAdjust);

    /// <summary>Throws, naming <paramref name="detector"/>, for a min-size below 1 or a penalty adjustment that is not a finite number ≥ 0.</summary>
    internal void Validate(string detector)
    {
        DetectorOptions.Require(MinSize >= 1, detector, "min-size", "must be ≥ 1");
        DetectorOptions.Require(PenaltyAdjust >= 0 && double.IsFinite(PenaltyAdjust), detector, "penalty-adjust", "must be a finite number ≥ 0");
    }
}

/// <summary>
/// PELT, Pruned Exact Linear Time optimal segmentation (Killick, Fearnhead &amp; Eckley, "Optimal detection of changepoints
/// with a linear computational cost", JASA 107(500), 2012, Algorithm 2) with the l2 (change-in-mean) cost
/// C(y_{a..b−1}) = Σ (y_i − ȳ)², computed in O(1) from prefix sums. It minimises Σ_segments C + β·(number of change points)
/// exactly: F(t) = min_{τ ∈ R_t} F(τ) + C(y_{τ..t−1}) + β over the candidate set R_t.
/// </summary>
/// <remarks>
/// <para><b>Pruning.</b> PELT's inequality pruning (drop τ once F(τ) + C(y_{τ..t−1}) &gt; F(t)) never fires on a stretch
/// without a change, where it leaves O(n²) work; most monitoring metrics are such stretches. The candidates are pruned
/// instead functionally, as FPOP does (Maidstone, Hocking, Rigaill &amp; Fearnhead, "On optimal multiple changepoint
/// algorithms for large data", Statistics and Computing 27, 2017, §3.2): a segment starting at τ with mean μ costs
/// q_τ(μ) = F(τ) + Σ_{i≥τ}(y_i − μ)² + β, and q_τ − q_s (τ &lt; s) does not change as t grows, so τ can be optimal later only
/// for μ in the interval {μ : (s − τ)(μ − ȳ_{τ..s−1})² ≤ F(s) − F(τ) − C(y_{τ..s−1})}. Each candidate keeps the
/// intersection of these intervals over the later candidates s (taken when s becomes usable, i.e. with segments of at
/// least m points at t = s + m) and is dropped when it is empty. The test allows a rounding margin of 10⁻¹⁰·(Σ(y − ȳ)² +
/// n·β), far above the rounding of any F and far below β, so a candidate is dropped only when it is worse than a live one
/// by more than rounding: the change points are those of the unpruned recursion (checked against brute force in the
/// tests); it subsumes PELT's rule at t = s. The sums are taken over y − ȳ (the cost is shift-invariant).</para>
/// <para><b>Speed.</b> The search (<see cref="PeltSearch"/>) keeps the live candidates in parallel arrays and evaluates
/// them four at a time with SIMD (the same IEEE operations per candidate, so the same costs bit for bit), and runs the
/// pruning test against every eighth new candidate only: a larger live set than pruning at every step, never one
/// without the minimiser, so the change points are unchanged (checked against unpruned optimal partitioning on every
/// metric of rcd-sockshop and on generated plateaus).</para>
/// <para><b>As an <see cref="IAnomalyDetector"/></b> (<c>pelt</c>, offline): at each detected change point (the first row of a
/// new segment) the score is the cost reduction it brings between its neighbouring change points (<see cref="L2Cost.Gains"/>)
/// divided by the series variance, a dimensionless size of the change; 0 elsewhere. NaN points are left out of the segmentation
/// and score 0.</para>
/// </remarks>
[Method("pelt", Summary = "PELT optimal change-point segmentation (l2 cost, BIC-style penalty); score = normalised gain at change points.", Citation = "Killick, Fearnhead & Eckley, JASA 2012")]
public sealed class Pelt : IChangePointDetector, IAlarmThreshold
{
    private readonly PeltOptions _o;

    public Pelt() : this(new PeltOptions()) { }

    public Pelt(PeltOptions options)
    {
        options.Validate(Name);
        _o = options;
    }

    public string Name => "pelt";

    /// <summary>Every change point alarms (score above 0 there, 0 elsewhere).</summary>
    public double AlarmThreshold => 0;

    /// <inheritdoc/>
    public double[] Score(ReadOnlySpan<double> series) =>
        L2Cost.ChangePointScores(series, y => ChangePoints(y, _o.PenaltyFor(y), _o.MinSize));

    /// <summary>β for a series: σ²·ln n·adjust (BIC), σ²·adjust (AIC) or adjust (fixed); σ is the population standard deviation.</summary>
    public static double PenaltyFor(ReadOnlySpan<double> y, PeltPenalty kind, double adjust)
    {
        if (kind == PeltPenalty.Fixed) return adjust;
        var (_, sd) = Stats.MeanStd(y);
        if (double.IsNaN(sd)) return 0;
        double v = sd * sd;
        return kind == PeltPenalty.Bic ? v * Math.Log(Math.Max(1, y.Length)) * adjust : v * adjust;
    }

    /// <summary>
    /// The optimal change points of <paramref name="y"/> (finite values) for penalty <paramref name="penalty"/>: the rows that
    /// start a new segment, ascending (0 and n excluded). Fewer than 2·minSize points give no change point.
    /// </summary>
    public static int[] ChangePoints(ReadOnlySpan<double> y, double penalty, int minSize = 2, CancellationToken ct = default)
    {
        if (minSize < 1) throw new ArgumentOutOfRangeException(nameof(minSize));
        if (!(penalty >= 0)) throw new ArgumentOutOfRangeException(nameof(penalty), "the penalty must be ≥ 0.");
        int n = y.Length;
        foreach (var v in y) if (!double.IsFinite(v)) throw new ArgumentException("pelt: the series has a NaN or infinite value.");
        if (n < 2 * minSize) return [];
        return PeltSearch.Run(y, penalty, minSize, ct);
    }

    /// <summary>
    /// The penalised cost Σ C(segment) + β·|cps| of a given segmentation (change points = first rows of new segments),
    /// the quantity <see cref="ChangePoints"/> minimises.
    /// </summary>
    public static double PenalisedCost(ReadOnlySpan<double> y, IReadOnlyList<int> changePoints, double penalty)
    {
        double total = penalty * changePoints.Count;
        int a = 0;
        foreach (var b in changePoints.Append(y.Length))
        {
            var seg = y[a..b];
            double m = 0;
            foreach (var v in seg) m += v;
            m /= seg.Length;
            foreach (var v in seg) total += (v - m) * (v - m);
            a = b;
        }
        return total;
    }
}
