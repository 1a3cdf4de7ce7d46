using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Preparation;

namespace AiopsLab.Labelling;

/// <summary>
/// Families of metric kinds a fault shows up in. Chosen from the kind text only (as <see cref="MetricKinds"/> does), never
/// from an entity name or a label, so one rule serves every dataset.
/// </summary>
public enum KindFamily { Cpu, Memory, Network, Disk, Latency, Error, Load }

/// <summary>Maps a metric kind to its <see cref="KindFamily"/>.</summary>
public static class KindFamilies
{
    /// <summary>Every family, in enum order.</summary>
    public static readonly KindFamily[] All = Enum.GetValues<KindFamily>();

    /// <summary>
    /// The family of <paramref name="kind"/>, or null (not used). Checked in this order: latency
    /// (<see cref="MetricKinds.IsLatency"/>), error rate (<see cref="MetricKinds.IsError"/>), then by substring:
    /// <c>cpu</c>; <c>mem</c>; <c>network</c>/<c>net_</c>/<c>tcp</c>/<c>receive</c>/<c>transmit</c>/<c>packet</c>;
    /// <c>disk</c>/<c>syscall</c>/<c>fs_</c>/<c>io</c>; <c>lod</c>/<c>load</c>/<c>request</c>/<c>qps</c>/<c>throughput</c>/<c>ops</c>/<c>count</c>.
    /// </summary>
    public static KindFamily? Of(string kind)
    {
        if (MetricKinds.IsLatency(kind)) return KindFamily.Latency;
        if (MetricKinds.IsError(kind)) return KindFamily.Error;
        var k = kind.ToLowerInvariant();
        bool Has(params string[] parts) => parts.Any(p => k.Contains(p, StringComparison.Ordinal));
        if (Has("cpu")) return KindFamily.Cpu;
        if (Has("mem")) return KindFamily.Memory;
        if (Has("network", "net_", "tcp", "receive", "transmit", "packet")) return KindFamily.Network;
        if (Has("disk", "syscall", "fs_", "io")) return KindFamily.Disk;
        if (Has("lod", "load", "request", "qps", "throughput", "ops", "count")) return KindFamily.Load;
        return null;
    }
}

/// <summary>
/// What labellers see of a case: for each <see cref="KindFamily"/>, summaries of the robust z-scores of that family's
/// metrics at the given service and at its call-graph neighbours. Computed once per (case, service); carries no label.
/// </summary>
/// <remarks>
/// <para>Robust z (BARO's RobustScorer, Pham et al. FSE 2024 eq. 5): z_t = (x_t − median)/IQR of the metric's normal
/// window. Where the IQR is 0 the normal window's standard deviation is used, and 1 where that is 0 too (BARO uses 1 at
/// once, which makes the score depend on units: harmless for ranking metrics of one case, harmful for features compared
/// across datasets). Non-finite values are skipped.</para>
/// <para>Per family f (the maximum over the family's metrics at the service, or at the neighbours):
/// <c>up</c> = max z_t, <c>down</c> = −min z_t, <c>abs</c> = max |z_t| (the rule baseline's score),
/// <c>nb</c> = max |z_t| over neighbour metrics, <c>onset</c> = first anomalous row with |z| &gt; 3 as a fraction of the
/// anomalous window (1 = never), <c>trend</c> = mean z of the window's last third minus its first third (a leak ramps),
/// <c>has</c> = 1 when the service has a metric of the family. Scores enter the vector as sign·log(1+|z|) so that a
/// 10⁴-sigma CPU spike on one dataset and a 10-sigma one on another are comparable.</para>
/// </remarks>
public sealed class ServiceFeatures
{
    /// <summary>Threshold on |z| for the onset feature.</summary>
    public const double OnsetZ = 3;

    private static readonly string[] Stats_ = ["up", "down", "abs", "nb", "onset", "trend", "has"];

    /// <summary>Per-feature name, in vector order: <c>family.stat</c>.</summary>
    public static readonly IReadOnlyList<string> Names =
        KindFamilies.All.SelectMany(f => Stats_.Select(s => f.ToString().ToLowerInvariant() + "." + s)).ToArray();

    /// <summary>Max |z| per family at the service (NaN where the service has no metric of the family).</summary>
    public IReadOnlyDictionary<KindFamily, double> AbsScore { get; }

    /// <summary>The feature vector (<see cref="Names"/> order), finite.</summary>
    public float[] Vector { get; }

    /// <summary>The service the features describe.</summary>
    public string Service { get; }

    private ServiceFeatures(string service, IReadOnlyDictionary<KindFamily, double> abs, float[] vector)
    {
        Service = service;
        AbsScore = abs;
        Vector = vector;
    }

    /// <summary>Builds features from a vector (for tests and for labellers trained on stored features).</summary>
    public static ServiceFeatures FromVector(string service, float[] vector)
    {
        if (vector.Length != Names.Count) throw new ArgumentException($"expected {Names.Count} features, got {vector.Length}.");
        var abs = new Dictionary<KindFamily, double>();
        foreach (var f in KindFamilies.All)
        {
            int b = (int)f * Stats_.Length;
            abs[f] = vector[b + 6] > 0 ? Math.Exp(Math.Abs(vector[b + 2])) - 1 : double.NaN;
        }
        return new ServiceFeatures(service, abs, vector);
    }

