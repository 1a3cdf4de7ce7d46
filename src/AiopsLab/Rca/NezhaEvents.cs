using System.Text.RegularExpressions;
using AiopsLab.Data;
using AiopsLab.Telemetry;

namespace AiopsLab.Rca;

/// <summary>
/// Nezha's event graphs (Yu et al., ESEC/FSE 2023, §3.2 "Multi-modal data integration" and §3.3 "Event graph"): every
/// span of a trace becomes a group of events ordered by time — the span's start (<c>&lt;service&gt; &lt;operation&gt;
/// start</c>), the templates of the log lines it wrote, the metric alarms of its pod, its end — and the groups are linked
/// into one graph per trace. A pattern is an edge (event → event); its support is how often it occurs over a period's
/// graphs. Used by <see cref="NezhaLocalizer"/>.
/// </summary>
/// <remarks>
/// Where the paper leaves the construction open we follow the authors' code (github.com/IntelligentDDS/Nezha,
/// <c>data_integrate.py</c>, commit d8140101): alarm events get the time start + 1, + 2, … (so they follow the start event);
/// a log line later than its span's end moves the end after it; a child span in the same pod as its parent hangs off the
/// parent's last event before the child's start (no edge when there is none); a child in another pod hangs off the parent's
/// first event; edges are counted with multiplicity. Events are identified by their template text, shared by all pods
/// (as drain3's cluster ids are).
/// </remarks>
internal sealed class NezhaEvents
{
    private static readonly Regex JavaLocation2 = new("  (.+?#.+?) ", RegexOptions.CultureInvariant);
    private static readonly Regex JavaLocation1 = new(" (.+?#.+?) ", RegexOptions.CultureInvariant);

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _logEvent = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> _drainGroup = [];
    private readonly Drain _drain = new(DrainOptions.NezhaTrainTicket);
    private readonly List<string> _text = [];

    /// <summary>Template text of an event id (for a Drain group, its template as learnt so far).</summary>
    public string Text(int id) => _drainGroup.TryGetValue(id, out var g) ? _drain.Template(g) ?? "" : _text[id];

    /// <summary>Id of a template text (assigned on first sight).</summary>
    public int Id(string text)
    {
        if (!_ids.TryGetValue(text, out var id)) { id = _text.Count; _ids[text] = id; _text.Add(text); }
        return id;
    }

    /// <summary>True for an event Nezha counts as a level of depth: its text contains <c>start</c> and not <c>TraceID</c>
    /// (as <c>get_deepth_pod</c> tests template text).</summary>
    public bool IsStart(int id) => Text(id) is var t && t.Contains("start", StringComparison.Ordinal) && !t.Contains("TraceID", StringComparison.Ordinal);

