using System.Globalization;
using System.IO.Compression;
using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Telemetry;

public class NezhaTelemetryTests
{
    private static IDataset Open() => DatasetCatalog.Open("nezha", TestData.DataRoot, DatasetOptions.Parse([]));

    /// <summary>Rows of the raw files, split here by hand (not by the reader), de-duplicated and clipped to the window.</summary>
    private static (HashSet<(string, string)> Spans, HashSet<(long, string, string)> LogKeys) Raw(string day, long from, long to)
    {
        var root = Path.Combine(TestData.For("nezha"), "rca_data", day);
        var spans = new HashSet<(string, string)>();
        foreach (var f in Directory.GetFiles(Path.Combine(root, "trace")))
            foreach (var line in Lines(f).Skip(1))
            {
                var p = line.Split(',');
                long start = long.Parse(p[5], CultureInfo.InvariantCulture) / 1000;
                if (start >= from * 1_000_000 && start < to * 1_000_000) spans.Add((p[0], p[1]));
            }
        var logs = new HashSet<(long, string, string)>();
        foreach (var f in Directory.GetFiles(Path.Combine(root, "log")))
            foreach (var line in Lines(f).Skip(1))
            {
                var p = line.Split(',', 8);
                long t = long.Parse(p[1], CultureInfo.InvariantCulture) / 1000;
                if (t >= from * 1_000_000 && t < to * 1_000_000) logs.Add((t, p[3], p[7]));
            }
        return (spans, logs);
    }

    private static IEnumerable<string> Lines(string gz)
    {
        using var r = new StreamReader(new GZipStream(File.OpenRead(gz), CompressionMode.Decompress));
        while (r.ReadLine() is { } l) yield return l;
    }

    [DataFact("nezha")]
    public void A_train_ticket_case_has_every_span_and_log_line_of_its_window_once()
    {
        var ds = Open();
        var d = ds.Cases.First(c => c.System == "train-ticket" && c.Id.StartsWith("2023-01-29", StringComparison.Ordinal) && c.Id.EndsWith("/05", StringComparison.Ordinal));
        var fc = ds.Load(d);
        Assert.NotNull(fc.Telemetry);
        var spans = fc.Telemetry!.Spans!;
        var logs = fc.Telemetry.Logs!;
        long from = fc.Metrics.StartTime, inject = fc.Label.InjectTime;
        var raw = Raw("2023-01-29", inject - 600, inject + 300);
        Assert.True(raw.Spans.Count > 1000);
        Assert.Equal(raw.Spans.Count, spans.Count);
        Assert.Equal(raw.Spans.Count, Enumerable.Range(0, spans.Count).Select(i => (spans.TraceId[i], spans.SpanId[i])).Distinct().Count());
        Assert.Equal(raw.LogKeys.Count, logs.Count);
        Assert.All(logs.Message.Take(500), m => Assert.False(m.StartsWith('{') || m.EndsWith('\n')));
        Assert.Contains(logs.Message, m => m.Contains("TraceID:", StringComparison.Ordinal));
        Assert.All(spans.Service.Distinct(), s => Assert.StartsWith("ts-", s));
        Assert.DoesNotContain(spans.Service, s => s.Count(c => c == '-') > 4 && char.IsAsciiDigit(s[^1]));
        Assert.True(spans.StartMicros.Zip(spans.StartMicros.Skip(1)).All(p => p.First <= p.Second));
        Assert.True(spans.StartMicros[0] >= (inject - 600) * 1_000_000 && spans.StartMicros[^1] < (inject + 300) * 1_000_000);
        Assert.True(from <= inject);
        // The fault-free period from construct_data (08:48:16-08:51:04 on 2023-01-29, SOURCE.md).
        var normal = fc.Telemetry.NormalSpans!;
        Assert.True(normal.Count > 1000);
        var start = DateTimeOffset.FromUnixTimeMilliseconds(normal.StartMicros[0] / 1000).UtcDateTime;
        Assert.Equal(new DateTime(2023, 1, 29, 8, 48, 0, DateTimeKind.Utc), new DateTime(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, DateTimeKind.Utc));
        Assert.True(fc.Telemetry.NormalLogs!.Count > 1000);
    }

    [DataFact("nezha")]
    public void Online_boutique_cases_have_no_telemetry()
    {
        var ds = Open();
        var fc = ds.Load(ds.Cases.First(c => c.System == "online-boutique"));
        Assert.Null(fc.Telemetry);
    }

    private static string Write(string name, string text, bool gz)
    {
        var dir = Directory.CreateTempSubdirectory("nz").FullName;
        var p = Path.Combine(dir, name + (gz ? ".gz" : ""));
        if (!gz) { File.WriteAllText(p, text); return p; }
        using var fs = File.Create(p);
        using var z = new GZipStream(fs, CompressionLevel.Fastest);
        z.Write(System.Text.Encoding.UTF8.GetBytes(text));
        return p;
    }

    private const string LogHeader = "Timestamp,TimeUnixNano,Node,PodName,Container,TraceID,SpanID,Log\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Csv_and_gz_read_alike_and_the_json_envelope_is_removed(bool gz)
    {
        var p = Write("08_52_log.csv", LogHeader
            + "x,1674982284968139185,n,ts-user-service-687d654649-lrcwv,server,abc,def,\"{\"\"log\"\":\"\"16:51:24 INFO hello\\n\"\",\"\"stream\"\":\"\"stdout\"\"}\"\n"
            + "x,1674982284968139186,n,ts-user-service-687d654649-lrcwv,server,,,plain text line\n", gz);
        var rows = NezhaTelemetry.ReadLogs(p);
        Assert.Equal(2, rows.Length);
        Assert.Equal("16:51:24 INFO hello", rows[0].Message);
        Assert.Equal("ts-user-service", rows[0].Service);
        Assert.Equal(1674982284968139, rows[0].TimeMicros);
        Assert.Equal("abc", rows[0].TraceId);
        Assert.Equal("plain text line", rows[1].Message);
        Assert.Null(rows[1].TraceId);
    }

    [Fact]
    public void A_log_cell_that_looks_like_json_but_is_not_names_file_and_line()
    {
        var p = Write("08_52_log.csv", LogHeader + "x,1,n,ts-a-b-c,server,,,\"{\"\"log\"\": oops\"\n", false);
        var e = Assert.Throws<DataFormatException>(() => NezhaTelemetry.ReadLogs(p));
        Assert.Equal(p, e.File);
        Assert.Equal(2, e.Line);
        Assert.Equal(8, e.Column);
    }

    [Fact]
    public void A_truncated_gz_names_file_and_line()
    {
        var body = string.Concat(Enumerable.Range(0, 20000).Select(i =>
            $"t{i % 97},s{i},root,ts-x-service-1-2,op,{1674982284000000000L + i * 1000L},{1674982284000000000L + i * 1000L + 500},{i % 1000}\n"));
        var p = Write("08_52_trace.csv", "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration\n" + body, true);
        Assert.Equal(20000, NezhaTelemetry.ReadSpans(p).Length);
        var bytes = File.ReadAllBytes(p);
        File.WriteAllBytes(p, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => NezhaTelemetry.ReadSpans(p));
        Assert.Equal(p, e.File);
        Assert.NotNull(e.Line);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_span_row_names_file_line_and_column()
    {
        var p = Write("08_52_trace.csv", "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration\nt,s,root,ts-a-b-c,op,soon,2,3\n", false);
        var e = Assert.Throws<DataFormatException>(() => NezhaTelemetry.ReadSpans(p));
        Assert.Equal((2, 6), (e.Line, e.Column));
    }
}
