using AiopsLab.Data;
using AiopsLab.Datasets;
using AiopsLab.Tests.Infrastructure;
using Parquet;
using Parquet.Schema;
using Xunit;

namespace AiopsLab.Tests.Datasets;

/// <summary>A generic case whose metrics are a Parquet file, written here with Parquet.Net, reads as its CSV twin does,
/// and a bad Parquet file fails with the same kind of error (file, column, problem) as a bad CSV.</summary>
public class ParquetLayoutTests
{
    private const string CaseJson = """{ "root_cause": "cart", "fault_type": "cpu", "inject_time": 1010, "root_cause_metric": "cart_cpu" }""";

    /// <summary>One column of a Parquet file: its field and a writer for its values into a row group.</summary>
    private sealed record Col(DataField Field, Func<ParquetRowGroupWriter, DataField, int, int, Task> Write);

    private static Col Longs(string name, long[] v) =>
        new(new DataField<long>(name), (rg, f, a, n) => rg.WriteAsync(f, new ReadOnlyMemory<long>(v, a, n)));
    private static Col Doubles(string name, double?[] v) =>
        new(new DataField<double?>(name), (rg, f, a, n) => rg.WriteAsync(f, new ReadOnlyMemory<double?>(v, a, n)));
    private static Col Ints(string name, int[] v) =>
        new(new DataField<int>(name), (rg, f, a, n) => rg.WriteAsync(f, new ReadOnlyMemory<int>(v, a, n)));
    private static Col Texts(string name, string[] v) =>
        new(new DataField<string>(name), (rg, f, a, n) => rg.WriteAsync(f, v.Skip(a).Take(n).ToArray()));

    /// <summary>Writes the columns as a Parquet file in row groups of <paramref name="groupRows"/> rows.</summary>
    private static void WriteParquet(string path, int rows, int groupRows, params Col[] cols)
    {
        Task.Run(async () =>
        {
            var schema = new ParquetSchema(cols.Select(c => (Field)c.Field).ToArray());
            await using var fs = File.Create(path);
            await using var w = await ParquetWriter.CreateAsync(schema, fs);
            for (int a = 0; a < rows; a += groupRows)
            {
                using var rg = w.CreateRowGroup();
                int n = Math.Min(groupRows, rows - a);
                // The writer matches fields by reference: write with the schema's own field objects.
                for (int j = 0; j < cols.Length; j++) await cols[j].Write(rg, schema.DataFields[j], a, n);
            }
        }).GetAwaiter().GetResult();
    }

    private static string NewCase(string tag)
    {
        var dir = CliRunner.TempDir(tag);
        File.WriteAllText(Path.Combine(dir, "case.json"), CaseJson);
        return dir;
    }

    [Fact]
    public void A_parquet_case_reads_as_the_same_case_in_csv()
    {
        const int n = 20;
        var time = Enumerable.Range(0, n).Select(t => 1000L + t).ToArray();
        var latency = time.Select(t => (double?)(t % 7 == 3 ? null : 10 + 0.25 * (t - 1000))).ToArray(); // nulls = missing
        var cpu = time.Select(t => t >= 1010 ? 9 : 1).ToArray();
        var csvDir = NewCase("pq-csv");
        File.WriteAllLines(Path.Combine(csvDir, "metrics.csv"), ["time,frontend_latency,cart_cpu"]);
        File.AppendAllLines(Path.Combine(csvDir, "metrics.csv"), time.Select((t, i) => $"{t},{(latency[i] is { } l ? Csv.Format(l) : "")},{cpu[i]}"));
        var pqDir = NewCase("pq-parquet");
        WriteParquet(Path.Combine(pqDir, "metrics.parquet"), n, groupRows: 7, // three row groups
            Doubles("frontend_latency", latency), Longs("time", time), Ints("cart_cpu", cpu)); // time need not come first

        var fromCsv = DatasetCatalog.Open(csvDir, TestData.DataRoot);
        var fromParquet = DatasetCatalog.Open(pqDir, TestData.DataRoot);
        var a = fromCsv.Load(fromCsv.Cases[0]);
        var b = fromParquet.Load(fromParquet.Cases[0]);
        Assert.Equal(a.Label, b.Label);
        Assert.Equal(a.Metrics.Time.ToArray(), b.Metrics.Time.ToArray());
        Assert.Equal(a.Metrics.Names, b.Metrics.Names);
        Assert.Equal(["frontend_latency", "cart_cpu"], b.Metrics.Names);
        for (int j = 0; j < a.Metrics.ColumnCount; j++) Assert.Equal(a.Metrics.Column(j).ToArray(), b.Metrics.Column(j).ToArray());
        Assert.Equal(3, b.Metrics.Column(0).ToArray().Count(double.IsNaN)); // rows 1004, 1011, 1018
        Assert.Equal(11.25, b.Metrics.Column(0)[5]);
    }

