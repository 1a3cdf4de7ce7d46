using AiopsLab.Causal;
using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Preparation;

namespace AiopsLab.Rca;

/// <summary>
/// CIRCA (Li et al., "Causal Inference-Based Root Cause Analysis for Online Service Systems with Intervention
/// Recognition", KDD 2022): regression-based hypothesis testing (RHT, §4.2) of every metric against its parents in a
/// causal graph, then descendant adjustment (DA, §4.3).
/// </summary>
/// <remarks>
/// <para><b>Graph.</b> The structural graph (§4.1, <see cref="StructuralGraph"/>) built from the case's call graph, or,
/// where the case has none, a graph learned by an <see cref="IGraphDiscovery"/> on the case's window (PC by default, as
/// RCAEval runs CIRCA on Sock Shop data, whose call graph is not recorded).</para>
/// <para><b>Windows</b> (CIRCA's <c>CaseData</c>, with RCAEval's settings for 1-second data): the data run from
/// <c>lookup-window</c> rows before the anomaly time to <c>horizon</c> seconds after it; the training window is its first
/// lookup − detect + 1 rows (so it ends <c>detect-window</c> rows before the anomaly), the test window its last
/// <c>detect-window</c> rows. A metric constant over that span is not scored (CIRCA's <c>prune</c>). <c>lookup-seconds</c> and
/// <c>detect-seconds</c> give the two windows in seconds, turned into points at the interval read from the data.</para>
/// <para><b>RHT</b> (eq. 3–5): for metric x with parents pa(x), fit x = f(pa(x)) + ε by least squares on the training
/// window (an additive noise model, CIRCA's <c>ANMRegressor</c>); standardise the test residuals by the training
/// residuals' mean and (population) standard deviation; the score is max |z| over the test window. Without parents, x
/// itself is standardised.</para>
/// <para><b>DA</b> (eq. 6): a metric whose score s is at least the threshold (3, "three-sigma") gets s + max over its
/// children's scores, where a child below the threshold passes on its own children's scores (CIRCA's <c>DAScorer</c>).
/// The ranking is by (score, earlier topological layer, RHT z-score), then metric name.</para>
/// </remarks>
[Method("circa", Summary = "CIRCA: regression-based hypothesis testing on a causal graph (structural from the call graph, else PC), descendant adjustment.", Citation = "Li et al., Causal Inference-Based Root Cause Analysis for Online Service Systems with Intervention Recognition, KDD 2022")]
public sealed class Circa : IRootCauseLocalizer
{
    public sealed record Options
    {
        /// <summary>Graph source.</summary>
        public CircaGraph Graph { get; set; } = CircaGraph.Auto;
        /// <summary>
        /// Rows before the anomaly time where the data start (CIRCA's <c>lookup_window</c>, 120, counted in points of the
        /// data's own interval as CIRCA's <c>CaseData</c> counts them: 2 h of 1-minute data as in CIRCA's paper, 2 min of
        /// 1-second data). With <see cref="Rcaeval"/>: points of RCAEval's 1-second grid, i.e. seconds.
        /// </summary>
        public int LookupWindow { get; set; } = 120;
        /// <summary>Rows in the test window (CIRCA's <c>detect_window</c>, 10); with <see cref="Rcaeval"/>, seconds.</summary>
        public int DetectWindow { get; set; } = 10;
        /// <summary>
        /// <see cref="LookupWindow"/> given in seconds instead (0 = use the row count): turned into points at the data's
        /// own sampling interval, read from its timestamps (<see cref="WindowRecipe.RowsFor"/>), so 7200 s is 120 points
        /// of 1-minute data (CIRCA's paper) and 7200 of 1-second data. With <see cref="Rcaeval"/>: seconds of the 1 s grid.
        /// </summary>
        public long LookupSeconds { get; set; }
        /// <summary><see cref="DetectWindow"/> in seconds instead (0 = use the row count), converted as <see cref="LookupSeconds"/>.</summary>
        public long DetectSeconds { get; set; }
        /// <summary>Seconds after the anomaly time where the data end (RCAEval calls CIRCA at inject time + 300).</summary>
        public long Horizon { get; set; } = 300;
        /// <summary>Apply descendant adjustment (the full CIRCA); false ranks by RHT alone, as RCAEval's <c>circa</c>.</summary>
        public bool DescendantAdjustment { get; set; } = true;
        /// <summary>DA threshold (CIRCA's 3).</summary>
        public double Threshold { get; set; } = 3;
        /// <summary>Rows (not seconds) kept on each side for learning the graph (RCAEval: 300 rows).</summary>
        public int GraphWindow { get; set; } = 300;
        /// <summary>Significance level when the graph is learned by PC or Granger.</summary>
        public double Alpha { get; set; } = 0.05;
        /// <summary>Metric kinds left out and not ranked (RCAEval's Sock Shop rule: <c>lat_50;lat_99</c>).</summary>
        public string[] ExcludeKinds { get; set; } = [];
        /// <summary>Kind-to-type overrides for the structural graph, <c>kind=T|S|L|E</c> (e.g. <c>qps=T;gc=S</c>).</summary>
        public string[] KindTypes { get; set; } = [];
        /// <summary>Turn a learned graph around before scoring, as RCAEval's <c>rht</c> does (it reverses the PC graph); for replication only.</summary>
        public bool ReverseLearnedGraph { get; set; }
        /// <summary>Threads for graph learning; 0 uses every core. Results do not depend on it.</summary>
        public int Parallelism { get; set; }
        /// <summary>
        /// Score metrics that have no edge in the graph. False leaves them out, as RCAEval's <c>rht</c> does (it builds
        /// its graph from the edge list, so an isolated metric is neither loaded nor ranked); for replication only.
        /// </summary>
        public bool ScoreIsolated { get; set; } = true;
        /// <summary>
        /// Metric kinds divided by 10⁶ before scoring (RCAEval's <c>convert_mem_mb</c>: memory in MB). Scores are unit-free
        /// except where a training window is constant: then, as in CIRCA (scikit-learn's StandardScaler), the deviation is
        /// divided by 1, i.e. measured in the metric's unit.
        /// </summary>
        public string[] MegabyteKinds { get; set; } = ["mem"];
        /// <summary>
        /// Replicate RCAEval 0.1.6's <c>circa</c> (overrides <see cref="DescendantAdjustment"/>,
        /// <see cref="ReverseLearnedGraph"/> and <see cref="ScoreIsolated"/>; <c>graph=auto</c> means PC): PC on the
        /// <see cref="GraphWindow"/> rows each side, RHT only, on the learned graph turned around, with RCAEval's quirks:
        /// every metric resampled onto a <b>1-second grid</b> from anomaly − lookup s to anomaly + horizon s whatever the
        /// data's interval (<see cref="CircaGrid.Resample"/>), nodes named by the first two <c>_</c>-parts of a column
        /// name so that <c>x_lat_90</c> is never scored (<see cref="CircaGrid.NodeOf"/>), isolated and grid-constant
        /// metrics not ranked; PC oriented in causal-learn's order, and the columns returned unranked where causal-learn's
        /// Fisher-z raises (as on every nezha case: 15 rows of 166–528 metrics), as RCAEval's <c>@rca</c> wrapper does.
        /// </summary>
        public bool Rcaeval { get; set; }
    }

