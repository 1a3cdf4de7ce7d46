using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using AiopsLab.Data;
using AiopsLab.Reporting.Notebook;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace AiopsLab.Notebooks;

/// <summary>
/// <see cref="NotebookEngine.Roslyn"/>: Roslyn scripting in this process. The first C# cell runs with
/// <c>CSharpScript.RunAsync</c>, each later one with <c>ContinueWithAsync</c>. Cells see <see cref="NotebookGlobals"/>
/// (<c>display</c> renders with <see cref="RichView"/>). <c>#r "path.dll"</c> is resolved from the notebook's folder; an
/// assembly already loaded in this process (AiopsLab itself) is bound to the loaded one, so values passed to
/// <c>display()</c> keep their types. <c>#r "nuget: Name, Version"</c> is restored by <see cref="NuGetRestore"/>;
/// <c>#i</c> and other magic commands are errors. Console.Out / Console.Error are redirected while the engine lives.
/// </summary>
internal sealed class RoslynCellEngine : ICellEngine
{
    private readonly string _folder;
    private readonly TextWriter _savedOut = Console.Out, _savedErr = Console.Error;
    private readonly INotebookSink _savedSink = NotebookOutput.Sink;
    private readonly OutputCollector _collector = new();
    private readonly HashSet<string> _referenced = new(StringComparer.Ordinal);
    private readonly NotebookGlobals _globals = new();
    private ScriptOptions _options;
    private ScriptState<object>? _state;

