using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Evaluation;

namespace AiopsLab.Datasets;

/// <summary>One NAB series: its corpus-relative path (<c>realKnownCause/nyc_taxi.csv</c>), timestamps and values.</summary>
public sealed record NabSeries(string Path, string Category, DateTime[] Timestamps, double[] Values)
{
    public string FileName => System.IO.Path.GetFileName(Path);
}

/// <summary>
/// The Numenta Anomaly Benchmark corpus (NAB v1.1; Lavin &amp; Ahmad, ICMLA 2015) in its upstream layout:
/// <c>data/&lt;category&gt;/&lt;file&gt;.csv</c> (<c>timestamp,value</c>), <c>labels/combined_windows.json</c> (anomaly windows
/// per file), <c>config/profiles.json</c> (cost matrices), <c>config/thresholds.json</c> (NAB's optimised thresholds per
/// detector and profile) and <c>results/final_results.json</c> (the published scoreboard). NAB is a detection benchmark:
/// it is used with <c>aiopslab nab score|run</c>, not as fault cases.
/// </summary>
public sealed class NabCorpus
{
    public const string TimestampFormat = "yyyy-MM-dd HH:mm:ss";

    private NabCorpus(string root, IReadOnlyList<string> files, IReadOnlyDictionary<string, (DateTime Start, DateTime End)[]> windows,
        IReadOnlyDictionary<string, NabCostMatrix> profiles)
    {
        Root = root; Files = files; Windows = windows; Profiles = profiles;
    }

    public string Root { get; }
    /// <summary>Corpus-relative paths of the series, ordinal order.</summary>
    public IReadOnlyList<string> Files { get; }
    /// <summary>Labelled anomaly windows per file.</summary>
    public IReadOnlyDictionary<string, (DateTime Start, DateTime End)[]> Windows { get; }
    /// <summary>Cost matrix per profile name (standard, reward_low_FP_rate, reward_low_FN_rate).</summary>
    public IReadOnlyDictionary<string, NabCostMatrix> Profiles { get; }

    /// <summary>The profile names in NAB's reporting order.</summary>
    public static readonly string[] ProfileOrder = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"];

    public int WindowCount => Windows.Values.Sum(w => w.Length);

    /// <summary>Opens a NAB folder.</summary>
    /// <exception cref="AiopsLabException">Missing folder or file, or a malformed label/profile file (named).</exception>
    public static NabCorpus Open(string root)
    {
        root = System.IO.Path.GetFullPath(root);
        var data = System.IO.Path.Combine(root, "data");
        if (!Directory.Exists(data)) throw new AiopsLabException($"'{root}' is not a NAB folder: it has no data/ folder.");
        var files = SafePaths.Files(data, "*.csv")
            .Select(f => System.IO.Path.GetRelativePath(data, f).Replace('\\', '/')).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        var windowsPath = System.IO.Path.Combine(root, "labels", "combined_windows.json");
        var windows = new Dictionary<string, (DateTime, DateTime)[]>(StringComparer.Ordinal);
        foreach (var (file, list) in JsonFile.Read(windowsPath).Properties())
            windows[file] = list.Items().Select(w =>
            {
                var pair = w.Items(2, "[start, end]");
                var (s, e) = (ParseTime(pair[0].Text(), windowsPath), ParseTime(pair[1].Text(), windowsPath));
                return e >= s ? (s, e) : throw w.Error("the window ends before it starts.");
            }).OrderBy(w => w.Item1).ToArray();
        var profilesPath = System.IO.Path.Combine(root, "config", "profiles.json");
        var profiles = new Dictionary<string, NabCostMatrix>(StringComparer.Ordinal);
        foreach (var (name, p) in JsonFile.Read(profilesPath).Properties())
        {
            var m = p.Required("CostMatrix");
            profiles[name] = new NabCostMatrix(m.Required("tpWeight").Number(), m.Required("fpWeight").Number(),
                m.Required("fnWeight").Number(), m.Optional("tnWeight")?.Number() ?? 1.0);
        }
        foreach (var f in files)
            if (!windows.ContainsKey(f)) throw new DataFormatException(windowsPath, null, null, $"no windows listed for data file '{f}'.");
        return new NabCorpus(root, files, windows, profiles);
    }

    /// <summary>Reads one series.</summary>
    public NabSeries Load(string relativePath)
    {
        var path = System.IO.Path.Combine(Root, "data", relativePath);
        var (t, v) = ReadTimestamped(path, "value");
        return new NabSeries(relativePath, relativePath.Split('/')[0], t, v);
    }

