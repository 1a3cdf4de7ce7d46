using AiopsLab.Numerics;

namespace AiopsLab.Causal;

/// <summary>A simulated data set with its true causal graph (arrows cause → effect).</summary>
/// <param name="Names">Variable names, <c>X0</c>, <c>X1</c>, ….</param>
/// <param name="Columns">One NaN-free column per variable.</param>
/// <param name="Truth">The true DAG over <paramref name="Names"/>.</param>
/// <param name="Weights">w[i, j] ≠ 0 when j → i (row = effect), the edge coefficient.</param>
public sealed record SimulatedData(IReadOnlyList<string> Names, IReadOnlyList<double[]> Columns, CausalGraph Truth, double[,] Weights);

/// <summary>Noise distributions for <see cref="SemSimulator.Linear"/>.</summary>
public enum SemNoise
{
    /// <summary>Standard normal.</summary>
    Gaussian,
    /// <summary>Uniform on [−√3, √3] (unit variance; non-Gaussian, as LiNGAM needs).</summary>
    Uniform,
    /// <summary>Laplace with unit variance (non-Gaussian, heavy-tailed).</summary>
    Laplace,
}

/// <summary>
/// Simulators for validating causal discovery: random DAGs with linear structural equations, and the vector
/// auto-regression generator of CIRCA's simulation study, which RCAEval uses for its "CIRCA10/50" graph-recovery
/// benchmarks. All randomness comes from the given <see cref="Rng"/>.
/// </summary>
public static class SemSimulator
{
    /// <summary>
    /// A random DAG on <paramref name="nodes"/> variables in a random causal order: each of the n(n−1)/2 ordered pairs
    /// gets an edge with probability <paramref name="edgeProbability"/>, with weight ±U(<paramref name="minWeight"/>,
    /// <paramref name="maxWeight"/>); then n samples of xᵢ = Σⱼ wᵢⱼ·xⱼ + eᵢ with unit-variance noise of the given kind.
    /// </summary>
    public static SimulatedData Linear(int nodes, double edgeProbability, int samples, Rng rng, SemNoise noise = SemNoise.Gaussian,
        double minWeight = 0.5, double maxWeight = 1.0)
    {
        var order = Enumerable.Range(0, nodes).ToList();
        rng.Shuffle(order);
        var w = new double[nodes, nodes];
        for (int a = 0; a < nodes; a++)
            for (int b = a + 1; b < nodes; b++)
                if (rng.NextDouble() < edgeProbability)
                    w[order[b], order[a]] = (rng.NextDouble() < 0.5 ? -1 : 1) * rng.Uniform(minWeight, maxWeight);
        var cols = Enumerable.Range(0, nodes).Select(_ => new double[samples]).ToArray();
        for (int t = 0; t < samples; t++)
            foreach (var i in order)
            {
                double v = Noise(noise, rng);
                for (int j = 0; j < nodes; j++) if (w[i, j] != 0) v += w[i, j] * cols[j][t];
                cols[i][t] = v;
            }
        return Package(w, cols);
    }

    private static double Noise(SemNoise kind, Rng rng) => kind switch
    {
        SemNoise.Uniform => rng.Uniform(-Math.Sqrt(3), Math.Sqrt(3)),
        SemNoise.Laplace => Laplace(rng),
        _ => rng.NextNormal(),
    };

    private static double Laplace(Rng rng)
    {
        double u = rng.NextDouble() - 0.5;
        return -Math.Sign(u) * Math.Log(1 - 2 * Math.Abs(u)) / Math.Sqrt(2);
    }

