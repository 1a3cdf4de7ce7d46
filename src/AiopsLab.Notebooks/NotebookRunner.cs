using System.Diagnostics;
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
/// What a notebook's C# cells see besides their own declarations: <c>display(value)</c> and <c>HTML(string)</c>, as in
/// Polyglot Notebooks. <c>display</c> renders with <see cref="RichView"/> (MetricFrame head, RcaResult ranking,
/// ReportTable, Plotly figures, sequences of records) into a <c>display_data</c> output with <c>text/html</c> and
/// <c>text/plain</c>; <c>HTML</c> wraps markup so that <c>display</c> (or a cell's last expression) shows it as HTML.
/// </summary>
public class NotebookGlobals
{
    /// <summary>Shows <paramref name="value"/> as an output of the running cell.</summary>
    public void display(object? value) => NotebookOutput.Display(value);

    /// <summary>Markup to show as it is.</summary>
    public HtmlContent HTML(string html) => new(html);
}

/// <summary>Options of a notebook run.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Folder for the executed copies (<c>NAME.ipynb</c>); null = do not write one.</summary>
    public string? OutDir { get; init; }
    /// <summary>Time limit per cell; null = none.</summary>
    public TimeSpan? CellTimeout { get; init; }
    /// <summary>Called after each code cell.</summary>
    public IProgress<CellProgress>? Progress { get; init; }
}

/// <summary>A cell finished: its 1-based number among all cells, its number among the code cells, and how it ended.</summary>
public sealed record CellProgress(string Notebook, int Cell, int CodeCell, int CodeCells, bool Ok, double Seconds);

/// <summary>How one code cell ran.</summary>
public sealed record CellResult(int Cell, int ExecutionCount, JsonArray Outputs, double Seconds, bool Ok);

/// <summary>How a notebook ran: ok, or the 1-based number of the cell that failed and the error.</summary>
public sealed record NotebookRunResult(string Notebook, bool Ok, int? FailedCell, string? Error, IReadOnlyList<CellResult> Cells, double Seconds)
{
    /// <summary>The executed copy, where one was written.</summary>
    public string? OutputPath { get; init; }
}

/// <summary>
/// Runs Polyglot notebooks headless on Roslyn scripting: the first C# cell with <c>CSharpScript.RunAsync</c>, each later
/// one with <c>ContinueWithAsync</c>, so variables, usings and declarations carry from cell to cell as in the notebook.
/// The working directory is the notebook's folder while it runs. Per cell, text written to <c>Console.Out</c> /
/// <c>Console.Error</c> becomes <c>stream</c> outputs, <c>display()</c> calls <c>display_data</c>, a last expression
/// with a value <c>execute_result</c>, and an exception or compile error an <c>error</c> output (ename, evalue,
/// traceback), after which the run of that notebook stops. <c>#r "path.dll"</c> is resolved from the notebook's folder;
/// an assembly that is already loaded in this process (AiopsLab itself) is bound to the loaded one, so values passed
/// to <c>display()</c> keep their types. <c>#r "nuget: Name, Version"</c> is restored by <see cref="NuGetRestore"/>.
/// Notebooks run one at a time (the working directory and the console are process-wide).
/// </summary>
public static class NotebookRunner
{
    /// <summary>Namespaces imported in every cell, as the Polyglot C# kernel does.</summary>
    public static readonly string[] DefaultImports = ["System", "System.Collections.Generic", "System.Linq", "System.Text", "System.Threading.Tasks"];

    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    /// <summary>Runs a notebook file and writes its executed copy to <see cref="NotebookRunOptions.OutDir"/>.</summary>
    public static async Task<NotebookRunResult> RunAsync(string path, NotebookRunOptions? options = null, CancellationToken ct = default)
    {
        var doc = NotebookDocument.Load(path);
        return await RunAsync(doc, options, ct).ConfigureAwait(false);
    }

    /// <summary>Runs a parsed notebook.</summary>
    public static async Task<NotebookRunResult> RunAsync(NotebookDocument doc, NotebookRunOptions? options = null, CancellationToken ct = default)
    {
        options ??= new NotebookRunOptions();
        await OneAtATime.WaitAsync(ct).ConfigureAwait(false);
        try { return await RunLockedAsync(doc, options, ct).ConfigureAwait(false); }
        finally { OneAtATime.Release(); }
    }

