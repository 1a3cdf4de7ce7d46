using System.Buffers;
using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Detection;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Preparation;

namespace AiopsLab.Rca;

/// <summary>
/// BARO (Pham, Ha &amp; Zhang, "BARO: Robust Root Cause Analysis for Microservices via Multivariate Bayesian Online
/// Change Point Detection", FSE 2024), root-cause part: the RobustScorer of §3.3. For each metric, the median m and the
/// interquartile range IQR = Q₃ − Q₁ of its normal window (before the anomaly time) standardise the anomalous window,
/// z_t = (x_t − m)/IQR, and the metric's score is the largest z_t (eq. 5–6); metrics are ranked by score.
/// The anomaly time is <see cref="RcaProblem.AnomalyTime"/>: the label's inject time (as RCAEval runs BARO), a delayed one
/// (<c>--delay</c>), or BARO's own multivariate BOCPD (<see cref="BaroAnomalyDetector"/>, <c>--anomaly-time bocpd</c>).
/// </summary>
/// <remarks>
/// <para>As in BARO's and RCAEval's code (scikit-learn's <c>RobustScaler</c>, then <c>max</c>), the score is the signed
/// maximum: a metric that only falls scores low (<see cref="Options.Absolute"/> scores |z| instead). Quantiles use linear
/// interpolation (numpy's default, as <c>RobustScaler</c> does). An IQR of 0 (more than half the normal values equal), or
/// below 10 machine epsilons, is replaced by 1 as <c>RobustScaler</c> does; the score is then in the metric's own units, which is why RCAEval's
/// conversion of memory to MB matters there (<see cref="Options.MemoryUnitDivisor"/> replicates it).</para>
/// <para>Preprocessing follows RCAEval (<see cref="PreparedWindow"/>, <see cref="WindowRecipe.Statistical"/>): forward fill, columns constant in either window dropped
/// and ranked last.</para>
/// </remarks>
[Method("baro", Summary = "BARO's RobustScorer: max over the anomalous window of (x − median)/IQR of the normal window.", Citation = "Pham, Ha & Zhang, BARO, FSE 2024")]
public sealed class Baro : IRootCauseLocalizer
{
    /// <summary>Options of <see cref="Baro"/>.</summary>
    public sealed record Options
    {
        /// <summary>Score max |z| instead of max z.</summary>
        public bool Absolute { get; set; }
        /// <summary>Rows (not seconds) kept on each side of the anomaly time (0 = all). RCAEval keeps 300 rows, whatever
        /// the sampling interval; <c>rcaeval+baro</c> is RCAEval's whole protocol.</summary>
        public int Window { get; set; }
        /// <summary>Seconds kept on each side of the anomaly time t, i.e. the rows with time in [t − s, t + s) at any
        /// sampling interval (0 = use <see cref="Window"/>, rows). On gap-free 1-second data <c>window-seconds=300</c>
        /// is <c>window=300</c>; on 60-second data it keeps 5 rows a side.</summary>
        public long WindowSeconds { get; set; }
        /// <summary>Memory kinds (<see cref="MetricKinds.IsMemory"/>) are divided by this before scoring, as RCAEval's
        /// <c>convert_mem_mb</c> does (10⁶). It only changes scores whose IQR is 0 (then the scale is 1 and units matter).</summary>
        public double MemoryUnitDivisor { get; set; } = 1e6;
        /// <summary>Metric kinds left out (not ranked), e.g. <c>lat_50;lat_99</c> as RCAEval does on Sock Shop.</summary>
        public string[] ExcludeKinds { get; set; } = [];
    }

    private readonly Options _o;

    public Baro() : this(new Options()) { }

    public Baro(Options options)
    {
        if (options.Window < 0) throw new ArgumentException("baro: window must be ≥ 0.");
        if (options.WindowSeconds < 0) throw new ArgumentException("baro: window-seconds must be ≥ 0.");
        if (options.Window > 0 && options.WindowSeconds > 0) throw new ArgumentException("baro: give window (rows) or window-seconds, not both.");
        if (!(options.MemoryUnitDivisor > 0)) throw new ArgumentException("baro: memory-unit-divisor must be > 0.");
        _o = options;
    }

