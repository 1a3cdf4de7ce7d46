using System.CommandLine;
using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Reporting;
using AiopsLab.Catalog;

namespace AiopsLab.Cli.Commands;

/// <summary><c>aiopslab methods [NAME] [--markdown]</c>: the registered methods, or one method's options and citation.</summary>
public sealed class MethodsCommand : ICliCommand
{
    public int Order => 20;

    public Command Build(CliContext ctx)
    {
        var name = new Argument<string?>("name") { Description = "A method name, to show its options.", Arity = ArgumentArity.ZeroOrOne };
        var markdown = new Option<bool>("--markdown") { Description = "Print the list as the Markdown table of README.md's Methods section." };
        var dirs = new Option<string[]>("--methods-dir") { Description = "Also list the external methods (*.method.yaml) in this folder; AIOPSLAB_METHODS adds more." };
        var cmd = new Command("methods", "List registered localizers, reducers, detectors and anomaly-time sources, or show one method's options.") { name, markdown, dirs };
        cmd.SetAction(ctx.Guard((p, _) =>
        {
            ExternalMethods.Load(p.GetValue(dirs) ?? []);
            var n = p.GetValue(name);
            if (n is null && p.GetValue(markdown)) { ctx.Out.Write(MethodMarkdown.Table()); return 0; }
            if (n is null)
            {
                var rows = MethodCatalog.All.OrderBy(m => m.Kind).ThenBy(m => m.Name, StringComparer.Ordinal)
                    .Select(m => (IReadOnlyList<string>)[m.Name, m.Kind.Text(), m.Summary, m.Citation]);
                ctx.Out.Write(TextTable.Render(["name", "kind", "summary", "paper"], rows));
                ctx.Out.WriteLine();
                ctx.Out.WriteLine("Compose a reducer before a localizer with '+', e.g. metricsifter+baro. Set options as name(key=value,...).");
                ctx.Out.WriteLine("Anomaly-time sources are detection modes: --anomaly-time NAME (or 'label', the default).");
                return 0;
            }
            if (p.GetValue(markdown)) throw new AiopsLabException("--markdown prints the whole list; give no method name with it.");
            var found = MethodCatalog.FindAll(n);
            if (found.Count == 0) MethodCatalog.Find(n); // throws, listing the known names
            for (int i = 0; i < found.Count; i++)
            {
                if (i > 0) ctx.Out.WriteLine();
                Describe(ctx.Out, found[i]);
            }
            return 0;
        }));
        return cmd;
    }

    private static void Describe(TextWriter o, MethodInfo m)
    {
        o.WriteLine($"{m.Name} ({m.Kind.Text()}): {m.Summary}");
        if (m.Citation.Length > 0) o.WriteLine($"paper: {m.Citation}");
        if (m.Source is not null) o.WriteLine($"external: {m.Source} (docs/external-methods.md)");
        var opts = m.Options();
        if (opts.Count == 0) { o.WriteLine("options: none"); return; }
        o.WriteLine();
        o.Write(TextTable.Render(["option", "type", "default"], opts.Select(x => (IReadOnlyList<string>)[x.Name, x.Type, x.Default])));
    }
}
