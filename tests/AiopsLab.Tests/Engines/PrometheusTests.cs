using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AiopsLab.Catalog;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Datasets.Prometheus;
using AiopsLab.Datasets.Synthetic;
using AiopsLab.Experiments;
using AiopsLab.Methods;
using AiopsLab.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace AiopsLab.Tests.Engines;

/// <summary>Runs where Debian's prometheus and promtool are installed (scripts/install-prometheus.sh; test.sh installs them under CI).</summary>
public sealed class PrometheusFactAttribute : FactAttribute
{
    public PrometheusFactAttribute()
    {
        if (TestData.InCi) return;
        if (PrometheusServer.Find("prometheus") is null || PrometheusServer.Find("promtool") is null)
            Skip = "prometheus/promtool are not installed here (scripts/install-prometheus.sh installs Debian's; CI runs these tests).";
    }
}

/// <summary>A real Prometheus on 127.0.0.1 over a given TSDB folder and configuration, stopped on dispose.</summary>
public sealed class PrometheusServer : IDisposable
{
    private readonly Process _p;
    public string Url { get; }

    public static string? Find(string tool) =>
        new[] { "/usr/bin/" + tool, "/usr/local/bin/" + tool }.FirstOrDefault(File.Exists);

    public PrometheusServer(string tsdb, string config)
    {
        int port = FreePort();
        Url = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        var psi = new ProcessStartInfo(Find("prometheus") ?? throw new InvalidOperationException("prometheus is not installed"),
            ["--config.file=" + config, "--storage.tsdb.path=" + tsdb, "--storage.tsdb.retention.time=100y",
             "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "--log.level=warn"])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        _p = Process.Start(psi)!;
        _p.ErrorDataReceived += (_, _) => { };
        _p.BeginErrorReadLine();
        _p.BeginOutputReadLine();
        using var client = new PrometheusClient(Url, new PrometheusClientOptions { Attempts = 1, TimeoutSeconds = 2 });
        var sw = Stopwatch.StartNew();
        while (!client.IsReady())
        {
            if (_p.HasExited || sw.Elapsed > TimeSpan.FromSeconds(60)) throw new InvalidOperationException($"prometheus did not become ready at {Url}");
            Thread.Sleep(200);
        }
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        if (!_p.HasExited) { _p.Kill(entireProcessTree: true); _p.WaitForExit(10_000); }
        _p.Dispose();
    }
}

/// <summary>
/// Prometheus as a data source, against the real server: a synthetic case exported as OpenMetrics, backfilled with
/// <c>promtool tsdb create-blocks-from openmetrics</c> and imported back through the HTTP API gives the same metrics
/// file bit for bit and the same ranking from every localizer; and watch mode finds a fault injected into a live
/// exporter that Prometheus scrapes.
/// </summary>
[Collection("prometheus")]
public sealed class PrometheusTests(ITestOutputHelper output)
{
    [PrometheusFact]
    public void A_case_backfilled_into_prometheus_and_imported_back_ranks_exactly_as_the_csv_case()
    {
        var dir = CliRunner.TempDir("prom-roundtrip");
        // Same case folder name under both dataset folders: the case id (and so every seeded method's seed) is the same.
        string csvSet = Path.Combine(dir, "csv"), promSet = Path.Combine(dir, "imported");
        string csv = Path.Combine(csvSet, "case"), om = Path.Combine(dir, "om"), imported = Path.Combine(promSet, "case"), tsdb = Path.Combine(dir, "tsdb");
        const string opts = "cases=4"; // default (hard) difficulty: the CSV and the imported copy get the same metrics either way
        Assert.Equal(0, CliRunner.Run("datasets", "export", "generic", "--dataset", "synthetic", "-D", opts, "--case", "case-00002", "--out", csv).ExitCode);
        Assert.Equal(0, CliRunner.Run("datasets", "export", "openmetrics", "--dataset", "synthetic", "-D", opts, "--case", "case-00002", "--out", om).ExitCode);
        var promtool = Run(PrometheusServer.Find("promtool")!, ["tsdb", "create-blocks-from", "openmetrics", Path.Combine(om, "metrics.om"), tsdb]);
        Assert.True(promtool.Code == 0, promtool.Text);

        var config = Path.Combine(dir, "prometheus.yml");
        File.WriteAllText(config, "global:\n  scrape_interval: 15s\n");
        var frame = Csv.ReadFrame(Path.Combine(csv, "metrics.csv"));
        using (var prom = new PrometheusServer(tsdb, config))
        {
            var r = CliRunner.Run("datasets", "import", "prometheus", "--url", prom.Url,
                "--start", frame.StartTime.ToString(CultureInfo.InvariantCulture), "--end", frame.EndTime.ToString(CultureInfo.InvariantCulture),
                "--step", "1s", "--query", "{__name__=~\"aiopslab_.+\"}", "--case-json", Path.Combine(om, "case.json"), "--out", imported);
            Assert.True(r.ExitCode == 0, r.Err);

            // Chunking (Prometheus refuses more than 11,000 points per series): 37-point chunks give the same frame.
            using var whole = new PrometheusClient(prom.Url);
            using var chunked = new PrometheusClient(prom.Url, new PrometheusClientOptions { MaxPointsPerQuery = 37 });
            const string q = "{__name__=~\"aiopslab_.+\"}";
            var f1 = PrometheusImport.Query(whole, [q], frame.StartTime, frame.EndTime, 1, PrometheusMapping.Default).Frame;
            var f2 = PrometheusImport.Query(chunked, [q], frame.StartTime, frame.EndTime, 1, PrometheusMapping.Default).Frame;
            Assert.Equal(frame.RowCount, f2.RowCount);
            Assert.Equal(f1.Names, f2.Names);
            for (int j = 0; j < f1.ColumnCount; j++) Assert.Equal(f1.Column(j).ToArray(), f2.Column(j).ToArray());

            // A refused query names the server, the query and Prometheus' own error.
            var bad = CliRunner.Run("datasets", "import", "prometheus", "--url", prom.Url, "--start", "0", "--end", "10", "--step", "1s",
                "--query", "rate(", "--inject-time", "5", "--out", Path.Combine(dir, "bad"));
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("refused 'rate('", bad.Err);
        }
        Assert.Equal(File.ReadAllText(Path.Combine(csv, "metrics.csv")), File.ReadAllText(Path.Combine(imported, "metrics.csv")));

        var localizers = string.Join(",", MethodCatalog.DistinctLocalizers().Select(m => m.Name).Order(StringComparer.Ordinal));
        var a = CliRunner.Run("run", "--dataset", csvSet, "--methods", localizers, "--out", Path.Combine(dir, "run-csv"), "--jobs", "1");
        var b = CliRunner.Run("run", "--dataset", promSet, "--methods", localizers, "--out", Path.Combine(dir, "run-prom"), "--jobs", "1");
        Assert.True(a.ExitCode == 0, a.Err);
        Assert.True(b.ExitCode == 0, b.Err);
        var ra = Rankings(Path.Combine(dir, "run-csv", "rankings.jsonl"));
        var rb = Rankings(Path.Combine(dir, "run-prom", "rankings.jsonl"));
        Assert.True(ra.Count >= 10, "expected every registered localizer to rank the case; got " + ra.Count);
        Assert.Equal(ra.Keys.Order(StringComparer.Ordinal), rb.Keys.Order(StringComparer.Ordinal));
        foreach (var (method, ranking) in ra) Assert.True(ranking == rb[method], $"{method} ranks the imported case differently");
    }

    /// <summary>method → its status and full ranking (metric names and scores, in order) from a rankings.jsonl file.</summary>
    private static Dictionary<string, string> Rankings(string path)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            var r = doc.RootElement;
            var method = r.GetProperty("method").GetString()!;
            var status = r.TryGetProperty("status", out var s) ? s.GetString() : "ok";
            // [[metric, score], …]: names, order and scores must all agree.
            var ranking = r.TryGetProperty("ranking", out var rk) ? rk.GetRawText() : "";
            d[method] = status + ":" + ranking;
        }
        return d;
    }

