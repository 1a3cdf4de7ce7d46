using System.Globalization;
using System.Net;
using System.Text.Json;
using AiopsLab.Data;

namespace AiopsLab.Datasets.Prometheus;

/// <summary>One series of a range query: its labels (with <c>__name__</c>) and its samples (Unix seconds, value).</summary>
public sealed record PrometheusSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(long Time, double Value)> Samples)
{
    public string MetricName => Labels.TryGetValue("__name__", out var n) ? n : "";
}

/// <summary>Settings of <see cref="PrometheusClient"/>.</summary>
public sealed record PrometheusClientOptions
{
    /// <summary>Seconds before one HTTP request is abandoned.</summary>
    public double TimeoutSeconds { get; init; } = 30;

    /// <summary>Attempts per request (the first included) on a connection error, a timeout or an HTTP 5xx/429 answer.</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>Seconds before the second attempt; doubled for each further one.</summary>
    public double RetryDelaySeconds { get; init; } = 0.5;

    /// <summary>Prometheus refuses a range query of more than 11,000 points per series; longer ranges are split into chunks of at most this many steps.</summary>
    public int MaxPointsPerQuery { get; init; } = 11_000;
}

/// <summary>
/// A small client of Prometheus' HTTP API (<c>/api/v1/query_range</c>, <c>/api/v1/query</c>), as documented at
/// prometheus.io/docs/prometheus/latest/querying/api. A range longer than Prometheus' 11,000 points per series is queried
/// in chunks and joined; connection errors, timeouts and 5xx/429 answers are retried with a doubling delay; every other
/// failure (a bad query, an unreachable server after the last attempt) is an <see cref="AiopsLabException"/> that names
/// the URL, the query and Prometheus' own error text.
/// </summary>
public sealed class PrometheusClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly PrometheusClientOptions _o;

    public PrometheusClient(string url, PrometheusClientOptions? options = null, HttpMessageHandler? handler = null)
    {
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
            throw new AiopsLabException($"'{url}' is not an http(s) URL of a Prometheus server (e.g. http://127.0.0.1:9090).");
        _base = u;
        _o = options ?? new PrometheusClientOptions();
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = TimeSpan.FromSeconds(_o.TimeoutSeconds);
    }

    public string Url => _base.ToString().TrimEnd('/');

    /// <summary>
    /// Evaluates <paramref name="query"/> at every <paramref name="step"/> seconds from <paramref name="start"/> to
    /// <paramref name="end"/> (Unix seconds, inclusive). Series are returned in a stable order (by their label sets).
    /// </summary>
    public IReadOnlyList<PrometheusSeries> QueryRange(string query, long start, long end, long step, CancellationToken ct = default)
    {
        if (step < 1) throw new AiopsLabException("the step of a range query must be at least 1 second.");
        if (end < start) throw new AiopsLabException($"the range query ends ({end}) before it starts ({start}).");
        var bySeries = new SortedDictionary<string, (Dictionary<string, string> Labels, List<(long, double)> Samples)>(StringComparer.Ordinal);
        long chunk = (long)(_o.MaxPointsPerQuery - 1) * step;
        for (long s = start; s <= end; s += chunk + step)
        {
            long e = Math.Min(end, s + chunk);
            var inv = CultureInfo.InvariantCulture;
            var doc = Get("api/v1/query_range", query,
                [("query", query), ("start", s.ToString(inv)), ("end", e.ToString(inv)), ("step", step.ToString(inv))], ct);
            foreach (var series in ParseMatrix(doc, query))
            {
                var key = string.Join(",", series.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
                if (!bySeries.TryGetValue(key, out var acc)) bySeries[key] = acc = (new Dictionary<string, string>(series.Labels), []);
                acc.Samples.AddRange(series.Samples);
            }
        }
        return bySeries.Values.Select(v => new PrometheusSeries(v.Labels, v.Samples)).ToArray();
    }

    /// <summary>True when the server answers its readiness endpoint (<c>/-/ready</c>).</summary>
    public bool IsReady(CancellationToken ct = default)
    {
        try
        {
            using var r = _http.GetAsync(new Uri(_base, "-/ready"), ct).GetAwaiter().GetResult();
            return r.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
    }

    private JsonDocument Get(string path, string query, IReadOnlyList<(string Key, string Value)> pairs, CancellationToken ct)
    {
        var uri = new Uri(_base, path + "?" + string.Join("&", pairs.Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value))));
        Exception? last = null;
        for (int attempt = 1; attempt <= Math.Max(1, _o.Attempts); attempt++)
        {
            ct.ThrowIfCancellationRequested();
            if (attempt > 1) Thread.Sleep(TimeSpan.FromSeconds(_o.RetryDelaySeconds * Math.Pow(2, attempt - 2)));
            try
            {
                using var resp = _http.GetAsync(uri, ct).GetAwaiter().GetResult();
                var body = resp.Content.ReadAsStringAsync(ct).GetAwaiter().GetResult();
                if ((int)resp.StatusCode >= 500 || resp.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    last = new AiopsLabException($"Prometheus at {Url} answered HTTP {(int)resp.StatusCode} to '{query}': {Excerpt(body)}");
                    continue;
                }
                JsonDocument doc;
                try { doc = JsonDocument.Parse(body); }
                catch (JsonException) { throw new AiopsLabException($"Prometheus at {Url} answered HTTP {(int)resp.StatusCode} with something that is not JSON to '{query}': {Excerpt(body)}"); }
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var st) || st.GetString() != "success")
                {
                    var err = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var er) ? er.ToString() : Excerpt(body);
                    var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errorType", out var et) ? et.ToString() + ": " : "";
                    throw new AiopsLabException($"Prometheus at {Url} refused '{query}' (HTTP {(int)resp.StatusCode}): {type}{err}");
                }
                return doc;
            }
            catch (HttpRequestException e) { last = e; }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested) { last = new TimeoutException($"no answer within {_o.TimeoutSeconds} s", e); }
        }
        throw new AiopsLabException($"cannot query Prometheus at {Url} ('{query}') after {_o.Attempts} attempt(s): {last?.Message}");
    }

    private IEnumerable<PrometheusSeries> ParseMatrix(JsonDocument doc, string query)
    {
        using (doc)
        {
            var data = doc.RootElement.GetProperty("data");
            var type = data.TryGetProperty("resultType", out var rt) ? rt.GetString() : null;
            if (type != "matrix") throw new AiopsLabException($"Prometheus at {Url} answered '{query}' with a {type ?? "missing"} result; a range query needs a matrix.");
            var list = new List<PrometheusSeries>();
            foreach (var s in data.GetProperty("result").EnumerateArray())
            {
                var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var l in s.GetProperty("metric").EnumerateObject()) labels[l.Name] = l.Value.GetString() ?? "";
                var samples = new List<(long, double)>();
                foreach (var v in s.GetProperty("values").EnumerateArray())
                {
                    var t = v[0].GetDouble();
                    var x = v[1].GetString() ?? "NaN";
                    samples.Add(((long)Math.Round(t), ParseValue(x)));
                }
                list.Add(new PrometheusSeries(labels, samples));
            }
            return list;
        }
    }

    /// <summary>Prometheus writes values as strings: decimal, <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>.</summary>
    internal static double ParseValue(string x) => x switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(x, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Excerpt(string body) => body.Length <= 300 ? body.Trim() : body[..300].Trim() + "…";

    public void Dispose() => _http.Dispose();
}
