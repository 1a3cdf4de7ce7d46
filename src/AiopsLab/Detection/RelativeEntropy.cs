using AiopsLab.Methods;

namespace AiopsLab.Detection;

/// <summary>
/// Relative-entropy detector with multiple hypotheses (Wang, Viswanathan, Bose, Schwan &amp; Talwar, "Statistical techniques
/// for online anomaly detection in data centers", IM 2011, Fig. 1), as NAB runs it (<c>nab/detectors/relative_entropy</c>).
/// Values are quantised into <see cref="Options.Bins"/> bins of width (max − min)/bins, bin ⌈(x − min)/width⌉, and the
/// frequencies P̂ of the last <see cref="Options.Window"/> bins form the current window's distribution (counted as numpy's
/// histogram over [0, bins] counts them: bin indices 0 and 1 fall in separate cells, index = bins joins the last one).
/// The multinomial goodness-of-fit statistic 2·W·D(P̂‖Pᵢ) (D the relative entropy, asymptotically χ² with bins − 1 degrees of
/// freedom) is compared with the χ² quantile at 1 − <see cref="Options.FalseNegative"/> for every stored hypothesis Pᵢ: the one
/// with the smallest statistic under the threshold is accepted and its count cᵢ grows; the window is anomalous (score 1) when
/// none is accepted (P̂ becomes a new hypothesis) or the accepted one has been seen at most <see cref="Options.CountThreshold"/>
/// times. The first full window becomes the first hypothesis; earlier points, and all points of a constant series, score 0.
/// Bin counts are kept incrementally, so a point costs O(bins · hypotheses).
/// </summary>
[Method("relative-entropy", Summary = "NAB's relative-entropy detector: multinomial goodness-of-fit of the recent window against learned hypotheses.", Citation = "Wang et al., Statistical techniques for online anomaly detection in data centers, IM 2011")]
public sealed class RelativeEntropy : NabDetectorBase<RelativeEntropy.Options>, IAlarmThreshold, ICoarseScore
{
    public sealed record Options : NabDetectorOptions
    {
        /// <summary>Quantisation bins (NAB: 5).</summary>
        public int Bins { get; set; } = 5;
        /// <summary>Window length W (NAB: 52).</summary>
        public int Window { get; set; } = 52;
        /// <summary>Tail probability of the χ² acceptance threshold (NAB: 0.01).</summary>
        public double FalseNegative { get; set; } = 0.01;
        /// <summary>A hypothesis accepted at most this many times still flags the window (NAB: c_th = 1).</summary>
        public int CountThreshold { get; set; } = 1;
    }

    private readonly double _t;

    public RelativeEntropy() : this(new Options()) { }

    public RelativeEntropy(Options options) : base(options)
    {
        DetectorOptions.Require(options.Bins >= 2, Name, "bins", "must be ≥ 2");
        DetectorOptions.Require(options.Window >= 2, Name, "window", "must be ≥ 2");
        DetectorOptions.Require(options.FalseNegative is > 0 and < 1, Name, "false-negative", "must be in (0, 1)");
        DetectorOptions.Require(options.CountThreshold >= 0, Name, "count-threshold", "must be ≥ 0");
        _t = MathNet.Numerics.Distributions.ChiSquared.InvCDF(options.Bins - 1, 1 - options.FalseNegative);
    }

    public override string Name => "relative-entropy";

    /// <summary>Scores are 0/1: a point alarms when it scores 1.</summary>
    public double AlarmThreshold => 0.5;

    public override IDetectorState Start(NabSeriesSetup setup) => new State(O, _t, setup);

    private sealed class State(Options o, double threshold, NabSeriesSetup setup) : IDetectorState
    {
        private readonly double _step = (setup.InputMax - setup.InputMin) / o.Bins;
        private readonly int[] _cell = new int[o.Window];     // ring of the window's histogram cells (−1: outside [0, bins])
        private readonly int[] _counts = new int[o.Bins];
        private readonly double[] _p = new double[o.Bins];
        private readonly List<double[]> _hyp = [];
        private readonly List<int> _seen = [];
        private int _n;

        public double Update(double value)
        {
            if (_step == 0.0) return 0.0;
            double b = Math.Ceiling((value - setup.InputMin) / _step);
            int cell = b >= 0 && b <= o.Bins ? (int)Math.Min(b, o.Bins - 1) : -1;
            int slot = _n % o.Window;
            if (_n >= o.Window && _cell[slot] >= 0) _counts[_cell[slot]]--;
            _cell[slot] = cell;
            if (cell >= 0) _counts[cell]++;
            _n++;
            if (_n < o.Window) return 0.0;

            int total = 0;
            foreach (var c in _counts) total += c;
            // numpy's density: count / (total · bin width 1); scipy's entropy renormalises by the sum again.
            double sum = 0;
            for (int i = 0; i < _p.Length; i++) { _p[i] = _counts[i] / (double)total; sum += _p[i]; }
            if (_hyp.Count == 0)
            {
                _hyp.Add(Normalised(sum));
                _seen.Add(1);
                return 0.0;
            }
            int best = -1;
            double bestStat = double.PositiveInfinity;
            for (int h = 0; h < _hyp.Count; h++)
            {
                double stat = 2 * o.Window * Divergence(_p, sum, _hyp[h]);
                if (stat < threshold && stat < bestStat) { bestStat = stat; best = h; }
            }
            if (best >= 0)
            {
                _seen[best]++;
                return _seen[best] <= o.CountThreshold ? 1.0 : 0.0;
            }
            _hyp.Add(Normalised(sum));
            _seen.Add(1);
            return 1.0;
        }

        /// <summary>The hypothesis as scipy's entropy sees it: P̂ divided by its sum.</summary>
        private double[] Normalised(double sum)
        {
            var q = new double[_p.Length];
            for (int i = 0; i < q.Length; i++) q[i] = _p[i] / sum;
            return q;
        }

        /// <summary>D(p‖q) = Σ pᵢ·ln(pᵢ/qᵢ) with 0·ln 0 = 0 and +∞ where pᵢ &gt; 0 = qᵢ (scipy's rel_entr), summed in order.</summary>
        private static double Divergence(double[] p, double pSum, double[] q)
        {
            double d = 0;
            for (int i = 0; i < p.Length; i++)
            {
                double x = p[i] / pSum, y = q[i];
                if (x > 0 && y > 0) d += x * Math.Log(x / y);
                else if (x > 0 || double.IsNaN(x) || double.IsNaN(y)) d += x > 0 ? double.PositiveInfinity : double.NaN;
            }
            return d;
        }
    }
}