    public string Name => "baro";

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var w = PreparedWindow.Of(problem, WindowRecipe.Statistical(_o.Window, _o.ExcludeKinds) with
        {
            MemoryDivisor = _o.MemoryUnitDivisor, BeforeSeconds = _o.WindowSeconds, AfterSeconds = _o.WindowSeconds,
        });
        var scores = new double[w.Names.Count];
        for (int j = 0; j < scores.Length; j++)
        {
            if ((j & 63) == 0) ct.ThrowIfCancellationRequested();
            scores[j] = RobustScore(w.Normal(j), w.Anomalous(j), _o.Absolute);
        }
        return w.Result(scores);
    }

    /// <summary>
    /// scikit-learn's near-zero scale (<c>_handle_zeros_in_scale</c>: <c>scale &lt; 10 · np.finfo(float64).eps</c>), which
    /// <c>RobustScaler</c> replaces by 1: an IQR that is float noise (e.g. 1e-19 between latency quantiles in seconds) would
    /// otherwise give robust z-scores of 1e19.
    /// </summary>
    public const double NearZeroScale = 10 * 2.220446049250313e-16;

    /// <summary>
    /// RobustScorer of one metric (BARO eq. 5–6): max_t (x_t − median(normal))/IQR(normal) over the anomalous values
    /// (or max |…| when <paramref name="absolute"/>). An IQR below <see cref="NearZeroScale"/> counts as 1 (scikit-learn's
    /// rule). NaN values are ignored; NaN when either window has no finite value.
    /// </summary>
    public static double RobustScore(ReadOnlySpan<double> normal, ReadOnlySpan<double> anomalous, bool absolute = false)
    {
        // The quartiles by selection on a scratch copy (expected O(n), no sort, no allocation for windows up to 1,024 rows).
        double[]? rented = normal.Length > 1024 ? ArrayPool<double>.Shared.Rent(normal.Length) : null;
        Span<double> buf = rented is null ? stackalloc double[normal.Length] : rented;
        int n = 0;
        foreach (var v in normal) if (double.IsFinite(v)) buf[n++] = v;
        try
        {
            if (n == 0) return double.NaN;
            var x = buf[..n];
            double q1 = QuickSelect.Quantile(x, 0.25, 0), med = QuickSelect.Quantile(x, 0.5, QuickSelect.Low(n, 0.25)), q3 = QuickSelect.Quantile(x, 0.75, QuickSelect.Low(n, 0.5));
            double iqr = q3 - q1;
            if (iqr < NearZeroScale) iqr = 1;
            double best = double.NegativeInfinity;
            bool any = false;
            foreach (var v in anomalous)
            {
                if (!double.IsFinite(v)) continue;
                double z = (v - med) / iqr;
                if (absolute) z = Math.Abs(z);
                if (z > best) best = z;
                any = true;
            }
            return any ? best : double.NaN;
        }
        finally
        {
            if (rented is not null) ArrayPool<double>.Shared.Return(rented);
        }
    }
}

