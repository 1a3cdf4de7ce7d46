using System.Text.RegularExpressions;
using AiopsLab.Data;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AiopsLab.Datasets.Prometheus;

/// <summary>How several series that map to one column are combined.</summary>
public enum SeriesAggregate { Mean, Sum, Max, Min, Error }

/// <summary>
/// How Prometheus series become metric columns <c>&lt;entity&gt;&lt;separator&gt;&lt;kind&gt;</c> of the generic layout
/// (docs/engines.md). The entity is the value of the first of <see cref="EntityLabels"/> a series carries (a pod name
/// loses its ReplicaSet and pod hash, <c>carts-5d8f9c7b6-x2k4p</c> → <c>carts</c>); the kind is the series'
/// <see cref="KindLabel"/> where it has one, else its metric name renamed by <see cref="Kinds"/> or stripped of the first
/// matching prefix in <see cref="StripPrefixes"/>. Series without any entity label are skipped and reported. The defaults
/// cover cAdvisor, kube-state-metrics and OpenTelemetry's span metrics; a YAML file with the same keys (snake_case)
/// overrides any of them.
/// </summary>
public sealed record PrometheusMapping
{
    public IReadOnlyList<string> EntityLabels { get; init; } = ["service", "service_name", "app", "container", "pod", "job"];
    public bool StripPodHash { get; init; } = true;
    public string KindLabel { get; init; } = "kind";
    public IReadOnlyList<string> StripPrefixes { get; init; } = ["aiopslab_"];
    public string Separator { get; init; } = "_";
    public SeriesAggregate Aggregate { get; init; } = SeriesAggregate.Mean;

    public IReadOnlyDictionary<string, string> Kinds { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // cAdvisor (kubelet /metrics/cadvisor)
        ["container_cpu_usage_seconds_total"] = "cpu",
        ["container_memory_working_set_bytes"] = "mem",
        ["container_memory_usage_bytes"] = "mem_usage",
        ["container_network_receive_bytes_total"] = "net_rx",
        ["container_network_transmit_bytes_total"] = "net_tx",
        ["container_fs_reads_bytes_total"] = "disk_read",
        ["container_fs_writes_bytes_total"] = "disk_write",
        // kube-state-metrics
        ["kube_pod_container_status_restarts_total"] = "restarts",
        ["kube_deployment_status_replicas_available"] = "replicas",
        // OpenTelemetry span metrics (spanmetrics connector) and HTTP semantic conventions
        ["traces_span_metrics_calls_total"] = "calls",
        ["traces_span_metrics_duration_milliseconds_sum"] = "latency_sum",
        ["http_server_request_duration_seconds_sum"] = "latency_sum",
        ["http_server_request_duration_seconds_count"] = "requests",
    };

    public static PrometheusMapping Default { get; } = new();

    private static readonly Regex PodHash = new(@"-[a-z0-9]{6,10}-[a-z0-9]{5}$|-[a-z0-9]{5}$", RegexOptions.CultureInvariant);

    /// <summary>The column of a series, or null when it has no entity label.</summary>
    public string? ColumnOf(IReadOnlyDictionary<string, string> labels)
    {
        string? entity = null;
        foreach (var l in EntityLabels)
            if (labels.TryGetValue(l, out var v) && v.Length > 0)
            {
                entity = l == "pod" && StripPodHash ? PodHash.Replace(v, "") : v;
                break;
            }
        if (entity is null) return null;
        return entity + Separator + KindOf(labels);
    }

    private string KindOf(IReadOnlyDictionary<string, string> labels)
    {
        if (KindLabel.Length > 0 && labels.TryGetValue(KindLabel, out var k) && k.Length > 0) return k;
        var name = labels.TryGetValue("__name__", out var n) ? n : "value";
        if (Kinds.TryGetValue(name, out var renamed)) return renamed;
        foreach (var p in StripPrefixes)
            if (p.Length > 0 && name.StartsWith(p, StringComparison.Ordinal) && name.Length > p.Length) return name[p.Length..];
        return name;
    }

    /// <summary>Reads a mapping file; keys it lacks keep their defaults.</summary>
    public static PrometheusMapping Load(string path)
    {
        if (!File.Exists(path)) throw new AiopsLabException($"mapping file '{path}' does not exist.");
        try
        {
            var d = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
            var f = d.Deserialize<MappingFile?>(File.ReadAllText(path)) ?? new MappingFile();
            var m = Default;
            if (f.EntityLabels is { Count: > 0 }) m = m with { EntityLabels = f.EntityLabels };
            if (f.StripPodHash is { } sp) m = m with { StripPodHash = sp };
            if (f.KindLabel is not null) m = m with { KindLabel = f.KindLabel };
            if (f.StripPrefixes is not null) m = m with { StripPrefixes = f.StripPrefixes };
            if (f.Separator is { Length: > 0 }) m = m with { Separator = f.Separator };
            if (f.Aggregate is { } a)
                m = m with
                {
                    Aggregate = Enum.TryParse<SeriesAggregate>(a, ignoreCase: true, out var agg) ? agg
                        : throw new DataFormatException(path, null, null, $"aggregate '{a}' is not one of mean, sum, max, min, error."),
                };
            if (f.Kinds is not null)
            {
                var kinds = new Dictionary<string, string>(m.Kinds, StringComparer.Ordinal);
                foreach (var (k, v) in f.Kinds) kinds[k] = v;
                m = m with { Kinds = kinds };
            }
            return m;
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new DataFormatException(path, (int)e.Start.Line, (int)e.Start.Column, e.InnerException?.Message ?? e.Message);
        }
    }

    private sealed class MappingFile
    {
        public List<string>? EntityLabels { get; set; }
        public bool? StripPodHash { get; set; }
        public string? KindLabel { get; set; }
        public List<string>? StripPrefixes { get; set; }
        public string? Separator { get; set; }
        public string? Aggregate { get; set; }
        public Dictionary<string, string>? Kinds { get; set; }
    }
}
