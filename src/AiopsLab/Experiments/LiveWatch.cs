using System.Globalization;
using System.Text.Json;
using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Datasets.Prometheus;
using AiopsLab.Detection;
using AiopsLab.Methods;
using AiopsLab.Preparation;

namespace AiopsLab.Experiments;

/// <summary>Settings of <see cref="LiveWatch"/> (the <c>aiopslab watch</c> command).</summary>
public sealed record WatchOptions
{
    /// <summary>PromQL queries whose series are watched and localized over (mapped to columns as by <c>datasets import</c>).</summary>
    public required IReadOnlyList<string> Queries { get; init; }
    public PrometheusMapping Mapping { get; init; } = PrometheusMapping.Default;
    /// <summary>Seconds between polls; also the step of the range queries (set it to the scrape interval).</summary>
    public long Every { get; init; } = 15;
    /// <summary>Seconds of history kept and given to the localizer (normal period before the alarm, anomalous after it).</summary>
    public long History { get; init; } = 600;
    /// <summary>A registered streaming detector spec (e.g. <c>n-sigma(n=4)</c>) run on every watched series.</summary>
    public required string Detector { get; init; }
    /// <summary>Alarm threshold on the detector's score; default: the detector's own (<see cref="IAlarmThreshold"/>).</summary>
    public double? Threshold { get; init; }
    /// <summary>A registered localizer spec (e.g. <c>baro</c>).</summary>
    public required string Localizer { get; init; }
    /// <summary><c>latency-error</c> (default: latency and error kinds, else everything) or <c>all</c>: which series the detector watches. Every series is localized over.</summary>
    public string Series { get; init; } = "latency-error";
    /// <summary>Seconds to wait after an alarm before localizing, so the anomalous period has some rows.</summary>
    public long Settle { get; init; } = 60;
    /// <summary>Stop after this many alarms (null: never).</summary>
    public int? MaxAlarms { get; init; }
    /// <summary>Stop after this many polls (null: never).</summary>
    public int? MaxPolls { get; init; }
    /// <summary>Folder for <c>incidents.jsonl</c> (one JSON line per alarm: time, series, ranking, evidence); null: print only.</summary>
    public string? Out { get; init; }
}

/// <summary>One alarm and what the localizer made of it.</summary>
public sealed record WatchIncident(long AlarmTime, string Series, double Score, long LocalizedAt, IReadOnlyList<string> Services,
    IReadOnlyList<RankedMetric> TopMetrics, string Detector, string Localizer);

/// <summary>
/// Watch mode: polls Prometheus every <see cref="WatchOptions.Every"/> seconds, feeds each watched series' new samples to
/// its own streaming detector state (the detector's score of a point uses only the points before it, so the alarm is
/// what an online detector would have raised), and on the first point whose score is above the threshold waits
/// <see cref="WatchOptions.Settle"/> seconds, localizes the kept history with the alarm time as the anomaly time, and
/// reports the ranking with its evidence (the top metrics and their scores). A failed poll (Prometheus restarting,
/// a network gap) is reported and retried at the next tick; the samples missed are filled by the next successful range
/// query, which starts where the last one ended. After an incident the detectors restart on the new data, so one fault
/// raises one incident.
/// </summary>
public sealed class LiveWatch(PrometheusClient client, WatchOptions options, Action<string> log, Func<long>? clock = null)
{
    private readonly Func<long> _now = clock ?? (() => DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    private readonly SortedDictionary<long, Dictionary<string, double>> _rows = new();
    private readonly Dictionary<string, IDetectorState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _fed = new(StringComparer.Ordinal);

    public IReadOnlyList<WatchIncident> Run(CancellationToken ct)
    {
        var detector = MethodCatalog.CreateDetector(options.Detector) as IStreamingDetector
            ?? throw new AiopsLabException($"detector '{options.Detector}' cannot run online; watch needs a streaming detector (aiopslab methods lists them).");
        double threshold = options.Threshold ?? (detector as IAlarmThreshold)?.AlarmThreshold
            ?? throw new AiopsLabException($"detector '{options.Detector}' has no default alarm threshold; give one with --threshold.");
        var localizer = MethodCatalog.CreateLocalizer(options.Localizer);
        if (options.Every < 1) throw new AiopsLabException("--every must be at least 1 second.");
        var incidents = new List<WatchIncident>();
        long step = options.Every;
        long next = Align(_now() - options.History, step);
        (long Time, string Series, double Score)? pending = null;
        for (int poll = 0; options.MaxPolls is null || poll < options.MaxPolls; poll++)
        {
            ct.ThrowIfCancellationRequested();
            long end = Align(_now(), step) - step; // the last complete step
            if (end >= next)
            {
                try
                {
                    var frame = PrometheusImport.Query(client, options.Queries, next, end, step, options.Mapping, ct).Frame;
                    Append(frame);
                    next = end + step;
                }
                catch (AiopsLabException e) { log($"poll failed, retrying at the next tick: {e.Message}"); }
            }
            Trim(end - options.History);
            if (pending is null) pending = Detect(detector, threshold);
            if (pending is { } alarm && end >= alarm.Time + options.Settle)
            {
                var incident = Localize(localizer, alarm, end);
                incidents.Add(incident);
                Report(incident);
                _states.Clear();
                _fed.Clear();
                foreach (var col in _rows.Values.SelectMany(r => r.Keys).Distinct()) _fed[col] = end; // start afresh after the incident
                pending = null;
                if (options.MaxAlarms is { } max && incidents.Count >= max) break;
            }
            if (options.MaxPolls is { } mp && poll + 1 >= mp) break;
            if (ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(step))) ct.ThrowIfCancellationRequested();
        }
        return incidents;
    }