    /// <summary>
    /// The simulation of CIRCA (Li et al., KDD 2022, §5.1; the CIRCA repository's <c>circa/experiment/simulation</c>):
    /// a random DAG with <paramref name="nodes"/> nodes and <paramref name="edges"/> edges in which node 0 is the only
    /// sink (each node i ≥ 1 first gets one effect drawn uniformly from 0..i−1, the remaining edges join a random
    /// i ≥ 1 to a random effect below it), weights uniform on ±[0.5, 2]; then the vector auto-regression
    /// x(t) = A·x(t) + β·x(t−1) + σ∘ε(t), i.e. x(t) = (I − A)⁻¹(β·x(t−1) + σ∘ε(t)), with β = 0.1, σᵢ ~ Exp(1),
    /// ε ~ N(0, I), started from σ∘ε; every column standardised (mean 0, population sd 1) and rounded to 3 decimals.
    /// The graph and weights come from <paramref name="rng"/>; σ and the noise from <paramref name="noise"/> (default
    /// <paramref name="rng"/>), so several cases can share one graph as in CIRCA's data sets.
    /// </summary>
    public static SimulatedData CircaVar(int nodes, int edges, int samples, Rng rng, Rng? noise = null, double beta = 0.1)
    {
        edges = Math.Min(Math.Max(edges, nodes - 1), nodes * (nodes - 1) / 2);
        var a = new double[nodes, nodes];
        double Weight() => (rng.NextDouble() < 0.5 ? -1 : 1) * rng.Uniform(0.5, 2.0);
        for (int cause = 1; cause < nodes; cause++) a[rng.NextInt(cause), cause] = Weight();
        int left = edges - (nodes - 1);
        while (left > 0)
        {
            int cause = rng.NextInt(1, nodes), effect = rng.NextInt(cause);
            if (a[effect, cause] != 0) continue;
            a[effect, cause] = Weight();
            left--;
        }
        // (I − A)⁻¹ = Σₖ Aᵏ (A is nilpotent: strictly upper triangular in this numbering).
        var inv = new double[nodes, nodes];
        var power = new double[nodes, nodes];
        for (int i = 0; i < nodes; i++) inv[i, i] = power[i, i] = 1;
        for (int k = 1; k < nodes; k++)
        {
            var next = new double[nodes, nodes];
            for (int i = 0; i < nodes; i++)
                for (int j = 0; j < nodes; j++)
                {
                    double s = 0;
                    for (int m = 0; m < nodes; m++) s += power[i, m] * a[m, j];
                    next[i, j] = s;
                }
            power = next;
            for (int i = 0; i < nodes; i++) for (int j = 0; j < nodes; j++) inv[i, j] += power[i, j];
        }
        var nr = noise ?? rng;
        var sigma = Enumerable.Range(0, nodes).Select(_ => -Math.Log(1 - nr.NextDouble())).ToArray();
        var cols = Enumerable.Range(0, nodes).Select(_ => new double[samples]).ToArray();
        var x = Enumerable.Range(0, nodes).Select(i => nr.NextNormal() * sigma[i]).ToArray();
        var u = new double[nodes];
        for (int t = 0; t < samples; t++)
        {
            for (int i = 0; i < nodes; i++) u[i] = beta * x[i] + nr.NextNormal() * sigma[i];
            for (int i = 0; i < nodes; i++)
            {
                double s = 0;
                for (int j = 0; j < nodes; j++) s += inv[i, j] * u[j];
                x[i] = s;
                cols[i][t] = s;
            }
        }
        foreach (var c in cols)
        {
            double m = c.Average(), sd = Math.Sqrt(c.Sum(v => (v - m) * (v - m)) / c.Length);
            for (int t = 0; t < c.Length; t++) c[t] = Math.Round(sd > 0 ? (c[t] - m) / sd : 0, 3, MidpointRounding.ToEven);
        }
        return Package(a, cols);
    }

    private static SimulatedData Package(double[,] w, double[][] cols)
    {
        int n = cols.Length;
        var names = Enumerable.Range(0, n).Select(i => "X" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var arrows = new bool[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) arrows[j, i] = w[i, j] != 0;
        return new SimulatedData(names, cols, new CausalGraph(names, arrows), w);
    }
}
