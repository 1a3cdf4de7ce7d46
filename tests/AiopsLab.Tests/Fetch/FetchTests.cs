using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using AiopsLab.Tests.Infrastructure;
using Xunit;

namespace AiopsLab.Tests.Fetch;

/// <summary>
/// `aiopslab datasets fetch` against a real HTTP server on 127.0.0.1 that serves an archive the test builds. The server
/// answers a bounded number of requests and stops when the test ends.
/// </summary>
public sealed class FetchTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _short = new(StringComparer.Ordinal);
    private readonly string _base;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();

    public FetchTests()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; probe.Stop(); }
        _base = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(_base);
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    private async Task Serve()
    {
        for (int served = 0; served < 50 && !_stop.IsCancellationRequested; served++)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(60), _stop.Token); }
            catch (Exception) { return; }
            var path = ctx.Request.Url!.AbsolutePath.TrimStart('/');
            if (_files.TryGetValue(path, out var body))
            {
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentLength64 = body.Length;
                if (_short.Contains(path))
                {
                    // Half the body promised by Content-Length, then the connection drops.
                    await ctx.Response.OutputStream.WriteAsync(body.AsMemory(0, body.Length / 2));
                    await ctx.Response.OutputStream.FlushAsync();
                    ctx.Response.Abort();
                    continue;
                }
                await ctx.Response.OutputStream.WriteAsync(body);
            }
            else ctx.Response.StatusCode = 404;
            ctx.Response.Close();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }

    private static byte[] TarGz(params (string Name, string Text)[] entries)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, text) in entries)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
        }
        return ms.ToArray();
    }

    private static string Sha(byte[] b) => Convert.ToHexString(SHA256.HashData(b)).ToLowerInvariant();

    private string Catalog(string archive, string? sha) =>
        WriteCatalog($"""
        - name: toy
          title: A toy dataset
          layout: generic
          url: {_base}{archive}
          sha256: {sha ?? "null"}
          archive_prefix: toy-1234/
          include: [data/, LICENSE]
          license: CC0
          citation: Nobody, Toy data, 2026.
        """);

    private static string WriteCatalog(string yaml)
    {
        var p = Path.Combine(CliRunner.TempDir("catalog"), "catalog.yaml");
        File.WriteAllText(p, yaml);
        return p;
    }

    private static readonly (string, string)[] ToyEntries =
    [
        ("toy-1234/data/case1/metrics.csv", "time,a_x\n1,2\n"),
        ("toy-1234/data/case1/case.json", "{}"),
        ("toy-1234/other/big.bin", "not wanted"),
        ("toy-1234/LICENSE", "CC0"),
    ];

    [Fact]
    public void Downloads_verifies_and_unpacks_only_the_included_paths()
    {
        var archive = TarGz(ToyEntries);
        _files["toy.tar.gz"] = archive;
        var root = CliRunner.TempDir("fetch-ok");
        var r = CliRunner.Run("datasets", "fetch", "toy", "--catalog", Catalog("toy.tar.gz", Sha(archive)), "--data-root", root);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains(Sha(archive), r.Out);
        Assert.Contains("matches the catalog", r.Out);
        var files = Directory.GetFiles(Path.Combine(root, "toy"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(root, "toy"), f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["LICENSE", "data/case1/case.json", "data/case1/metrics.csv"], files);
        Assert.Equal("time,a_x\n1,2\n", File.ReadAllText(Path.Combine(root, "toy", "data", "case1", "metrics.csv")));
        Assert.Empty(Directory.GetFileSystemEntries(root, ".fetch-*"));
        // A second fetch refuses to overwrite without --force, and replaces with it.
        var again = CliRunner.Run("datasets", "fetch", "toy", "--catalog", Catalog("toy.tar.gz", Sha(archive)), "--data-root", root);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--force", again.Err);
        Assert.Equal(0, CliRunner.Run("datasets", "fetch", "toy", "--force", "--catalog", Catalog("toy.tar.gz", Sha(archive)), "--data-root", root).ExitCode);
    }

    [Fact]
    public void A_checksum_mismatch_is_an_error_and_leaves_nothing()
    {
        var archive = TarGz(ToyEntries);
        _files["toy.tar.gz"] = archive;
        var root = CliRunner.TempDir("fetch-bad-sha");
        var wrong = new string('0', 64);
        var r = CliRunner.Run("datasets", "fetch", "toy", "--catalog", Catalog("toy.tar.gz", wrong), "--data-root", root);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("checksum mismatch", r.Err);
        Assert.Contains(wrong, r.Err);
        Assert.Contains(Sha(archive), r.Err);
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    [Fact]
    public void An_unpinned_archive_needs_consent_and_its_checksum_is_reported()
    {
        var archive = TarGz(ToyEntries);
        _files["toy.tar.gz"] = archive;
        var root = CliRunner.TempDir("fetch-unpinned");
        var cat = Catalog("toy.tar.gz", null);
        var refused = CliRunner.Run("datasets", "fetch", "toy", "--catalog", cat, "--data-root", root);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains(Sha(archive), refused.Err);
        Assert.Empty(Directory.GetFileSystemEntries(root));
        var ok = CliRunner.Run("datasets", "fetch", "toy", "--allow-unpinned", "--catalog", cat, "--data-root", root);
        Assert.True(ok.ExitCode == 0, ok.Err);
        Assert.Contains("not pinned", ok.Out);
    }

    [Fact]
    public void A_404_and_an_unknown_name_are_clear_errors()
    {
        var root = CliRunner.TempDir("fetch-404");
        var r = CliRunner.Run("datasets", "fetch", "toy", "--catalog", Catalog("missing.tar.gz", null), "--data-root", root);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("404", r.Err);
        var u = CliRunner.Run("datasets", "fetch", "nope", "--catalog", Catalog("x.tar.gz", null), "--data-root", root);
        Assert.Equal(2, u.ExitCode);
        Assert.Contains("unknown dataset 'nope'", u.Err);
        Assert.Contains("toy", u.Err);
    }

    [Fact]
    public void An_archive_entry_that_escapes_the_folder_is_refused()
    {
        var archive = TarGz(("toy-1234/data/../../escape.txt", "x"), ("toy-1234/data/ok.csv", "y"));
        _files["evil.tar.gz"] = archive;
        var root = CliRunner.TempDir("fetch-evil");
        var r = CliRunner.Run("datasets", "fetch", "toy", "--catalog", Catalog("evil.tar.gz", Sha(archive)), "--data-root", root);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("leaves the dataset folder", r.Err);
        Assert.False(File.Exists(Path.Combine(root, "escape.txt")));
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    public static TheoryData<string> MalformedArchives => ["garbage.tar.gz", "empty.tar.gz", "truncated.tar.gz", "duplicate.tar.gz", "file-and-folder.tar.gz", "garbage.zip"];

    /// <summary>Issue 16, D12: malformed archives are an error (exit 2) that keeps nothing, never an internal error.</summary>
    [Theory]
    [MemberData(nameof(MalformedArchives))]
    public void D12_a_malformed_archive_is_a_clean_error_and_leaves_nothing(string name)
    {
        var good = TarGz(ToyEntries);
        byte[] body = name switch
        {
            "garbage.tar.gz" or "garbage.zip" => Encoding.UTF8.GetBytes("this is not an archive at all"),
            "empty.tar.gz" => [],
            "truncated.tar.gz" => good[..(good.Length / 2)],
            "duplicate.tar.gz" => TarGz(("toy-1234/data/a.csv", "1"), ("toy-1234/data/a.csv", "2")),
            _ => TarGz(("toy-1234/data/a", "file"), ("toy-1234/data/a/b.csv", "under a file")),
        };
        _files[name] = body;
        var root = CliRunner.TempDir("fetch-malformed");
        var r = CliRunner.Run("datasets", "fetch", "toy", "--catalog", Catalog(name, Sha(body)), "--data-root", root);
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("internal error", r.Err);
        Assert.Contains("error:", r.Err);
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    /// <summary>Issue 16, D12: a body shorter than its Content-Length (the connection drops) is an error that keeps nothing.</summary>
    [Fact]
    public void D12_a_body_shorter_than_its_content_length_is_a_clean_error()
    {
        var body = TarGz(ToyEntries);
        _files["short.tar.gz"] = body;
        _short.Add("short.tar.gz");
        var root = CliRunner.TempDir("fetch-short");
        var r = CliRunner.Run("datasets", "fetch", "toy", "--catalog", Catalog("short.tar.gz", Sha(body)), "--data-root", root);
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("internal error", r.Err);
        Assert.Contains("ended early", r.Err);
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    [Fact]
    public void D12_a_catalog_entry_named_with_a_path_is_refused()
    {
        var root = CliRunner.TempDir("fetch-name");
        var cat = WriteCatalog($"""
        - name: ../x
          title: escape
          layout: generic
          url: {_base}toy.tar.gz
          sha256: null
          license: CC0
          citation: Nobody.
        """);
        var r = CliRunner.Run("datasets", "fetch", "../x", "--catalog", cat, "--data-root", root, "--allow-unpinned");
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("internal error", r.Err);
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(root)!, "x")));
    }
}
