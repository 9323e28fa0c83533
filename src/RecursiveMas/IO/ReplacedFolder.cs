namespace RecursiveMas.IO;

/// <summary>
/// A folder a command writes whole and swaps into place (a pre-trained model, a system's links): replacing an
/// earlier output is the point, deleting what a user put there is not. So a folder is replaced only when it is
/// missing, empty, or holds nothing but files of the kind the command writes.
/// </summary>
public static class ReplacedFolder
{
    /// <summary>
    /// Throws an <see cref="IOException"/> naming <paramref name="directory"/> and the first entry in it that is a
    /// folder or a file <paramref name="isOutputFile"/> (given the file name) does not recognise;
    /// <paramref name="what"/> says what the folder would have to be ("a model folder").
    /// </summary>
    public static void CheckReplaceable(string directory, Func<string, bool> isOutputFile, string what)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(isOutputFile);
        if (File.Exists(directory))
            throw new IOException($"{directory} is a file: the output must be a folder ({what})");
        if (!Directory.Exists(directory))
            return;
        foreach (string entry in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(entry);
            if (Directory.Exists(entry) || !isOutputFile(name))
                throw new IOException($"{directory} already holds {name}{(Directory.Exists(entry) ? "/" : "")}, which this command did not write: " +
                    $"it replaces the whole folder, so it only replaces {what}; give a new or empty folder");
        }
    }

    /// <summary>
    /// As <see cref="CheckReplaceable(string, Func{string, bool}, string)"/>, and throws an <see cref="IOException"/>
    /// when one of <paramref name="inputs"/> (files or folders the command reads) is <paramref name="directory"/> or
    /// lies inside it: a model folder given as both the model to read and the output (<c>--from M --out M</c>) or a
    /// folder holding only the SYSTEM.json was deleted and replaced by what the command wrote.
    /// </summary>
    public static void CheckReplaceable(string directory, Func<string, bool> isOutputFile, string what, IEnumerable<string?> inputs)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(inputs);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        foreach (string? input in inputs)
        {
            if (string.IsNullOrEmpty(input))
                continue;
            string read = Path.TrimEndingDirectorySeparator(Path.GetFullPath(input));
            if (read == full)
                throw new IOException($"{directory} is {input}, which this command reads: replacing the folder would delete it; give another folder");
            if (read.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new IOException($"{directory} holds {input}, which this command reads: replacing the folder would delete it; give another folder");
        }
        CheckReplaceable(directory, isOutputFile, what);
    }
}
