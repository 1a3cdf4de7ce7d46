using System.Text;
using System.Text.RegularExpressions;
using AiopsLab.Data;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AiopsLab.Notebooks;

/// <summary>
/// Writes a notebook's twin as a .NET file-based app (<c>dotnet run NAME.cs</c>): the notebook's C# cells in order,
/// with what a C# file needs done differently from a script. <c>#r "…/AiopsLab.dll"</c> becomes
/// <c>#:project …/src/AiopsLab/AiopsLab.csproj</c> and <c>#r "nuget: Name, Version"</c> becomes
/// <c>#:package Name@Version</c>; a cell that uses the kernel itself (<c>using Microsoft.DotNet.Interactive</c>, as the
/// feed cell that adds artifacts/feed as a package source) is left out, the folder it adds becoming
/// <c>#:property RestoreAdditionalProjectSources</c>; <c>using</c> directives move to the top; a cell's last expression without a semicolon
/// (which a notebook shows) becomes <c>display(expression);</c>; type declarations move to the end; a shim defines
/// <c>display()</c> (prints the text form, writes the HTML form to a file) and <c>HTML()</c>, and first makes the file's
/// folder the working directory as the notebook runner does. Cells must not declare the same variable twice (a script
/// allows it, a single program does not).
/// </summary>
public static partial class NotebookTwin
{
    /// <summary>The twin's text (LF line ends).</summary>
    /// <exception cref="AiopsLabException">A cell is not C#, or references an assembly file other than AiopsLab's.</exception>
    public static string Generate(NotebookDocument doc)
    {
        var name = Path.GetFileName(doc.Path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(doc.Path))!;
        var checkout = FindCheckout(folder);
        string Project(string proj) => checkout is null ? "../src/" + proj : Path.GetRelativePath(folder, Path.Combine(checkout, "src", proj)).Replace('\\', '/');

        var directives = new List<string>();
        var usings = new List<string>();
        var body = new StringBuilder();
        var types = new StringBuilder();
        var parse = new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script);
        foreach (var u in NotebookRunner.DefaultImports) AddOnce(usings, $"using {u};");
        int index = 0;
        foreach (var cell in doc.Cells)
        {
            index++;
            if (cell.Kind != CellKind.Code || cell.Language == "markdown" || cell.Source.Trim().Length == 0) continue;
            if (cell.Language != "csharp") throw new AiopsLabException($"{name}: cell {index}: language '{cell.Language}' has no C# twin.");
            if (cell.Source.Contains("using Microsoft.DotNet.Interactive", StringComparison.Ordinal))
            {
                // A cell that talks to the kernel (the feed cell: AddPackageSource of a folder) has no place in a program;
                // the folder it adds becomes the app's extra restore source.
                if (FeedFolder().Match(cell.Source) is { Success: true } feed)
                    AddOnce(directives, $"#:property RestoreAdditionalProjectSources=$(MSBuildProjectDirectory)/{feed.Groups[1].Value}");
                continue;
            }
            CellSource src;
            try { src = CellSource.Parse(cell.Source); }
            catch (AiopsLabException e) { throw new AiopsLabException($"{name}: cell {index}: {e.Message}"); }
            foreach (var p in src.AssemblyPaths)
            {
                var file = Path.GetFileName(p);
                if (file == "AiopsLab.dll") AddOnce(directives, $"#:project {Project("AiopsLab/AiopsLab.csproj")}");
                else if (file == "AiopsLab.Notebooks.dll") AddOnce(directives, $"#:project {Project("AiopsLab.Notebooks/AiopsLab.Notebooks.csproj")}");
                else throw new AiopsLabException($"{name}: cell {index}: #r \"{p}\" has no file-based-app equivalent (only AiopsLab's assemblies and nuget packages do).");
            }
            foreach (var pkg in src.Packages) AddOnce(directives, $"#:package {pkg.Name}@{pkg.Version}");

            var tree = CSharpSyntaxTree.ParseText(src.Code, parse);
            var root = (CompilationUnitSyntax)tree.GetRoot();
            foreach (var u in root.Usings) AddOnce(usings, u.ToString().Trim());
            var statements = new StringBuilder();
            var members = root.Members;
            for (int m = 0; m < members.Count; m++)
            {
                var member = members[m];
                if (member is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax or BaseNamespaceDeclarationSyntax)
                {
                    types.Append(member.ToFullString().Trim('\n', '\r')).Append("\n\n");
                    continue;
                }
                if (m == members.Count - 1 && member is GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } es })
                {
                    statements.Append(es.GetLeadingTrivia().ToFullString()).Append("display(").Append(es.Expression.WithoutTrivia().ToFullString()).Append(");\n");
                    continue;
                }
                statements.Append(member.ToFullString());
            }
            var text = statements.ToString().Trim('\n', '\r');
            if (text.Trim().Length == 0) continue;
            body.Append("// ---- cell ").Append(index).Append(" ----\n").Append(text).Append("\n\n");
        }
        if (!directives.Any(d => d.StartsWith("#:project", StringComparison.Ordinal) || d.StartsWith("#:package AiopsLab@", StringComparison.Ordinal)))
            directives.Insert(0, $"#:project {Project("AiopsLab/AiopsLab.csproj")}");

        var sb = new StringBuilder();
        sb.Append("// Generated by 'aiopslab notebook twin' from ").Append(name).Append(": its C# cells in order, then a shim for display() and\n");
        sb.Append("// HTML(). Edit the notebook and regenerate; a test checks that the two agree. Run: dotnet run ").Append(RunPath(doc.Path, checkout)).Append('\n');
        foreach (var d in directives) sb.Append(d).Append('\n');
        // File-based apps default to native AOT, which turns off reflection-based JSON; the library uses it (run stores).
        sb.Append("#:property PublishAot=false\n");
        // Inside the repository, Directory.Packages.props turns on central package management, which refuses #:package versions.
        if (directives.Any(d => d.StartsWith("#:package", StringComparison.Ordinal))) sb.Append("#:property ManagePackageVersionsCentrally=false\n");
        sb.Append('\n');
        foreach (var u in usings) sb.Append(u).Append('\n');
        sb.Append('\n');
        sb.Append("AiopsLab.Reporting.Notebook.NotebookOutput.StartTwin(TwinSourcePath());\n\n");
        sb.Append(body);
        sb.Append("// ---- shim: display() prints the text form and writes the HTML form to out/notebooks/NAME/; HTML() as in the notebook ----\n");
        sb.Append("#pragma warning disable CS8321 // a notebook need not use both\n");
        sb.Append("static void display(object? value) => AiopsLab.Reporting.Notebook.NotebookOutput.Display(value);\n");
        sb.Append("static AiopsLab.Reporting.Notebook.HtmlContent HTML(string html) => new(html);\n");
        sb.Append("static string TwinSourcePath([System.Runtime.CompilerServices.CallerFilePath] string path = \"\") => path;\n");
        if (types.Length > 0) sb.Append("\n// ---- types declared in the notebook ----\n").Append(types.ToString().TrimEnd('\n')).Append('\n');
        return sb.ToString().ReplaceLineEndings("\n");
    }

    [GeneratedRegex("AddPackageSource\\(System\\.IO\\.Path\\.GetFullPath\\(\"([^\"]+)\"\\)\\)", RegexOptions.CultureInvariant)]
    private static partial Regex FeedFolder();

    private static string RunPath(string notebook, string? checkout)
    {
        var cs = Path.ChangeExtension(Path.GetFullPath(notebook), ".cs");
        return checkout is null ? Path.GetFileName(cs) : Path.GetRelativePath(checkout, cs).Replace('\\', '/');
    }

    private static void AddOnce(List<string> list, string item)
    {
        if (!list.Contains(item, StringComparer.Ordinal)) list.Add(item);
    }

    private static string? FindCheckout(string folder)
    {
        var dir = new DirectoryInfo(folder);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AiopsLab.sln"))) dir = dir.Parent;
        return dir?.FullName;
    }
}