    private readonly Options _o;
    private readonly ICausalGraphSource? _source;
    private readonly Dictionary<string, MetaType> _kindTypes = new(StringComparer.Ordinal);

    public Circa() : this(new Options()) { }

    public Circa(Options options) : this(options, null) { }

    /// <summary>
    /// CIRCA with a caller-supplied graph source, used wherever the structural graph is not (cases without a call graph,
    /// or <see cref="Options.Graph"/> other than <see cref="CircaGraph.Structural"/>): CIRCA's "graph factory × scorer" seam.
    /// </summary>
    public Circa(Options options, ICausalGraphSource? graphSource)
    {
        _o = options;
        _source = graphSource;
        if (_o.LookupWindow < 2 || _o.DetectWindow < 1 || _o.DetectWindow >= _o.LookupWindow)
            throw new ArgumentException("need lookup-window ≥ 2 and 1 ≤ detect-window < lookup-window.");
        if (_o.Horizon < 0) throw new ArgumentException("horizon must be ≥ 0 seconds.");
        if (_o.LookupSeconds < 0 || _o.DetectSeconds < 0) throw new ArgumentException("lookup-seconds and detect-seconds must be ≥ 0.");
        if (!(_o.Alpha > 0 && _o.Alpha < 1)) throw new ArgumentException("alpha must be in (0, 1).");
        foreach (var kt in _o.KindTypes)
        {
            int eq = kt.IndexOf('=');
            var t = eq > 0 ? kt[(eq + 1)..].Trim().ToUpperInvariant() : "";
            _kindTypes[eq > 0 ? kt[..eq].Trim() : kt] = t switch
            {
                "T" => MetaType.Traffic, "S" => MetaType.Saturation, "L" => MetaType.Latency, "E" => MetaType.Errors,
                _ => throw new ArgumentException($"kind-types entry '{kt}' is not kind=T|S|L|E."),
            };
        }
    }

