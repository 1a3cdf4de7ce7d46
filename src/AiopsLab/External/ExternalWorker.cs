using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace AiopsLab.External;

/// <summary>
/// One running worker process of an external method: it is started once, greets with a hello line, then answers one
/// request line with one reply line on stdout, until its stdin is closed. Its stderr is read continuously and the last
/// lines are kept for error reports. Not thread-safe: a worker serves one request at a time (see <see cref="ExternalLocalizer"/>).
/// </summary>
public sealed class ExternalWorker : IDisposable
{
    private const int StderrLines = 20;
    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly StreamReader _stdout;
    private readonly Queue<string> _stderr = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private bool _dead;

    private ExternalWorker(Process process)
    {
        _process = process;
        _stdin = process.StandardInput.BaseStream;
        _stdout = process.StandardOutput;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr)
            {
                _stderr.Enqueue(e.Data);
                while (_stderr.Count > StderrLines) _stderr.Dequeue();
            }
        };
        process.BeginErrorReadLine();
    }

    /// <summary>Process id, for diagnostics and tests.</summary>
    public int ProcessId => _process.Id;

    /// <summary>False once the worker has exited, been killed, or broken the protocol; such a worker is replaced.</summary>
    public bool IsUsable => !_dead && !_process.HasExited;

    /// <summary>Starts the manifest's command and waits for its hello line (within the manifest's start timeout).</summary>
    /// <exception cref="ExternalMethodException">It cannot be started, exits, or does not greet in time or in protocol 1.</exception>
    public static ExternalWorker Start(ExternalManifest m, CancellationToken ct)
    {
        var psi = new ProcessStartInfo
        {
            FileName = m.Command[0], WorkingDirectory = m.Folder,
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false), StandardErrorEncoding = new UTF8Encoding(false),
        };
        foreach (var a in m.Command.Skip(1)) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONUNBUFFERED"] = "1";
        psi.Environment["AIOPSLAB_PROTOCOL"] = ExternalProtocol.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Process p;
        try { p = Process.Start(psi) ?? throw new ExternalMethodException($"method '{m.Name}': '{m.Command[0]}' did not start."); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ExternalMethodException($"method '{m.Name}' ({m.File}): cannot start '{string.Join(' ', m.Command)}' in {m.Folder}: {e.Message}.");
        }
        var w = new ExternalWorker(p);
        try
        {
            var hello = w.ReadLine(TimeSpan.FromSeconds(m.StartTimeout), ct, "hello line");
            CheckHello(hello, m);
            return w;
        }
        catch
        {
            w.Dispose();
            throw;
        }
    }

    private static void CheckHello(string line, ExternalManifest m)
    {
        try
        {
            using var d = JsonDocument.Parse(line);
            var r = d.RootElement;
            if (r.ValueKind == JsonValueKind.Object && r.TryGetProperty("type", out var t) && t.ValueEquals("hello")
                && r.TryGetProperty("protocol", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var ver))
            {
                if (ver == ExternalProtocol.Version) return;
                throw new ExternalMethodException($"method '{m.Name}' speaks protocol {ver}; this AiopsLab speaks {ExternalProtocol.Version}.");
            }
        }
        catch (JsonException) { }
        throw new ExternalMethodException($"method '{m.Name}' did not start with a hello line {{\"type\": \"hello\", \"protocol\": 1}}; it wrote: {ExternalProtocol.Clip(line)}");
    }

    /// <summary>Sends one request (written by <paramref name="write"/>) and returns the reply line.</summary>
    /// <exception cref="ExternalMethodException">The worker died or wrote nothing; the worker is then unusable.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled (the per-case timeout); the worker is killed.</exception>
    public string Exchange(Action<IBufferWriter<byte>> write, CancellationToken ct)
    {
        _buffer.ResetWrittenCount();
        write(_buffer);
        try
        {
            _stdin.Write(_buffer.WrittenSpan);
            _stdin.Flush();
        }
        catch (IOException e)
        {
            _dead = true;
            throw Died($"the worker closed its input ({e.Message})");
        }
        return ReadLine(Timeout.InfiniteTimeSpan, ct, "reply");
    }

    private string ReadLine(TimeSpan limit, CancellationToken ct, string what)
    {
        using var timer = new CancellationTokenSource(limit);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        string? line;
        using (both.Token.Register(Kill))
        {
            try { line = _stdout.ReadLine(); }
            catch (IOException) { line = null; }
        }
        ct.ThrowIfCancellationRequested();
        if (timer.IsCancellationRequested) { _dead = true; throw Died(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no {what} within {limit.TotalSeconds:0.###} s")); }
        if (line is null) { _dead = true; throw Died($"the worker exited before sending its {what}"); }
        return line;
    }

    private ExternalMethodException Died(string why)
    {
        // Give the stderr reader a moment to collect the last lines of a crash.
        if (_process.WaitForExit(500)) _process.WaitForExit();
        string code = _process.HasExited ? $" (exit code {_process.ExitCode})" : "";
        return new ExternalMethodException($"{why}{code}.{StderrTail()}");
    }

    /// <summary>The last lines the worker wrote to stderr, as " stderr: …" (empty when it wrote nothing).</summary>
    public string StderrTail()
    {
        lock (_stderr)
            return _stderr.Count == 0 ? "" : " stderr: " + string.Join(" | ", _stderr);
    }

    /// <summary>Marks the worker unusable after a protocol error in its reply.</summary>
    public void Poison() => _dead = true;

    private void Kill()
    {
        _dead = true;
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
    }

    /// <summary>Closes the worker's stdin (its signal to exit) and kills it if it has not exited within a second.</summary>
    public void Dispose()
    {
        try { _stdin.Close(); } catch (IOException) { }
        if (!_process.WaitForExit(1000)) Kill();
        _process.Dispose();
    }
}