    public RoslynCellEngine(string folder)
    {
        _folder = folder;
        _options = ScriptOptions.Default
            .WithReferences(typeof(MetricFrame).Assembly, typeof(NotebookGlobals).Assembly)
            .WithImports(NotebookRunner.DefaultImports)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(folder))
            .WithSourceResolver(new SourceFileResolver([], folder))
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithEmitDebugInformation(false)
            .WithFileEncoding(Encoding.UTF8);
        RichView.ResetIds();
        Console.SetOut(_collector.Out);
        Console.SetError(_collector.Err);
        NotebookOutput.Sink = _collector;
    }

    public async Task<CellRun> RunAsync(NotebookCell cell, int execution, TimeSpan? limit, CancellationToken ct)
    {
        _collector.Begin();
        string? error = null;
        try
        {
            if (cell.Language != "csharp")
                throw new AiopsLabException($"cell language '{cell.Language}' is not supported by the headless runner (C# only).");
            var src = CellSource.Parse(cell.Source);
            var refs = new List<MetadataReference>();
            foreach (var p in src.AssemblyPaths) AddReference(refs, _referenced, ResolvePath(p, _folder));
            foreach (var pkg in src.Packages)
                foreach (var a in NuGetRestore.Restore(pkg)) AddReference(refs, _referenced, a);
            if (refs.Count > 0) _options = _options.AddReferences(refs);
            // On a pool thread: a cell without awaits runs synchronously inside RunAsync, and the time limit must still apply.
            var previous = _state;
            var cellOptions = _options;
            var run = Task.Run(() => previous is null
                ? CSharpScript.Create<object>(src.Code, cellOptions, typeof(NotebookGlobals)).RunAsync(_globals, _ => true, ct)
                : previous.ContinueWithAsync<object>(src.Code, cellOptions, _ => true, ct), ct);
            if (limit is { } l)
            {
                var done = await Task.WhenAny(run, Task.Delay(l, ct)).ConfigureAwait(false);
                if (done != run) throw new TimeoutException(NotebookRunner.TimeLimitMessage(l));
            }
            _state = await run.ConfigureAwait(false);
            if (_state.Exception is { } ex) throw new CellException(ex);
            _collector.Flush();
            if (_state.ReturnValue is { } value && !IsVoidLike(value))
                _collector.Result(value, execution);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var inner = e is CellException ce ? ce.InnerException! : e;
            _collector.Flush();
            _collector.Error(inner);
            error = $"{ErrorName(inner)}: {ErrorValue(inner)}";
        }
        _collector.Flush();
        return new CellRun(_collector.Take(), error);
    }

    public ValueTask DisposeAsync()
    {
        NotebookOutput.Sink = _savedSink;
        Console.SetOut(_savedOut);
        Console.SetError(_savedErr);
        return ValueTask.CompletedTask;
    }

    private static bool IsVoidLike(object v) => v is Task;

    private static string ResolvePath(string path, string folder)
    {
        var full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(folder, path));
        if (!File.Exists(full))
        {
            var hint = full.Contains(Path.Combine("artifacts", "lib"), StringComparison.Ordinal)
                ? " Build the solution first (dotnet build AiopsLab.sln copies the library to artifacts/lib/)." : "";
            throw new AiopsLabException($"#r \"{path}\": '{full}' does not exist.{hint}");
        }
        return full;
    }

    /// <summary>
    /// References an assembly file; when an assembly of the same name is already loaded here, references the loaded one
    /// instead, so that the notebook and the runner share one copy of its types.
    /// </summary>
    private static void AddReference(List<MetadataReference> refs, HashSet<string> seen, string file)
    {
        AssemblyName an;
        try { an = AssemblyName.GetAssemblyName(file); }
        catch (BadImageFormatException) { throw new AiopsLabException($"#r: '{file}' is not a .NET assembly."); }
        var loaded = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => !a.IsDynamic && a.Location.Length > 0 && string.Equals(a.GetName().Name, an.Name, StringComparison.Ordinal));
        var path = loaded?.Location ?? file;
        if (seen.Add(path)) refs.Add(MetadataReference.CreateFromFile(path));
    }

    internal static string ErrorName(Exception e) => e switch
    {
        CompilationErrorException => "CompilationError",
        _ => e.GetType().Name,
    };

    internal static string ErrorValue(Exception e) => e switch
    {
        CompilationErrorException c => string.Join("; ", c.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(FormatDiagnostic)),
        _ => e.Message,
    };

    private static string FormatDiagnostic(Diagnostic d)
    {
        var pos = d.Location.GetLineSpan().StartLinePosition;
        return string.Create(CultureInfo.InvariantCulture, $"({pos.Line + 1},{pos.Character + 1}): {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}");
    }

    private sealed class CellException(Exception inner) : Exception(inner.Message, inner);

    /// <summary>Collects a cell's outputs in order: stream text (flushed when a display or the other stream comes), display_data, execute_result, error.</summary>
    private sealed class OutputCollector : INotebookSink
    {
        private readonly object _gate = new();
        private JsonArray _outputs = [];
        private readonly StringBuilder _pending = new();
        private string _pendingStream = "stdout";

        public OutputCollector()
        {
            Out = TextWriter.Synchronized(new StreamWriterShim(this, "stdout"));
            Err = TextWriter.Synchronized(new StreamWriterShim(this, "stderr"));
        }

        public TextWriter Out { get; }
        public TextWriter Err { get; }

        public void Begin() { lock (_gate) { _outputs = []; _pending.Clear(); } }

        public JsonArray Take() { lock (_gate) { var o = _outputs; _outputs = []; return o; } }

        public void Write(string stream, string text)
        {
            lock (_gate)
            {
                if (_pending.Length > 0 && stream != _pendingStream) FlushLocked();
                _pendingStream = stream;
                _pending.Append(text);
            }
        }

        public void Flush() { lock (_gate) FlushLocked(); }

        private void FlushLocked()
        {
            if (_pending.Length == 0) return;
            _outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = _pendingStream, ["text"] = NotebookDocument.SourceLines(_pending.ToString()) });
            _pending.Clear();
        }

        public void Show(string? html, string text)
        {
            lock (_gate)
            {
                FlushLocked();
                _outputs.Add(new JsonObject { ["output_type"] = "display_data", ["data"] = NotebookRunner.Bundle(html, text), ["metadata"] = new JsonObject() });
            }
        }

        public void Result(object value, int execution)
        {
            var html = RichView.Html(value);
            var text = RichView.Text(value);
            lock (_gate)
            {
                FlushLocked();
                _outputs.Add(new JsonObject
                {
                    ["output_type"] = "execute_result", ["data"] = NotebookRunner.Bundle(html, text), ["execution_count"] = execution, ["metadata"] = new JsonObject(),
                });
            }
        }

        public void Error(Exception e)
        {
            var trace = e is CompilationErrorException c
                ? c.Diagnostics.Select(FormatDiagnostic).ToArray()
                : e.ToString().Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            lock (_gate)
            {
                FlushLocked();
                _outputs.Add(NotebookRunner.ErrorOutput(ErrorName(e), ErrorValue(e), trace));
            }
        }

        private sealed class StreamWriterShim(OutputCollector owner, string stream) : TextWriter
        {
            public override Encoding Encoding => Encoding.UTF8;
            public override void Write(char value) => owner.Write(stream, value.ToString());
            public override void Write(string? value) { if (!string.IsNullOrEmpty(value)) owner.Write(stream, value); }
            public override void Write(char[] buffer, int index, int count) => owner.Write(stream, new string(buffer, index, count));
            public override void WriteLine(string? value) => owner.Write(stream, (value ?? "") + "\n");
            public override void WriteLine() => owner.Write(stream, "\n");
        }
    }
}
