namespace RecursiveMas.IO;

/// <summary>
/// Reads a whole file the library was told to read (SYSTEM.json, config.json, a benchmark's JSON or CSV, a chart's
/// input), never more than a bound. A regular file's length is known before it is read, but a path can name a device
/// or a pipe (<c>/dev/zero</c>, a shell's <c>&lt;(…)</c>) whose length reads as 0 and whose bytes may never end:
/// <see cref="File.ReadAllBytes(string)"/> then reads until memory runs out. This reads blocks until the end or
/// the bound, whichever comes first, and refuses what is past the bound by name.
/// </summary>
public static class FileBytes
{
    const int BlockBytes = 1 << 16;

    /// <summary>
    /// The bytes of <paramref name="path"/>; a <see cref="ModelFileException"/> naming the file when it cannot be read or
    /// holds more than <paramref name="maxBytes"/> bytes.
    /// </summary>
    public static byte[] Read(string path, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        maxBytes = Math.Min(maxBytes, Array.MaxLength - 1); // room for the one byte that shows a file is over it
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            // A length is only a first guess: 0 for devices and pipes, and a regular file may grow while it is read.
            long stated = stream.CanSeek ? stream.Length : 0;
            if (stated > maxBytes)
                throw new ModelFileException(path, null, $"is {stated} bytes; a file of this kind is at most {maxBytes} bytes");
            byte[] buffer = new byte[stated > 0 ? stated : BlockBytes];
            Span<byte> probe = stackalloc byte[1];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    // Full: one more byte says whether the file ends here — a regular file does, and its bytes
                    // are returned without a copy — or goes on, and the buffer grows (one byte past the bound is
                    // enough to know the file is over it).
                    if (stream.Read(probe) == 0)
                        return buffer;
                    if (length + 1 > maxBytes)
                        throw TooLarge(path, maxBytes);
                    Array.Resize(ref buffer, (int)Math.Min(Math.Max(2L * buffer.Length, BlockBytes), maxBytes + 1));
                    buffer[length++] = probe[0];
                }
                int read = stream.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                    break;
                length += read;
                if (length > maxBytes)
                    throw TooLarge(path, maxBytes);
            }
            if (length != buffer.Length)
                Array.Resize(ref buffer, length);
            return buffer;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException(path, null, $"cannot be read: {e.Message}", e);
        }
    }

    static ModelFileException TooLarge(string path, long maxBytes) =>
        new(path, null, $"holds more than {maxBytes} bytes; a file of this kind is at most {maxBytes} bytes");
}
