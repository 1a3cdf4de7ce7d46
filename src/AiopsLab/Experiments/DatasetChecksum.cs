using AiopsLab.Data;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AiopsLab.Datasets;

namespace AiopsLab.Experiments;

/// <summary>
/// A checksum of the data a dataset reads: SHA-256 over a manifest with one line <c>relative/path\tbytes\tsha256</c> per
/// file under the dataset's folder (ordinal order; names starting with '.' skipped). Generated datasets have no files:
/// their checksum is <c>generated</c> and their options are part of the dataset key.
/// Per-file hashes are cached in <c>$AIOPSLAB_CACHE</c> (default <c>~/.cache/aiopslab</c>)/checksums.tsv, keyed by full
/// path, size and modification time, so a rerun re-reads only files that changed. A cache that cannot be written is
/// ignored.
/// </summary>
public static class DatasetChecksum
{
    public const string Generated = "generated";

    /// <summary>Checksum, file count and total bytes of a dataset's data.</summary>
    public static (string Checksum, int Files, long Bytes) Compute(IDataset dataset, CancellationToken ct = default)
    {
        var folder = dataset.Location;
        if (!Directory.Exists(folder)) return (Generated, 0, 0);
        return OfFolder(folder, ct);
    }

    public static (string Checksum, int Files, long Bytes) OfFolder(string folder, CancellationToken ct = default)
    {
        folder = Path.GetFullPath(folder);
        var files = SafePaths.Files(folder, "*") // cycle-safe: a symbolic-link loop is walked once
            .Select(f => (Full: f, Rel: Path.GetRelativePath(folder, f).Replace('\\', '/')))
            .Where(f => !f.Rel.Split('/').Any(part => part.StartsWith('.')))
            .OrderBy(f => f.Rel, StringComparer.Ordinal)
            .ToArray();
        var cache = Cache.Load();
        var manifest = new StringBuilder();
        long bytes = 0;
        bool changed = false;
        foreach (var (full, rel) in files)
        {
            ct.ThrowIfCancellationRequested();
            var info = new FileInfo(full);
            var key = full + "\t" + info.Length.ToString(CultureInfo.InvariantCulture) + "\t" + info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture);
            if (!cache.TryGetValue(key, out var h))
            {
                using var s = File.OpenRead(full);
                h = Convert.ToHexStringLower(SHA256.HashData(s));
                cache[key] = h;
                changed = true;
            }
            bytes += info.Length;
            manifest.Append(rel).Append('\t').Append(info.Length.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(h).Append('\n');
        }
        if (changed) Cache.Save(cache);
        return (Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.ToString()))), files.Length, bytes);
    }

    private static class Cache
    {
        private static readonly object Gate = new();

        private static string PathOf()
        {
            var dir = Environment.GetEnvironmentVariable("AIOPSLAB_CACHE");
            if (string.IsNullOrWhiteSpace(dir))
            {
                var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                dir = !string.IsNullOrWhiteSpace(xdg) ? Path.Combine(xdg, "aiopslab")
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "aiopslab");
            }
            return Path.Combine(dir, "checksums.tsv");
        }

        public static Dictionary<string, string> Load()
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            lock (Gate)
            {
                try
                {
                    var p = PathOf();
                    if (!File.Exists(p)) return d;
                    foreach (var line in File.ReadLines(p))
                    {
                        int t = line.LastIndexOf('\t');
                        if (t > 0) d[line[..t]] = line[(t + 1)..];
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
            return d;
        }

        public static void Save(Dictionary<string, string> d)
        {
            lock (Gate)
            {
                try
                {
                    var p = PathOf();
                    Directory.CreateDirectory(Path.GetDirectoryName(p)!);
                    var tmp = p + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
                    File.WriteAllLines(tmp, d.Where(kv => File.Exists(kv.Key.Split('\t')[0])).Select(kv => kv.Key + "\t" + kv.Value).OrderBy(l => l, StringComparer.Ordinal));
                    File.Move(tmp, p, overwrite: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
    }
}
