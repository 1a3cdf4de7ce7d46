using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Methods;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using AiopsLab.Catalog;

namespace AiopsLab.Experiments;

/// <summary>Where a value was written in a spec file (1-based line and column), for error messages.</summary>
public readonly record struct SpecLocation(string File, int Line, int Column)
{
    /// <summary>No place: a spec built from command-line options. Its errors are the bare problem.</summary>
    public static SpecLocation None => new("", 0, 0);

    /// <summary>An error at this place: <c>file:line:column: problem</c> (just the problem for <see cref="None"/>).</summary>
    public AiopsLabException Error(string problem) =>
        string.IsNullOrEmpty(File) ? new AiopsLabException(problem) : new DataFormatException(File, Line, Column, problem);

    internal static SpecLocation Of(string file, YamlNode n) => new(file, (int)n.Start.Line, (int)n.Start.Column);
}

/// <summary>One dataset of an experiment, with its loader options and case filters.</summary>
public sealed record DatasetSpec
{
    /// <summary>Catalog name or path to a dataset folder (a relative path is relative to the spec file's folder).</summary>
    public required string Name { get; init; }
    /// <summary>Loader options (<c>--dataset-option</c>), e.g. <c>cases: 200</c> for synthetic.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    /// <summary>Only these systems; null = all.</summary>
    public IReadOnlyList<string>? Systems { get; init; }
    /// <summary>Only these fault types or fault classes; null = all.</summary>
    public IReadOnlyList<string>? Faults { get; init; }
    /// <summary>Only the first N selected cases.</summary>
    public int? Limit { get; init; }
    public SpecLocation Where { get; init; }
    public SpecLocation? SystemsWhere { get; init; }
    public SpecLocation? FaultsWhere { get; init; }
}

/// <summary>One method entry: a spec with fixed parameters, and optional grid axes (parameter → values).</summary>
public sealed record MethodGridSpec
{
    public required MethodSpec Base { get; init; }
    /// <summary>Grid axes in the order written: <c>k: [2, 3]</c> for the last stage, or <c>stage.k</c> for a named stage.</summary>
    public IReadOnlyList<(string Key, IReadOnlyList<string> Values, SpecLocation Where)> Grid { get; init; } = [];
    public SpecLocation Where { get; init; }
}

/// <summary>
/// How much of a case a method sees. <see cref="Seconds"/> = W: the rows with t_a − W ≤ time &lt; t_a + W, where t_a is
/// the anomaly time the method is given (the label's inject time plus the delay, or a detector's first alarm plus the
/// delay). Null = the whole case as the loader returns it. The runner cuts the frame before building the
/// <see cref="Methods.RcaProblem"/>, so methods and loaders need no change; a loader's own options (e.g. nezha's
/// <c>before</c>) decide what is read, the window then cuts from that.
/// </summary>
public readonly record struct Window(long? Seconds)
{
    public static Window Full => new(null);
    /// <summary><c>full</c> or the seconds.</summary>
    public override string ToString() => Seconds is { } s ? s.ToString(CultureInfo.InvariantCulture) : "full";

    /// <summary>Parses <c>full</c> or a positive number of seconds.</summary>
    public static bool TryParse(string text, out Window w)
    {
        w = Full;
        if (text.Equals("full", StringComparison.OrdinalIgnoreCase)) return true;
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) && s > 0) { w = new Window(s); return true; }
        return false;
    }
}

/// <summary>
/// An experiment, as written in <c>experiments/NAME.yaml</c>: datasets (with system and fault filters), methods (with
/// parameter grids), seeds, delays, window lengths, the detection mode, the per-case timeout and the number of jobs.
/// See docs/experiments.md for the format. Parsing checks the shape of the file and reports every error as
/// <c>file:line:column: problem</c> naming the bad key or value; names (methods, datasets, systems, faults) are checked
/// against the catalogs by <see cref="ExperimentPlan.Build"/>, also with the place they were written.
/// </summary>
public sealed record ExperimentSpec
{
    public const string DefaultDetection = AnomalyTimeSources.Label;