    public string Name => "circa";

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var f = problem.Metrics;
        var (lookup, detect) = PointCounts(f);
        if (_o.Rcaeval) return LocalizeRcaeval(problem, lookup, detect, ct);
        int a = problem.AnomalyRow;
        // Data span: [a − lookup, last row with time ≤ anomaly + horizon].
        int start = Math.Max(0, a - lookup);
        int end = Math.Max(a, f.RowAtOrAfter(problem.AnomalyTime + _o.Horizon + 1) - 1); // inclusive
        // Training rows: the first lookup − detect + 1 rows of the span (fewer when the normal period is shorter).
        int trainCount = Math.Max(a - start - detect + 1, Math.Min(2, a - start));
        int testCount = Math.Min(detect, end - a + 1);

        // Leading gaps take the first value (CIRCA interpolates "both" ways); an all-missing or constant column is not scored.
        var w = PreparedWindow.Of(problem, new WindowRecipe
        {
            Before = lookup, After = end - a + 1, ExcludeKinds = _o.ExcludeKinds, Leading = LeadingGaps.FirstValue,
            MemoryDivisor = 1e6, IsMemory = k => _o.MegabyteKinds.Contains(k, StringComparer.Ordinal), RequireBothSides = true,
        });
        var names = w.Names;
        var series = w.Columns;
        var scored = names.ToArray();
        var graph = BuildGraph(problem, scored, ct);
        ct.ThrowIfCancellationRequested();

        // RHT.
        int n = scored.Length;
        var z = new double[n];
        for (int i = 0; i < n; i++)
        {
            var parents = graph.Parents(i).Where(p => p != i).ToArray();
            z[i] = CircaGrid.Rht(series[i], parents.Select(p => series[p]).ToArray(), trainCount, testCount);
        }
        var score = (double[])z.Clone();

