using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Detection;

/// <summary>
/// NAB's windowed Gaussian detector (Numenta Anomaly Benchmark, Lavin &amp; Ahmad 2015; <c>nab/detectors/gaussian/
/// windowedGaussian_detector.py</c>): the score of a point is 1 − Q(|x − μ|/σ), Q the standard normal tail probability,
/// with μ and σ (population) the mean and standard deviation of a window of past values. The window fills with the first
/// <see cref="Options.WindowSize"/> values (updated after each), then slides in steps of <see cref="Options.StepSize"/>
/// values; the first point scores 0 (empty window); a σ of 0 counts as 10⁻⁶. Means and deviations are summed pairwise as
/// numpy does (<see cref="PairwiseSum"/>), so scores match NAB's to the last bit where it matters (at threshold 1.0).
/// </summary>
[Method("windowed-gaussian", Summary = "NAB's windowed Gaussian: 1 − Gaussian tail probability against a sliding window of past values.", Citation = "Lavin & Ahmad, NAB, ICMLA 2015 (windowedGaussian detector)")]
public sealed class WindowedGaussian : StreamingDetector, IAlarmThreshold
{
    public sealed record Options
    {
        /// <summary>Values in the window (NAB: 6400).</summary>
        public int WindowSize { get; set; } = 6400;
        /// <summary>Values buffered before the full window slides (NAB: 100).</summary>
        public int StepSize { get; set; } = 100;
        /// <summary>Alarm threshold on the score for case-level detection (0.9999 ≈ 3.9σ); NAB's own runs optimise it per profile instead.</summary>
        public double Threshold { get; set; } = 0.9999;
    }

    private readonly Options _o;

    public WindowedGaussian() : this(new Options()) { }

    public WindowedGaussian(Options options)
    {
        if (options.WindowSize < 1 || options.StepSize < 1) throw new ArgumentException("windowed-gaussian: window-size and step-size must be at least 1.");
        _o = options;
    }

    public override string Name => "windowed-gaussian";

    public double AlarmThreshold => _o.Threshold;

    public override IDetectorState Start() => new State(_o);

    /// <summary>1 − Q(|z|): NAB's <c>1 − normalProbability(x, mean, std)</c>.</summary>
    public static double TailScore(double x, double mean, double std)
    {
        double xp = x < mean ? 2 * mean - x : x;
        double z = (xp - mean) / std;
        return 1 - 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(z / Math.Sqrt(2));
    }

    private sealed class State(Options o) : IDetectorState
    {
        private readonly List<double> _window = [];
        private readonly List<double> _step = [];
        private readonly double[] _scratch = new double[o.WindowSize];
        private double _mean, _std = 1;

        public double Update(double value)
        {
            double score = _window.Count > 0 ? TailScore(value, _mean, _std) : 0.0;
            if (_window.Count < o.WindowSize)
            {
                _window.Add(value);
                Refresh();
            }
            else
            {
                _step.Add(value);
                if (_step.Count == o.StepSize)
                {
                    _window.RemoveRange(0, o.StepSize);
                    _window.AddRange(_step);
                    _step.Clear();
                    Refresh();
                }
            }
            return score;
        }

        private void Refresh()
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_window);
            _mean = PairwiseSum.Mean(span);
            _std = PairwiseSum.Std(span, _mean, _scratch);
            if (_std == 0.0) _std = 0.000001;
        }
    }
}