    /// <summary>File the spec was read from (as given), or a label such as <c>(command line)</c>.</summary>
    public required string File { get; init; }
    /// <summary>Folder relative dataset paths are resolved against.</summary>
    public string BaseFolder { get; init; } = ".";
    /// <summary>The spec text, stored in the run store as provenance.</summary>
    public string Text { get; init; } = "";
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public required IReadOnlyList<DatasetSpec> Datasets { get; init; }
    public required IReadOnlyList<MethodGridSpec> Methods { get; init; }
    public IReadOnlyList<long> Seeds { get; init; } = [0];
    /// <summary>Seconds added to the anomaly time (RCAEval's tΔ), one run per value.</summary>
    public IReadOnlyList<long> Delays { get; init; } = [0];
    public IReadOnlyList<Window> Windows { get; init; } = [Window.Full];
    /// <summary>Anomaly-time sources: <c>label</c>, or a registered detector (see <see cref="AnomalyTimeSources"/>).</summary>
    public IReadOnlyList<string> Detection { get; init; } = [DefaultDetection];
    public IReadOnlyList<SpecLocation> DetectionWhere { get; init; } = [];
    /// <summary>Per (case, method) time limit.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Cases run at once; null = number of cores.</summary>
    public int? Jobs { get; init; }

    private static readonly string[] TopKeys = ["name", "description", "datasets", "methods", "seeds", "delays", "windows", "detection", "timeout", "jobs", "methods-dir", "sources"];
    private static readonly string[] DatasetKeys = ["name", "options", "systems", "faults", "limit"];

