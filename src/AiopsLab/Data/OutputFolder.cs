using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AiopsLab.Data;

/// <summary>
/// The one way a command takes its <c>--out</c> folder: an existing file, a folder that cannot be created or a folder
/// that cannot be written to is an <see cref="AiopsLabException"/> (exit 2) naming it, before any work is done; temporary
/// files a killed earlier process left (<c>NAME.PID.tmp</c> inside, <c>FOLDER.tmp-PID</c> beside) are removed.
/// </summary>
public static partial class OutputFolder
{
    /// <summary>Creates <paramref name="path"/> if needed, checks it can be written, cleans stale temporaries; returns the full path.</summary>
    public static string Prepare(string path, string option = "--out")
    {
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        { throw new AiopsLabException($"{option} '{ErrorText.Limit(path, 300)}' is not a valid path: {e.Message}"); }
        if (File.Exists(full) && !Directory.Exists(full)) throw new AiopsLabException($"{option} '{full}' is a file, not a folder.");
        try
        {
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, ".aiopslab-write-test." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new AiopsLabException($"cannot write to {option} folder '{full}': {e.Message}"); }
        CleanStale(full);
        return full;
    }

    /// <summary>Removes <c>*.PID.tmp</c> files in <paramref name="folder"/> and <c>FOLDER.tmp-PID</c> folders beside it
    /// whose process is no longer running.</summary>
    public static void CleanStale(string folder)
    {
        try
        {
            foreach (var f in Directory.EnumerateFiles(folder, "*.tmp"))
                if (InnerTemp().Match(Path.GetFileName(f)) is { Success: true } m && !Running(m.Groups[1].Value)) TryDelete(() => File.Delete(f));
            var parent = Path.GetDirectoryName(folder.TrimEnd(Path.DirectorySeparatorChar));
            if (parent is null) return;
            foreach (var d in Directory.EnumerateDirectories(parent, Path.GetFileName(folder.TrimEnd(Path.DirectorySeparatorChar)) + ".tmp-*"))
                if (SiblingTemp().Match(d) is { Success: true } m && !Running(m.Groups[1].Value)) TryDelete(() => Directory.Delete(d, true));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static bool Running(string pid)
    {
        if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return true;
        if (id == Environment.ProcessId) return true; // ours: another call of this process may be writing it
        try { using var p = Process.GetProcessById(id); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static void TryDelete(Action delete)
    {
        try { delete(); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    [GeneratedRegex(@"\.(\d+)\.tmp$")]
    private static partial Regex InnerTemp();

    [GeneratedRegex(@"\.tmp-(\d+)$")]
    private static partial Regex SiblingTemp();
}
