using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>Which reading of the anomaly likelihood <see cref="AnomalyLikelihood"/> computes.</summary>
public enum LikelihoodForm
{
    /// <summary>
    /// As Numenta's reference (<c>nupic.algorithms.anomaly_likelihood</c>, run by NAB's numenta detector) computes it: the
    /// Gaussian is fitted to the W′-averaged scores of the history (population variance, mean floored at 0.03 and variance at
    /// 0.0003), the tail is taken on the side of the mean the average lies (mirrored below it), and a tail ≤ 10⁻⁵ right after
    /// another one ≤ 10⁻⁵ is raised to 10⁻³, so that only the first point of a run of red likelihoods stays red.
    /// </summary>
    Nab,
    /// <summary>
    /// The paper's equations (3)–(6) as written: μ and σ² (divisor W − 1) of the raw scores of the history, L = 1 − Q((μ̃ − μ)/σ)
    /// with one-sided Q, no floors and no filter.
    /// </summary>
    Paper,
}

/// <summary>
/// Numenta's anomaly likelihood (Ahmad, Lavin, Purdy &amp; Agha, "Unsupervised real-time anomaly detection for streaming data",
/// Neurocomputing 262 (2017), §4.2, eqs. 3–7) over the stream of raw anomaly scores s_t of any detector. A rolling normal
/// distribution N(μ_t, σ_t²) models the last W scores (eqs. 3–4); the short-term mean μ̃_t of the last W′ scores (eq. 5) is
/// compared with it through the Gaussian tail, L_t = 1 − Q((μ̃_t − μ_t)/σ_t) (eq. 6); an anomaly is declared when
/// L_t ≥ 1 − ε (eq. 7). The likelihood is reported 0.5 for the first <c>learning + estimation</c> scores (the detector's
/// learning period, then the sample of the first estimate), and the Gaussian is re-estimated every
/// <c>reestimation</c> scores from the last W (those of the learning period excluded while they are still in the window).
/// Parameters are those NAB's numenta detector ran with: W = 8640, W′ = 10, re-estimation every 100 scores, learning period
/// ⌊p/2⌋ and estimation sample p − ⌊p/2⌋ for NAB's probationary length p. <see cref="LogScale"/> gives the log form
/// NAB's numenta detector reports, ln(1 + 10⁻¹⁰ − L)/ln 10⁻¹⁰, which spreads the likelihoods near 1 over [0, 1].
/// </summary>
public sealed class AnomalyLikelihood
{
    /// <summary>The paper's ε (eq. 7): an anomaly when L ≥ 1 − ε.</summary>
    public const double PaperEpsilon = 1e-5;

    private const double RedTail = 1e-5, YellowTail = 1e-3, MinMean = 0.03, MinVariance = 0.0003;

    private readonly int _learning, _estimation, _reestimation, _window;
    private readonly LikelihoodForm _form;
    private readonly double[] _history; // ring buffer of the last W raw scores
    private readonly double[] _recent; // ring buffer of the last W′ raw scores (the short-term window)
    private int _recentHead, _recentCount;
    private double _recentTotal;
    private double[]? _sample; // the estimate's sample, kept between estimates (no allocation per estimate)
    private long _iteration;
    private bool _fitted;
    private double _mean, _sd, _previousTail;

    /// <param name="learningPeriod">Scores the underlying detector needs to settle; left out of the estimates.</param>
    /// <param name="estimationSamples">Scores of the first estimate, after the learning period.</param>
    /// <param name="historicWindow">W, the scores the Gaussian is fitted to.</param>
    /// <param name="reestimationPeriod">Scores between two estimates of the Gaussian.</param>
    /// <param name="averagingWindow">W′, the scores of the short-term mean.</param>
    /// <param name="form">Reference behaviour (<see cref="LikelihoodForm.Nab"/>) or the paper's equations as written.</param>
    public AnomalyLikelihood(int learningPeriod, int estimationSamples, int historicWindow = 8640, int reestimationPeriod = 100,
        int averagingWindow = 10, LikelihoodForm form = LikelihoodForm.Nab)
    {
        if (learningPeriod < 0 || estimationSamples < 1) throw new ArgumentException("likelihood: learning-period must be ≥ 0 and estimation-samples ≥ 1.");
        if (historicWindow < estimationSamples) throw new ArgumentException("likelihood: historic-window must be ≥ estimation-samples.");
        if (reestimationPeriod < 1 || averagingWindow < 1) throw new ArgumentException("likelihood: reestimation-period and averaging-window must be ≥ 1.");
        (_learning, _estimation, _reestimation, _window, _form) = (learningPeriod, estimationSamples, reestimationPeriod, averagingWindow, form);
        _history = new double[historicWindow];
        _recent = new double[averagingWindow];
    }

