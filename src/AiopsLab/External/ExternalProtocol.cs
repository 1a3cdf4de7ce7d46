using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using AiopsLab.Data;
using AiopsLab.Methods;

namespace AiopsLab.External;

/// <summary>
/// The messages of the external-method protocol (version <see cref="Version"/>; specified in docs/external-methods.md):
/// one JSON object per line. The worker's first line is a hello; each request is answered by one reply with the same id.
/// A request is built from an <see cref="RcaProblem"/> only, which has no field for the label, so the label cannot be sent.
/// </summary>
public static class ExternalProtocol
{
    /// <summary>The protocol version this AiopsLab speaks.</summary>
    public const int Version = 1;

    /// <summary>The metrics of a request travel inline (in the JSON line) or in a CSV file the runner writes.</summary>
    public enum Transport { Inline, Csv }

    /// <summary>Typical spacing of the time column in seconds: the median difference of consecutive times (0 for &lt; 2 rows).</summary>
    public static long SamplingInterval(ReadOnlySpan<long> time)
    {
        if (time.Length < 2) return 0;
        var d = new long[time.Length - 1];
        for (int i = 1; i < time.Length; i++) d[i - 1] = time[i] - time[i - 1];
        Array.Sort(d);
        return d[d.Length / 2];
    }

    /// <summary>Writes one request line (ending in '\n') to <paramref name="output"/>.</summary>
    public static void WriteRequest(IBufferWriter<byte> output, long id, RcaProblem p, IReadOnlyDictionary<string, object> options,
        Transport transport, string encoding, string? csvPath)
    {
        var f = p.Metrics;
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true }))
        {
            w.WriteStartObject();
            w.WriteString("type", "localize");
            w.WriteNumber("id", id);
            w.WriteNumber("protocol", Version);
            w.WriteNumber("anomaly_time", p.AnomalyTime);
            w.WriteNumber("sampling_interval", SamplingInterval(f.Time));
            w.WriteNumber("seed", p.Seed);
            w.WritePropertyName("options");
            w.WriteStartObject();
            foreach (var (k, v) in options) { w.WritePropertyName(k); WriteValue(w, v); }
            w.WriteEndObject();
            w.WritePropertyName("metrics");
            w.WriteStartObject();
            w.WriteNumber("rows", f.RowCount);
            w.WriteStartArray("names");
            foreach (var n in f.Names) w.WriteStringValue(n);
            w.WriteEndArray();
            if (transport == Transport.Csv)
            {
                w.WriteString("format", "csv");
                w.WriteString("path", csvPath);
            }
            else
            {
                w.WriteString("format", "inline");
                w.WriteString("encoding", encoding);
                w.WriteStartArray("time");
                foreach (var t in f.Time) w.WriteNumberValue(t);
                w.WriteEndArray();
                w.WriteStartArray("columns");
                for (int j = 0; j < f.ColumnCount; j++)
                {
                    var col = f.Column(j);
                    if (encoding == "json")
                    {
                        w.WriteStartArray();
                        foreach (var v in col) { if (double.IsFinite(v)) w.WriteNumberValue(v); else w.WriteNullValue(); }
                        w.WriteEndArray();
                    }
                    else w.WriteBase64StringValue(MemoryMarshal.AsBytes(col)); // IEEE 754 binary64, little-endian (as every .NET host stores it)
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WritePropertyName("naming");
            w.WriteStartObject();
            WriteColumn(w, "entity", f.Names.Select(n => p.Naming.Parse(n).Entity));
            WriteColumn(w, "kind", f.Names.Select(p.Naming.KindOf));
            WriteColumn(w, "service", f.Names.Select(p.Naming.ServiceOf));
            w.WriteEndObject();
            WriteColumn(w, "slis", p.Slis);
            if (p.CallGraph is { } g)
            {
                w.WritePropertyName("call_graph");
                w.WriteStartObject();
                WriteColumn(w, "nodes", g.Nodes);
                w.WriteStartArray("edges");
                foreach (var (from, to) in g.Edges) { w.WriteStartArray(); w.WriteStringValue(from); w.WriteStringValue(to); w.WriteEndArray(); }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            else w.WriteNull("call_graph");
            w.WriteEndObject();
        }
        output.Write("\n"u8);
    }

    private static void WriteColumn(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void WriteValue(Utf8JsonWriter w, object v)
    {
        switch (v)
        {
            case long l: w.WriteNumberValue(l); break;
            case double d: w.WriteNumberValue(d); break;
            case bool b: w.WriteBooleanValue(b); break;
            case string s: w.WriteStringValue(s); break;
            case int[] a: w.WriteStartArray(); foreach (var x in a) w.WriteNumberValue(x); w.WriteEndArray(); break;
            case double[] a: w.WriteStartArray(); foreach (var x in a) w.WriteNumberValue(x); w.WriteEndArray(); break;
            case string[] a: w.WriteStartArray(); foreach (var x in a) w.WriteStringValue(x); w.WriteEndArray(); break;
            default: throw new ArgumentException($"option value of type {v.GetType().Name} has no JSON form.");
        }
    }

    /// <summary>
    /// Writes the frame as CSV: a header <c>time,name…</c> (RFC 4180 quoting), then one row per time; numbers in the
    /// shortest form that reads back to the same double, NaN as an empty field, ±∞ as <c>inf</c>/<c>-inf</c>.
    /// </summary>
    public static void WriteCsv(string path, MetricFrame f)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.Write("time");
        foreach (var n in f.Names) { w.Write(','); w.Write(Quote(n)); }
        w.Write('\n');
        var time = f.Time;
        Span<char> buf = stackalloc char[32];
        for (int i = 0; i < f.RowCount; i++)
        {
            w.Write(time[i].ToString(CultureInfo.InvariantCulture));
            for (int j = 0; j < f.ColumnCount; j++)
            {
                w.Write(',');
                double v = f.Column(j)[i];
                if (double.IsNaN(v)) continue;
                if (double.IsInfinity(v)) { w.Write(v > 0 ? "inf" : "-inf"); continue; }
                v.TryFormat(buf, out int len, "R", CultureInfo.InvariantCulture);
                w.Write(buf[..len]);
            }
            w.Write('\n');
        }
    }

    private static string Quote(string s) =>
        s.AsSpan().IndexOfAny(",\"\n\r") < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// Reads a reply line into a result, checking it: valid JSON, the expected id, no error, a non-empty ranking of
    /// metrics that exist in <paramref name="frame"/>, none twice, scores numbers or null (NaN). The order is the method's;
    /// metrics it leaves out are not ranked (as a built-in method leaves out excluded kinds).
    /// </summary>
    /// <exception cref="ExternalMethodException">The reply is an error or breaks the protocol; the message says how.</exception>
    public static RcaResult ReadReply(string line, long id, MetricFrame frame)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line); }
        catch (JsonException e) { throw new ExternalMethodException($"malformed JSON in the reply ({e.Message}): {Clip(line)}"); }
        using (doc)
        {
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object) throw new ExternalMethodException($"the reply is not a JSON object: {Clip(line)}");
            if (!r.TryGetProperty("id", out var idv) || idv.ValueKind != JsonValueKind.Number || !idv.TryGetInt64(out var rid) || rid != id)
                throw new ExternalMethodException($"the reply does not carry the request's id {id}: {Clip(line)}");
            if (r.TryGetProperty("error", out var err) && err.ValueKind != JsonValueKind.Null)
                throw new ExternalMethodException("the method reported an error: " + (err.ValueKind == JsonValueKind.String ? err.GetString() : err.GetRawText())) { ReportedByMethod = true };
            if (!r.TryGetProperty("ranking", out var rk) || rk.ValueKind != JsonValueKind.Array)
                throw new ExternalMethodException($"the reply has neither 'ranking' (a list) nor 'error': {Clip(line)}");
            if (rk.GetArrayLength() == 0) throw new ExternalMethodException("the method returned an empty ranking.");
            var ranking = new List<RankedMetric>(frame.ColumnCount);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in rk.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("metric", out var mv) || mv.ValueKind != JsonValueKind.String)
                    throw new ExternalMethodException($"a ranking entry is not {{\"metric\": name, \"score\": number}}: {Clip(e.GetRawText())}");
                var name = mv.GetString()!;
                if (!frame.Contains(name)) throw new ExternalMethodException($"the ranking names metric '{Clip(name)}', which is not in the request.");
                if (!seen.Add(name)) throw new ExternalMethodException($"the ranking names metric '{Clip(name)}' twice.");
                double score = double.NaN;
                if (e.TryGetProperty("score", out var sv) && sv.ValueKind != JsonValueKind.Null)
                    score = sv.ValueKind == JsonValueKind.Number ? sv.GetDouble() : throw new ExternalMethodException($"the score of '{Clip(name)}' is not a number or null.");
                ranking.Add(new RankedMetric(name, score));
            }
            var diag = new Dictionary<string, double>(StringComparer.Ordinal);
            if (r.TryGetProperty("diagnostics", out var dg) && dg.ValueKind == JsonValueKind.Object)
                foreach (var p in dg.EnumerateObject())
                    if (p.Value.ValueKind == JsonValueKind.Number) diag[p.Name] = p.Value.GetDouble();
            return new RcaResult(ranking, diag);
        }
    }

    internal static string Clip(string s, int max = 200) => s.Length <= max ? s : s[..max] + "…";
}

/// <summary>An external method failed on a case: it crashed, timed out, or broke the protocol. The message says how
/// and carries the tail of the worker's stderr; the runner records the run as failed with it.</summary>
public sealed class ExternalMethodException(string message) : AiopsLabException(message)
{
    /// <summary>The method itself answered with an error reply (the worker is sound and is kept).</summary>
    public bool ReportedByMethod { get; init; }
}
