using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using AiopsLab.Data;

namespace AiopsLab.Datasets;

/// <summary>Options of <see cref="DatasetFetcher.FetchAsync"/>.</summary>
public sealed record FetchOptions
{
    /// <summary>Replace an existing dataset folder.</summary>
    public bool Force { get; init; }
    /// <summary>Accept an archive whose checksum the catalog does not pin (its checksum is still reported).</summary>
    public bool AllowUnpinned { get; init; }
    /// <summary>Download time limit.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>What a fetch did.</summary>
public sealed record FetchResult(string Folder, string Sha256, long ArchiveBytes, int Files, long UnpackedBytes, bool Pinned);

/// <summary>Download progress: bytes so far and the total when the server says it.</summary>
public readonly record struct DownloadProgress(long Bytes, long? Total);

/// <summary>
/// Downloads a catalog dataset's upstream archive, verifies its SHA-256 against the catalog, and unpacks the catalog's
/// <c>include</c> paths (below <c>archive_prefix</c>) into <c>DATA_ROOT/NAME</c>. Supports <c>.tar.gz</c>/<c>.tgz</c>,
/// <c>.tar</c> and <c>.zip</c>. Everything happens in temporary names under the data root and is renamed into place
/// at the end, so a failed fetch leaves no partial dataset; archive entries that would land outside the target
/// (absolute paths, <c>..</c>, links) are refused.
/// </summary>
public static class DatasetFetcher
{
    public static async Task<FetchResult> FetchAsync(DatasetEntry entry, DataRoot root, FetchOptions options,
        IProgress<DownloadProgress>? progress = null, HttpMessageHandler? handler = null, CancellationToken ct = default)
    {
        if (entry.Url is null) throw new AiopsLabException($"dataset '{entry.Name}' is generated, not downloaded; use it directly (e.g. --dataset {entry.Name}).");
        if (!Uri.TryCreate(entry.Url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new AiopsLabException($"dataset '{entry.Name}': catalog url '{entry.Url}' is not an http(s) URL.");
        if (entry.Name is "" or "." or ".." || entry.Name.IndexOfAny(['/', '\\', '\0']) >= 0 || Path.IsPathRooted(entry.Name))
            throw new AiopsLabException($"catalog entry '{entry.Name}': a dataset name must be a plain folder name (no '/', '\\' or '..').");
        var dest = root.For(entry.Name);
        if (Directory.Exists(dest) && !options.Force)
            throw new AiopsLabException($"'{dest}' already exists; use --force to replace it.");
        Directory.CreateDirectory(root.Path);
        string tag = $".fetch-{entry.Name}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";
        var archive = Path.Combine(root.Path, tag + ".download");
        var staging = Path.Combine(root.Path, tag + ".unpack");
        try
        {
            var (sha, bytes) = await DownloadAsync(uri, archive, options.Timeout, progress, handler, ct).ConfigureAwait(false);
            bool pinned = !string.IsNullOrWhiteSpace(entry.Sha256);
            if (pinned && !string.Equals(entry.Sha256!.Trim(), sha, StringComparison.OrdinalIgnoreCase))
                throw new AiopsLabException($"checksum mismatch for '{entry.Name}' from {entry.Url}: the catalog pins SHA-256 {entry.Sha256!.Trim().ToLowerInvariant()}, the download has {sha}. Nothing was unpacked.");
            if (!pinned && !options.AllowUnpinned)
                throw new AiopsLabException($"the catalog pins no checksum for '{entry.Name}'. The archive downloaded from {entry.Url} has SHA-256 {sha}. Check it, then rerun with --allow-unpinned (and pin it in datasets/catalog.yaml).");
            int files; long size;
            try { (files, size) = Unpack(archive, uri, staging, entry, ct); }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or FormatException)
            {
                // Truncated or empty archives, garbage, duplicate entries, a file and a folder of one name: nothing is kept.
                throw new AiopsLabException($"the archive from {entry.Url} cannot be unpacked ({e.GetType().Name}): {e.Message} Nothing was kept.");
            }
            if (files == 0)
                throw new AiopsLabException($"the archive from {entry.Url} has no files under '{entry.ArchivePrefix}' matching {string.Join(", ", entry.Include)}; check archive_prefix and include in the catalog.");
            if (Directory.Exists(dest)) Directory.Delete(dest, recursive: true); // --force
            Directory.Move(staging, dest);
            return new FetchResult(dest, sha, bytes, files, size, pinned);
        }
        finally
        {
            if (File.Exists(archive)) File.Delete(archive);
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    private static async Task<(string Sha, long Bytes)> DownloadAsync(Uri uri, string path, TimeSpan timeout,
        IProgress<DownloadProgress>? progress, HttpMessageHandler? handler, CancellationToken ct)
    {
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = timeout;
        HttpResponseMessage resp;
        try { resp = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false); }
        catch (HttpRequestException e) { throw new AiopsLabException($"cannot download {uri}: {e.Message}"); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested) { throw new AiopsLabException($"downloading {uri} timed out after {timeout.TotalSeconds:0} s."); }
        using (resp)
        {
            if (!resp.IsSuccessStatusCode)
                throw new AiopsLabException($"cannot download {uri}: the server answered {(int)resp.StatusCode} {resp.ReasonPhrase}.");
            long? total = resp.Content.Headers.ContentLength;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var input = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            long bytes = 0, lastReport = 0;
            int n;
            try
            {
                while ((n = await input.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    sha.AppendData(buffer, 0, n);
                    await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    bytes += n;
                    if (bytes - lastReport >= 1 << 20) { progress?.Report(new DownloadProgress(bytes, total)); lastReport = bytes; }
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException) // e.g. a Content-Length longer than the body
            { throw new AiopsLabException($"download of {uri} ended early after {bytes} of {total?.ToString(CultureInfo.InvariantCulture) ?? "?"} bytes: {e.Message}"); }
            progress?.Report(new DownloadProgress(bytes, total ?? bytes));
            if (total is { } t && t != bytes) throw new AiopsLabException($"download of {uri} ended early: {bytes} of {t} bytes.");
            return (Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant(), bytes);
        }
    }

    private static (int Files, long Bytes) Unpack(string archive, Uri uri, string staging, DatasetEntry entry, CancellationToken ct)
    {
        Directory.CreateDirectory(staging);
        var filter = new EntryFilter(entry.ArchivePrefix ?? "", entry.Include);
        int files = 0;
        long bytes = 0;
        var name = uri.AbsolutePath.ToLowerInvariant();
        // One included entry: mapped below the prefix, confined to the staging folder, never overwriting.
        void Take(string entryName, long length, Action<string> extractTo)
        {
            var rel = filter.Map(entryName);
            if (rel is null) return;
            var target = SafeTarget(staging, rel, entryName);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            extractTo(target);
            files++; bytes += length;
        }
        if (name.EndsWith(".zip", StringComparison.Ordinal))
        {
            using var zip = ZipFile.OpenRead(archive);
            foreach (var e in zip.Entries)
            {
                ct.ThrowIfCancellationRequested();
                if (!e.FullName.EndsWith('/')) Take(e.FullName, e.Length, t => e.ExtractToFile(t, overwrite: false));
            }
            return (files, bytes);
        }
        using var fs = File.OpenRead(archive);
        using Stream raw = name.EndsWith(".tar", StringComparison.Ordinal) ? fs : new GZipStream(fs, CompressionMode.Decompress);
        try
        {
            using var tar = new TarReader(raw);
            TarEntry? te;
            while ((te = tar.GetNextEntry()) is not null)
            {
                ct.ThrowIfCancellationRequested();
                if (te.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile) // directories are implied; links refused by omission
                    Take(te.Name, te.Length, t => te!.ExtractToFile(t, overwrite: false));
            }
        }
        catch (InvalidDataException e) { throw new AiopsLabException($"the archive from {uri} is not a valid {(name.EndsWith(".tar", StringComparison.Ordinal) ? "tar" : "tar.gz")} file: {e.Message}"); }
        return (files, bytes);
    }

    /// <summary>The full target path of <paramref name="relative"/> inside <paramref name="root"/>; refuses anything that escapes it.</summary>
    internal static string SafeTarget(string root, string relative, string entryName)
    {
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (relative.StartsWith('/') || parts.Any(p => p is ".." or "." || p.Contains(':') || p.Contains('\\')))
            throw new AiopsLabException($"refusing archive entry '{entryName}': its path leaves the dataset folder.");
        var full = Path.GetFullPath(Path.Combine(root, Path.Combine(parts)));
        if (!full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new AiopsLabException($"refusing archive entry '{entryName}': its path leaves the dataset folder.");
        return full;
    }

    /// <summary>
    /// Selects archive entries: the name must start with the prefix (which is removed), and the rest must match one of
    /// the include patterns (all when there are none). In a pattern <c>*</c> matches within one path segment; a pattern
    /// ending in <c>/</c> matches everything below that folder.
    /// </summary>
    internal sealed class EntryFilter(string prefix, IReadOnlyList<string> include)
    {
        private readonly Regex[] _patterns = include.Select(p =>
            new Regex("^" + Regex.Escape(p).Replace("\\*", "[^/]*", StringComparison.Ordinal) + (p.EndsWith('/') ? "" : "$"), RegexOptions.CultureInvariant)).ToArray();

        public string? Map(string entryName)
        {
            var n = entryName.Replace('\\', '/');
            if (n.StartsWith("./", StringComparison.Ordinal)) n = n[2..];
            if (!n.StartsWith(prefix, StringComparison.Ordinal)) return null;
            var rel = n[prefix.Length..];
            if (rel.Length == 0) return null;
            return _patterns.Length == 0 || _patterns.Any(r => r.IsMatch(rel)) ? rel : null;
        }
    }
}
