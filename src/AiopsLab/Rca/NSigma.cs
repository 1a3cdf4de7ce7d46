using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Preparation;

namespace AiopsLab.Rca;

/// <summary>
/// N-Sigma, the z-score baseline of RCAEval (Pham et al., "Root Cause Analysis for Microservices based on Causal Inference:
/// How Far Are We?", ASE 2024, §III-B; also BARO's baseline, FSE 2024 §5.2): for each metric, the mean μ and standard
/// deviation σ of its normal window standardise the anomalous window, z_t = (x_t − μ)/σ, and the metric's score is the
/// <b>maximum</b> z_t over the anomalous window (RCAEval's <c>nsigma</c>: scikit-learn's <c>StandardScaler</c>, population
/// σ, then <c>max(zscores)</c>; not the mean, not |z|). Metrics are ranked by score.
/// </summary>
/// <remarks>Preprocessing follows RCAEval (<see cref="PreparedWindow"/>, <see cref="WindowRecipe.Statistical"/>): forward fill, columns constant in either window
/// dropped and ranked last. <see cref="Options.Absolute"/> scores max |z|; <see cref="Options.Aggregate"/> can take the
/// mean instead of the maximum.</remarks>
[Method("nsigma", Summary = "Max z-score of the anomalous window against the normal window's mean and standard deviation.", Citation = "RCAEval's NSigma (Pham et al., ASE 2024)")]
public sealed class NSigma : IRootCauseLocalizer
{
    /// <summary>How the per-point z-scores of the anomalous window become one score.</summary>
    public enum Aggregation { Max, Mean }

    /// <summary>Options of <see cref="NSigma"/>.</summary>
    public sealed record Options
    {
        /// <summary>Use |z| instead of z.</summary>
        public bool Absolute { get; set; }
        /// <summary>Max (RCAEval) or mean of the z-scores.</summary>
        public Aggregation Aggregate { get; set; } = Aggregation.Max;
        /// <summary>Rows (not seconds) kept on each side of the anomaly time (0 = all). RCAEval keeps 300 rows, whatever
        /// the sampling interval; <c>rcaeval+nsigma</c> is RCAEval's whole protocol.</summary>
        public int Window { get; set; }
        /// <summary>Seconds kept on each side of the anomaly time t, i.e. the rows with time in [t − s, t + s) at any
        /// sampling interval, read from the data (0 = use <see cref="Window"/>, rows). On gap-free 1-second data
        /// <c>window-seconds=300</c> is <c>window=300</c>; on 60-second data it keeps 5 rows a side.</summary>
        public long WindowSeconds { get; set; }
        /// <summary>Metric kinds left out (not ranked), e.g. <c>lat_50;lat_99</c> as RCAEval does on Sock Shop.</summary>
        public string[] ExcludeKinds { get; set; } = [];
    }

    private readonly Options _o;

    public NSigma() : this(new Options()) { }

    public NSigma(Options options)
    {
        if (options.Window < 0) throw new ArgumentException("nsigma: window must be ≥ 0.");
        if (options.WindowSeconds < 0) throw new ArgumentException("nsigma: window-seconds must be ≥ 0.");
        if (options.Window > 0 && options.WindowSeconds > 0) throw new ArgumentException("nsigma: give window (rows) or window-seconds, not both.");
        _o = options;
    }

    public string Name => "nsigma";

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var w = PreparedWindow.Of(problem, WindowRecipe.Statistical(_o.Window, _o.ExcludeKinds) with
        {
            BeforeSeconds = _o.WindowSeconds, AfterSeconds = _o.WindowSeconds,
        });
        var scores = new double[w.Names.Count];
        for (int j = 0; j < scores.Length; j++)
        {
            if ((j & 63) == 0) ct.ThrowIfCancellationRequested();
            scores[j] = ZScore(w.Normal(j), w.Anomalous(j), _o.Absolute, _o.Aggregate);
        }
        return w.Result(scores);
    }

    /// <summary>
    /// max_t (or mean_t) of (x_t − μ)/σ over the anomalous values, μ and σ (population, ddof 0) from the normal values.
    /// σ = 0 counts as 1 (scikit-learn's rule). NaN values are ignored; NaN when either window has no finite value.
    /// </summary>
    public static double ZScore(ReadOnlySpan<double> normal, ReadOnlySpan<double> anomalous, bool absolute = false, Aggregation aggregate = Aggregation.Max)
    {
        var (mu, sd) = Stats.MeanStd(normal);
        if (double.IsNaN(mu)) return double.NaN;
        if (!(sd > 0)) sd = 1;
        double best = double.NegativeInfinity, sum = 0;
        int n = 0;
        foreach (var v in anomalous)
        {
            if (!double.IsFinite(v)) continue;
            double z = (v - mu) / sd;
            if (absolute) z = Math.Abs(z);
            if (z > best) best = z;
            sum += z; n++;
        }
        return n == 0 ? double.NaN : aggregate == Aggregation.Max ? best : sum / n;
    }
}
