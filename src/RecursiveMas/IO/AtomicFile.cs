namespace RecursiveMas.IO;

/// <summary>
/// Replace-by-rename: content is written to a temporary file next to the target and renamed over it
/// only once complete and flushed, so readers see either the old file or the new one, never a
/// half-written one, and a failed write leaves the old file untouched and no temporary behind. The
/// file is flushed to disk before the rename and its directory after it. Every file the library writes
/// (checkpoints, configs, links, logs that must survive a crash) goes through here.
/// </summary>
public static partial class AtomicFile
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

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>, atomically (a reader never sees half a copy).</summary>
    public static void Copy(string source, string destination) =>
        Write(destination, output =>
        {
            using var input = File.OpenRead(source);
            input.CopyTo(output);
        });

    /// <summary>Writes text (UTF-8, no byte-order mark), atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(Path.GetFullPath(path), new System.Text.UTF8Encoding(false).GetBytes(text));

    /// <summary>
    /// Fails now, naming <paramref name="finalPath"/>, where writing it later would: a command that works for an hour
    /// before it writes its result checks first (creates the folder and a temporary file beside the target, then
    /// removes the temporary; an existing target is left as it is).
    /// </summary>
    public static void CheckWritable(string finalPath)
    {
        if (Directory.Exists(finalPath))
            throw new IOException($"cannot write {finalPath}: it is a folder");
        string temp;
        try
        {
            temp = CreateTempFor(Path.GetFullPath(finalPath), out var stream);
            stream.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write {finalPath}: {e.Message}", e);
        }
        TryDelete(temp);
    }

    /// <summary>
    /// Creates the folder <paramref name="directory"/> and those above it, as <see cref="Directory.CreateDirectory(string)"/>,
    /// but where it or a folder above it is a file, throws an <see cref="IOException"/> naming that file (.NET's own
    /// "The file '…' already exists" named neither the folder wanted nor what is wrong: an --out given a file).
    /// </summary>
    public static void CreateFolder(string directory)
    {
        for (string? up = Path.GetFullPath(directory); up is not null; up = Path.GetDirectoryName(up))
        {
            if (Directory.Exists(up))
                break;
            if (File.Exists(up))
                throw new IOException(up == Path.GetFullPath(directory)
                    ? $"{directory} is a file, not a folder"
                    : $"cannot make the folder {directory}: {up} is a file, not a folder");
        }
        Directory.CreateDirectory(directory);
    }

    /// <summary>
    /// Bytes a temporary's name adds to its file's name ("." before, "." + 32 hex digits + ".tmp" after): a file whose
    /// name is longer than the file system's 255 bytes less this cannot be written atomically.
    /// </summary>
    public const int TempNameExtraBytes = 38;

    /// <summary>
    /// Creates a new, empty temporary file in the directory of <paramref name="finalPath"/> — of the file it links to,
    /// where it is a symbolic link; the system's temporary folder, where it is a device or pipe — (a rename is
    /// only atomic within one file system) and returns its path. The name starts with a dot and ends in
    /// ".tmp" so it is recognisable if a crash ever strands one.
    /// </summary>
    public static string CreateTempFor(string finalPath, out FileStream stream)
    {
        string landing = Landing(finalPath);
        // A device or pipe is written into, not replaced (see Commit): its temporary goes where files may be made.
        string directory = IsSpecial(landing) ? Path.GetTempPath() : Path.GetDirectoryName(landing)!;
        CreateFolder(directory);
        string temp = TempPath(directory, Path.GetFileName(landing));
        stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        return temp;
    }

    /// <summary>A new temporary's name for <paramref name="fileName"/> in <paramref name="directory"/>: <see cref="TempNameExtraBytes"/> longer.</summary>
    static string TempPath(string directory, string fileName) => Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}.tmp");

    /// <summary>
    /// Makes <paramref name="path"/> a symbolic link to <paramref name="linkTarget"/> (relative to the link's folder, or
    /// absolute), atomically: the link is made under a temporary name beside it and renamed over whatever is there
    /// (a file, or a link, which is replaced, not followed), then the folder is flushed. False, with nothing changed,
    /// where the file system makes no symbolic links (some Windows setups, some network file systems): the caller
    /// copies instead.
    /// </summary>
    public static bool TryReplaceWithSymbolicLink(string path, string linkTarget)
    {
        string finalPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(finalPath)!;
        CreateFolder(directory);
        string temp = TempPath(directory, Path.GetFileName(finalPath));
        try
        {
            File.CreateSymbolicLink(temp, linkTarget);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return false;
        }
        Commit(temp, finalPath);
        return true;
    }

    /// <summary>Flushes to disk, so a rename after a power cut cannot expose a file whose data never landed.</summary>
    public static void FlushAndClose(FileStream stream)
    {
        using (stream)
        {
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>
    /// Renames <paramref name="temp"/> over <paramref name="finalPath"/>, then flushes the directory so the
    /// rename itself survives a power cut; on failure removes the temporary.
    /// </summary>
    public static void Commit(string temp, string finalPath)
    {
        // A temporary that is itself a link (the Hub cache installing a snapshot's link to its blob) replaces the
        // path, link or not; a file's content lands where a link at the path points.
        string landing = new FileInfo(temp).LinkTarget is null ? Landing(finalPath) : Path.GetFullPath(finalPath);
        if (IsSpecial(landing))
        {
            // `--out /dev/null` or a named pipe: renaming over it would put a file where the device was (as root,
            // /dev/null itself). Its reader gets the bytes instead; there is nothing to make atomic.
            try
            {
                using var target = new FileStream(landing, FileMode.Open, FileAccess.Write);
                using var source = File.OpenRead(temp);
                source.CopyTo(target);
            }
            finally
            {
                TryDelete(temp);
            }
            return;
        }
        try
        {
            File.Move(temp, landing, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        FlushDirectory(Path.GetDirectoryName(landing)!);
    }

    /// <summary>
    /// Where a write to <paramref name="finalPath"/> lands: a symbolic link's final target, so the link stays a link
    /// and the file it names is replaced; else the full path ("x.png" lies in the current folder).
    /// </summary>
    static string Landing(string finalPath)
    {
        string full = Path.GetFullPath(finalPath);
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full; // a link that loops: the rename replaces it, as before
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> exists and is neither a regular file nor a folder: a device, a pipe, a socket.
    /// Asked without opening it (opening a pipe waits for its other end). Readers that must read a file twice ask too.
    /// </summary>
    public static bool IsSpecial(string path)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        Span<byte> buffer = stackalloc byte[256]; // struct statx
        if (Posix.statx(Posix.CurrentDirectory, path, 0, Posix.StatxType, ref buffer[0]) != 0)
            return false; // missing (or unreadable): a new regular file will be made
        int type = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(buffer[28..]) & 0xF000; // stx_mode & S_IFMT
        return type is not (0x8000 or 0x4000); // S_IFREG, S_IFDIR
    }

    /// <summary>fsync(2) on a directory (POSIX only: elsewhere a rename is durable once it returns, or cannot be made so).</summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
            return;
        int fd = Posix.open(directory, Posix.ReadOnlyDirectory);
        if (fd < 0)
            throw new IOException($"cannot open directory {directory} to flush it (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        try
        {
            if (Posix.fsync(fd) != 0)
                throw new IOException($"cannot flush directory {directory} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            Posix.close(fd);
        }
    }

    static partial class Posix
    {
        /// <summary>O_RDONLY | O_DIRECTORY (Linux values; on macOS O_DIRECTORY differs, and O_RDONLY alone opens a directory).</summary>
        public static int ReadOnlyDirectory => OperatingSystem.IsLinux() ? 0x10000 : 0;

        [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
        public static partial int open(string path, int flags);

        [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
        public static partial int fsync(int fd);

        [System.Runtime.InteropServices.LibraryImport("libc")]
        public static partial int close(int fd);

        /// <summary>AT_FDCWD: a relative path is read from the current folder (ours are full paths).</summary>
        public const int CurrentDirectory = -100;

        /// <summary>STATX_TYPE: the file type bits of stx_mode.</summary>
        public const uint StatxType = 0x1;

        // statx(2) rather than stat(2): its struct has one layout on every architecture.
        [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
        public static partial int statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
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
