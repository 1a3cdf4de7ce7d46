using System.Numerics;
using AiopsLab.Methods;
using MathNet.Numerics.IntegralTransforms;

namespace AiopsLab.Detection;

/// <summary>
/// Spectral Residual (Ren et al., "Time-Series Anomaly Detection Service at Microsoft", KDD 2019, §3.2, Eqs. 1–3), the batch
/// saliency detector behind ML.NET's <c>DetectEntireAnomalyBySrCnn</c> (its SR stage; the CNN of SR-CNN is not part of ML.NET's
/// entire-series detector either). For each batch x:
/// <list type="number">
/// <item>extend x by m = 5 points (§3.2, "the spectral residual needs the point to be at the centre"): each equals
/// x_{n−m+1} + ḡ·m, ḡ the mean slope (x_n − x_{n−i})/i over i = 1..m;</item>
/// <item>A(f) = |𝔉(x)|, P(f) = arg 𝔉(x), L(f) = ln A(f) (A floored at 10⁻⁸), AL(f) = h_q(f) * L(f) with a q = 3 moving average,
/// R(f) = L(f) − AL(f), saliency S(x) = |𝔉⁻¹(exp(R(f) + iP(f)))| (Eq. 1);</item>
/// <item>score O(x_i) = (S(x_i) − S̄(x_i)) / S̄(x_i), S̄ the mean of the saliency over the last z = 21 points up to and including
/// i, as the reference implementations compute it (the paper says "preceding z points"); an anomaly when O &gt; τ (Eq. 3). O is
/// negative where the saliency is below its local mean.</item>
/// </list>
/// Option names follow ML.NET's <c>SrCnnEntireAnomalyDetectorOptions</c>: <see cref="Options.Threshold"/> (τ),
/// <see cref="Options.BatchSize"/> (−1 = the whole series, else batches of that many points; a last batch shorter than 12 joins
/// the one before), <see cref="Options.Sensitivity"/> (used by ML.NET only for the margin modes, accepted and validated here).
/// ML.NET's detect modes AnomalyAndMargin / AnomalyAndExpectedValue and its deseasonality step are not implemented: the score
/// and the anomaly flags are those of AnomalyOnly.
/// </summary>
[Method("spectral-residual", Summary = "Spectral Residual saliency (batch, ML.NET SrCnn entire-series options); score (S − local mean)/local mean.", Citation = "Ren et al., Time-Series Anomaly Detection Service at Microsoft, KDD 2019")]
public sealed class SpectralResidual : IAnomalyDetector, IAlarmThreshold
{
    public sealed record Options
    {
        /// <summary>τ: a point is an anomaly when its score exceeds it (ML.NET: threshold, default 0.3).</summary>
        public double Threshold { get; set; } = 0.3;
        /// <summary>Points per batch; −1 = the whole series (ML.NET: batchSize; at least 12).</summary>
        public int BatchSize { get; set; } = -1;
        /// <summary>ML.NET's sensitivity in [0, 100] (only the margin modes use it).</summary>
        public double Sensitivity { get; set; } = 99;
    }

    /// <summary>Points appended before the transform (m), moving-average width on the log spectrum (q), score window (z).</summary>
    public const int Lookahead = 5, AveragingWindow = 3, JudgementWindow = 21, MinBatch = 12;

    private readonly Options _o;

    public SpectralResidual() : this(new Options()) { }

    public SpectralResidual(Options options)
    {
        DetectorOptions.Require(options.Threshold >= 0 && options.Threshold <= 1, Name, "threshold", "must be in [0, 1]");
        DetectorOptions.Require(options.BatchSize == -1 || options.BatchSize >= MinBatch, Name, "batch-size", $"must be -1 (whole series) or ≥ {MinBatch}");
        DetectorOptions.Require(options.Sensitivity >= 0 && options.Sensitivity <= 100, Name, "sensitivity", "must be in [0, 100]");
        _o = options;
    }

    public string Name => "spectral-residual";

    public double AlarmThreshold => _o.Threshold;

    /// <summary>Anomaly flags of ML.NET's AnomalyOnly mode: score &gt; threshold.</summary>
    public bool[] IsAnomaly(ReadOnlySpan<double> series) => Score(series).Select(s => s > _o.Threshold).ToArray();