        // DA, in topological layers of the graph (components contracted).
        var layers = StructuralGraph.Layers(graph.ToDirectedGraph());
        var layerOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int l = 0; l < layers.Count; l++) foreach (var node in layers[l]) layerOf[node] = l;
        if (_o.DescendantAdjustment)
        {
            var index = scored.Select((s, i) => (s, i)).ToDictionary(t => t.s, t => t.i, StringComparer.Ordinal);
            var childScores = new Dictionary<int, Dictionary<int, double>>();
            for (int l = layers.Count - 1; l >= 0; l--)
                foreach (var node in layers[l])
                {
                    int i = index[node];
                    var cs = new Dictionary<int, double>();
                    foreach (var c in graph.Children(i))
                    {
                        if (c == i) continue;
                        cs[c] = z[c];
                        if (z[c] < _o.Threshold && childScores.TryGetValue(c, out var inherited))
                            foreach (var (k, v) in inherited) cs[k] = v;
                    }
                    childScores[i] = cs;
                }
            for (int i = 0; i < n; i++)
                if (z[i] >= _o.Threshold && childScores[i].Count > 0) score[i] = z[i] + childScores[i].Values.Max();
        }

        var order = Enumerable.Range(0, n)
            .Where(i => _o.ScoreIsolated || graph.Parents(i).Count > 0 || graph.Children(i).Count > 0)
            .OrderByDescending(i => score[i])
            .ThenBy(i => layerOf.TryGetValue(scored[i], out var l) ? l : 0)
            .ThenByDescending(i => z[i])
            .ThenBy(i => scored[i], StringComparer.Ordinal)
            .ToArray();
        var ranking = order.Select(i => new RankedMetric(scored[i], score[i])).ToList();
        return new RcaResult(ranking, new Dictionary<string, double>
        {
            ["graph_arrows"] = graph.ArrowCount,
            ["train_rows"] = trainCount,
            ["test_rows"] = testCount,
        });
    }

    /// <summary>The lookup and detect windows in points: the row counts, or the seconds options turned into points of
    /// the data's interval (of RCAEval's 1 s grid with <see cref="Options.Rcaeval"/>).</summary>
    private (int Lookup, int Detect) PointCounts(MetricFrame f)
    {
        int Points(long seconds, int rows) => seconds == 0 ? rows
            : _o.Rcaeval ? (int)Math.Min(int.MaxValue, seconds) : WindowRecipe.RowsFor(seconds, f);
        int lookup = Points(_o.LookupSeconds, _o.LookupWindow), detect = Points(_o.DetectSeconds, _o.DetectWindow);
        if (lookup < 2 || detect >= lookup)
            throw new AiopsLabException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"circa: at this data's {WindowRecipe.SamplingInterval(f)} s interval the lookup window is {lookup} point(s) and the detect window {detect}; need lookup ≥ 2 and detect < lookup."));
        return (lookup, detect);
    }

    /// <summary>RCAEval's <c>circa</c>: PC on its 300-row window, then <see cref="CircaGrid.RcaevalRht"/>.</summary>
    private RcaResult LocalizeRcaeval(RcaProblem problem, int lookup, int detect, CancellationToken ct)
    {
        var w = PreparedWindow.Of(problem, new WindowRecipe
        {
            Before = _o.GraphWindow, After = _o.GraphWindow, ExcludeKinds = _o.ExcludeKinds, RequireBothSides = true,
            MemoryDivisor = 1e6, IsMemory = k => _o.MegabyteKinds.Contains(k, StringComparer.Ordinal),
        });
        CausalGraph graph;
        try { graph = BuildGraph(problem, w.Names.ToArray(), ct); }
        catch (Exception e) when (DegenerateTestException.Within(e)) { return GraphLocalizer.RcaevalFallback(w); }
        ct.ThrowIfCancellationRequested();
        var (ranking, train, test) = CircaGrid.RcaevalRht(problem, w, problem.AnomalyRow - w.AnomalyRow, graph, _o with { LookupWindow = lookup, DetectWindow = detect });
        return new RcaResult(ranking, new Dictionary<string, double>
        {
            ["graph_arrows"] = graph.ArrowCount,
            ["train_rows"] = train,
            ["test_rows"] = test,
        });
    }

    private CausalGraph BuildGraph(RcaProblem problem, string[] columns, CancellationToken ct)
    {
        var kind = _o.Graph;
        if (kind == CircaGraph.Auto) kind = problem.CallGraph is not null && !_o.Rcaeval ? CircaGraph.Structural : CircaGraph.Pc;
        if (kind == CircaGraph.Structural)
        {
            if (problem.CallGraph is null) throw new AiopsLabException("circa: graph=structural needs a call graph, and this case has none; use graph=pc.");
            return StructuralGraph.Build(columns, problem.Naming, problem.CallGraph,
                k => _kindTypes.TryGetValue(k, out var t) ? t : StructuralGraph.DefaultType(k));
        }
        var source = _source ?? new LearnedGraphSource(kind switch
        {
            CircaGraph.Granger => new GrangerDiscovery(new GrangerOptions { Alpha = _o.Alpha, Parallelism = _o.Parallelism }),
            CircaGraph.Lingam => new LingamDiscovery(new DirectLingamOptions { Parallelism = _o.Parallelism }),
            _ => new PcDiscovery(new PcOptions { Alpha = _o.Alpha, Parallelism = _o.Parallelism, FailLikeCausalLearn = _o.Rcaeval, OrientLikeCausalLearn = _o.Rcaeval }),
        }, _o.GraphWindow, _o.ExcludeKinds);
        // Onto the scored columns: metrics outside the learned graph (e.g. constant in its window) get no edges.
        var learned = CausalGraph.FromDirectedGraph(source.Build(problem, ct), columns);
        return _o.ReverseLearnedGraph || _o.Rcaeval ? learned.Reverse() : learned;
    }

}

/// <summary>Where <see cref="Circa"/> takes its causal graph from.</summary>
public enum CircaGraph
{
    /// <summary>The structural graph when the case has a call graph, else PC.</summary>
    Auto,
    /// <summary>CIRCA's structural graph from the call graph (<see cref="StructuralGraph"/>); fails without a call graph.</summary>
    Structural,
    /// <summary>PC (Fisher-z, stable) on the case's window, as RCAEval's CIRCA does.</summary>
    Pc,
    /// <summary>Pairwise Granger causality on the case's window.</summary>
    Granger,
    /// <summary>DirectLiNGAM on the case's window.</summary>
    Lingam,
}
