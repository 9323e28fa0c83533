namespace RecursiveMas.IO;

/// <summary>
/// Paths that files name relative to a folder (a shard in <c>weight_map</c>, an agent's model folder, a
/// link named after an agent): they must stay inside it, so a hostile file cannot make the loader
/// read or write elsewhere.
/// </summary>
public static class ContainedPath
{
    /// <summary>
    /// The full path of <paramref name="relative"/> under <paramref name="directory"/>; a
    /// <see cref="ModelFileException"/> naming <paramref name="sourceFile"/> and <paramref name="field"/>
    /// when it is rooted, climbs out with "..", or is empty.
    /// </summary>
    public static string Resolve(string directory, string relative, string sourceFile, string field)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(relative);
        string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (relative.Length == 0 || relative.Contains('\0') || Path.IsPathRooted(relative))
            throw new ModelFileException(sourceFile, field, $"\"{relative}\" must be a relative path inside {root}");
        string full = Path.GetFullPath(Path.Combine(root, relative));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && full != root)
            throw new ModelFileException(sourceFile, field, $"\"{relative}\" leads outside {root}");
        return full;
    }

    /// <summary>
    /// <paramref name="name"/> as one file name inside a folder (an agent's name or role in its link files): no
    /// separators, no "..", nothing a file name cannot hold on any OS; else a <see cref="ModelFileException"/>. The rule
    /// is the DSL's (<see cref="Dsl.FileNameRules.WhyNotAFileName"/>), which the analyzers report as RMAS0019 at compile
    /// time, so a role they accept loads; it refuses what Windows refuses, a superset of what other systems do.
    /// </summary>
    public static string FileName(string name, string sourceFile, string field)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Dsl.FileNameRules.WhyNotAFileName(name) is { } why)
            throw new ModelFileException(sourceFile, field, $"\"{name}\" must be usable as a file name: it {why}");
        return name;
    }
}
