using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AiopsLab.Data;

namespace AiopsLab.Experiments;

/// <summary>
/// The metric columns of a case, stored once per distinct column list in the run store, with the service each column
/// is scored as. Rankings refer to columns by their index here, so the store never repeats metric names per row and
/// every table can be derived from the stored rankings alone (no dataset code needed).
/// </summary>
public sealed class MetricSet
{
    public MetricSet(IReadOnlyList<string> names, IReadOnlyList<string> services)
    {
        if (names.Count != services.Count) throw new ArgumentException("one service per name is needed.");
        Names = names; Services = services;
        var idx = new Dictionary<string, int>(names.Count, StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++) idx.TryAdd(names[i], i);
        Index = idx;
        Json = JsonSerializer.Serialize(new { names, services });
        Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Json)));
    }

    public IReadOnlyList<string> Names { get; }
    /// <summary>Service of each name (same order).</summary>
    public IReadOnlyList<string> Services { get; }
    public IReadOnlyDictionary<string, int> Index { get; }
    /// <summary><c>{"names":[…],"services":[…]}</c>: the stored form.</summary>
    public string Json { get; }
    /// <summary>SHA-256 of <see cref="Json"/>, lower-case hex: identifies the set across stores.</summary>
    public string Hash { get; }

    /// <summary>The set of a case's columns (plus any extra names a ranking holds), services from <paramref name="naming"/>.</summary>
    public static MetricSet Of(IReadOnlyList<string> columns, MetricNaming naming) =>
        new(columns.ToArray(), columns.Select(naming.ServiceOf).ToArray());

    public static MetricSet FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var names = doc.RootElement.GetProperty("names").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var services = doc.RootElement.GetProperty("services").EnumerateArray().Select(e => e.GetString()!).ToArray();
        return new MetricSet(names, services);
    }

    /// <summary>Services in the order their first metric appears in <paramref name="ranking"/> (indices into this set).</summary>
    public string[] ServiceRanking(ReadOnlySpan<int> ranking)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<string>();
        foreach (var i in ranking)
            if (seen.Add(Services[i])) list.Add(Services[i]);
        return list.ToArray();
    }
}

/// <summary>
/// Compact encoding of one ranking: a format byte (1), the count n as an unsigned LEB128 varint, n varint indices into
/// the case's <see cref="MetricSet"/> (best first), then the n scores as little-endian IEEE-754 doubles (NaN kept).
/// About 9 bytes per ranked metric; a 50-metric ranking takes ~450 bytes.
/// </summary>
public static class RankingCodec
{
    private const byte Format = 1;

    public static byte[] Encode(ReadOnlySpan<int> indices, ReadOnlySpan<double> scores)
    {
        if (indices.Length != scores.Length) throw new ArgumentException("one score per index is needed.");
        var buf = new byte[1 + 5 + indices.Length * 5 + scores.Length * 8];
        int p = 0;
        buf[p++] = Format;
        p = WriteVarint(buf, p, (uint)indices.Length);
        foreach (var i in indices) p = WriteVarint(buf, p, checked((uint)i));
        foreach (var s in scores) { BinaryPrimitives.WriteDoubleLittleEndian(buf.AsSpan(p), s); p += 8; }
        return buf.AsSpan(0, p).ToArray();
    }

    public static (int[] Indices, double[] Scores) Decode(ReadOnlySpan<byte> blob)
    {
        if (blob.Length == 0 || blob[0] != Format) throw new AiopsLabException($"run store: unknown ranking format {(blob.Length == 0 ? "(empty)" : blob[0].ToString(System.Globalization.CultureInfo.InvariantCulture))}.");
        int p = 1;
        int n = (int)ReadVarint(blob, ref p);
        var idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = (int)ReadVarint(blob, ref p);
        var scores = new double[n];
        for (int i = 0; i < n; i++) { scores[i] = BinaryPrimitives.ReadDoubleLittleEndian(blob[p..]); p += 8; }
        if (p != blob.Length) throw new AiopsLabException("run store: a ranking blob has trailing bytes.");
        return (idx, scores);
    }

    private const byte IndexFormat = 2;

    /// <summary>A list of indices alone (a kept-metric set): format byte 2, the count and the indices as varints.</summary>
    public static byte[] EncodeIndices(ReadOnlySpan<int> indices)
    {
        var buf = new byte[1 + 5 + indices.Length * 5];
        int p = 0;
        buf[p++] = IndexFormat;
        p = WriteVarint(buf, p, (uint)indices.Length);
        foreach (var i in indices) p = WriteVarint(buf, p, checked((uint)i));
        return buf.AsSpan(0, p).ToArray();
    }

    /// <summary>The indices written by <see cref="EncodeIndices"/>.</summary>
    public static int[] DecodeIndices(ReadOnlySpan<byte> blob)
    {
        if (blob.Length == 0 || blob[0] != IndexFormat) throw new AiopsLabException($"run store: unknown index-list format {(blob.Length == 0 ? "(empty)" : blob[0].ToString(System.Globalization.CultureInfo.InvariantCulture))}.");
        int p = 1;
        int n = (int)ReadVarint(blob, ref p);
        var idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = (int)ReadVarint(blob, ref p);
        if (p != blob.Length) throw new AiopsLabException("run store: an index-list blob has trailing bytes.");
        return idx;
    }

    private static int WriteVarint(byte[] buf, int p, uint v)
    {
        while (v >= 0x80) { buf[p++] = (byte)(v | 0x80); v >>= 7; }
        buf[p++] = (byte)v;
        return p;
    }

    private static uint ReadVarint(ReadOnlySpan<byte> b, ref int p)
    {
        uint v = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte x = b[p++];
            v |= (uint)(x & 0x7F) << shift;
            if (x < 0x80) return v;
        }
        throw new AiopsLabException("run store: a ranking blob has a malformed number.");
    }
}
