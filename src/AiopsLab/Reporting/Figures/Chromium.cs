using System.Diagnostics;
using System.Globalization;

namespace AiopsLab.Reporting.Figures;

/// <summary>
/// Renders a page (HTML or SVG) to PNG with headless chromium (Debian's <c>chromium</c>; scripts/install-chromium.sh
/// installs it). Runs with <c>--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
/// --disable-background-networking --disable-component-update --disable-sync</c> and a fresh <c>--user-data-dir</c>
/// that is deleted afterwards; the page's scripts get a virtual-time budget to finish drawing.
/// </summary>
public static class Chromium
{
    private static readonly string[] Candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    /// <summary>The chromium executable: <c>$AIOPSLAB_CHROMIUM</c>, else the first of chromium, chromium-browser, google-chrome on PATH; null when absent.</summary>
    public static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("AIOPSLAB_CHROMIUM");
        if (!string.IsNullOrWhiteSpace(env)) return File.Exists(env) ? env : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (var c in Candidates)
            {
                var p = Path.Combine(dir, c);
                if (File.Exists(p)) return p;
            }
        return null;
    }

    /// <summary>Screenshots <paramref name="input"/> into <paramref name="png"/> at the given size.</summary>
    /// <exception cref="Data.AiopsLabException">chromium failed, timed out or wrote no image.</exception>
    public static void Screenshot(string chromium, string input, string png, int width, int height, TimeSpan? timeout = null)
    {
        var outPng = Path.GetFullPath(png);
        if (File.Exists(outPng)) File.Delete(outPng);
        var (exit, _, stderr) = Run(chromium, input, width, height, "--screenshot=" + outPng, timeout);
        if (!File.Exists(outPng) || new FileInfo(outPng).Length == 0)
            throw new Data.AiopsLabException($"chromium wrote no image for '{input}' (exit {exit}): {Last(stderr)}");
    }

    /// <summary>
    /// Loads <paramref name="input"/> in headless chromium at the given window size, lets its scripts run (virtual-time
    /// budget), and returns the DOM as serialised afterwards (<c>--dump-dom</c>): a page can record measurements of what it drew.
    /// </summary>
    public static string DumpDom(string chromium, string input, int width, int height, TimeSpan? timeout = null)
    {
        var (exit, stdout, stderr) = Run(chromium, input, width, height, "--dump-dom", timeout);
        return stdout.Length > 0 ? stdout : throw new Data.AiopsLabException($"chromium returned no DOM for '{input}' (exit {exit}): {Last(stderr)}");
    }

    /// <summary>Runs headless chromium on <paramref name="input"/> with one action flag in a fresh profile (deleted afterwards).</summary>
    private static (int Exit, string Stdout, string Stderr) Run(string chromium, string input, int width, int height, string action, TimeSpan? timeout)
    {
        var profile = Path.Combine(Path.GetTempPath(), "aiopslab-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var psi = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                     "--user-data-dir=" + profile,
                     "--window-size=" + width.ToString(CultureInfo.InvariantCulture) + "," + height.ToString(CultureInfo.InvariantCulture),
                     "--virtual-time-budget=10000", "--run-all-compositor-stages-before-draw", action,
                     new Uri(Path.GetFullPath(input)).AbsoluteUri,
                 })
            psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi) ?? throw new Data.AiopsLabException($"could not start chromium '{chromium}'.");
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            var limit = timeout ?? TimeSpan.FromSeconds(60);
            if (!p.WaitForExit((int)limit.TotalMilliseconds))
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new Data.AiopsLabException($"chromium did not finish rendering '{input}' within {limit.TotalSeconds:0} s.");
            }
            p.WaitForExit();
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string Last(string s)
    {
        var lines = s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no message)" : lines[^1];
    }
}

/// <summary>
/// plotly.js for pages that must draw offline: <c>$AIOPSLAB_PLOTLY_JS</c> when set, else <c>.tools/plotly/…/plotly.min.js</c>
/// (scripts/install-plotly.sh), else the copy the Plotly.NET package carries as an embedded resource (always present,
/// since the library references Plotly.NET), so a report written anywhere gets a working <c>plotly.min.js</c> beside it.
/// </summary>
public static class PlotlyJs
{
    /// <summary>A plotly.js file on disk, if one is installed (see the class summary); null otherwise.</summary>
    public static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("AIOPSLAB_PLOTLY_JS");
        if (!string.IsNullOrWhiteSpace(env)) return File.Exists(env) ? env : null;
        foreach (var root in new[] { Experiments.Provenance.FindCheckout(), Directory.GetCurrentDirectory() })
        {
            if (root is null) continue;
            var p = Path.Combine(root, ".tools", "plotly", "node_modules", "plotly.js-dist-min", "plotly.min.js");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>The name of Plotly.NET's embedded plotly.js (e.g. <c>Plotly.NET.plotly-2.28.0.min.js</c>).</summary>
    public static string EmbeddedName() =>
        typeof(Plotly.NET.GenericChart).Assembly.GetManifestResourceNames().Single(n => n.EndsWith(".min.js", StringComparison.Ordinal) && n.Contains("plotly-", StringComparison.Ordinal));

    /// <summary>Writes <c>plotly.min.js</c> into <paramref name="dir"/>: an installed copy (<see cref="Find"/>) or Plotly.NET's embedded one.</summary>
    public static string WriteBeside(string dir)
    {
        var dst = Path.Combine(dir, "plotly.min.js");
        if (Find() is { } installed) { File.Copy(installed, dst, overwrite: true); return dst; }
        using var src = typeof(Plotly.NET.GenericChart).Assembly.GetManifestResourceStream(EmbeddedName())!;
        using var f = File.Create(dst);
        src.CopyTo(f);
        return dst;
    }
}
