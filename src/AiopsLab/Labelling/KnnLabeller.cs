using AiopsLab.Methods;

namespace AiopsLab.Labelling;

/// <summary>
/// k-nearest-neighbours labeller (Cover &amp; Hart, "Nearest neighbor pattern classification", IEEE Trans. Inf. Theory
/// 1967) on <see cref="ServiceFeatures"/>: features standardised by the training set's mean and standard deviation,
/// Euclidean distance, the k nearest training cases vote with weight 1/(d + ε); a type's score is its share of the vote.
/// Ties in distance are broken by training order, so the answer does not depend on anything but the examples.
/// </summary>
[Method("knn", Summary = "k-nearest neighbours on standardised robust-score features of the service and its neighbours.", Citation = "Cover & Hart, IEEE Trans. Inf. Theory 1967")]
public sealed class KnnLabeller : IFaultLabeller
{
    /// <summary>Options of <see cref="KnnLabeller"/>.</summary>
    public sealed record Options
    {
        /// <summary>Neighbours that vote.</summary>
        public int K { get; set; } = 5;
    }

    private readonly Options _o;
    private readonly float[][] _x = [];
    private readonly string[] _y = [];
    private readonly double[] _mean = [], _sd = [];

    public KnnLabeller() : this(new Options()) { }

    public KnnLabeller(Options options)
    {
        if (options.K < 1) throw new ArgumentException("knn: k must be ≥ 1.");
        _o = options;
    }

    private KnnLabeller(Options o, float[][] x, string[] y, double[] mean, double[] sd) : this(o) { _x = x; _y = y; _mean = mean; _sd = sd; }

    public string Name => "knn";

    public bool Learns => true;

    public IFaultLabeller Train(IReadOnlyList<LabelExample> examples, ulong seed, CancellationToken ct = default)
    {
        if (examples.Count == 0) throw new ArgumentException("knn: no training examples.");
        int p = examples[0].Input.Features.Vector.Length;
        var mean = new double[p]; var sd = new double[p];
        foreach (var e in examples) for (int i = 0; i < p; i++) mean[i] += e.Input.Features.Vector[i];
        for (int i = 0; i < p; i++) mean[i] /= examples.Count;
        foreach (var e in examples) for (int i = 0; i < p; i++) { double d = e.Input.Features.Vector[i] - mean[i]; sd[i] += d * d; }
        for (int i = 0; i < p; i++) { sd[i] = Math.Sqrt(sd[i] / examples.Count); if (!(sd[i] > 1e-9)) sd[i] = 1; }
        return new KnnLabeller(_o, examples.Select(e => e.Input.Features.Vector).ToArray(), examples.Select(e => e.Type).ToArray(), mean, sd);
    }

    public LabelResult Label(LabelInput input, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        if (_x.Length == 0) throw new InvalidOperationException("knn: Label before Train.");
        var q = input.Features.Vector;
        var d = new double[_x.Length];
        for (int n = 0; n < _x.Length; n++)
        {
            double s = 0;
            for (int i = 0; i < q.Length; i++) { double v = (q[i] - _x[n][i]) / _sd[i]; s += v * v; }
            d[n] = Math.Sqrt(s);
        }
        var order = Enumerable.Range(0, d.Length).OrderBy(n => d[n]).ThenBy(n => n).Take(_o.K).ToArray();
        var votes = FaultVocabulary.Types.Concat(_y).Distinct(StringComparer.Ordinal).ToDictionary(t => t, _ => 0.0, StringComparer.Ordinal);
        double total = 0;
        foreach (var n in order) { double w = 1 / (d[n] + 1e-6); votes[_y[n]] += w; total += w; }
        return LabelResult.FromScores(votes.Select(kv => KeyValuePair.Create(kv.Key, kv.Value / total)));
    }
}
