namespace RecursiveMas.Models.SafeTensors;

/// <summary>
/// Replace-by-rename: content is written to a temporary file next to the target and renamed over it
/// only once complete, so readers see either the old file or the new one, never a half-written one,
/// and a failed write leaves the old file untouched.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Creates a new, empty temporary file in the directory of <paramref name="finalPath"/> (a rename is
    /// only atomic within one file system) and returns its path. The name starts with a dot and ends in
    /// ".tmp" so it is recognisable if a crash ever strands one.
    /// </summary>
    internal static string CreateTempFor(string finalPath, out FileStream stream)
    {
        string directory = Path.GetDirectoryName(finalPath)!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(finalPath)}.{Guid.NewGuid():N}.tmp");
        stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        return temp;
    }

    /// <summary>Flushes to disk, so a rename after a power cut cannot expose a file whose data never landed.</summary>
    internal static void FlushAndClose(FileStream stream)
    {
        using (stream)
        {
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Renames <paramref name="temp"/> over <paramref name="finalPath"/>; on failure removes the temporary.</summary>
    internal static void Commit(string temp, string finalPath)
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
    internal static void WriteAllBytes(string finalPath, ReadOnlySpan<byte> content)
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
    internal static void TryDelete(string path)
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