    private static async Task<NotebookRunResult> RunLockedAsync(NotebookDocument doc, NotebookRunOptions options, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var name = Path.GetFileName(doc.Path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(doc.Path))!;
        var results = new (JsonArray Outputs, int? ExecutionCount)?[doc.Cells.Count];
        var cellResults = new List<CellResult>();
        int codeCells = doc.Cells.Count(IsRunnable), codeIndex = 0, execution = 0;
        int? failed = null;
        string? error = null;

        var savedDir = Directory.GetCurrentDirectory();
        var savedOut = Console.Out;
        var savedErr = Console.Error;
        var savedSink = NotebookOutput.Sink;
        var collector = new OutputCollector();
        var scriptOptions = ScriptOptions.Default
            .WithReferences(typeof(MetricFrame).Assembly, typeof(NotebookGlobals).Assembly)
            .WithImports(DefaultImports)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(folder))
            .WithSourceResolver(new SourceFileResolver([], folder))
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithEmitDebugInformation(false)
            .WithFileEncoding(Encoding.UTF8);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var globals = new NotebookGlobals();
        ScriptState<object>? state = null;
        RichView.ResetIds();
        try
        {
            Directory.SetCurrentDirectory(folder);
            Console.SetOut(collector.Out);
            Console.SetError(collector.Err);
            NotebookOutput.Sink = collector;
            for (int i = 0; i < doc.Cells.Count; i++)
            {
                var cell = doc.Cells[i];
                if (!IsRunnable(cell)) continue;
                codeIndex++;
                execution++;
                collector.Begin();
                var sw = Stopwatch.StartNew();
                bool ok = true;
                try
                {
                    if (cell.Language != "csharp")
                        throw new AiopsLabException($"cell language '{cell.Language}' is not supported by the headless runner (C# only).");
                    var src = CellSource.Parse(cell.Source);
                    var refs = new List<MetadataReference>();
                    foreach (var p in src.AssemblyPaths) AddReference(refs, referenced, ResolvePath(p, folder));
                    foreach (var pkg in src.Packages)
                        foreach (var a in NuGetRestore.Restore(pkg)) AddReference(refs, referenced, a);
                    if (refs.Count > 0) scriptOptions = scriptOptions.AddReferences(refs);
                    // On a pool thread: a cell without awaits runs synchronously inside RunAsync, and the time limit must still apply.
                    var previous = state;
                    var cellOptions = scriptOptions;
                    var run = Task.Run(() => previous is null
                        ? CSharpScript.Create<object>(src.Code, cellOptions, typeof(NotebookGlobals)).RunAsync(globals, _ => true, ct)
                        : previous.ContinueWithAsync<object>(src.Code, cellOptions, _ => true, ct), ct);
                    if (options.CellTimeout is { } limit)
                    {
                        var done = await Task.WhenAny(run, Task.Delay(limit, ct)).ConfigureAwait(false);
                        if (done != run) throw new TimeoutException($"the cell did not finish within {limit.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s.");
                    }
                    state = await run.ConfigureAwait(false);
                    if (state.Exception is { } ex) throw new CellException(ex);
                    collector.Flush();
                    if (state.ReturnValue is { } value && !IsVoidLike(value))
                        collector.Result(value, execution);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    ok = false;
                    var inner = e is CellException ce ? ce.InnerException! : e;
                    collector.Flush();
                    collector.Error(inner);
                    failed = i + 1;
                    error = $"{name}: cell {i + 1} (code cell {codeIndex} of {codeCells}) failed: {ErrorName(inner)}: {ErrorValue(inner)}";
                }
                collector.Flush();
                results[i] = (collector.Take(), execution);
                cellResults.Add(new CellResult(i + 1, execution, (JsonArray)results[i]!.Value.Outputs.DeepClone(), sw.Elapsed.TotalSeconds, ok));
                options.Progress?.Report(new CellProgress(name, i + 1, codeIndex, codeCells, ok, sw.Elapsed.TotalSeconds));
                if (!ok) break;
            }
        }
        finally
        {
            NotebookOutput.Sink = savedSink;
            Console.SetOut(savedOut);
            Console.SetError(savedErr);
            Directory.SetCurrentDirectory(savedDir);
        }
        var result = new NotebookRunResult(name, failed is null, failed, error, cellResults, total.Elapsed.TotalSeconds);
        if (options.OutDir is { } outDir)
        {
            var target = Path.Combine(Path.GetFullPath(outDir), Path.GetFileNameWithoutExtension(doc.Path) + ".ipynb");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var tmp = target + ".tmp";
            File.WriteAllText(tmp, doc.ToIpynb(results));
            File.Move(tmp, target, overwrite: true);
            result = result with { OutputPath = target };
        }
        return result;
    }

    private static bool IsRunnable(NotebookCell c) => c.Kind == CellKind.Code && c.Language != "markdown" && c.Source.Trim().Length > 0;

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
                _outputs.Add(new JsonObject { ["output_type"] = "display_data", ["data"] = Bundle(html, text), ["metadata"] = new JsonObject() });
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
                    ["output_type"] = "execute_result", ["data"] = Bundle(html, text), ["execution_count"] = execution, ["metadata"] = new JsonObject(),
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
                _outputs.Add(new JsonObject
                {
                    ["output_type"] = "error", ["ename"] = ErrorName(e), ["evalue"] = ErrorValue(e),
                    ["traceback"] = new JsonArray(trace.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
                });
            }
        }

        private static JsonObject Bundle(string? html, string text)
        {
            var data = new JsonObject();
            if (html is not null) data["text/html"] = NotebookDocument.SourceLines(html);
            data["text/plain"] = NotebookDocument.SourceLines(text);
            return data;
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
