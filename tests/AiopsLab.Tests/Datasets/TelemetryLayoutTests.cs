using System.IO.Compression;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Datasets;

/// <summary>RCAEval RE2/RE3 and generic-layout traces and logs, on fixtures written here.</summary>
public class TelemetryLayoutTests
{
    private static void Write(string path, string text, bool gz = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!gz) { File.WriteAllText(path, text); return; }
        using var z = new GZipStream(File.Create(path + ".gz"), CompressionLevel.Fastest);
        z.Write(System.Text.Encoding.UTF8.GetBytes(text));
    }

    private static string Metrics(long t0, int n) =>
        "time,cart_cpu,frontend_latency\n" + string.Concat(Enumerable.Range(0, n).Select(i => $"{t0 + i},{(i >= n / 2 ? 9 : 1)},{1 + i % 2}\n"));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rcaeval_re2_case_reads_traces_and_logs_beside_inject_time(bool gz)
    {
        var root = Directory.CreateTempSubdirectory("re2").FullName;
        var dir = Path.Combine(root, "RE2-OB", "cart_cpu", "1");
        const long t0 = 1705400000;
        Write(Path.Combine(dir, "simple_metrics.csv"), Metrics(t0, 120), gz);
        Write(Path.Combine(dir, "inject_time.txt"), (t0 + 60).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Write(Path.Combine(dir, "traces.csv"),
            "time,traceID,spanID,serviceName,methodName,operationName,startTimeMillis,startTime,duration,statusCode,parentSpanID\n"
            + $"10:07,t1,s1,frontend,GET,/cart,{(t0 + 10) * 1000},{(t0 + 10) * 1_000_000},5000,0.0,\n"
            + $"10:07,t1,s2,cart,GET,GetCart,{(t0 + 10) * 1000},{(t0 + 10) * 1_000_000 + 100},3000,2,s1\n"
            + $"10:07,t1,s2,cart,GET,GetCart,{(t0 + 10) * 1000},{(t0 + 10) * 1_000_000 + 100},3000,2,s1\n", gz);
        Write(Path.Combine(dir, "logs.csv"), "container_name,timestamp,message\n"
            + $"cart,{t0 + 5},\"GetCartAsync called with userId=1, ok\"\n" + $"cart-db,{(t0 + 6) * 1_000_000_000L},ERROR redis timeout\n", gz);
        var ds = DatasetCatalog.Open(root, TestData.DataRoot);
        var fc = ds.Load(ds.Cases.Single());
        var spans = fc.Telemetry!.Spans!;
        Assert.Equal(2, spans.Count); // the repeated span is kept once
        Assert.Equal(["frontend", "cart"], spans.Service);
        Assert.Equal([null, "s1"], spans.ParentId);
        Assert.Equal((t0 + 10) * 1_000_000, spans.StartMicros[0]);
        Assert.Equal([5000L, 3000L], spans.DurationMicros);
        Assert.Equal([SpanStatus.Unset, SpanStatus.Error], spans.Status);
        var logs = fc.Telemetry.Logs!;
        Assert.Equal(["cart", "cart"], logs.Service); // cart-db counts as cart (RCAEval's convention)
        Assert.Equal([(t0 + 5) * 1_000_000, (t0 + 6) * 1_000_000], logs.TimeMicros);
        Assert.Equal("GetCartAsync called with userId=1, ok", logs.Message[0]);
        Directory.Delete(root, true);
    }

    [Fact]
    public void Rcaeval_case_without_traces_or_logs_has_no_telemetry_and_a_missing_column_is_named()
    {
        var root = Directory.CreateTempSubdirectory("re1").FullName;
        var dir = Path.Combine(root, "RE1-SS", "cart_cpu", "1");
        Write(Path.Combine(dir, "data.csv"), Metrics(1000, 20));
        Write(Path.Combine(dir, "inject_time.txt"), "1010");
        var ds = DatasetCatalog.Open(root, TestData.DataRoot);
        Assert.Null(ds.Load(ds.Cases.Single()).Telemetry);
        Write(Path.Combine(dir, "traces.csv"), "traceID,spanID,serviceName,startTime\nt,s,cart,1\n");
        var e = Assert.Throws<DataFormatException>(() => ds.Load(ds.Cases.Single()).Telemetry!.Spans);
        Assert.EndsWith("traces.csv", e.File);
        Assert.Contains("'duration'", e.Message);
        Directory.Delete(root, true);
    }

    [Fact]
    public void Generic_layout_reads_optional_traces_and_logs_and_sources_add_series_and_a_graph()
    {
        var root = Directory.CreateTempSubdirectory("gen").FullName;
        var dir = Path.Combine(root, "case1");
        Write(Path.Combine(dir, "metrics.csv"), "time,cart_cpu,frontend_latency\n60,1,1\n120,1,1\n180,5,3\n240,6,3\n", gz: true);
        Write(Path.Combine(dir, "case.json"), "{\"root_cause\":\"cart\",\"fault_type\":\"cpu\",\"inject_time\":150}");
        Write(Path.Combine(dir, "traces.csv"), "trace_id,span_id,parent_id,service,operation,start,duration_ms,status\n"
            + "t1,a,,frontend,GET /,70.5,12.5,ok\n" + "t1,b,a,cart,get,70.6,10,error\n" + "t2,c,,frontend,GET /,130,4,ok\n");
        Write(Path.Combine(dir, "logs.csv"), "time,service,message\n70.7,cart,ERROR boom\n131,cart,fine\n");
        var plain = DatasetCatalog.Open(root, TestData.DataRoot);
        var fc = plain.Load(plain.Cases.Single());
        Assert.Equal(["cart_cpu", "frontend_latency"], fc.Metrics.Names);
        Assert.Null(fc.CallGraph);
        Assert.Equal(12500, fc.Telemetry!.Spans!.DurationMicros[0]);
        Assert.Equal(2, fc.Telemetry.Logs!.Count);

        var multi = DatasetCatalog.Open(root, TestData.DataRoot, DatasetOptions.Parse(["sources=metrics,logs,traces"]));
        var m = multi.Load(multi.Cases.Single());
        // Bins end at the rows: row 120 holds [60, 120): the spans at 70.5/70.6 and the log at 70.7.
        Assert.Equal(1, m.Metrics.Column("cart_TraceCalls")[1]);
        Assert.Equal(1, m.Metrics.Column("cart_TraceErrors")[1]);
        Assert.Equal(1, m.Metrics.Column("cart_LogErrors")[1]);
        Assert.Equal(1, m.Metrics.Column("frontend_TraceCalls")[2]); // t2 at 130 s -> row 180
        Assert.True(double.IsNaN(m.Metrics.Column("cart_TraceCalls")[0])); // no span before 60 s: a gap
        Assert.True(m.CallGraph!.HasEdge("frontend", "cart"));
        Assert.Equal("cart", m.Label.RootCause);
        Assert.DoesNotContain(m.Metrics.Names, n => n.Contains(':') || n.Contains("LogTemplate"));

        // derived=fine adds RCAEval's granularity beside the service-level series: per (service, operation), per log template.
        var fine = DatasetCatalog.Open(root, TestData.DataRoot, DatasetOptions.Parse(["sources=metrics,logs,traces", "derived=fine"]));
        var f = fine.Load(fine.Cases.Single());
        Assert.Equal(1, f.Metrics.Column("cart_get:TraceErrors")[1]);
        Assert.Equal(1, f.Metrics.Column("frontend_GET /:TraceCalls")[2]);
        Assert.Equal(2, f.Metrics.Names.Count(n => n.StartsWith("cart_LogTemplate", StringComparison.Ordinal))); // "ERROR boom", "fine"
        Assert.Equal(m.Metrics.Column("cart_TraceCalls"), f.Metrics.Column("cart_TraceCalls"));
        Assert.Throws<UnknownNameException>(() => DatasetCatalog.Open(root, TestData.DataRoot, DatasetOptions.Parse(["sources=metrics,logs,traces", "derived=fancy"])));
        Assert.Throws<AiopsLabException>(() => DatasetCatalog.Open(root, TestData.DataRoot, DatasetOptions.Parse(["derived=fine"])));
        Directory.Delete(root, true);
    }
}
