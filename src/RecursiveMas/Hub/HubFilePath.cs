namespace RecursiveMas.Hub;

/// <summary>
/// File names that come from the Hub's listing become paths in the cache and in <c>--to</c> folders, so
/// a hostile or broken server could name <c>../../.bashrc</c>. Every name is checked here before anything
/// is downloaded; the cache also resolves each one through <see cref="IO.ContainedPath"/>.
/// </summary>
public static class HubFilePath
{
    /// <summary>Null when <paramref name="path"/> is a plain relative path inside a repository; else why it is not.</summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0)
            return "is empty";
        if (path.Length > 1024)
            return "is longer than 1024 characters";
        if (path.Any(char.IsControl))
            return "holds a control character";
        if (path.Contains('\\'))
            return "holds a backslash";
        if (path.StartsWith('/') || Path.IsPathRooted(path))
            return "is an absolute path";
        foreach (string segment in path.Split('/'))
        {
            if (segment.Length == 0)
                return "has an empty segment";
            if (segment is "." or "..")
                return "climbs out of the repository with \"..\" or \".\"";
            if (segment.Length > 255)
                return "has a segment longer than 255 characters";
        }
        return null;
    }
}
