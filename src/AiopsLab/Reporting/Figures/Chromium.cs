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
        var profile = Path.Combine(Path.GetTempPath(), "aiopslab-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var outPng = Path.GetFullPath(png);
        if (File.Exists(outPng)) File.Delete(outPng);
        var psi = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                     "--user-data-dir=" + profile,
                     "--window-size=" + width.ToString(CultureInfo.InvariantCulture) + "," + height.ToString(CultureInfo.InvariantCulture),
                     "--virtual-time-budget=10000", "--run-all-compositor-stages-before-draw",
                     "--screenshot=" + outPng,
                     new Uri(Path.GetFullPath(input)).AbsoluteUri,
                 })
            psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi) ?? throw new Data.AiopsLabException($"could not start chromium '{chromium}'.");
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit((int)(timeout ?? TimeSpan.FromSeconds(60)).TotalMilliseconds))
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new Data.AiopsLabException($"chromium did not finish rendering '{input}' within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds:0} s.");
            }
            p.WaitForExit();
            if (!File.Exists(outPng) || new FileInfo(outPng).Length == 0)
                throw new Data.AiopsLabException($"chromium wrote no image for '{input}' (exit {p.ExitCode}): {Last(stderr.Result)}");
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

/// <summary>Where plotly.js is: <c>$AIOPSLAB_PLOTLY_JS</c>, else <c>.tools/plotly/node_modules/plotly.js-dist-min/plotly.min.js</c> in the checkout (scripts/install-plotly.sh).</summary>
public static class PlotlyJs
{
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
}
