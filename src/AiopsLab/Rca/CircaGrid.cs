using AiopsLab.Causal;
using AiopsLab.Methods;
using AiopsLab.Numerics;
using AiopsLab.Preparation;

namespace AiopsLab.Rca;

/// <summary>
/// CIRCA's data loading on a fixed time grid, as its <c>CaseData</c>/<c>DataLoader.preprocess</c> do (Li et al., KDD
/// 2022, §5.1; the same classes in RCAEval 0.1.6, <c>RCAEval/classes/data.py</c>), and RCAEval's <c>circa</c> code path
/// built on it (<c>RCAEval/graph_heads/rht.py</c>).
/// </summary>
/// <remarks>
/// <para><b>The grid</b> (<see cref="Resample"/>): for an interval Δ, the points start = t − lookup·Δ, start + Δ, …,
/// up to the end time; each point is the mean of the raw values in [point, point + Δ); empty points are interpolated
/// linearly in time between their observed neighbours, before the first observation they take the first value and after
/// the last the last (pandas' <c>resample(Δ, origin="start").mean()</c>, <c>interpolate(method="time",
/// limit_direction="both")</c>). So on 60-second data with RCAEval's Δ = 1 s, the 111-point training window
/// [t − 120 s, t − 10 s] spans two raw rows and the test window [t + 291 s, t + 300 s] lies between the raw rows at
/// t + 240 s and t + 300 s.</para>
/// <para><b>RCAEval's node names</b> (<see cref="NodeOf"/>): <c>rht</c> makes a node (entity, metric) of the first two
/// <c>_</c>-separated parts of a column's name and loads the column named <c>entity_metric</c>. A column with more
/// parts (Sock Shop's <c>carts_lat_90</c>) becomes node <c>carts_lat</c>, which no column is called, so it has no data:
/// it is neither scored nor used as a parent; columns sharing their first two parts share one node.</para>
/// </remarks>
public static class CircaGrid
{
    /// <summary>
    /// Values of one metric on the grid start, start + Δ, …, ≤ end (Unix seconds), from its raw (time, value) rows;
    /// null when no finite value lies in [start, end] (CIRCA's loader then returns nothing and the metric is not scored).
    /// </summary>
    public static double[]? Resample(ReadOnlySpan<long> times, ReadOnlySpan<double> values, long start, long end, long interval)
    {
        if (interval < 1) throw new ArgumentException("the grid interval must be at least 1 second.");
        int n = (int)((end - start) / interval) + 1;
        var sum = new double[n];
        var count = new int[n];
        for (int i = 0; i < times.Length; i++)
        {
            if (times[i] < start || times[i] > end || !double.IsFinite(values[i])) continue;
            int k = (int)((times[i] - start) / interval);
            sum[k] += values[i];
            count[k]++;
        }
        int prev = -1;
        var v = new double[n];
        for (int k = 0; k < n; k++)
        {
            if (count[k] == 0) continue;
            v[k] = sum[k] / count[k];
            if (prev < 0) for (int j = 0; j < k; j++) v[j] = v[k]; // before the first observation: its value
            else for (int j = prev + 1; j < k; j++) v[j] = v[prev] + (v[k] - v[prev]) * (j - prev) / (k - prev);
            prev = k;
        }
        if (prev < 0) return null;
        for (int j = prev + 1; j < n; j++) v[j] = v[prev]; // after the last: its value
        return v;
    }

    /// <summary>RCAEval's node name for a column: its first two <c>_</c>-separated parts joined by <c>_</c>.</summary>
    /// <exception cref="Data.AiopsLabException">The name has no <c>_</c> (RCAEval's <c>rht</c> fails on it).</exception>
    public static string NodeOf(string column)
    {
        var parts = column.Split('_');
        if (parts.Length < 2)
            throw new Data.AiopsLabException($"circa(rcaeval=true): column '{column}' has no '_'; RCAEval's rht names nodes service_metric and fails on it.");
        return parts[0] + "_" + parts[1];
    }

