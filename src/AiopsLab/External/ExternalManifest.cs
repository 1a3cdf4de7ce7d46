using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Methods;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AiopsLab.External;

/// <summary>One option an external method declares: its kebab-case name, type, default and allowed values.</summary>
/// <param name="Type"><c>int</c>, <c>number</c>, <c>bool</c>, <c>text</c>, <c>int-list</c>, <c>number-list</c> or <c>text-list</c>
/// (lists are written <c>a;b;c</c> on the command line and sent as JSON arrays).</param>
public sealed record ExternalOption(string Name, string Type, string Default, IReadOnlyList<string> Choices, string Help)
{
    internal static readonly string[] Types = ["int", "number", "bool", "text", "int-list", "number-list", "text-list"];

    /// <summary>The CLR type <see cref="OptionsBinder"/> parses the text into.</summary>
    internal Type ClrType => Type switch
    {
        "int" => typeof(long), "number" => typeof(double), "bool" => typeof(bool), "text" => typeof(string),
        "int-list" => typeof(int[]), "number-list" => typeof(double[]), _ => typeof(string[]),
    };

    /// <summary>Parses a value written on the command line or in a spec.</summary>
    /// <exception cref="FormatException">Not of this option's type, or not one of its choices.</exception>
    internal object Parse(string text)
    {
        var v = OptionsBinder.ParseValue(ClrType, text)!;
        if (Choices.Count > 0 && v is string s && !Choices.Contains(s, StringComparer.Ordinal))
            throw new FormatException($"'{text}' is not one of {string.Join(", ", Choices)}.");
        return v;
    }
}

/// <summary>
/// The manifest of a method that runs as its own program (<c>*.method.yaml</c>, see docs/external-methods.md): its name,
/// kind, command line, options and paper. The command's first word is looked up on PATH unless it is a path; the worker
/// runs in the manifest's folder, so the other words may name files beside the manifest.
/// </summary>
public sealed record ExternalManifest
{
    /// <summary>The file-name ending that marks a manifest in a methods folder.</summary>
    public const string FileSuffix = ".method.yaml";

    public required string File { get; init; }
    public required string Name { get; init; }
    public required MethodKind Kind { get; init; }
    public required IReadOnlyList<string> Command { get; init; }
    public string Summary { get; init; } = "";
    public string Paper { get; init; } = "";
    public IReadOnlyList<ExternalOption> Options { get; init; } = [];
    /// <summary>How frames travel: <c>auto</c> (inline up to <see cref="InlineCells"/> values, else a CSV file), <c>inline</c> or <c>csv</c>.</summary>
    public string Transport { get; init; } = "auto";
    /// <summary>Inline value encoding: <c>base64-f64le</c> (default, exact and fast) or <c>json</c> (numbers).</summary>
    public string Encoding { get; init; } = "base64-f64le";
    /// <summary>Largest frame (rows × columns) sent inline under <c>transport: auto</c>.</summary>
    public long InlineCells { get; init; } = 2_000_000;
    /// <summary>Seconds the worker may take to start and send its hello line.</summary>
    public double StartTimeout { get; init; } = 30;
    /// <summary>The folder holding the manifest (the worker's working directory).</summary>
    public string Folder => Path.GetDirectoryName(Path.GetFullPath(File)) ?? ".";

    private static readonly string[] Keys = ["protocol", "name", "kind", "command", "summary", "paper", "options", "transport", "encoding", "inline-cells", "start-timeout"];

