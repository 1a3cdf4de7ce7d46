using System.CommandLine;
using System.Reflection;
using AiopsLab.Data;
using AiopsLab.Datasets;

namespace AiopsLab.Cli;

/// <summary>A top-level command of <c>aiopslab</c>. Each lives in its own file under Commands/; the app finds them by reflection.</summary>
public interface ICliCommand
{
    /// <summary>Position in the help listing.</summary>
    int Order { get; }
    Command Build(CliContext context);
}

/// <summary>What every command shares: the output writers and the global options.</summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;
    public TextWriter Err { get; } = error;

    /// <summary><c>--data-root DIR</c>, recursive: valid on every command.</summary>
    public Option<string?> DataRoot { get; } = new("--data-root")
    {
        Description = "Folder holding the datasets (default: $AIOPSLAB_DATA, else ./data).",
        Recursive = true,
    };

    /// <summary>True when output goes to a terminal that can show a live progress bar.</summary>
    public bool Interactive => ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected && !Console.IsErrorRedirected
        && Environment.GetEnvironmentVariable("CI") is null;

    public DataRoot ResolveDataRoot(ParseResult p) => Datasets.DataRoot.Resolve(p.GetValue(DataRoot));

    /// <summary>
    /// Wraps a command body: an <see cref="AiopsLabException"/> (bad input, unknown name, missing data) prints one
    /// "error: …" line and exits 2; Ctrl-C exits 130; anything else is a bug and prints its stack trace (exit 70).
    /// </summary>
    public Func<ParseResult, CancellationToken, Task<int>> Guard(Func<ParseResult, CancellationToken, int> body) =>
        (p, ct) => Task.FromResult(Run(() => body(p, ct)));

    public int Run(Func<int> body)
    {
        try { return body(); }
        catch (AiopsLabException e) { Err.WriteLine("error: " + e.Message); return 2; }
        catch (OperationCanceledException) { Err.WriteLine("cancelled."); return 130; }
        // A damaged run store (overwritten pages, a dropped table) surfaces from SQLite while it is read or written.
        catch (System.Data.Common.DbException e) { Err.WriteLine("error: the run store is damaged or not an AiopsLab store: " + ErrorText.Limit(e.Message)); return 2; }
        catch (Exception e) { Err.WriteLine("internal error (please report): " + e); return 70; }
    }
}

/// <summary>The <c>aiopslab</c> command line.</summary>
public static class CliApp
{
    public static Command Build(CliContext ctx)
    {
        // A named root (not RootCommand, which takes the executable's file name) so that help says 'aiopslab'.
        var root = new Command("aiopslab", "AiopsLab: metric anomaly detection and root-cause localization benchmarks for microservices.");
        root.Options.Add(new System.CommandLine.Help.HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(ctx.DataRoot);
        var commands = typeof(CliApp).Assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (ICliCommand)Activator.CreateInstance(t)!)
            .OrderBy(c => c.Order).ThenBy(c => c.GetType().Name, StringComparer.Ordinal);
        foreach (var c in commands) root.Subcommands.Add(c.Build(ctx));
        return root;
    }

    /// <summary>Runs the command line with the given writers (tests pass string writers).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var ctx = new CliContext(output, error);
        var root = Build(ctx);
        var config = new InvocationConfiguration { Output = output, Error = error };
        var parsed = root.Parse(args);
        int code = await parsed.InvokeAsync(config);
        // A command line that does not parse (unknown option, missing required one) is bad input: exit 2, as for every
        // other bad input, not System.CommandLine's 1.
        return parsed.Errors.Count > 0 && code == 1 ? 2 : code;
    }

    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
