namespace AiopsLab.Data;

/// <summary>
/// Path safety for names that come from data or spec files: a relative name must stay inside its folder
/// (no <c>..</c> escape, no absolute path), and folder walks must not loop through symbolic links.
/// </summary>
public static class SafePaths
{
    /// <summary>
    /// <paramref name="relative"/> resolved under <paramref name="folder"/>; throws a <see cref="DataFormatException"/> naming
    /// <paramref name="source"/> when it is absolute or leaves the folder (<c>../x</c>, <c>a/../../x</c>).
    /// </summary>
    public static string Inside(string folder, string relative, string source, string what)
    {
        if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.Contains('\0'))
            throw new DataFormatException(source, null, null, $"{what} '{relative}' must be a relative path inside '{folder}'.");
        var root = Path.GetFullPath(folder);
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var rel = Path.GetRelativePath(root, full);
        if (rel == ".." || rel.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(rel))
            throw new DataFormatException(source, null, null, $"{what} '{relative}' leaves the folder '{folder}'.");
        return full;
    }

    /// <summary>
    /// Files named <paramref name="pattern"/> under <paramref name="root"/> (up to <paramref name="maxDepth"/> levels below it),
    /// following symbolic links to folders but never into a folder already visited, so a link loop ends the walk
    /// instead of repeating it. Unreadable folders are skipped. Ordered by path (ordinal).
    /// </summary>
    public static IReadOnlyList<string> Files(string root, string pattern, int maxDepth = int.MaxValue)
    {
        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<(string Dir, int Depth)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (dir, depth) = stack.Pop();
            if (!seen.Add(RealPath(dir))) continue;
            try
            {
                found.AddRange(Directory.EnumerateFiles(dir, pattern));
                if (depth < maxDepth)
                    foreach (var sub in Directory.EnumerateDirectories(dir)) stack.Push((sub, depth + 1));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>The folder's path with every symbolic link resolved (itself where it cannot be resolved).</summary>
    public static string RealPath(string dir)
    {
        var full = Path.GetFullPath(dir);
        try
        {
            // Resolve each component: a link anywhere in the path changes the real folder.
            var info = new DirectoryInfo(full);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(true) is { } t) full = t.FullName;
            var parent = Path.GetDirectoryName(full);
            return parent is null ? full : Path.Combine(RealPath(parent), Path.GetFileName(full));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return full; }
    }
}
