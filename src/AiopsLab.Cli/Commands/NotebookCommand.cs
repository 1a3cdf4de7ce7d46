using System.CommandLine;
using System.Globalization;
using AiopsLab.Data;
using AiopsLab.Notebooks;

namespace AiopsLab.Cli.Commands;

/// <summary><c>aiopslab notebook run|twin</c>: Polyglot notebooks run headless, and their file-based-app twins.</summary>
public sealed class NotebookCommand : ICliCommand
{
    public int Order => 60;

    public Command Build(CliContext ctx)
    {
        var cmd = new Command("notebook", "Run Polyglot notebooks (.ipynb, .dib) headless, or write their file-based-app twins (docs/notebooks.md).");

        var paths = new Argument<string[]>("notebooks") { Description = "Notebook files, folders or glob patterns (e.g. notebooks/*.ipynb).", Arity = ArgumentArity.OneOrMore };
        var outOpt = new Option<string>("--out", "-o") { Description = "Folder for the executed copies (NAME.ipynb with outputs).", DefaultValueFactory = _ => Path.Combine("results", "notebooks") };
        var timeout = new Option<double?>("--timeout") { Description = "Time limit per cell in seconds (default: none)." };
        var engine = new Option<NotebookEngine>("--engine") { Description = "What runs the cells: kernel (.NET Interactive's C# kernel, as Polyglot Notebooks) or roslyn (Roslyn scripting with AiopsLab's own display(); docs/notebooks.md).", DefaultValueFactory = _ => NotebookEngine.Kernel };
        var run = new Command("run", "Run each notebook's C# cells in order on the .NET Interactive C# kernel (state carries from cell to cell) and write an executed copy with its outputs. Stops a notebook at its first error; exits 1 if any notebook failed.") { paths, outOpt, timeout, engine };
        run.SetAction((p, ct) => Task.FromResult(ctx.Run(() =>
        {
            var files = Expand(p.GetValue(paths)!, [".ipynb", ".dib"]);
            var limit = p.GetValue(timeout) is { } s ? (s > 0 ? TimeSpan.FromSeconds(s) : throw new AiopsLabException($"--timeout {s.ToString(CultureInfo.InvariantCulture)}: give a positive number of seconds.")) : (TimeSpan?)null;
            var outDir = Path.GetFullPath(p.GetValue(outOpt)!);
            var failures = new List<string>();
            // Notebooks find datasets through $AIOPSLAB_DATA; --data-root sets it for them.
            if (p.GetValue(ctx.DataRoot) is { Length: > 0 } root) Environment.SetEnvironmentVariable(Datasets.DataRoot.EnvironmentVariable, Path.GetFullPath(root));
            foreach (var f in files)
            {
                var progress = new CellLine(ctx);
                var result = NotebookRunner.RunAsync(f, new NotebookRunOptions { OutDir = outDir, CellTimeout = limit, Progress = progress, Engine = p.GetValue(engine) }, ct).GetAwaiter().GetResult();
                progress.End();
                var inv = CultureInfo.InvariantCulture;
                if (result.Ok)
                    ctx.Out.WriteLine(string.Create(inv, $"{result.Notebook}: ok, {result.Cells.Count} code cells in {result.Seconds:0.0} s -> {result.OutputPath}"));
                else
                {
                    ctx.Err.WriteLine("error: " + result.Error);
                    ctx.Out.WriteLine(string.Create(inv, $"{result.Notebook}: FAILED at cell {result.FailedCell} ({result.Seconds:0.0} s) -> {result.OutputPath}"));
                    failures.Add(result.Notebook);
                }
            }
            if (failures.Count > 0) { ctx.Err.WriteLine($"{failures.Count} of {files.Count} notebook(s) failed: {string.Join(", ", failures)}"); return 1; }
            return 0;
        })));
        cmd.Subcommands.Add(run);

        var twinPaths = new Argument<string[]>("notebooks") { Description = "Notebook files, folders or glob patterns.", Arity = ArgumentArity.OneOrMore };
        var check = new Option<bool>("--check") { Description = "Write nothing; exit 1 if a twin is missing or differs from its notebook." };
        var twin = new Command("twin", "Write each notebook's file-based-app twin (NAME.cs beside it: its code cells, then a display()/HTML() shim), runnable with 'dotnet run NAME.cs'.") { twinPaths, check };
        twin.SetAction(ctx.Guard((p, _) =>
        {
            int stale = 0;
            foreach (var f in Expand(p.GetValue(twinPaths)!, [".ipynb", ".dib"]))
            {
                var target = Path.ChangeExtension(f, ".cs");
                var text = NotebookTwin.Generate(NotebookDocument.Load(f));
                bool same = File.Exists(target) && File.ReadAllText(target).ReplaceLineEndings("\n") == text;
                if (p.GetValue(check))
                {
                    if (!same) { ctx.Err.WriteLine($"{target}: {(File.Exists(target) ? "differs from" : "missing for")} {Path.GetFileName(f)} (run 'aiopslab notebook twin {f}')"); stale++; }
                    continue;
                }
                if (!same) File.WriteAllText(target, text);
                ctx.Out.WriteLine($"{target}: {(same ? "up to date" : "written")}");
            }
            return stale > 0 ? 1 : 0;
        }));
        cmd.Subcommands.Add(twin);
        return cmd;
    }

    /// <summary>Files named by the arguments: files as they are, folders' notebooks, and glob patterns (* and ?) in the last path segment, each sorted.</summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> args, IReadOnlyList<string> extensions)
    {
        var files = new List<string>();
        foreach (var a in args)
        {
            if (File.Exists(a)) { files.Add(a); continue; }
            if (Directory.Exists(a))
            {
                var found = Directory.GetFiles(a).Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToArray();
                if (found.Length == 0) throw new AiopsLabException($"folder '{Path.GetFullPath(a)}' holds no notebook ({string.Join(", ", extensions)}).");
                files.AddRange(found);
                continue;
            }
            if (a.IndexOfAny(['*', '?']) >= 0)
            {
                var dir = Path.GetDirectoryName(a) is { Length: > 0 } d ? d : ".";
                if (dir.IndexOfAny(['*', '?']) >= 0) throw new AiopsLabException($"'{a}': wildcards are supported in the file name only.");
                var matches = Directory.Exists(dir) ? Directory.GetFiles(dir, Path.GetFileName(a)).Order(StringComparer.Ordinal).ToArray() : [];
                if (matches.Length == 0) throw new AiopsLabException($"'{a}' matches no file.");
                files.AddRange(matches);
                continue;
            }
            throw new AiopsLabException($"notebook '{Path.GetFullPath(a)}' does not exist.");
        }
        return files.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>One line per cell on stderr; on a terminal the line is rewritten in place.</summary>
    private sealed class CellLine(CliContext ctx) : IProgress<CellProgress>
    {
        private bool _open;

        public void Report(CellProgress c)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"{c.Notebook}: cell {c.Cell} (code {c.CodeCell}/{c.CodeCells}) {(c.Ok ? "ok" : "FAILED")} in {c.Seconds:0.0} s");
            if (ctx.Interactive) { ctx.Err.Write("\r\u001b[2K" + line); _open = true; }
            else ctx.Err.WriteLine(line);
        }

        public void End()
        {
            if (_open) ctx.Err.Write("\r\u001b[2K");
            _open = false;
        }
    }
}
