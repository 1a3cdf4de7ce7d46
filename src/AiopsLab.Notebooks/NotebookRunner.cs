using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AiopsLab.Reporting.Notebook;

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
    /// <summary>What runs the cells: the .NET Interactive C# kernel (the default, as Polyglot Notebooks) or Roslyn scripting.</summary>
    public NotebookEngine Engine { get; init; } = NotebookEngine.Kernel;
}

/// <summary>What runs a notebook's cells (docs/notebooks.md).</summary>
public enum NotebookEngine
{
    /// <summary>Microsoft.DotNet.Interactive's <c>CSharpKernel</c>, the kernel Polyglot Notebooks runs: <c>#r "nuget:"</c>, <c>#i</c>, <c>display()</c>, formatters, kernel extensions.</summary>
    Kernel,
    /// <summary>Roslyn scripting in this process with AiopsLab's own <c>display()</c> (<see cref="NotebookGlobals"/>); no <c>#i</c>, no kernel extensions.</summary>
    Roslyn,
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
/// Runs Polyglot notebooks headless, cell by cell, on an <see cref="NotebookEngine"/>: by default the .NET Interactive C#
/// kernel (<see cref="KernelCellEngine"/>), else Roslyn scripting (<see cref="RoslynCellEngine"/>). State carries from
/// cell to cell as in the notebook. The working directory is the notebook's folder while it runs. Per cell, console
/// text becomes <c>stream</c> outputs, <c>display()</c> calls <c>display_data</c>, a last expression with a value
/// <c>execute_result</c>, and an exception or compile error an <c>error</c> output (ename, evalue, traceback), after
/// which the run of that notebook stops. Notebooks run one at a time (the working directory and the console are
/// process-wide).
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
        try
        {
            Directory.SetCurrentDirectory(folder);
            await using ICellEngine engine = options.Engine == NotebookEngine.Kernel ? new KernelCellEngine() : new RoslynCellEngine(folder);
            var offline = new PlotlyOffline(); // charts draw without a CDN in the executed copy
            for (int i = 0; i < doc.Cells.Count; i++)
            {
                var cell = doc.Cells[i];
                if (!IsRunnable(cell)) continue;
                codeIndex++;
                execution++;
                var sw = Stopwatch.StartNew();
                var run = await engine.RunAsync(cell, execution, options.CellTimeout, ct).ConfigureAwait(false);
                offline.Apply(run.Outputs);
                bool ok = run.Error is null;
                if (!ok)
                {
                    failed = i + 1;
                    error = $"{name}: cell {i + 1} (code cell {codeIndex} of {codeCells}) failed: {run.Error}";
                }
                results[i] = (run.Outputs, execution);
                cellResults.Add(new CellResult(i + 1, execution, (JsonArray)run.Outputs.DeepClone(), sw.Elapsed.TotalSeconds, ok));
                options.Progress?.Report(new CellProgress(name, i + 1, codeIndex, codeCells, ok, sw.Elapsed.TotalSeconds));
                if (!ok) break;
            }
        }
        finally
        {
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

    /// <summary>A time-limit message.</summary>
    internal static string TimeLimitMessage(TimeSpan limit) =>
        $"the cell did not finish within {limit.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s.";

    /// <summary>One stream, display, result or error output in nbformat 4.</summary>
    internal static JsonObject Bundle(string? html, string? text)
    {
        var data = new JsonObject();
        if (html is not null) data["text/html"] = NotebookDocument.SourceLines(html);
        if (text is not null) data["text/plain"] = NotebookDocument.SourceLines(text);
        return data;
    }

    internal static JsonObject ErrorOutput(string ename, string evalue, IEnumerable<string> traceback) => new()
    {
        ["output_type"] = "error", ["ename"] = ename, ["evalue"] = evalue,
        ["traceback"] = new JsonArray(traceback.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
    };
}

/// <summary>How one cell ran on an engine: its outputs in order and, when it failed, "ename: evalue".</summary>
internal sealed record CellRun(JsonArray Outputs, string? Error);

/// <summary>Runs a notebook's code cells one after another, keeping state between them.</summary>
internal interface ICellEngine : IAsyncDisposable
{
    Task<CellRun> RunAsync(NotebookCell cell, int execution, TimeSpan? limit, CancellationToken ct);
}