    /// <summary>The standard normal tail probability Q(z) = P(Z &gt; z).</summary>
    public static double Q(double z) => Distributions.NormalSf(z);

    /// <summary>NAB's log form of a likelihood: ln(1 + 10⁻¹⁰ − L)/ln 10⁻¹⁰, clamped at 0; 1 at L = 1, ≈ 0.0301 at L = ½, ≈ ½ at L = 1 − 10⁻⁵.</summary>
    public static double LogScale(double likelihood) => Math.Max(0, Math.Log(1.0000000001 - likelihood) / Math.Log(1e-10));

    /// <summary>Consumes the next raw score and returns its likelihood L_t in [0, 1].</summary>
    public double Update(double score)
    {
        double likelihood = 0.5;
        if (_iteration >= _learning + _estimation)
        {
            if (!_fitted || _iteration % _reestimation == 0) Estimate();
            double avg = Push(score);
            double tail = Tail(avg);
            double reported = _form == LikelihoodForm.Nab && tail <= RedTail && _previousTail <= RedTail ? YellowTail : tail;
            _previousTail = tail;
            likelihood = 1 - reported;
        }
        _history[_iteration % _history.Length] = score;
        _iteration++;
        return likelihood;
    }

    /// <summary>Adds a score to the short-term window and returns μ̃ (eq. 5) over the scores it holds (at most W′).</summary>
    private double Push(double score)
    {
        // Add, then take the oldest out when the window overflows, in that order (the running total's roundings depend on it).
        _recentTotal += score;
        if (_recentCount == _window) _recentTotal -= _recent[_recentHead];
        else _recentCount++;
        _recent[_recentHead] = score;
        _recentHead = (_recentHead + 1) % _window;
        return _recentTotal / _recentCount;
    }

    private void ClearRecent() => (_recentHead, _recentCount, _recentTotal) = (0, 0, 0);

    private double Tail(double avg)
    {
        // A constant history (paper form, no variance floor): any rise is infinitely unlikely, no rise is the median. The short-term
        // mean of equal scores may differ from them in the last bits (running sums), hence the tolerance.
        if (_sd == 0) return avg > _mean + 1e-12 * Math.Max(1, Math.Abs(_mean)) ? 0 : 0.5;
        double z = (avg - _mean) / _sd;
        return _form == LikelihoodForm.Nab ? Q(Math.Abs(z)) : Q(z);
    }

    /// <summary>Fits the Gaussian to the history (last W scores, the learning period's left out) and resets the short-term window to its end.</summary>
    private void Estimate()
    {
        int count = (int)Math.Min(_iteration, _history.Length);
        long first = _iteration - count; // iteration of the oldest score in the window
        int skip = (int)Math.Max(0, _learning - first);
        double Raw(int k) => _history[(first + k) % _history.Length];
        ClearRecent();
        var sample = (_sample ??= new double[_history.Length]).AsSpan(0, count);
        for (int k = 0; k < count; k++) sample[k] = _form == LikelihoodForm.Nab ? Push(Raw(k)) : Raw(k);
        if (_form == LikelihoodForm.Paper)
            for (int k = Math.Max(0, count - _window); k < count; k++) Push(Raw(k));
        var fit = sample[skip..];
        if (fit.Length == 0) { (_mean, _sd) = (0.5, 1e3); } // nothing to fit: a broad Gaussian, every score likely
        else
        {
            double mean = 0, lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            foreach (var v in fit) { mean += v; lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
            mean = lo == hi ? lo : mean / fit.Length; // equal scores: their value, not a sum's rounding of it
            double ss = 0;
            foreach (var v in fit) ss += (v - mean) * (v - mean);
            double variance = lo == hi ? 0 : _form == LikelihoodForm.Nab ? ss / fit.Length : fit.Length > 1 ? ss / (fit.Length - 1) : 0;
            if (_form == LikelihoodForm.Nab) { mean = Math.Max(mean, MinMean); variance = Math.Max(variance, MinVariance); }
            (_mean, _sd) = (mean, Math.Sqrt(variance));
        }
        // The likelihood of the last history point under the new fit: the filter's "previous" (reference behaviour).
        _previousTail = count > 0 ? Tail(_recentTotal / Math.Max(1, _recentCount)) : 1;
        _fitted = true;
    }
}
