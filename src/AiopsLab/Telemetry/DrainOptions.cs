using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AiopsLab.Data;

namespace AiopsLab.Telemetry;

/// <summary>A masking rule: every match of <see cref="Pattern"/> is replaced by <c>prefix + Name + suffix</c> before parsing.</summary>
public sealed record DrainMask(Regex Pattern, string Name);

/// <summary>Parameters of <see cref="Drain"/>. Defaults are the paper's (He et al. 2017, Sec. IV: depth 4, similarity 0.4).</summary>
public sealed record DrainOptions
{
    /// <summary>Similarity threshold <c>st</c> (Sec. III-D): a message joins a group when simSeq ≥ st.</summary>
    public double Similarity { get; init; } = 0.4;

    /// <summary>Depth of the fixed-depth parse tree: root, length layer, <c>Depth − 3</c> preceding-token layers, leaf.</summary>
    public int Depth { get; init; } = 4;

    /// <summary><c>maxChild</c>: a token layer node has at most this many children; others go to its <c>*</c> child.</summary>
    public int MaxChildren { get; init; } = 100;

    /// <summary>At most this many templates are kept; the least recently matched one is dropped beyond it.</summary>
    public int MaxClusters { get; init; } = int.MaxValue;

    /// <summary>Characters split like white space (Nezha: <c>_</c>).</summary>
    public string ExtraDelimiters { get; init; } = "";

    /// <summary>Preprocessing by domain knowledge (Sec. III-A), applied in order.</summary>
    public IReadOnlyList<DrainMask> Masks { get; init; } = [];

    public string MaskPrefix { get; init; } = "<:";
    public string MaskSuffix { get; init; } = ":>";

    /// <summary>Nezha's Train Ticket settings (<c>log_template/drain3_ts.ini</c>): st 0.8, depth 4, 100 children, 1024 templates, <c>_</c>, no masks.</summary>
    public static DrainOptions NezhaTrainTicket { get; } = new() { Similarity = 0.8, Depth = 4, MaxChildren = 100, MaxClusters = 1024, ExtraDelimiters = "_" };

    /// <summary>Common masks (IPv4 address, UUID, long hex id, number), for logs without a site-specific configuration.</summary>
    public static IReadOnlyList<DrainMask> CommonMasks { get; } =
    [
        new(new Regex(@"(?<![\w.])\d{1,3}(\.\d{1,3}){3}(:\d+)?(?![\w.])", RegexOptions.CultureInvariant | RegexOptions.Compiled), "IP"),
        new(new Regex(@"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", RegexOptions.CultureInvariant | RegexOptions.Compiled), "UUID"),
        new(new Regex(@"\b[0-9a-fA-F]{16,}\b", RegexOptions.CultureInvariant | RegexOptions.Compiled), "HEX"),
        new(new Regex(@"(?<![\w.])[-+]?\d+(\.\d+)?(?![\w.])", RegexOptions.CultureInvariant | RegexOptions.Compiled), "NUM"),
    ];

    /// <summary>
    /// Reads a Drain3 <c>.ini</c> file (sections <c>[DRAIN]</c>: sim_th, depth, max_children, max_clusters,
    /// extra_delimiters; <c>[MASKING]</c>: masking = a JSON list of {"regex_pattern", "mask_with"}, mask_prefix, mask_suffix).
    /// </summary>
    /// <exception cref="DataFormatException">A value cannot be read; the message names file and line.</exception>
    public static DrainOptions FromIni(string path)
    {
        var lines = File.ReadAllLines(path);
        var values = new Dictionary<string, (string Value, int Line)>(StringComparer.Ordinal);
        string section = "";
        for (int i = 0; i < lines.Length; i++)
        {
            var t = lines[i].Trim();
            if (t.Length == 0 || t[0] is '#' or ';') continue;
            if (t[0] == '[') { section = t.Trim('[', ']'); continue; }
            int eq = t.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0) throw new DataFormatException(path, i + 1, null, "expected key = value.");
            var key = section + "." + t[..eq].Trim();
            var value = t[(eq + 1)..].Trim();
            int line = i + 1;
            // A value continues on following indented lines (configparser's rule).
            while (i + 1 < lines.Length && lines[i + 1].Length > 0 && char.IsWhiteSpace(lines[i + 1][0])) value += "\n" + lines[++i].Trim();
            values[key] = (value, line);
        }
        double D(string k, double d) => values.TryGetValue(k, out var v) ? double.TryParse(v.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x
            : throw new DataFormatException(path, v.Line, null, $"'{k}' is not a number.") : d;
        int I(string k, int d) => values.TryGetValue(k, out var v) ? int.TryParse(v.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x
            : throw new DataFormatException(path, v.Line, null, $"'{k}' is not an integer.") : d;
        T Json<T>(string k, T d)
        {
            if (!values.TryGetValue(k, out var v)) return d;
            try { return JsonSerializer.Deserialize<T>(v.Value) ?? d; }
            catch (JsonException e) { throw new DataFormatException(path, v.Line, null, $"'{k}' is not valid JSON: {e.Message.Split(" Path:")[0]}"); }
        }
        var masks = Json<List<Dictionary<string, string>>>("MASKING.masking", []).Select((m, j) =>
            m.TryGetValue("regex_pattern", out var re) && m.TryGetValue("mask_with", out var with)
                ? new DrainMask(new Regex(re, RegexOptions.CultureInvariant), with)
                : throw new DataFormatException(path, values["MASKING.masking"].Line, null, $"masking rule {j} needs regex_pattern and mask_with.")).ToList();
        var o = new DrainOptions
        {
            Similarity = D("DRAIN.sim_th", 0.4), Depth = I("DRAIN.depth", 4), MaxChildren = I("DRAIN.max_children", 100),
            MaxClusters = I("DRAIN.max_clusters", int.MaxValue), ExtraDelimiters = string.Concat(Json<List<string>>("DRAIN.extra_delimiters", [])),
            Masks = masks,
            MaskPrefix = values.TryGetValue("MASKING.mask_prefix", out var mp) ? mp.Value : "<:",
            MaskSuffix = values.TryGetValue("MASKING.mask_suffix", out var ms) ? ms.Value : ":>",
        };
        if (o.Depth < 3 || o.MaxChildren < 2 || o.MaxClusters < 1 || o.Similarity is < 0 or > 1)
            throw new DataFormatException(path, null, null, "need depth >= 3, max_children >= 2, max_clusters >= 1 and 0 <= sim_th <= 1.");
        return o;
    }
}
