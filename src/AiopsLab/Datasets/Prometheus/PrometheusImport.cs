using System.Globalization;
using AiopsLab.Data;

namespace AiopsLab.Datasets.Prometheus;

/// <summary>What <see cref="PrometheusImport.ToFrame"/> made of a set of series.</summary>
/// <param name="Frame">One row per step from start to end, one column per mapped metric (ordinal order); NaN where a series has no sample.</param>
/// <param name="Skipped">Series without an entity label (their label sets), which the mapping cannot place.</param>
/// <param name="Combined">Columns fed by more than one series, with how many.</param>
public sealed record PrometheusFrame(MetricFrame Frame, IReadOnlyList<string> Skipped, IReadOnlyDictionary<string, int> Combined);

/// <summary>Turns Prometheus range-query results into a <see cref="MetricFrame"/> and writes cases in the generic layout.</summary>
public static class PrometheusImport
{
    /// <summary>Places every sample on the grid start, start+step, …, end; columns named by <paramref name="mapping"/>.</summary>
    public static PrometheusFrame ToFrame(IEnumerable<PrometheusSeries> series, long start, long end, long step, PrometheusMapping mapping)
    {
        int rows = checked((int)((end - start) / step) + 1);
        var time = new long[rows];
        for (int i = 0; i < rows; i++) time[i] = start + i * step;
        var cols = new SortedDictionary<string, (double[] Sum, int[] Count, double[] Max, double[] Min, int Series)>(StringComparer.Ordinal);
        var skipped = new List<string>();
        foreach (var s in series)
        {
            var col = mapping.ColumnOf(s.Labels);
            if (col is null)
            {
                skipped.Add("{" + string.Join(",", s.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=\"" + kv.Value + "\"")) + "}");
                continue;
            }
            if (!cols.TryGetValue(col, out var acc))
            {
                acc = (new double[rows], new int[rows], Filled(rows, double.NegativeInfinity), Filled(rows, double.PositiveInfinity), 0);
            }
            acc.Series++;
            cols[col] = acc;
            foreach (var (t, v) in s.Samples)
            {
                if (t < start || t > end || (t - start) % step != 0 || double.IsNaN(v)) continue;
                int i = (int)((t - start) / step);
                acc.Sum[i] += v; acc.Count[i]++;
                if (v > acc.Max[i]) acc.Max[i] = v;
                if (v < acc.Min[i]) acc.Min[i] = v;
            }
        }
        var combined = cols.Where(kv => kv.Value.Series > 1).ToDictionary(kv => kv.Key, kv => kv.Value.Series, StringComparer.Ordinal);
        if (combined.Count > 0 && mapping.Aggregate == SeriesAggregate.Error)
            throw new AiopsLabException("several series map to one column (" + string.Join(", ", combined.Take(5).Select(kv => $"{kv.Key}: {kv.Value}"))
                + "); add a label to entity_labels, or set aggregate (mean, sum, max, min) in the mapping file.");
        var names = cols.Keys.ToArray();
        var data = cols.Values.Select(a =>
        {
            var v = new double[rows];
            for (int i = 0; i < rows; i++)
                v[i] = a.Count[i] == 0 ? double.NaN : mapping.Aggregate switch
                {
                    SeriesAggregate.Sum => a.Sum[i],
                    SeriesAggregate.Max => a.Max[i],
                    SeriesAggregate.Min => a.Min[i],
                    _ => a.Sum[i] / a.Count[i],
                };
            return v;
        }).ToArray();
        return new PrometheusFrame(new MetricFrame(time, names, data), skipped, combined);
    }

    /// <summary>The frame with the columns named in <paramref name="order"/> first, in that order, then the rest in their order.</summary>
    public static MetricFrame Reorder(MetricFrame f, IReadOnlyList<string> order)
    {
        var index = f.Names.Select((n, j) => (n, j)).ToDictionary(x => x.n, x => x.j, StringComparer.Ordinal);
        var first = order.Where(index.ContainsKey).Distinct().ToArray();
        var names = first.Concat(f.Names.Except(first, StringComparer.Ordinal)).ToArray();
        return new MetricFrame(f.Time.ToArray(), names, names.Select(n => f.Column(index[n]).ToArray()).ToArray());
    }

    private static double[] Filled(int n, double v)
    {
        var a = new double[n];
        Array.Fill(a, v);
        return a;
    }

    /// <summary>
    /// Queries <paramref name="queries"/> over [start, end] every <paramref name="step"/> seconds and joins the results into
    /// one frame (a column given by two queries is an error naming both).
    /// </summary>
    public static PrometheusFrame Query(PrometheusClient client, IReadOnlyList<string> queries, long start, long end, long step,
        PrometheusMapping mapping, CancellationToken ct = default)
    {
        if (queries.Count == 0) throw new AiopsLabException("give at least one --query (a PromQL selector or expression).");
        var all = new List<PrometheusSeries>();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var q in queries)
        {
            var got = client.QueryRange(q, start, end, step, ct);
            foreach (var col in got.Select(s => mapping.ColumnOf(s.Labels)).OfType<string>().Distinct())
                if (!owner.TryAdd(col, q) && owner[col] != q)
                    throw new AiopsLabException($"column '{col}' comes from two queries, '{owner[col]}' and '{q}'; narrow one of them.");
            all.AddRange(got);
        }
        return ToFrame(all, start, end, step, mapping);
    }
}
