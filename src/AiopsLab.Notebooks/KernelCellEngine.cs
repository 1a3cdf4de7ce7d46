using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace AiopsLab.Notebooks;

/// <summary>
/// <see cref="NotebookEngine.Kernel"/>: the cells run on Microsoft.DotNet.Interactive's <c>CSharpKernel</c> inside a
/// <c>CompositeKernel</c>, set up as the dotnet-interactive host sets up its C# kernel: <c>#r "nuget: Name, Version"</c>
/// and <c>#i "nuget: SOURCE"</c> (<c>UseNugetDirective</c>, restoring with the machine's NuGet configuration plus the
/// sources a notebook adds), <c>display()</c>, <c>HTML()</c> and the other kernel helpers (<c>UseKernelHelpers</c>), and
/// the kernel's formatters. Like the host, it loads a referenced package's kernel extensions: each
/// <c>interactive-extensions/dotnet/*.dll</c> type implementing <c>IKernelExtension</c> (the AiopsLab package carries one
/// that renders AiopsLab's values). Kernel events become nbformat outputs: standard output / error → <c>stream</c>,
/// displayed values → <c>display_data</c> (updated in place when the kernel updates them), the return value →
/// <c>execute_result</c>, a failed submission → <c>error</c>. Only C# cells run: other kernels (F#, PowerShell, …) are
/// not part of this host.
/// </summary>
internal sealed class KernelCellEngine : ICellEngine
{
    private static readonly HashSet<string> LoadedExtensions = new(StringComparer.Ordinal);
    private static readonly Lock ExtensionGate = new();
    private readonly CompositeKernel _root;

    public KernelCellEngine()
    {
        var csharp = new CSharpKernel()
            .UseNugetDirective(OnPackagesResolvedAsync, forceRestore: false)
            .UseKernelHelpers();
        _root = new CompositeKernel { csharp };
        _root.DefaultKernelName = csharp.Name;
    }

    private static async Task OnPackagesResolvedAsync(CSharpKernel kernel, IReadOnlyList<ResolvedPackageReference> packages)
    {
        kernel.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
        foreach (var p in packages)
        {
            var dir = Path.Combine(p.PackageRoot, "interactive-extensions", "dotnet");
            if (!Directory.Exists(dir)) continue;
            foreach (var dll in Directory.GetFiles(dir, "*.dll").Order(StringComparer.Ordinal))
            {
                lock (ExtensionGate) { if (!LoadedExtensions.Add(Path.GetFileName(dll))) continue; }
                var assembly = Assembly.LoadFrom(dll);
                foreach (var type in assembly.GetExportedTypes().Where(t => typeof(IKernelExtension).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false }))
                    await ((IKernelExtension)Activator.CreateInstance(type)!).OnLoadAsync(kernel).ConfigureAwait(false);
            }
        }
    }

    public async Task<CellRun> RunAsync(NotebookCell cell, int execution, TimeSpan? limit, CancellationToken ct)
    {
        var outputs = new JsonArray();
        if (cell.Language != "csharp")
        {
            var message = $"cell language '{cell.Language}' is not supported: this host runs the C# kernel only.";
            outputs.Add(NotebookRunner.ErrorOutput("KernelNotFound", message, [message]));
            return new CellRun(outputs, "KernelNotFound: " + message);
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var send = _root.SendAsync(new SubmitCode(cell.Source, "csharp"), cts.Token);
        if (limit is { } l)
        {
            var done = await Task.WhenAny(send, Task.Delay(l, ct)).ConfigureAwait(false);
            if (done != send)
            {
                await cts.CancelAsync().ConfigureAwait(false);
                var message = NotebookRunner.TimeLimitMessage(l);
                outputs.Add(NotebookRunner.ErrorOutput(nameof(TimeoutException), message, [message]));
                return new CellRun(outputs, $"{nameof(TimeoutException)}: {message}");
            }
        }
        var result = await send.ConfigureAwait(false);
        var displays = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        string? error = null;
        foreach (var e in result.Events)
        {
            switch (e)
            {
                case ErrorProduced ep:
                    error ??= Failure(outputs, "Error", ep.Message, null);
                    break;
                case StandardOutputValueProduced so: AddStream(outputs, "stdout", PlainText(so.FormattedValues)); break;
                case StandardErrorValueProduced se: AddStream(outputs, "stderr", PlainText(se.FormattedValues)); break;
                case DisplayedValueUpdated u when u.ValueId is { } id && displays.TryGetValue(id, out var shown):
                    shown["data"] = Data(u.FormattedValues);
                    break;
                case ReturnValueProduced r:
                    outputs.Add(new JsonObject { ["output_type"] = "execute_result", ["data"] = Data(r.FormattedValues), ["execution_count"] = execution, ["metadata"] = new JsonObject() });
                    break;
                case DisplayEvent d and not DisplayedValueUpdated:
                    var o = new JsonObject { ["output_type"] = "display_data", ["data"] = Data(d.FormattedValues), ["metadata"] = new JsonObject() };
                    if (d.ValueId is { } vid) displays[vid] = o;
                    outputs.Add(o);
                    break;
                case CommandFailed f when error is null:
                    error = f.Exception switch
                    {
                        CodeSubmissionCompilationErrorException c => Failure(outputs, "CompilationError", c.Message, null),
                        { } x => Failure(outputs, x.GetType().Name, x.Message, x),
                        null => Failure(outputs, "Error", f.Message, null),
                    };
                    break;
            }
        }
        return new CellRun(outputs, error);
    }

    private static string Failure(JsonArray outputs, string ename, string evalue, Exception? e)
    {
        var trace = (e?.ToString() ?? evalue).ReplaceLineEndings("\n").Split('\n');
        outputs.Add(NotebookRunner.ErrorOutput(ename, evalue, trace));
        return $"{ename}: {evalue}";
    }

    private static string PlainText(IReadOnlyCollection<FormattedValue> values) =>
        values.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value ?? values.FirstOrDefault()?.Value ?? "";

    private static void AddStream(JsonArray outputs, string name, string text)
    {
        if (outputs.Count > 0 && outputs[^1] is JsonObject last && last["output_type"]?.GetValue<string>() == "stream" && last["name"]?.GetValue<string>() == name)
        {
            var joined = string.Concat(last["text"]!.AsArray().Select(t => t!.GetValue<string>())) + text;
            last["text"] = NotebookDocument.SourceLines(joined);
            return;
        }
        outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = name, ["text"] = NotebookDocument.SourceLines(text) });
    }

    private static JsonObject Data(IReadOnlyCollection<FormattedValue> values)
    {
        var data = new JsonObject();
        foreach (var v in values) data[v.MimeType] = NotebookDocument.SourceLines(v.Value);
        return data;
    }

    public ValueTask DisposeAsync()
    {
        _root.Dispose();
        return ValueTask.CompletedTask;
    }
}
