using AiopsLab.Data;
using AiopsLab.Labelling;
using AiopsLab.Methods;
using AiopsLab.Numerics;

namespace AiopsLab.Tests.Labelling;

/// <summary>
/// Hand-built cases whose fault type is known by construction: three services a → b → c, each with cpu, mem, latency,
/// error and load metrics of Gaussian noise; from the anomaly row on, the faulty service's metric of the injected
/// family moves by <c>shift</c> noise units (memory as a ramp, as a leak does), with the latency a symptom at half that
/// size for cpu and memory faults.
/// </summary>
internal static class LabellingFixtures
{
    public static readonly (string Type, string Kind)[] Injections =
        [(FaultVocabulary.Cpu, "cpu"), (FaultVocabulary.Memory, "mem"), (FaultVocabulary.NetworkDelay, "latency"), (FaultVocabulary.Exception, "error"), (FaultVocabulary.Overload, "load")];

    public static RcaProblem Problem(string service, string kind, double shift, ulong seed, int normal = 60, int anomalous = 30)
    {
        var rng = new Rng(seed);
        string[] services = ["a", "b", "c"], kinds = ["cpu", "mem", "latency", "error", "load"];
        int n = normal + anomalous;
        var names = new List<string>(); var cols = new List<double[]>();
        foreach (var s in services)
            foreach (var k in kinds)
            {
                var x = new double[n];
                for (int t = 0; t < n; t++)
                {
                    x[t] = 10 + rng.NextNormal();
                    if (t < normal || s != service) continue;
                    double ramp = (t - normal + 1.0) / anomalous;
                    if (k == kind) x[t] += kind == "mem" ? 2 * shift * ramp : shift;
                    else if (k == "latency" && kind is "cpu" or "mem") x[t] += shift / 2;
                }
                names.Add(s + "_" + k); cols.Add(x);
            }
        var time = Enumerable.Range(0, n).Select(t => 1000L + 60L * t).ToArray();
        var graph = new DirectedGraph([("a", "b"), ("b", "c")]);
        return new RcaProblem(new MetricFrame(time, names, cols), time[normal], graph, new DelimitedNaming());
    }

    /// <summary>Examples of every injected type at random services, with shifts between 8 and 20 noise units.</summary>
    public static List<LabelExample> Examples(int perType, ulong seed)
    {
        var rng = new Rng(seed);
        var list = new List<LabelExample>();
        for (int i = 0; i < perType; i++)
            foreach (var (type, kind) in Injections)
            {
                var svc = new[] { "a", "b", "c" }[rng.NextInt(3)];
                list.Add(new LabelExample(LabelInput.Of(Problem(svc, kind, rng.Uniform(8, 20), rng.NextUInt64()), svc), type));
            }
        return list;
    }
}