/// <summary>
/// BARO's anomaly-detection part (Pham et al., FSE 2024, §3.2): multivariate Bayesian online change-point detection
/// (<see cref="Bocpd"/>, Adams &amp; MacKay 2007, Student-t predictive, constant hazard 1/50) over the latency and
/// error-rate metrics (chosen by metric kind through the dataset's <see cref="MetricNaming"/>, <see cref="MetricKinds"/>;
/// all metrics when there are none), min-max scaled; the anomaly time is the first change point. Used by the runner's
/// end-to-end mode (<c>--anomaly-time bocpd</c>) in place of the label's inject time.
/// </summary>
/// <remarks>
/// BARO's code also removes Sock Shop's <c>queue-master</c> and <c>rabbitmq</c> columns by name; that is a per-dataset
/// rule on entity names and is not replicated. Constant columns are dropped (as BARO does); NaN are carried forward.
/// The hazard's expected run length λ (<c>lambda</c>) counts rows, as in BARO's code: λ = 50 is 50 s of 1-second data and
/// 50 minutes of 1-minute data. <c>lambda-seconds</c> gives it in seconds instead, divided by the case's sampling interval
/// (<see cref="WindowRecipe.SamplingInterval"/>): <c>bocpd(lambda-seconds=3000)</c> is λ = 3000 rows at 1 s, 50 at 60 s
/// and 10 at 300 s, so the prior expects the same time between changes at every interval.
/// </remarks>
[Method("bocpd", Summary = "BARO's anomaly time: first change point of multivariate BOCPD over the latency and error metrics.", Citation = "Pham, Ha & Zhang, BARO, FSE 2024")]
public sealed class BaroAnomalyDetector : IAnomalyTimeSource
{
    private readonly BocpdOptions _o;

    public BaroAnomalyDetector() : this(new BocpdOptions()) { }

    public BaroAnomalyDetector(BocpdOptions options)
    {
        if (options.LambdaSeconds < 0 || double.IsNaN(options.LambdaSeconds)) throw new ArgumentException("bocpd: lambda-seconds must be ≥ 0 (0 = use lambda, rows).");
        _o = options;
    }

    public string Name => "bocpd";

    /// <summary>The columns BARO's detector watches: latency and error-rate kinds, else all; constant ones left out.</summary>
    public static IReadOnlyList<string> WatchedColumns(MetricFrame metrics, MetricNaming naming)
    {
        var chosen = MetricKinds.LatencyAndError(metrics.Names, naming);
        if (chosen.Count == 0) chosen = metrics.Names;
        return chosen.Where(c => !Stats.IsNumericallyConstant(metrics.Column(c))).ToArray();
    }

    /// <summary>Row index of the first change point, or null (no watched column, or no change point).</summary>
    public int? DetectRow(MetricFrame metrics, MetricNaming naming, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var cols = WatchedColumns(metrics, naming);
        if (cols.Count == 0 || metrics.RowCount < 2) return null;
        var r = Bocpd.Run(cols.Select(c => metrics.Column(c).ToArray()).ToArray(), RowOptions(metrics), false, ct);
        return r.ChangePoints.Count == 0 ? null : r.ChangePoints[0];
    }

    public long? Detect(MetricFrame metrics, MetricNaming naming, IReadOnlyList<string> slis, CancellationToken ct)
    {
        var row = DetectRow(metrics, naming, ct);
        return row is { } i ? metrics.Time[i] : null;
    }

    /// <summary>The options with λ in rows for <paramref name="metrics"/>: <c>lambda-seconds</c> ÷ the sampling interval
    /// when given, else <c>lambda</c> unchanged.</summary>
    /// <exception cref="AiopsLabException">λ in seconds is one row or less at the data's interval.</exception>
    public BocpdOptions RowOptions(MetricFrame metrics)
    {
        if (_o.LambdaSeconds == 0) return _o;
        long interval = WindowRecipe.SamplingInterval(metrics);
        double rows = _o.LambdaSeconds / interval;
        if (!(rows > 1))
            throw new AiopsLabException(string.Create(CultureInfo.InvariantCulture,
                $"bocpd: lambda-seconds={_o.LambdaSeconds} is {rows} row(s) at the data's {interval} s interval; the expected run length must be > 1 row."));
        return _o with { Lambda = rows, LambdaSeconds = 0 };
    }

    public override string ToString() => _o.LambdaSeconds > 0
        ? string.Create(CultureInfo.InvariantCulture, $"bocpd(lambda-seconds={_o.LambdaSeconds})")
        : string.Create(CultureInfo.InvariantCulture, $"bocpd(lambda={_o.Lambda})");
}