    /// <summary>Window index ranges [start, end] of a file on its timestamps: the first timestamp equal to each limit, as
    /// NAB's <c>timestamps.index(...)</c> finds them.</summary>
    public IReadOnlyList<(int Start, int End)> WindowIndices(string relativePath, DateTime[] timestamps)
    {
        var list = new List<(int, int)>();
        foreach (var (s, e) in Windows[relativePath])
        {
            int a = Array.IndexOf(timestamps, s), b = Array.IndexOf(timestamps, e);
            if (a < 0 || b < 0)
                throw new DataFormatException(System.IO.Path.Combine(Root, "labels", "combined_windows.json"), null, null,
                    $"window {s.ToString(TimestampFormat, CultureInfo.InvariantCulture)} .. {e.ToString(TimestampFormat, CultureInfo.InvariantCulture)} of '{relativePath}' does not start and end on timestamps of the series.");
            list.Add((a, b));
        }
        return list;
    }

    /// <summary>NAB's optimised thresholds (<c>config/thresholds.json</c>): detector → profile → threshold.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Thresholds()
    {
        var path = System.IO.Path.Combine(Root, "config", "thresholds.json");
        return JsonFile.Read(path).Properties().ToDictionary(d => d.Name,
            d => (IReadOnlyDictionary<string, double>)d.Value.Properties().ToDictionary(p => p.Name, p => p.Value.Required("threshold").Number(), StringComparer.Ordinal),
            StringComparer.Ordinal);
    }

    /// <summary>The published scoreboard (<c>results/final_results.json</c>): detector → profile → normalised score.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> PublishedScores()
    {
        var path = System.IO.Path.Combine(Root, "results", "final_results.json");
        if (!File.Exists(path)) return new Dictionary<string, IReadOnlyDictionary<string, double>>();
        return JsonFile.Read(path).Properties().ToDictionary(d => d.Name,
            d => (IReadOnlyDictionary<string, double>)d.Value.Properties().ToDictionary(p => p.Name, p => p.Value.Number(), StringComparer.Ordinal),
            StringComparer.Ordinal);
    }

    /// <summary>Reads a NAB CSV with a <c>timestamp</c> column and the named numeric column (data or results files).</summary>
    public static (DateTime[] Times, double[] Values) ReadTimestamped(string path, string column)
    {
        using var e = Csv.ReadRecords(path).GetEnumerator();
        if (!e.MoveNext()) throw new DataFormatException(path, 1, null, "the file is empty.");
        var header = e.Current.Fields;
        int ti = Array.IndexOf(header, "timestamp"), vi = Array.IndexOf(header, column);
        if (ti < 0) throw new DataFormatException(path, 1, null, "missing column 'timestamp'.");
        if (vi < 0) throw new DataFormatException(path, 1, null, $"missing column '{column}'.");
        var times = new List<DateTime>();
        var values = new List<double>();
        while (e.MoveNext())
        {
            var (line, f) = e.Current;
            if (f.Length != header.Length) throw new DataFormatException(path, line, null, $"expected {header.Length} fields as in the header, found {f.Length}.");
            // NAB's own files are not always strictly increasing (ec2_disk_write_bytes_1ef3de repeats an hour at a
            // daylight-saving change), so order is not enforced; windows are matched to the first equal timestamp, as NAB does.
            var t = ParseTime(f[ti], path, line, ti + 1);
            if (!Csv.TryParseNumber(f[vi], out var v)) throw new DataFormatException(path, line, vi + 1, $"cannot read '{f[vi]}' as a number (column '{column}').");
            times.Add(t);
            values.Add(v);
        }
        if (times.Count == 0) throw new DataFormatException(path, 2, null, "the file has a header but no rows.");
        return (times.ToArray(), values.ToArray());
    }

    private static DateTime ParseTime(string s, string file, int? line = null, int? col = null)
    {
        var t = s.Trim();
        if (DateTime.TryParseExact(t, [TimestampFormat, "yyyy-MM-dd HH:mm:ss.ffffff", "yyyy-MM-dd HH:mm:ss.fff", "yyyy-MM-ddTHH:mm:ss"],
                CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
            return dt;
        throw new DataFormatException(file, line, col, $"cannot read '{s}' as a timestamp (expected {TimestampFormat}).");
    }
}

/// <summary>
/// Registers NAB under the catalog's <c>nab</c> layout. NAB holds univariate series with anomaly windows, not fault cases,
/// so opening it as an RCA dataset explains how to use it instead.
/// </summary>
[DatasetLayout("nab", DetectOrder = 40)]
public sealed class NabLayout : IDatasetLayout
{
    public bool Detect(string folder) => File.Exists(System.IO.Path.Combine(folder, "labels", "combined_windows.json"));

    public IDataset Open(string folder, string name, DatasetOptions options) =>
        throw new AiopsLabException($"'{name}' is the Numenta Anomaly Benchmark, a detection benchmark of univariate series, not a set of fault cases. Use 'aiopslab nab score DIR --detector NAME' or 'aiopslab nab run --detectors ...'.");
}

/// <summary>A NAB application profile's cost matrix (NAB <c>config/profiles.json</c>).</summary>
public sealed record NabCostMatrix(double TpWeight, double FpWeight, double FnWeight, double TnWeight = 1.0);
