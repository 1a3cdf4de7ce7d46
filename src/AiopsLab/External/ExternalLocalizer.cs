using System.Collections.Concurrent;
using AiopsLab.Data;
using AiopsLab.Methods;

namespace AiopsLab.External;

/// <summary>
/// A root-cause localizer that runs as its own program (any language) and speaks the external-method protocol
/// (<see cref="ExternalProtocol"/>, docs/external-methods.md). Workers are started on first use and kept: each call takes
/// an idle worker (or starts one), so with <c>jobs</c> concurrent cases there are at most <c>jobs</c> workers and start-up
/// is paid once per worker. A worker that crashes, breaks the protocol or is killed at the per-case timeout is dropped
/// and the next call starts a fresh one; the failure is thrown as <see cref="ExternalMethodException"/> (the runner records
/// the run as failed, with the reason and the worker's stderr tail) or as <see cref="OperationCanceledException"/> (timeout).
/// Frames above the manifest's inline limit are written to a CSV file in a private temporary folder, deleted after the reply.
/// Dispose ends every worker; workers left undisposed exit when this process ends (their stdin closes).
/// </summary>
public sealed class ExternalLocalizer : IRootCauseLocalizer, IDisposable
{
    private readonly ExternalManifest _m;
    private readonly IReadOnlyDictionary<string, object> _options;
    private readonly ConcurrentBag<ExternalWorker> _idle = [];
    private readonly ConcurrentDictionary<ExternalWorker, byte> _all = new();
    private readonly Lazy<string> _tempFolder = new(() => Directory.CreateTempSubdirectory("aiopslab-external-").FullName);
    private long _nextId;
    private volatile bool _disposed;
    private int _exitHook;

    /// <summary>Binds <paramref name="parameters"/> to the manifest's options (defaults for the rest). Starts no process.</summary>
    /// <exception cref="AiopsLabException">Unknown option or a value of the wrong type.</exception>
    public ExternalLocalizer(ExternalManifest manifest, IReadOnlyDictionary<string, string> parameters)
    {
        _m = manifest;
        _options = manifest.BindOptions(parameters);
    }

    public string Name => _m.Name;

    /// <summary>The manifest this localizer runs.</summary>
    public ExternalManifest Manifest => _m;

    /// <summary>Workers currently alive (started and not dropped), for tests and diagnostics.</summary>
    public int WorkerCount => _all.Count;

    public RcaResult Localize(RcaProblem problem, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ct.ThrowIfCancellationRequested();
        var f = problem.Metrics;
        var transport = _m.Transport switch
        {
            "csv" => ExternalProtocol.Transport.Csv,
            "inline" => ExternalProtocol.Transport.Inline,
            _ => (long)f.RowCount * f.ColumnCount > _m.InlineCells ? ExternalProtocol.Transport.Csv : ExternalProtocol.Transport.Inline,
        };
        long id = Interlocked.Increment(ref _nextId);
        string? csv = null;
        if (transport == ExternalProtocol.Transport.Csv)
        {
            csv = Path.Combine(_tempFolder.Value, "metrics-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".csv");
            ExternalProtocol.WriteCsv(csv, f);
        }
        var worker = Rent(ct);
        bool keep = false;
        try
        {
            string line;
            try { line = worker.Exchange(b => ExternalProtocol.WriteRequest(b, id, problem, _options, transport, _m.Encoding, csv), ct); }
            catch (ExternalMethodException e) { throw Named(e.Message); }
            try
            {
                var result = ExternalProtocol.ReadReply(line, id, f);
                keep = true;
                return result;
            }
            catch (ExternalMethodException e) when (e.ReportedByMethod)
            {
                keep = true; // the method answered in protocol; the worker is sound
                throw Named(e.Message);
            }
            catch (ExternalMethodException e) { throw Named(e.Message + worker.StderrTail()); }
        }
        finally
        {
            if (keep && worker.IsUsable && !_disposed) _idle.Add(worker);
            else Drop(worker);
            if (csv is not null) File.Delete(csv);
        }
    }

    private ExternalMethodException Named(string message) => new($"external method '{_m.Name}': {message}");

    private ExternalWorker Rent(CancellationToken ct)
    {
        while (_idle.TryTake(out var w))
        {
            if (w.IsUsable) return w;
            Drop(w);
        }
        if (Interlocked.Exchange(ref _exitHook, 1) == 0) AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
        try
        {
            var fresh = ExternalWorker.Start(_m, ct);
            _all[fresh] = 0;
            return fresh;
        }
        catch (ExternalMethodException e) { throw Named(e.Message); }
    }

    private void Drop(ExternalWorker w)
    {
        _all.TryRemove(w, out _);
        w.Dispose();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        while (_idle.TryTake(out var w)) Drop(w);
        foreach (var w in _all.Keys) Drop(w);
        if (_tempFolder.IsValueCreated)
            try { Directory.Delete(_tempFolder.Value, true); } catch (IOException) { }
    }

    public override string ToString() => _m.Name;
}