    private static long Align(long t, long step) => t - ((t % step) + step) % step;

    private void Append(MetricFrame f)
    {
        var time = f.Time;
        for (int i = 0; i < f.RowCount; i++)
        {
            // A step where no series has a sample (before the system was scraped, or a gap) adds no row.
            for (int j = 0; j < f.ColumnCount; j++)
            {
                var v = f.Column(j)[i];
                if (double.IsNaN(v)) continue;
                if (!_rows.TryGetValue(time[i], out var row)) _rows[time[i]] = row = new Dictionary<string, double>(StringComparer.Ordinal);
                row[f.Names[j]] = v;
            }
        }
    }

    private void Trim(long before)
    {
        while (_rows.Count > 0 && _rows.First().Key < before) _rows.Remove(_rows.First().Key);
    }

    private IReadOnlyList<string> Columns() => _rows.Values.SelectMany(r => r.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>Feeds the samples not yet seen by each watched series' detector; the earliest alarm (ties by name), or null.</summary>
    private (long, string, double)? Detect(IStreamingDetector detector, double threshold)
    {
        var cols = Columns();
        var naming = new DelimitedNaming(options.Mapping.Separator);
        var watched = options.Series == "all" ? cols : MetricKinds.LatencyAndError(cols, naming) is { Count: > 0 } le ? le : cols;
        (long Time, string Series, double Score)? first = null;
        foreach (var col in watched)
        {
            if (!_states.TryGetValue(col, out var state)) _states[col] = state = detector.Start();
            long fed = _fed.TryGetValue(col, out var f) ? f : long.MinValue;
            foreach (var (t, row) in _rows)
            {
                if (t <= fed) continue;
                fed = t;
                if (!row.TryGetValue(col, out var v)) continue;
                var s = state.Update(v);
                if (s > threshold && (first is null || t < first.Value.Time)) { first = (t, col, s); break; }
            }
            _fed[col] = fed;
        }
        return first;
    }

    private WatchIncident Localize(IRootCauseLocalizer localizer, (long Time, string Series, double Score) alarm, long end)
    {
        var cols = Columns();
        var times = _rows.Keys.Where(t => t <= end).ToArray();
        var data = cols.Select(c => times.Select(t => _rows[t].TryGetValue(c, out var v) ? v : double.NaN).ToArray()).ToArray();
        var frame = new MetricFrame(times, cols, data);
        var naming = new DelimitedNaming(options.Mapping.Separator);
        var result = localizer.Localize(new RcaProblem(frame, alarm.Time, null, naming), CancellationToken.None);
        return new WatchIncident(alarm.Time, alarm.Series, alarm.Score, _now(), result.Services(naming), result.Ranking.Take(5).ToArray(),
            options.Detector, options.Localizer);
    }

    private void Report(WatchIncident i)
    {
        var inv = CultureInfo.InvariantCulture;
        log(string.Create(inv, $"ALARM at {DateTimeOffset.FromUnixTimeSeconds(i.AlarmTime):yyyy-MM-ddTHH:mm:ssZ} on {i.Series} (score {i.Score:0.###}); localized {i.LocalizedAt - i.AlarmTime} s later with {i.Localizer}"));
        for (int k = 0; k < Math.Min(5, i.Services.Count); k++) log(string.Create(inv, $"  {k + 1}. {i.Services[k]}"));
        log("  evidence: " + string.Join(", ", i.TopMetrics.Select(m => string.Create(inv, $"{m.Metric} {m.Score:0.###}"))));
        if (options.Out is null) return;
        Directory.CreateDirectory(options.Out);
        var line = JsonSerializer.Serialize(new
        {
            alarm_time = i.AlarmTime, series = i.Series, score = i.Score, localized_at = i.LocalizedAt, detector = i.Detector, localizer = i.Localizer,
            services = i.Services, top_metrics = i.TopMetrics.Select(m => new { metric = m.Metric, score = m.Score }),
        });
        File.AppendAllText(Path.Combine(options.Out, "incidents.jsonl"), line + "\n");
    }
}