    /// <summary>Reads and parses a spec file.</summary>
    /// <exception cref="AiopsLabException">Missing file, or a malformed spec (file:line:column).</exception>
    public static ExperimentSpec Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new AiopsLabException($"experiment spec '{path}' does not exist.");
        var text = System.IO.File.ReadAllText(path);
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
    }

    /// <summary>Parses spec text; <paramref name="file"/> names it in errors.</summary>
    public static ExperimentSpec Parse(string text, string file, string baseFolder = ".")
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e)
        {
            throw new DataFormatException(file, (int)e.Start.Line, (int)e.Start.Column, (e.InnerException?.Message ?? e.Message).TrimEnd('.') + ".");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a mark, when the text ends inside a flow collection or quote.
            int lines = text.TrimEnd('\n', '\r').Split('\n').Length;
            throw new DataFormatException(file, lines, 1, "malformed YAML: the file ends inside an unclosed '[', '{' or quoted string.");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new DataFormatException(file, 1, 1, "an experiment spec is a mapping with at least 'datasets' and 'methods'.");
        if (stream.Documents.Count > 1)
            throw SpecLocation.Of(file, stream.Documents[1].RootNode).Error("a spec file holds one document; remove the second '---'.");

        var p = new Parser(file);
        var keys = p.Keys(root, TopKeys, "top-level key");
        string name = keys.TryGetValue("name", out var nn) ? p.Scalar(nn, "name") : Path.GetFileNameWithoutExtension(file);
        if (name.Length == 0) throw p.At(nn!).Error("'name' is empty.");
        // The name becomes a folder (out/NAME, results/NAME): one plain folder name, never a path out of --out.
        if (name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0 || Path.IsPathRooted(name))
            throw (nn is null ? p.At(root) : p.At(nn)).Error($"'name' must be a plain folder name (no '/', '\\' or '..'); got '{name}'.");
        string description = keys.TryGetValue("description", out var dn) ? p.Scalar(dn, "description") : "";

        if (!keys.TryGetValue("datasets", out var dsNode)) throw p.At(root).Error("missing key 'datasets' (a list of dataset names or mappings with 'name').");
        var datasets = p.Seq(dsNode, "datasets").Select(p.Dataset).ToArray();
        if (datasets.Length == 0) throw p.At(dsNode).Error("'datasets' is empty.");
        if (keys.TryGetValue("sources", out var srcNode)) datasets = WithSources(datasets, p, srcNode);

        if (keys.TryGetValue("methods-dir", out var mdn)) // external methods (docs/external-methods.md), registered before names are checked
            foreach (var dir in p.Seq(mdn, "methods-dir"))
                try { ExternalMethods.Load([p.Scalar(dir, "methods-dir")], baseFolder); }
                catch (AiopsLabException e) when (e is not DataFormatException) { throw p.At(dir).Error(e.Message); }
        if (!keys.TryGetValue("methods", out var mNode)) throw p.At(root).Error("missing key 'methods' (a list of method specs, e.g. baro or nsigma: {k: [2, 3]}).");
        var methods = p.Seq(mNode, "methods").Select(p.Method).ToArray();
        if (methods.Length == 0) throw p.At(mNode).Error("'methods' is empty.");

        var seeds = keys.TryGetValue("seeds", out var sn) ? p.Longs(sn, "seeds", 0) : [0L];
        var delays = keys.TryGetValue("delays", out var den) ? p.Longs(den, "delays", 0) : [0L];
        var windows = keys.TryGetValue("windows", out var wn) ? p.Windows(wn) : [Window.Full];
        var (detection, detWhere) = keys.TryGetValue("detection", out var detn) ? p.Detection(detn) : ([DefaultDetection], [SpecLocation.None]);
        var timeout = TimeSpan.FromMinutes(10);
        if (keys.TryGetValue("timeout", out var tn))
        {
            var t = p.Scalar(tn, "timeout");
            if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var secs) || !(secs > 0) || double.IsInfinity(secs))
                throw p.At(tn).Error($"'timeout' must be a positive number of seconds; got '{t}'.");
            timeout = TimeSpan.FromSeconds(secs);
        }
        int? jobs = null;
        if (keys.TryGetValue("jobs", out var jn))
        {
            var t = p.Scalar(jn, "jobs");
            if (!int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var j) || j < 1)
                throw p.At(jn).Error($"'jobs' must be a whole number ≥ 1; got '{t}'.");
            jobs = j;
        }
        p.NoDuplicates(seeds, sn, "seed");
        p.NoDuplicates(delays, den, "delay");
        p.NoDuplicates(windows, wn, "window");
        p.NoDuplicates(detection, detn, "detection mode");
        return new ExperimentSpec
        {
            File = file, BaseFolder = baseFolder, Text = text, Name = name, Description = description,
            Datasets = datasets, Methods = methods, Seeds = seeds, Delays = delays, Windows = windows,
            Detection = detection, DetectionWhere = detWhere, Timeout = timeout, Jobs = jobs,
        };
    }

    /// <summary>The top-level <c>sources</c> (a list or a comma-separated text, e.g. [metrics, logs, traces]) becomes every
    /// dataset's <c>sources</c> option unless the dataset sets its own (docs/multimodal.md).</summary>
    private static DatasetSpec[] WithSources(DatasetSpec[] datasets, Parser p, YamlNode node)
    {
        var text = node is YamlSequenceNode seq ? string.Join(",", seq.Children.Select(c => p.Scalar(c, "sources"))) : p.Scalar(node, "sources");
        string sources;
        try { sources = Telemetry.SourceSet.Parse(text).ToString(); }
        catch (AiopsLabException e) { throw p.At(node).Error(e.Message); }
        return datasets.Select(d => d.Options.ContainsKey("sources") ? d : d with
        {
            Options = new SortedDictionary<string, string>(d.Options.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal) { ["sources"] = sources },
        }).ToArray();
    }

    /// <summary>Reads YAML nodes into values, with file:line:column errors.</summary>
    private sealed class Parser(string file)
    {
        public SpecLocation At(YamlNode n) => SpecLocation.Of(file, n);

        public Dictionary<string, YamlNode> Keys(YamlMappingNode m, string[] allowed, string what)
        {
            var d = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (k, v) in m.Children)
            {
                if (k is not YamlScalarNode ks || ks.Value is null) throw At(k).Error($"a {what} must be plain text.");
                if (!allowed.Contains(ks.Value, StringComparer.Ordinal))
                    throw At(k).Error($"unknown {what} '{ks.Value}'. Known: {string.Join(", ", allowed)}.");
                if (!d.TryAdd(ks.Value, v)) throw At(k).Error($"'{ks.Value}' is given twice.");
            }
            return d;
        }

        public string Scalar(YamlNode n, string what)
        {
            if (n is YamlScalarNode s) return s.Value ?? "";
            throw At(n).Error($"'{what}' must be a single value, not a {(n is YamlSequenceNode ? "list" : "mapping")}.");
        }

        /// <summary>A list, or a single value standing for a list of one.</summary>
        public IReadOnlyList<YamlNode> Seq(YamlNode n, string what) => n switch
        {
            YamlSequenceNode s => s.Children.ToArray(),
            YamlScalarNode { Value: null or "" } => [],
            YamlScalarNode s => [s],
            _ => throw At(n).Error($"'{what}' must be a list."),
        };

        public IReadOnlyList<string> Strings(YamlNode n, string what) => Seq(n, what).Select(x => Scalar(x, what)).ToArray();

        public long[] Longs(YamlNode n, string what, long min)
        {
            // 'seeds: 3' could mean seed 3 or three seeds: a bare number is refused and the message says how to write either.
            if (n is YamlScalarNode { Value: { Length: > 0 } one })
                throw At(n).Error($"'{what}' is a list: write [{one}] for the one value {one}, or e.g. [0, 1, 2] for three.");
            var items = Seq(n, what);
            if (items.Count == 0) throw At(n).Error($"'{what}' is empty.");
            return items.Select(x =>
            {
                var t = Scalar(x, what);
                if (!long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                    throw At(x).Error($"'{what}' takes whole numbers; got '{t}'.");
                if (v < min)
                    throw At(x).Error($"'{what}' takes whole numbers ≥ {min.ToString(CultureInfo.InvariantCulture)}; got '{t}'.");
                return v;
            }).ToArray();
        }

        public Window[] Windows(YamlNode n)
        {
            var items = Seq(n, "windows");
            if (items.Count == 0) throw At(n).Error("'windows' is empty.");
            return items.Select(x =>
            {
                var t = Scalar(x, "windows");
                return Window.TryParse(t, out var w) ? w : throw At(x).Error($"a window is 'full' or a positive number of seconds; got '{t}'.");
            }).ToArray();
        }

        public (string[], SpecLocation[]) Detection(YamlNode n)
        {
            var items = Seq(n, "detection");
            if (items.Count == 0) throw At(n).Error("'detection' is empty.");
            var names = new List<string>();
            var where = new List<SpecLocation>();
            foreach (var x in items)
            {
                if (x is YamlMappingNode m)
                {
                    // { detector: SPEC, threshold: X }: the first time any watched column's score reaches X.
                    var k = Keys(m, ["detector", "threshold"], "key of a detection mapping");
                    if (!k.TryGetValue("detector", out var dn)) throw At(m).Error("a detection mapping needs 'detector' (a registered anomaly detector).");
                    if (!k.TryGetValue("threshold", out var tn)) throw At(m).Error("a detection mapping needs 'threshold' (the score that raises an alarm).");
                    var thr = Scalar(tn, "threshold");
                    if (!double.TryParse(thr, NumberStyles.Float, CultureInfo.InvariantCulture, out var tv) || !double.IsFinite(tv))
                        throw At(tn).Error($"'threshold' must be a number; got '{thr}'.");
                    names.Add(DetectorAlarmSource.Canonical(Scalar(dn, "detector"), tv));
                }
                else names.Add(Scalar(x, "detection"));
                where.Add(At(x));
            }
            return (names.ToArray(), where.ToArray());
        }

        public DatasetSpec Dataset(YamlNode n)
        {
            if (n is YamlScalarNode s)
            {
                if (string.IsNullOrWhiteSpace(s.Value)) throw At(n).Error("a dataset name is empty.");
                return new DatasetSpec { Name = s.Value, Where = At(n) };
            }
            if (n is not YamlMappingNode m) throw At(n).Error("a dataset is a name or a mapping with 'name', 'options', 'systems', 'faults', 'limit'.");
            var k = Keys(m, DatasetKeys, "dataset key");
            if (!k.TryGetValue("name", out var nameNode)) throw At(m).Error("a dataset mapping needs 'name'.");
            var name = Scalar(nameNode, "name");
            if (name.Length == 0) throw At(nameNode).Error("a dataset name is empty.");
            var options = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (k.TryGetValue("options", out var on))
            {
                if (on is not YamlMappingNode om) throw At(on).Error("'options' is a mapping of loader options, e.g. {cases: 200}.");
                foreach (var (ok, ov) in om.Children)
                {
                    var key = Scalar(ok, "option name");
                    string value = ov is YamlSequenceNode os ? string.Join(";", os.Children.Select(c => Scalar(c, key))) : Scalar(ov, key);
                    if (!options.TryAdd(OptionsBinder.Kebab(key), value)) throw At(ok).Error($"option '{key}' is given twice.");
                }
            }
            int? limit = null;
            if (k.TryGetValue("limit", out var ln))
            {
                var t = Scalar(ln, "limit");
                if (!int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) || l < 1) throw At(ln).Error($"'limit' must be a whole number ≥ 1; got '{t}'.");
                limit = l;
            }
            return new DatasetSpec
            {
                Name = name, Options = options, Limit = limit, Where = At(nameNode),
                Systems = k.TryGetValue("systems", out var sn) ? Strings(sn, "systems") : null,
                SystemsWhere = sn is null ? null : At(sn),
                Faults = k.TryGetValue("faults", out var fn) ? Strings(fn, "faults") : null,
                FaultsWhere = fn is null ? null : At(fn),
            };
        }

        public MethodGridSpec Method(YamlNode n)
        {
            if (n is YamlScalarNode s) return new MethodGridSpec { Base = ParseSpec(s.Value ?? "", n), Where = At(n) };
            if (n is not YamlMappingNode m || m.Children.Count != 1)
                throw At(n).Error("a method is a spec (e.g. 'nsigma(k=3)') or one spec mapped to its parameter grid (e.g. 'nsigma: {k: [2, 3]}').");
            var (kn, vn) = m.Children.First();
            var spec = ParseSpec(Scalar(kn, "method"), kn);
            if (vn is YamlScalarNode { Value: null or "" }) return new MethodGridSpec { Base = spec, Where = At(kn) };
            if (vn is not YamlMappingNode grid) throw At(vn).Error($"the grid of '{spec}' is a mapping of parameter → list of values.");
            var axes = new List<(string, IReadOnlyList<string>, SpecLocation)>();
            foreach (var (pk, pv) in grid.Children)
            {
                var key = Scalar(pk, "parameter");
                var values = Strings(pv, key);
                if (values.Count == 0) throw At(pv).Error($"grid axis '{key}' has no values.");
                if (values.Distinct(StringComparer.Ordinal).Count() != values.Count) throw At(pv).Error($"grid axis '{key}' lists a value twice.");
                if (axes.Any(a => a.Item1 == key)) throw At(pk).Error($"grid axis '{key}' is given twice.");
                axes.Add((key, values, At(pk)));
            }
            return new MethodGridSpec { Base = spec, Grid = axes, Where = At(kn) };
        }

        private MethodSpec ParseSpec(string text, YamlNode n)
        {
            if (string.IsNullOrWhiteSpace(text)) throw At(n).Error("a method spec is empty.");
            try { return MethodSpec.Parse(text); }
            catch (AiopsLabException e) { throw At(n).Error(e.Message); }
        }

        public void NoDuplicates<T>(IReadOnlyList<T> values, YamlNode? n, string what)
        {
            if (n is null) return;
            var dup = values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null) throw At(n).Error($"{what} '{dup.Key}' is listed twice.");
        }
    }
}