    /// <summary>
    /// RCAEval 0.1.6's <c>circa</c> after its graph is learned: RHT only (no descendant adjustment) on a 1-second grid
    /// from anomaly − lookup s to anomaly + horizon s, nodes named as <see cref="NodeOf"/>, scored only where they have
    /// an edge and non-constant data (exact comparison, as <c>len(set(series)) &gt; 1</c>).
    /// </summary>
    /// <param name="w">RCAEval's prepared window (300 rows each side, memory in MB, constant columns dropped).</param>
    /// <param name="windowStartRow">Row of the problem's frame where <paramref name="w"/> starts.</param>
    /// <param name="reversed">The learned graph over <paramref name="w"/>'s columns, turned around as <c>rht</c> does.</param>
    /// <param name="o">CIRCA's options: lookup and detect windows in grid points, horizon in seconds.</param>
    internal static (List<RankedMetric> Ranking, int Train, int Test) RcaevalRht(
        RcaProblem problem, PreparedWindow w, int windowStartRow, CausalGraph reversed, Circa.Options o)
    {
        const long interval = 1; // RCAEval's rht: CaseData(interval=timedelta(seconds=1))
        long t0 = problem.AnomalyTime - o.LookupWindow * interval, t1 = problem.AnomalyTime + o.Horizon;
        var times = problem.Metrics.Time.Slice(windowStartRow, w.RowCount);
        var nodeOf = w.Names.Select(NodeOf).ToArray();
        var parents = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (from, to) in reversed.Arrows)
        {
            parents.TryAdd(nodeOf[from], new HashSet<string>(StringComparer.Ordinal));
            if (!parents.TryGetValue(nodeOf[to], out var p)) parents[nodeOf[to]] = p = new HashSet<string>(StringComparer.Ordinal);
            p.Add(nodeOf[from]);
        }
        var series = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (int j = 0; j < w.Names.Count; j++)
        {
            if (!parents.ContainsKey(w.Names[j])) continue; // not a node with an edge, or not loadable under its own name
            var g = Resample(times, w.Columns[j], t0, t1, interval);
            if (g is not null && g.Distinct().Skip(1).Any()) series[w.Names[j]] = g;
        }
        int train = o.LookupWindow - o.DetectWindow + 1, test = o.DetectWindow;
        var ranking = new List<RankedMetric>();
        foreach (var (node, y) in series)
        {
            var pa = parents[node].Where(series.ContainsKey).OrderBy(s => s, StringComparer.Ordinal).Select(s => series[s]).ToArray();
            ranking.Add(new RankedMetric(node, Rht(y, pa, train, test, sklearnConstantRule: true)));
        }
        ranking.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(a.Metric, b.Metric));
        return (ranking, train, test);
    }

    /// <summary>
    /// The RHT score of one metric: max over the test window of |(r − mean)/sd| of the residuals r of the least-squares
    /// fit on the parents over the training window (mean and population sd of the training residuals; sd 0 counts as 1,
    /// as scikit-learn's StandardScaler). Without parents the series itself is standardised.
    /// </summary>
    /// <param name="sklearnConstantRule">Count the training residuals as constant only where scikit-learn 1.2's
    /// StandardScaler does (variance ≤ n·ε·variance + (n·mean·ε)², ε the machine epsilon), not up to rounding relative
    /// to the series' level: then a fit that is exact but for rounding (interpolated grids) divides by its rounding noise,
    /// as RCAEval's code does.</param>
    internal static double Rht(double[] y, double[][] parents, int trainCount, int testCount, bool sklearnConstantRule = false)
    {
        int span = y.Length;
        var trainRes = new double[trainCount];
        var testRes = new double[testCount];
        if (parents.Length == 0)
        {
            Array.Copy(y, 0, trainRes, 0, trainCount);
            Array.Copy(y, span - testCount, testRes, 0, testCount);
        }
        else
        {
            var x = parents.Select(p => (ReadOnlyMemory<double>)p.AsMemory(0, trainCount)).ToArray();
            var fit = Ols.Fit(x, y.AsMemory(0, trainCount));
            var row = new double[parents.Length];
            for (int t = 0; t < trainCount; t++)
            {
                for (int k = 0; k < parents.Length; k++) row[k] = parents[k][t];
                trainRes[t] = y[t] - fit.Predict(row);
            }
            for (int t = 0; t < testCount; t++)
            {
                int r = span - testCount + t;
                for (int k = 0; k < parents.Length; k++) row[k] = parents[k][r];
                testRes[t] = y[r] - fit.Predict(row);
            }
        }
        double m = trainRes.Average();
        double sd = Math.Sqrt(trainRes.Sum(v => (v - m) * (v - m)) / trainCount);
        // A constant training window (up to rounding relative to the series' level) has no spread to standardise by;
        // CIRCA's StandardScaler then divides by 1.
        double level = 0;
        for (int t = 0; t < trainCount; t++) level = Math.Max(level, Math.Abs(y[t]));
        double var = sd * sd, eps = Math.ScaleB(1.0, -52);
        bool constant = sklearnConstantRule
            ? var <= trainCount * eps * var + Math.Pow(trainCount * m * eps, 2)
            : !(sd > 1e-10 * Math.Max(1, level));
        if (constant) sd = 1;
        double best = 0;
        foreach (var r in testRes) best = Math.Max(best, Math.Abs((r - m) / sd));
        return best;
    }
}
