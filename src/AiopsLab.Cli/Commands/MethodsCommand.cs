using System.CommandLine;
using AiopsLab.Methods;
using AiopsLab.Reporting;
using AiopsLab.Catalog;

namespace AiopsLab.Cli.Commands;

/// <summary><c>aiopslab methods [NAME]</c>: the registered methods, or one method's options and citation.</summary>
public sealed class MethodsCommand : ICliCommand
{
    public int Order => 20;

    public Command Build(CliContext ctx)
    {
        var name = new Argument<string?>("name") { Description = "A method name, to show its options.", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("methods", "List registered detectors, reducers and localizers, or show one method's options.") { name };
        cmd.SetAction(ctx.Guard((p, _) =>
        {
            var n = p.GetValue(name);
            if (n is null)
            {
                var rows = MethodCatalog.All.OrderBy(m => m.Kind).ThenBy(m => m.Name, StringComparer.Ordinal)
                    .Select(m => (IReadOnlyList<string>)[m.Name, m.Kind.ToString().ToLowerInvariant(), m.Summary, m.Citation]);
                ctx.Out.Write(TextTable.Render(["name", "kind", "summary", "paper"], rows));
                ctx.Out.WriteLine();
                ctx.Out.WriteLine("Compose a reducer before a localizer with '+', e.g. metricsifter+baro. Set options as name(key=value,...).");
                return 0;
            }
            var m = MethodCatalog.Find(n);
            ctx.Out.WriteLine($"{m.Name} ({m.Kind.ToString().ToLowerInvariant()}): {m.Summary}");
            if (m.Citation.Length > 0) ctx.Out.WriteLine($"paper: {m.Citation}");
            var opts = m.Options();
            if (opts.Count == 0) { ctx.Out.WriteLine("options: none"); return 0; }
            ctx.Out.WriteLine();
            ctx.Out.Write(TextTable.Render(["option", "type", "default"], opts.Select(o => (IReadOnlyList<string>)[o.Name, o.Type, o.Default])));
            return 0;
        }));
        return cmd;
    }
}
