namespace RecursiveMas.IO;

/// <summary>
/// Replace-by-rename: content is written to a temporary file next to the target and renamed over it
/// only once complete and flushed, so readers see either the old file or the new one, never a
/// half-written one, and a failed write leaves the old file untouched. Every file the library writes
/// (checkpoints, configs, links, logs that must survive a crash) goes through here.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string finalPath = Path.GetFullPath(path);
        string temp = CreateTempFor(finalPath, out var stream);
        try
        {
            write(stream);
            FlushAndClose(stream);
        }
        catch
        {
            stream.Dispose();
            TryDelete(temp);
            throw;
        }
        Commit(temp, finalPath);
    }

    /// <summary>Writes text (UTF-8, no byte-order mark), atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(Path.GetFullPath(path), new System.Text.UTF8Encoding(false).GetBytes(text));

    /// <summary>
    /// Creates a new, empty temporary file in the directory of <paramref name="finalPath"/> (a rename is
    /// only atomic within one file system) and returns its path. The name starts with a dot and ends in
    /// ".tmp" so it is recognisable if a crash ever strands one.
    /// </summary>
    public static string CreateTempFor(string finalPath, out FileStream stream)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(finalPath))!; // "x.png" lies in the current folder
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(finalPath)}.{Guid.NewGuid():N}.tmp");
        stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        return temp;
    }

    /// <summary>Flushes to disk, so a rename after a power cut cannot expose a file whose data never landed.</summary>
    public static void FlushAndClose(FileStream stream)
    {
        using (stream)
        {
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Renames <paramref name="temp"/> over <paramref name="finalPath"/>; on failure removes the temporary.</summary>
    public static void Commit(string temp, string finalPath)
    {
        try
        {
            File.Move(temp, finalPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="finalPath"/> atomically.</summary>
    public static void WriteAllBytes(string finalPath, ReadOnlySpan<byte> content)
    {
        string temp = CreateTempFor(finalPath, out var stream);
        try
        {
            stream.Write(content);
            FlushAndClose(stream);
        }
        catch
        {
            stream.Dispose();
            TryDelete(temp);
            throw;
        }
        Commit(temp, finalPath);
    }

    /// <summary>Best-effort cleanup on a path that is already failing; the original exception matters more.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