    /// <summary>Computes the features of <paramref name="service"/> in <paramref name="problem"/>.</summary>
    public static ServiceFeatures Of(RcaProblem problem, string service, CancellationToken ct = default)
    {
        var m = problem.Metrics;
        int a = Math.Clamp(problem.AnomalyRow, 0, m.RowCount);
        var neighbours = new HashSet<string>(StringComparer.Ordinal);
        if (problem.CallGraph is { } g)
        {
            foreach (var n in g.Successors(service)) neighbours.Add(n);
            foreach (var n in g.Predecessors(service)) neighbours.Add(n);
            neighbours.Remove(service);
        }
        int F = KindFamilies.All.Length, S = Stats_.Length;
        var up = Fill(F, double.NegativeInfinity); var down = Fill(F, double.NegativeInfinity); var abs = Fill(F, double.NaN);
        var nb = new double[F]; var onset = Fill(F, 1.0); var trend = new double[F]; var has = new bool[F];
        for (int j = 0; j < m.ColumnCount; j++)
        {
            if ((j & 63) == 0) ct.ThrowIfCancellationRequested();
            var name = m.Names[j];
            var svc = problem.Naming.ServiceOf(name);
            bool own = svc == service;
            if (!own && !neighbours.Contains(svc)) continue;
            if (KindFamilies.Of(problem.Naming.KindOf(name)) is not { } fam) continue;
            int f = (int)fam;
            var col = m.Column(j);
            var z = RobustZ(col[..a], col[a..]);
            if (z.Length == 0) continue;
            double mx = double.NegativeInfinity, mn = double.PositiveInfinity; int first = -1;
            for (int t = 0; t < z.Length; t++)
            {
                double v = z[t];
                if (double.IsNaN(v)) continue;
                if (v > mx) mx = v;
                if (v < mn) mn = v;
                if (first < 0 && Math.Abs(v) > OnsetZ) first = t;
            }
            if (double.IsNegativeInfinity(mx)) continue;
            double ab = Math.Max(Math.Abs(mx), Math.Abs(mn));
            if (!own) { nb[f] = Math.Max(nb[f], ab); continue; }
            has[f] = true;
            up[f] = Math.Max(up[f], mx);
            down[f] = Math.Max(down[f], -mn);
            if (double.IsNaN(abs[f]) || ab > abs[f])
            {
                abs[f] = ab;
                int third = Math.Max(1, z.Length / 3);
                trend[f] = MeanFinite(z.AsSpan(z.Length - third)) - MeanFinite(z.AsSpan(0, third));
            }
            if (first >= 0) onset[f] = Math.Min(onset[f], (double)first / z.Length);
        }
        var vec = new float[F * S];
        var absMap = new Dictionary<KindFamily, double>();
        for (int f = 0; f < F; f++)
        {
            int b = f * S;
            vec[b] = has[f] ? Squash(up[f]) : 0;
            vec[b + 1] = has[f] ? Squash(down[f]) : 0;
            vec[b + 2] = has[f] ? Squash(abs[f]) : 0;
            vec[b + 3] = Squash(nb[f]);
            vec[b + 4] = has[f] ? (float)onset[f] : 1;
            vec[b + 5] = has[f] ? Squash(trend[f]) : 0;
            vec[b + 6] = has[f] ? 1 : 0;
            absMap[(KindFamily)f] = abs[f];
        }
        return new ServiceFeatures(service, absMap, vec);
    }

    /// <summary>Robust z of each anomalous value against the normal window (see remarks); empty when either window has
    /// no finite value.</summary>
    public static double[] RobustZ(ReadOnlySpan<double> normal, ReadOnlySpan<double> anomalous)
    {
        var sorted = Stats.SortedFinite(normal);
        if (sorted.Length == 0 || anomalous.Length == 0) return [];
        double med = Stats.QuantileSorted(sorted, 0.5), scale = Stats.IqrSorted(sorted);
        if (!(scale > 0)) scale = Stats.MeanStd(sorted).Std;
        if (!(scale > 0)) scale = 1;
        var z = new double[anomalous.Length];
        for (int t = 0; t < z.Length; t++) z[t] = double.IsFinite(anomalous[t]) ? (anomalous[t] - med) / scale : double.NaN;
        return z;
    }

    private static float Squash(double x) => double.IsFinite(x) ? (float)(Math.Sign(x) * Math.Log(1 + Math.Abs(x))) : 0;

    private static double MeanFinite(ReadOnlySpan<double> x)
    {
        double s = 0; int n = 0;
        foreach (var v in x) if (double.IsFinite(v)) { s += v; n++; }
        return n == 0 ? 0 : s / n;
    }

    private static double[] Fill(int n, double v) { var a = new double[n]; Array.Fill(a, v); return a; }
}