    [PrometheusFact]
    public void Watch_mode_finds_a_fault_injected_into_a_live_exporter()
    {
        // A delay fault at a known service, served live: one row of the case per second from t0.
        var ds = new SyntheticBenchmark(new SyntheticOptions { Cases = 1, Services = 6, Systems = 1, Normal = 50, Anomalous = 40, Faults = ["delay"], MinMagnitude = 10, MaxMagnitude = 12, Difficulty = "easy" });
        var c = ds.Load(ds.Cases[0]);
        var exporter = new LiveExporter(c);
        var dir = CliRunner.TempDir("prom-watch");
        var config = Path.Combine(dir, "prometheus.yml");
        File.WriteAllText(config,
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: exporter\n    static_configs:\n      - targets: ['" + exporter.HostPort + "']\n");
        using var prom = new PrometheusServer(Path.Combine(dir, "tsdb"), config);
        using var client = new PrometheusClient(prom.Url, new PrometheusClientOptions { Attempts = 1, TimeoutSeconds = 30 });
        exporter.Start();
        try
        {
            var log = new List<string>();
            var o = new WatchOptions
            {
                Queries = ["{__name__=~\"aiopslab_.+\"}"], Detector = "n-sigma(n=8,min-history=20)", Localizer = "baro",
                Every = 1, History = 120, Settle = 10, MaxAlarms = 1, MaxPolls = 200, Out = dir,
            };
            var incidents = new LiveWatch(client, o, line => { lock (log) log.Add(line); output.WriteLine(line); }).Run(CancellationToken.None);
            Assert.True(incidents.Count == 1, $"no alarm was raised ({exporter.Served} scrapes served):\n" + string.Join("\n", log));
            var i = incidents[0];
            long injectedAt = exporter.T0 + (c.Label.InjectTime - c.Metrics.StartTime);
            output.WriteLine($"injected at {injectedAt}, alarm at {i.AlarmTime} (delay {i.AlarmTime - injectedAt} s), root cause {c.Label.RootCause}, ranked {string.Join(",", i.Services)}");
            Assert.True(i.AlarmTime >= injectedAt - 1, $"alarm at {i.AlarmTime} before the injection at {injectedAt}");
            Assert.True(i.AlarmTime <= injectedAt + 20, $"alarm at {i.AlarmTime}, {i.AlarmTime - injectedAt} s after the injection");
            Assert.Equal(c.Label.RootCause, i.Services[0]);
            Assert.Contains(c.Label.RootCause, File.ReadAllText(Path.Combine(dir, "incidents.jsonl")));
        }
        finally { exporter.Dispose(); }
    }

    private static (int Code, string Text) Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit(120_000);
        return (p.ExitCode, o.Result + e.Result);
    }