    [Fact]
    public void A_text_metric_column_names_the_file_the_column_and_its_type()
    {
        var dir = NewCase("pq-text");
        WriteParquet(Path.Combine(dir, "metrics.parquet"), 3, 3, Longs("time", [1000, 1010, 1020]), Texts("cart_cpu", ["1", "2", "x"]));
        var e = Assert.Throws<DataFormatException>(() => MetricFiles.ReadFrame(Path.Combine(dir, "metrics.parquet")));
        Assert.EndsWith("metrics.parquet", e.File);
        Assert.Equal((null, 2), (e.Line, e.Column));
        Assert.True(e.Message.Contains("metrics.parquet: column 2: column 'cart_cpu' holds text values, not numbers.", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void A_parquet_file_without_the_time_column_says_so()
    {
        var dir = NewCase("pq-notime");
        WriteParquet(Path.Combine(dir, "metrics.parquet"), 2, 2, Longs("timestamp", [1, 2]), Ints("cart_cpu", [1, 2]));
        var e = Assert.Throws<DataFormatException>(() => MetricFiles.ReadFrame(Path.Combine(dir, "metrics.parquet")));
        Assert.Equal("missing column 'time'.", e.Problem);
        // The CSV reader says the same of the same table.
        File.WriteAllText(Path.Combine(dir, "m.csv"), "timestamp,cart_cpu\n1,1\n2,2\n");
        Assert.Equal(e.Problem, Assert.Throws<DataFormatException>(() => MetricFiles.ReadFrame(Path.Combine(dir, "m.csv"))).Problem);
    }

    [Fact]
    public void Repeated_or_decreasing_times_name_the_row_across_row_groups()
    {
        var dir = NewCase("pq-order");
        WriteParquet(Path.Combine(dir, "metrics.parquet"), 4, 2, Longs("time", [1000, 1001, 1001, 1002]), Ints("cart_cpu", [1, 2, 3, 4]));
        var e = Assert.Throws<DataFormatException>(() => MetricFiles.ReadFrame(Path.Combine(dir, "metrics.parquet")));
        Assert.Equal(1, e.Column);
        Assert.Equal("row 3: time 1001 is not after the previous row's 1001.", e.Problem);
    }

    [Fact]
    public void A_text_time_column_is_read_as_the_csv_reader_reads_its_cells_and_a_bad_one_names_its_row()
    {
        var dir = NewCase("pq-texttime");
        var path = Path.Combine(dir, "metrics.parquet");
        WriteParquet(path, 3, 3, Texts("time", ["1000", "1000.6", "1002"]), Ints("cart_cpu", [1, 2, 3]));
        Assert.Equal([1000L, 1001, 1002], MetricFiles.ReadFrame(path).Time.ToArray()); // 1000.6 rounds to 1001, as in CSV
        WriteParquet(path, 3, 3, Texts("time", ["1000", "soon", "1002"]), Ints("cart_cpu", [1, 2, 3]));
        var e = Assert.Throws<DataFormatException>(() => MetricFiles.ReadFrame(path));
        Assert.Equal("row 2: cannot read the time (null or not a time).", e.Problem);
    }

    [Fact]
    public void A_truncated_parquet_file_is_a_clear_error_not_a_crash()
    {
        var dir = NewCase("pq-trunc");
        var path = Path.Combine(dir, "metrics.parquet");
        WriteParquet(path, 4, 4, Longs("time", [1000, 1001, 1002, 1003]), Ints("cart_cpu", [1, 2, 3, 4]));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => MetricFiles.ReadFrame(path));
        Assert.Equal(path, e.File);
        Assert.StartsWith("cannot read it as Parquet (truncated, or not a Parquet file?)", e.Problem);
    }

    [Fact]
    public void Both_a_csv_and_a_parquet_table_in_one_case_is_refused_as_ambiguous()
    {
        var dir = NewCase("pq-both");
        File.WriteAllText(Path.Combine(dir, "metrics.csv"), "time,cart_cpu\n1000,1\n1010,2\n");
        WriteParquet(Path.Combine(dir, "metrics.parquet"), 2, 2, Longs("time", [1000, 1010]), Ints("cart_cpu", [1, 2]));
        var ds = DatasetCatalog.Open(dir, TestData.DataRoot);
        var e = Assert.Throws<DataFormatException>(() => ds.Load(ds.Cases[0]));
        Assert.EndsWith("case.json", e.File);
        Assert.Contains("both metrics.csv and metrics.parquet", e.Problem);
    }

    [Fact]
    public void A_run_over_a_bad_parquet_case_records_it_as_failed_with_the_error_and_exit_3_as_for_csv()
    {
        var data = CliRunner.TempDir("pq-run");
        var good = Path.Combine(data, "case0");
        var bad = Path.Combine(data, "case1");
        var time = Enumerable.Range(0, 20).Select(t => 1000L + t).ToArray();
        foreach (var c in new[] { good, bad })
        {
            Directory.CreateDirectory(c);
            File.WriteAllText(Path.Combine(c, "case.json"), CaseJson);
        }
        WriteParquet(Path.Combine(good, "metrics.parquet"), 20, 20, Longs("time", time),
            Ints("cart_cpu", time.Select(t => t >= 1010 ? 9 : 1).ToArray()), Ints("frontend_latency", time.Select(t => t >= 1010 ? 15 : 10).ToArray()));
        WriteParquet(Path.Combine(bad, "metrics.parquet"), 20, 20, Longs("time", time), Texts("cart_cpu", time.Select(t => "abc").ToArray()));
        var outDir = CliRunner.TempDir("pq-run-out");
        var r = CliRunner.Run("run", "--dataset", data, "--methods", "random", "--out", outDir);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains(Path.Combine(bad, "metrics.parquet") + ": column 2: column 'cart_cpu' holds text values, not numbers.", r.Err);
        var rows = File.ReadAllLines(Path.Combine(outDir, "cases.csv"));
        Assert.Equal(3, rows.Length);
        Assert.Contains(",random,ok,", rows[1]);
        Assert.Contains(",random,failed,", rows[2]);
    }
}
