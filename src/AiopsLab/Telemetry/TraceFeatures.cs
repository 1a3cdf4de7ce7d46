using AiopsLab.Data;

namespace AiopsLab.Telemetry;

/// <summary>Which trace series to derive.</summary>
/// <param name="Percentiles">Latency percentiles (0-100) per bin.</param>
/// <param name="PerOperation">Also one set of series per (service, operation) — many columns on large systems.</param>
public sealed record TraceFeatureOptions(IReadOnlyList<double>? Percentiles = null, bool PerOperation = false)
{
    public IReadOnlyList<double> Levels => Percentiles ?? [50, 90, 99];
}

/// <summary>
/// Features of spans: call counts, error counts and latency percentiles per service (and per service and operation) per
/// time bin, and the service call graph recovered from parent/child links.
/// </summary>
/// <remarks>
/// <para><b>Which spans count.</b> A service's calls are its <i>entry</i> spans: spans whose parent belongs to another
/// service, is a root (no parent), or never appears in the data. Internal child spans of the same service (Spring
/// handlers, DB client spans of that service) are not calls to it. Latency = entry-span duration in milliseconds; errors =
/// entry spans with status <see cref="SpanStatus.Error"/>.</para>
/// <para><b>Bins</b> follow the metric grid: bin i holds spans starting in <c>[grid[i] − step, grid[i])</c>, the interval
/// that ends at the row (a scraped rate's convention). A bin with no span of any service is a gap: every series is NaN
/// there (no data is not zero calls). In a covered bin, counts are 0 and latencies NaN for a service without calls.
/// Error series are emitted only when some span has a status (Nezha's Train Ticket traces have none).</para>
/// <para><b>Bad links.</b> A parent that never appears makes the span a local root (counted as an entry span; no edge).
/// Cyclic parent links cannot make a span its own ancestor here because nothing walks up the tree; <see cref="ParentIndex"/>
/// reports and cuts them for methods that do. Clock skew between pods shifts spans between bins but not durations.</para>
/// </remarks>
public static class TraceFeatures
{
    /// <summary>Column kinds (after <c>&lt;service&gt;_</c>).</summary>
    public const string Calls = "TraceCalls", Errors = "TraceErrors", LatencyPrefix = "TraceLatencyP";

    /// <summary>Row index of each span's parent (−1 for a root or a parent that never appears), with the number of
    /// missing parents and of links cut because they closed a cycle (the link from the span met again is dropped).</summary>
    public static int[] ParentIndex(SpanTable spans, out int missingParents, out int cyclesCut)
    {
        var bySpan = new Dictionary<(string, string), int>(spans.Count);
        for (int i = 0; i < spans.Count; i++) bySpan.TryAdd((spans.TraceId[i], spans.SpanId[i]), i);
        var parent = new int[spans.Count];
        missingParents = 0;
        for (int i = 0; i < spans.Count; i++)
        {
            parent[i] = -1;
            if (spans.ParentId[i] is not { } p) continue;
            if (bySpan.TryGetValue((spans.TraceId[i], p), out var j) && j != i) parent[i] = j;
            else missingParents++;
        }
        // Cut cycles: walk up from each span with a colour mark (0 new, 1 on the current path, 2 done).
        cyclesCut = 0;
        var state = new byte[spans.Count];
        var path = new List<int>();
        for (int s = 0; s < spans.Count; s++)
        {
            if (state[s] != 0) continue;
            path.Clear();
            int v = s;
            while (v >= 0 && state[v] == 0) { state[v] = 1; path.Add(v); v = parent[v]; }
            if (v >= 0 && state[v] == 1) { parent[path[^1]] = -1; cyclesCut++; }
            foreach (var u in path) state[u] = 2;
        }
        return parent;
    }

    /// <summary>True for each span that is an entry span of its service (see remarks).</summary>
    public static bool[] EntrySpans(SpanTable spans, int[] parent)
    {
        var entry = new bool[spans.Count];
        for (int i = 0; i < spans.Count; i++)
            entry[i] = parent[i] < 0 || !string.Equals(spans.Service[parent[i]], spans.Service[i], StringComparison.Ordinal);
        return entry;
    }