    /// <summary>Serves the case's row for the current second at /metrics in Prometheus' text format (127.0.0.1 only).</summary>
    private sealed class LiveExporter(FaultCase c) : IDisposable
    {
        private readonly HttpListener _l = new();
        private readonly int _port = PrometheusServer.FreePort();
        public string HostPort => "127.0.0.1:" + _port.ToString(CultureInfo.InvariantCulture);
        public long T0 { get; private set; }
        public int Served => _served;
        private int _served;

        public void Start()
        {
            _l.Prefixes.Add("http://" + HostPort + "/");
            _l.Start();
            T0 = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
            _ = Task.Run(Serve);
        }

        private async Task Serve()
        {
            while (_l.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _l.GetContextAsync(); } catch { return; }
                long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                int row = (int)Math.Clamp(now - T0, 0, c.Metrics.RowCount - 1);
                var sb = new StringBuilder();
                foreach (var g in c.Metrics.Names.Select((n, j) => (Ref: c.Naming.Parse(n), J: j)).GroupBy(x => x.Ref.Kind))
                {
                    sb.Append("# TYPE aiopslab_").Append(g.Key).Append(" gauge\n");
                    foreach (var (r, j) in g)
                        sb.Append("aiopslab_").Append(g.Key).Append("{service=\"").Append(r.Entity).Append("\"} ")
                          .Append(c.Metrics.Column(j)[row].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                }
                var bytes = Encoding.UTF8.GetBytes(sb.ToString());
                // One failed response (a scrape abandoned by Prometheus under load) must not end the exporter.
                try
                {
                    ctx.Response.ContentType = "text/plain; version=0.0.4";
                    await ctx.Response.OutputStream.WriteAsync(bytes);
                    ctx.Response.Close();
                    Interlocked.Increment(ref _served);
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException) { ctx.Response.Abort(); }
            }
        }

        public void Dispose() { if (_l.IsListening) _l.Stop(); _l.Close(); }
    }
}
