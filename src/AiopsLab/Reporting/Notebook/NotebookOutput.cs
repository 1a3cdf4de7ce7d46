using System.Globalization;
using System.Text;

namespace AiopsLab.Reporting.Notebook;

/// <summary>Where <c>display()</c> sends what it shows.</summary>
public interface INotebookSink
{
    /// <summary>Shows one value: <paramref name="html"/> is its HTML form (null = text only), <paramref name="text"/> its plain form.</summary>
    void Show(string? html, string text);
}

/// <summary>
/// <c>display()</c> for notebooks and their file-based twins. The notebook runner (AiopsLab.Notebooks) installs a sink
/// that records each call as a <c>display_data</c> output (<c>text/html</c> and <c>text/plain</c>); a file-based twin
/// calls <see cref="StartTwin"/>, after which <c>display()</c> prints the text form and writes each HTML form to a file.
/// </summary>
public static class NotebookOutput
{
    private static INotebookSink _sink = new FileSink(null);

    /// <summary>The current sink (default: print text, keep no HTML).</summary>
    public static INotebookSink Sink
    {
        get => Volatile.Read(ref _sink);
        set => Volatile.Write(ref _sink, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Shows <paramref name="value"/> through the current sink, rendered by <see cref="RichView"/>.</summary>
    public static void Display(object? value) => Sink.Show(RichView.Html(value), RichView.Text(value));

    /// <summary>
    /// Start of a file-based twin (<c>dotnet run notebooks/NAME.cs</c>): makes the source file's folder the working
    /// directory (as in the notebook, so relative paths agree), and makes <c>display()</c> print text and write HTML to
    /// <c>$AIOPSLAB_NOTEBOOK_OUT</c>, else <c>out/notebooks/NAME/</c> in the checkout holding the source.
    /// Returns that folder.
    /// </summary>
    public static string StartTwin(string sourcePath)
    {
        var full = Path.GetFullPath(sourcePath);
        var folder = Path.GetDirectoryName(full)!;
        var name = Path.GetFileNameWithoutExtension(full);
        var env = Environment.GetEnvironmentVariable("AIOPSLAB_NOTEBOOK_OUT");
        var dir = new DirectoryInfo(folder);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AiopsLab.sln"))) dir = dir.Parent;
        var outDir = !string.IsNullOrWhiteSpace(env) ? Path.GetFullPath(env) : Path.Combine(dir?.FullName ?? Directory.GetCurrentDirectory(), "out", "notebooks", name);
        Directory.SetCurrentDirectory(folder);
        Sink = new FileSink(outDir);
        return outDir;
    }

    /// <summary>
    /// Prints the text form; writes each HTML form to <c>NN.html</c> in a folder (when one is given) and says so. Pages
    /// with a figure load <c>plotly.min.js</c> from beside them (written there with the first figure, <see cref="Figures.PlotlyJs.WriteBeside"/>:
    /// scripts/install-plotly.sh's copy, else the one Plotly.NET carries), so they draw offline.
    /// </summary>
    public sealed class FileSink(string? folder) : INotebookSink
    {
        private int _count;
        private bool _plotlyWritten;

        public void Show(string? html, string text)
        {
            Console.Out.WriteLine(text);
            if (html is null || folder is null) return;
            Directory.CreateDirectory(folder);
            var n = Interlocked.Increment(ref _count);
            var path = Path.Combine(folder, n.ToString("00", CultureInfo.InvariantCulture) + ".html");
            if (!_plotlyWritten && html.Contains("Plotly", StringComparison.Ordinal)) { Figures.PlotlyJs.WriteBeside(folder); _plotlyWritten = true; }
            var page = new StringBuilder()
                .Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .Append(html.Contains("Plotly", StringComparison.Ordinal) ? "<script src=\"plotly.min.js\"></script>\n" : "")
                .Append("<style>body{font-family:sans-serif} table{border-collapse:collapse} td,th{padding:2px 8px;border-bottom:1px solid #ddd}</style>\n</head>\n<body>\n")
                .Append(html).Append("\n</body>\n</html>\n").ToString();
            File.WriteAllText(path, page);
            Console.Out.WriteLine($"(HTML written to {path})");
        }
    }
}