    /// <summary>The service call graph: an edge caller → callee for every span whose parent is in another service,
    /// nodes for every service that has spans. Ordinal order; self-calls are not edges.</summary>
    public static DirectedGraph CallGraph(SpanTable spans)
    {
        var parent = ParentIndex(spans, out _, out _);
        var edges = new SortedSet<(string, string)>(Comparer<(string, string)>.Create((a, b) =>
        {
            int c = string.CompareOrdinal(a.Item1, b.Item1);
            return c != 0 ? c : string.CompareOrdinal(a.Item2, b.Item2);
        }));
        for (int i = 0; i < spans.Count; i++)
            if (parent[i] >= 0 && !string.Equals(spans.Service[parent[i]], spans.Service[i], StringComparison.Ordinal))
                edges.Add((spans.Service[parent[i]], spans.Service[i]));
        return new DirectedGraph(edges, spans.Service.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
    }

    /// <summary>The derived series on <paramref name="grid"/> (Unix seconds, rows <paramref name="step"/> apart), as a
    /// frame with columns <c>&lt;service&gt;_TraceCalls</c>, <c>_TraceErrors</c>, <c>_TraceLatencyP50(ms)</c>… and, per
    /// operation, <c>&lt;service&gt;_&lt;operation&gt;:TraceCalls</c>…; columns in ordinal order.</summary>
    public static MetricFrame Series(SpanTable spans, long[] grid, long step, TraceFeatureOptions? options = null)
    {
        options ??= new TraceFeatureOptions();
        if (step <= 0) throw new ArgumentException("step must be positive.", nameof(step));
        var parent = ParentIndex(spans, out _, out _);
        var entry = EntrySpans(spans, parent);
        var bin = Bins(spans.StartMicros, grid, step);
        var covered = new bool[grid.Length];
        foreach (var b in bin) if (b >= 0) covered[b] = true;
        bool hasStatus = spans.Status.Any(s => s != SpanStatus.Unset);
        // Group entry spans by key (service, or service + operation) and bin.
        var groups = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < spans.Count; i++)
        {
            if (!entry[i] || bin[i] < 0) continue;
            Add(spans.Service[i], i);
            if (options.PerOperation) Add(spans.Service[i] + "_" + spans.Operation[i] + ":", i);
        }
        var names = new List<string>();
        var cols = new List<double[]>();
        foreach (var (key, rows) in groups)
        {
            string prefix = key.EndsWith(':') ? key : key + "_";
            var calls = Filled(grid.Length, covered, 0);
            var errors = Filled(grid.Length, covered, 0);
            var durations = new List<double>[grid.Length];
            foreach (var i in rows)
            {
                int b = bin[i];
                calls[b]++;
                if (spans.Status[i] == SpanStatus.Error) errors[b]++;
                (durations[b] ??= []).Add(spans.DurationMicros[i] / 1000.0);
            }
            names.Add(prefix + Calls); cols.Add(calls);
            if (hasStatus) { names.Add(prefix + Errors); cols.Add(errors); }
            foreach (var q in options.Levels)
            {
                var lat = new double[grid.Length];
                for (int b = 0; b < grid.Length; b++) lat[b] = durations[b] is { Count: > 0 } d ? Quantile(d, q / 100) : double.NaN;
                names.Add(prefix + LatencyPrefix + q.ToString(System.Globalization.CultureInfo.InvariantCulture) + "(ms)");
                cols.Add(lat);
            }
        }
        return new MetricFrame(grid, names, cols);

        void Add(string key, int i)
        {
            if (!groups.TryGetValue(key, out var l)) groups[key] = l = [];
            l.Add(i);
        }
    }

    /// <summary>Bin of each time (µs) on the grid (bin i = [grid[i] − step, grid[i]) in seconds), or −1 outside it.</summary>
    public static int[] Bins(long[] micros, long[] grid, long step)
    {
        var res = new int[micros.Length];
        for (int k = 0; k < micros.Length; k++)
        {
            // First row whose time is > t (t in seconds, fractional): then bin = that row if t >= row - step.
            double t = micros[k] / 1e6;
            int lo = 0, hi = grid.Length;
            while (lo < hi) { int mid = (lo + hi) >> 1; if (grid[mid] > t) hi = mid; else lo = mid + 1; }
            res[k] = lo < grid.Length && t >= grid[lo] - step ? lo : -1;
        }
        return res;
    }

    internal static double[] Filled(int n, bool[] covered, double value)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = covered[i] ? value : double.NaN;
        return a;
    }

    /// <summary>Quantile with linear interpolation between order statistics (Hyndman-Fan type 7, numpy's default).</summary>
    public static double Quantile(List<double> values, double p)
    {
        values.Sort();
        double h = (values.Count - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, values.Count - 1);
        return values[lo] + (h - lo) * (values[hi] - values[lo]);
    }
}