    /// <summary>
    /// The event of a log message: Train Ticket's Java services print the code location (<c>t.s.TravelServiceImpl#532</c>)
    /// after the level, and Nezha keeps only that location (regex <c>"  (.+?#.+?) "</c>, then <c>" (.+?#.+?) "</c>); other
    /// messages go to Drain (<see cref="Drain"/>, Nezha's Train Ticket settings <see cref="DrainOptions.NezhaTrainTicket"/>)
    /// and the event is the Drain group. (A location is one token with digits, which Drain would put in a group of its own:
    /// the two routes agree.) Drain learns in the order messages come: the normal period first, then the faulty one.
    /// </summary>
    public int LogEvent(string message)
    {
        if (_logEvent.TryGetValue(message, out var id)) return id;
        var m = JavaLocation2.Match(message);
        if (!m.Success) m = JavaLocation1.Match(message);
        if (m.Success) id = Id(m.Groups[1].Value);
        else
        {
            int g = _drain.Add(message.TrimEnd());
            id = Id("\u0000drain:" + g.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _drainGroup[id] = g;
        }
        if (_logEvent.Count < 1_000_000) _logEvent[message] = id;
        return id;
    }

    /// <summary>One event graph: edges (source event id, target event id), plus for each event id the first edge into it
    /// (in the order the reference's adjacency list is scanned) with the pod of its target.</summary>
    public sealed class Graph
    {
        public List<(int From, int To)> Edges { get; } = [];
        public Dictionary<int, (int From, string Service)> FirstInto { get; } = [];
    }

    private readonly record struct Ev(long Time, int Id, int Order);

    /// <summary>
    /// Builds the event graph of one trace. <paramref name="rows"/> are the trace's span rows; <paramref name="logsBySpan"/>
    /// maps (trace id, span id) to log rows; <paramref name="alarms"/> maps a service to its alarm event ids.
    /// </summary>
    public Graph Build(SpanTable s, int[] rows, LogTable? logs, Dictionary<(string, string), List<int>>? logsBySpan,
        IReadOnlyDictionary<string, int[]> alarms)
    {
        int n = rows.Length;
        var events = new List<Ev>[n];
        var spanOrder = new int[n];
        for (int k = 0; k < n; k++)
        {
            int r = rows[k];
            long start = s.StartMicros[r], end = start + s.DurationMicros[r];
            var list = new List<Ev> { new(start, Id(s.Service[r] + " " + s.Operation[r] + " start"), 0) };
            if (logs is not null && logsBySpan is not null && logsBySpan.TryGetValue((s.TraceId[r], s.SpanId[r]), out var lrows))
                foreach (var lr in lrows)
                {
                    long t = logs.TimeMicros[lr];
                    if (t > end) end = t + 1;
                    list.Add(new Ev(t, LogEvent(logs.Message[lr]), list.Count));
                }
            list.Add(new Ev(end, Id(s.Service[r] + " " + s.Operation[r] + " end"), list.Count));
            if (alarms.TryGetValue(s.Service[r], out var al))
                for (int a = 0; a < al.Length; a++) list.Add(new Ev(start + a + 1, al[a], list.Count));
            list.Sort((x, y) => x.Time != y.Time ? x.Time.CompareTo(y.Time) : x.Order.CompareTo(y.Order));
            events[k] = list;
            spanOrder[k] = k;
        }
        Array.Sort(spanOrder, (a, b) => events[a][0].Time != events[b][0].Time ? events[a][0].Time.CompareTo(events[b][0].Time) : a.CompareTo(b));

        // Adjacency in the reference's insertion order: in-span chains first (spans by start), then parent → child links.
        var adjacency = new Dictionary<(int Span, int Index), List<(int Span, int Index)>>();
        var keyOrder = new List<(int, int)>();
        void Add((int, int) from, (int, int) to)
        {
            if (!adjacency.TryGetValue(from, out var l)) { l = []; adjacency[from] = l; keyOrder.Add(from); }
            l.Add(to);
        }
        foreach (var k in spanOrder)
            for (int i = 1; i < events[k].Count; i++) Add((k, i - 1), (k, i));
        var bySpanId = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var k in spanOrder) bySpanId.TryAdd(s.SpanId[rows[k]], k);
        foreach (var k in spanOrder)
        {
            if (s.ParentId[rows[k]] is not { } pid || !bySpanId.TryGetValue(pid, out var p) || p == k) continue;
            if (string.Equals(s.Pod[rows[p]], s.Pod[rows[k]], StringComparison.Ordinal))
            {
                long childStart = events[k][0].Time;
                for (int i = 1; i < events[p].Count; i++)
                    if (events[p][i].Time > childStart) { Add((p, i - 1), (k, 0)); break; }
            }
            else Add((p, 0), (k, 0));
        }

        var g = new Graph();
        foreach (var key in keyOrder)
        {
            int from = events[key.Item1][key.Item2].Id;
            foreach (var (ts, ti) in adjacency[key])
            {
                int to = events[ts][ti].Id;
                g.Edges.Add((from, to));
                g.FirstInto.TryAdd(to, (from, s.Service[rows[ts]]));
            }
        }
        return g;
    }

    /// <summary>Pattern supports over a period: how often each (source, target) edge occurs in all graphs.</summary>
    public static Dictionary<(int, int), int> Support(IEnumerable<Graph> graphs)
    {
        var d = new Dictionary<(int, int), int>();
        foreach (var g in graphs)
            foreach (var e in g.Edges) d[e] = d.GetValueOrDefault(e) + 1;
        return d;
    }

    /// <summary>
    /// Depth and service of an event in the normal graphs (the reference's <c>get_deepth_pod</c>): from the event, follow
    /// the first edge into it upwards, counting the start events passed; the service is that of the event reached before
    /// the first start. The deepest over all graphs wins (first graph on ties); (0, null) where the event has no parent.
    /// </summary>
    public (int Depth, string? Service) DepthAndService(IReadOnlyList<Graph> normal, int ev)
    {
        int best = 0;
        string? service = null;
        var seen = new HashSet<int>();
        foreach (var g in normal)
        {
            int depth = 0, target = ev;
            string? svc = null;
            seen.Clear();
            while (seen.Add(target) && g.FirstInto.TryGetValue(target, out var into))
            {
                if (depth == 0) svc = into.Service;
                target = into.From;
                if (IsStart(target)) depth++;
            }
            if (depth > best) { best = depth; service = svc; }
        }
        return (best, service);
    }
}