    /// <summary>
    /// Scores every point. NaN points are filled by linear interpolation between their finite neighbours (the transform needs a
    /// regular series) and score 0. Fewer than 12 finite points: all 0.
    /// </summary>
    public double[] Score(ReadOnlySpan<double> series)
    {
        int n = series.Length;
        var score = new double[n];
        var idxFinite = new List<int>();
        for (int i = 0; i < n; i++) if (double.IsFinite(series[i])) idxFinite.Add(i);
        if (idxFinite.Count < MinBatch) return score;
        var x = Interpolate(series, idxFinite);
        int batch = _o.BatchSize == -1 ? n : _o.BatchSize;
        for (int start = 0; start < n;)
        {
            int len = Math.Min(batch, n - start);
            if (n - (start + len) is > 0 and < MinBatch) len = n - start; // a short tail joins this batch
            BatchScores(x.AsSpan(start, len)).CopyTo(score, start);
            start += len;
        }
        for (int i = 0; i < n; i++) if (!double.IsFinite(series[i])) score[i] = 0;
        return score;
    }

    private static double[] Interpolate(ReadOnlySpan<double> series, List<int> finite)
    {
        var x = new double[series.Length];
        int k = 0;
        for (int i = 0; i < x.Length; i++)
        {
            while (k + 1 < finite.Count && finite[k + 1] <= i) k++;
            int a = finite[k];
            if (i <= finite[0]) x[i] = series[finite[0]];
            else if (i >= finite[^1]) x[i] = series[finite[^1]];
            else if (a == i) x[i] = series[i];
            else
            {
                int b = finite[k + 1];
                x[i] = series[a] + (series[b] - series[a]) * (i - a) / (b - a);
            }
        }
        return x;
    }

    /// <summary>The saliency map S of one batch (steps 1–2), without the appended points.</summary>
    public static double[] Saliency(ReadOnlySpan<double> x)
    {
        int n = x.Length, m = Lookahead;
        // Step 1: extrapolate m points from the mean slope of the last m + 1 values.
        double g = 0;
        int terms = Math.Min(m, n - 1);
        for (int i = 1; i <= terms; i++) g += (x[n - 1] - x[n - 1 - i]) / i;
        g /= Math.Max(1, terms);
        double next = x[Math.Max(0, n - m)] + g * m;
        var ext = new Complex[n + m];
        for (int i = 0; i < n; i++) ext[i] = x[i];
        for (int i = n; i < n + m; i++) ext[i] = next;
        // Step 2: spectral residual.
        Fourier.Forward(ext, FourierOptions.NoScaling);
        int len = ext.Length;
        var logAmp = new double[len];
        for (int f = 0; f < len; f++) logAmp[f] = Math.Log(Math.Max(ext[f].Magnitude, 1e-8));
        var avg = MovingAverage(logAmp, AveragingWindow);
        for (int f = 0; f < len; f++)
        {
            double r = logAmp[f] - avg[f];
            double phase = ext[f].Phase;
            ext[f] = Complex.FromPolarCoordinates(Math.Exp(r), phase);
        }
        Fourier.Inverse(ext, FourierOptions.NoScaling);
        var s = new double[n];
        for (int i = 0; i < n; i++) s[i] = ext[i].Magnitude / len;
        return s;
    }

    /// <summary>Scores O = (S − S̄)/S̄ of one batch (step 3).</summary>
    public static double[] BatchScores(ReadOnlySpan<double> x)
    {
        // A constant batch has no spectrum beyond DC: nothing is salient (the log of floored amplitudes would be noise).
        if (Numerics.Stats.IsNumericallyConstant(x)) return new double[x.Length];
        var s = Saliency(x);
        var mean = MovingAverage(s, JudgementWindow);
        var o = new double[s.Length];
        for (int i = 0; i < s.Length; i++) o[i] = mean[i] > 1e-12 ? (s[i] - mean[i]) / mean[i] : 0;
        return o;
    }

    /// <summary>Trailing moving average over up to <paramref name="w"/> values ending at each index (fewer at the start).</summary>
    public static double[] MovingAverage(ReadOnlySpan<double> v, int w)
    {
        var r = new double[v.Length];
        double sum = 0;
        for (int i = 0; i < v.Length; i++)
        {
            sum += v[i];
            if (i >= w) sum -= v[i - w];
            r[i] = sum / Math.Min(i + 1, w);
        }
        return r;
    }
}