    /// <summary>Reads a manifest file.</summary>
    /// <exception cref="DataFormatException">Malformed YAML or a bad value; the message names file, line and column.</exception>
    public static ExternalManifest Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new AiopsLabException($"method manifest '{path}' does not exist.");
        var stream = new YamlStream();
        try { stream.Load(new StringReader(System.IO.File.ReadAllText(path))); }
        catch (YamlException e) { throw new DataFormatException(path, (int)e.Start.Line, (int)e.Start.Column, (e.InnerException?.Message ?? e.Message).TrimEnd('.') + "."); }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new DataFormatException(path, 1, 1, "a method manifest is one mapping with at least 'name', 'kind' and 'command'.");
        DataFormatException Err(YamlNode n, string problem) => new(path, (int)n.Start.Line, (int)n.Start.Column, problem);
        string Scalar(YamlNode n, string what) => n is YamlScalarNode s ? s.Value ?? "" : throw Err(n, $"'{what}' must be a single value.");
        var keys = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (k, v) in root.Children)
        {
            var key = k is YamlScalarNode ks ? ks.Value ?? "" : throw Err(k, "a key must be plain text.");
            if (!Keys.Contains(key, StringComparer.Ordinal)) throw Err(k, $"unknown key '{key}'. Known: {string.Join(", ", Keys)}.");
            if (!keys.TryAdd(key, v)) throw Err(k, $"'{key}' is given twice.");
        }
        YamlNode Need(string key) => keys.TryGetValue(key, out var n) ? n : throw Err(root, $"missing key '{key}'.");
        if (keys.TryGetValue("protocol", out var pn) && Scalar(pn, "protocol") != ExternalProtocol.Version.ToString(CultureInfo.InvariantCulture))
            throw Err(pn, $"protocol {Scalar(pn, "protocol")} is not supported; this AiopsLab speaks protocol {ExternalProtocol.Version}.");
        var nameNode = Need("name");
        var name = Scalar(nameNode, "name");
        try { name = MethodSpec.Parse(name).Stages is [var only] && only.Parameters.Count == 0 ? only.Name : throw new AiopsLabException("x"); }
        catch (AiopsLabException) { throw Err(nameNode, $"'{name}' is not a method name (letters, digits, '-', '_', '.')."); }
        var kindNode = Need("kind");
        var kind = Scalar(kindNode, "kind") switch
        {
            "localizer" => MethodKind.Localizer,
            "reducer" or "detector" => throw Err(kindNode, $"kind '{Scalar(kindNode, "kind")}' is not supported by protocol {ExternalProtocol.Version} yet; only 'localizer' is."),
            var k => throw Err(kindNode, $"unknown kind '{k}'; give localizer, reducer or detector."),
        };
        var cmdNode = Need("command");
        var command = cmdNode switch
        {
            YamlSequenceNode s => s.Children.Select(c => Scalar(c, "command")).ToArray(),
            YamlScalarNode s => (s.Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
            _ => throw Err(cmdNode, "'command' is a list of words, e.g. [python3, nsigma.py]."),
        };
        if (command.Length == 0) throw Err(cmdNode, "'command' is empty.");
        var options = new List<ExternalOption>();
        if (keys.TryGetValue("options", out var on))
        {
            if (on is not YamlMappingNode om) throw Err(on, "'options' maps each option name to {type, default, choices, help}.");
            foreach (var (k, v) in om.Children)
                options.Add(Option(path, Scalar(k, "option name"), v, Err, Scalar));
        }
        var m = new ExternalManifest
        {
            File = path, Name = name, Kind = kind, Command = command, Options = options.OrderBy(o => o.Name, StringComparer.Ordinal).ToArray(),
            Summary = keys.TryGetValue("summary", out var sn) ? Scalar(sn, "summary") : "",
            Paper = keys.TryGetValue("paper", out var ppn) ? Scalar(ppn, "paper") : "",
        };
        if (keys.TryGetValue("transport", out var tn))
            m = m with { Transport = Scalar(tn, "transport") is var t && t is "auto" or "inline" or "csv" ? t : throw Err(tn, $"transport '{t}': give auto, inline or csv.") };
        if (keys.TryGetValue("encoding", out var en))
            m = m with { Encoding = Scalar(en, "encoding") is var e && e is "base64-f64le" or "json" ? e : throw Err(en, $"encoding '{e}': give base64-f64le or json.") };
        if (keys.TryGetValue("inline-cells", out var icn))
            m = m with { InlineCells = long.TryParse(Scalar(icn, "inline-cells"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ic) && ic >= 0 ? ic : throw Err(icn, "'inline-cells' must be a whole number ≥ 0.") };
        if (keys.TryGetValue("start-timeout", out var stn))
            m = m with { StartTimeout = double.TryParse(Scalar(stn, "start-timeout"), NumberStyles.Float, CultureInfo.InvariantCulture, out var st) && st > 0 ? st : throw Err(stn, "'start-timeout' must be a positive number of seconds.") };
        return m;
    }

    private static ExternalOption Option(string path, string name, YamlNode v, Func<YamlNode, string, DataFormatException> err, Func<YamlNode, string, string> scalar)
    {
        if (v is not YamlMappingNode m) throw err(v, $"option '{name}' is a mapping {{type, default, choices, help}}.");
        string type = "text", def = "", help = "";
        var choices = new List<string>();
        YamlNode? defNode = null;
        foreach (var (k, x) in m.Children)
        {
            switch (scalar(k, "option key"))
            {
                case "type": type = scalar(x, "type"); if (!ExternalOption.Types.Contains(type)) throw err(x, $"option '{name}': type '{type}' is not one of {string.Join(", ", ExternalOption.Types)}."); break;
                case "default": defNode = x; def = x is YamlSequenceNode seq ? string.Join(";", seq.Children.Select(c => scalar(c, "default"))) : scalar(x, "default"); break;
                case "help": help = scalar(x, "help"); break;
                case "choices": choices.AddRange(x is YamlSequenceNode cs ? cs.Children.Select(c => scalar(c, "choices")) : [scalar(x, "choices")]); break;
                case var other: throw err(k, $"option '{name}': unknown key '{other}' (type, default, choices, help).");
            }
        }
        var o = new ExternalOption(OptionsBinder.Kebab(name), type, def, choices, help);
        try { if (def.Length > 0 || type is "text" or "text-list") o.Parse(def); }
        catch (FormatException e) { throw err(defNode ?? v, $"option '{name}': default {e.Message}"); }
        if (def.Length == 0 && type is "int" or "number" or "bool") throw err(v, $"option '{name}' of type {type} needs a default.");
        return o;
    }

    /// <summary>
    /// The options of one run as typed values (defaults, then <paramref name="given"/>), by name; sent in each request.
    /// </summary>
    /// <exception cref="AiopsLabException">Unknown option (the message lists the valid ones) or a value of the wrong type.</exception>
    public SortedDictionary<string, object> BindOptions(IReadOnlyDictionary<string, string> given)
    {
        var byName = Options.ToDictionary(o => o.Name, StringComparer.Ordinal);
        var values = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var o in Options) values[o.Name] = o.Parse(o.Default);
        foreach (var (k, text) in given)
        {
            if (!byName.TryGetValue(OptionsBinder.Kebab(k), out var o)) throw new UnknownNameException($"parameter of '{Name}'", k, byName.Keys);
            try { values[o.Name] = o.Parse(text); }
            catch (FormatException e) { throw new AiopsLabException($"'{Name}' parameter '{k}': {e.Message}"); }
        }
        return values;
    }
}
