namespace RecursiveMas.IO;

/// <summary>
/// The exclusive lock a writer holds on <c>FOLDER.lock</c>, beside a folder it writes beside an output (its staging
/// folder <c>OUT.partial-PID</c>, its aside folder <c>OUT.old-PID</c>), from before it creates the folder until the
/// folder is gone or renamed into place: the lock, not the PID in the folder's name, tells another process whether the
/// writer is still there. A PID is only meaningful inside one PID namespace: two containers writing to one shared
/// volume see each other's PIDs as no process or as some other one, and would delete each other's live folders; a lock
/// is released by the kernel when its holder ends, however it ends (a crash, SIGKILL), and is seen from every
/// namespace sharing the file system.
/// </summary>
/// <remarks>
/// On Unix .NET takes <c>FileShare.None</c> as <c>flock(LOCK_EX | LOCK_NB)</c> (per open file description, so a
/// second open in the same process is refused too), on Windows as a share mode. The lock file lies beside the folder,
/// never inside it: it must not be renamed into place with the output, and the folder keeps its lock until the very
/// rename that ends it. Where locks are not enforced (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>, a file system that
/// ignores them) a free lock says nothing, so <see cref="IsHeld"/> checks that a second open is refused before it
/// believes one.
/// </remarks>
public sealed class WriterLock : IDisposable
{
    readonly FileStream _file;

    WriterLock(FileStream file) => _file = file;

    /// <summary>What a folder's name is followed by in its lock file's.</summary>
    public const string FileSuffix = ".lock";

    /// <summary>The lock file of <paramref name="folder"/>: beside it, never inside, so it is not renamed into place with it.</summary>
    public static string PathFor(string folder) => Path.TrimEndingDirectorySeparator(folder) + FileSuffix;

    /// <summary>
    /// Takes this process's lock on <paramref name="folder"/> (a folder it is about to write), creating the lock file,
    /// which is deleted when the lock is disposed. Throws an <see cref="IOException"/> naming the folder when another
    /// process holds it: one with this process's PID in another PID namespace (another container writing the same
    /// output), whose folder this process must not write into.
    /// </summary>
    public static WriterLock Take(string folder)
    {
        string path = PathFor(folder);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // A cleaner deletes a lock file of a writer that is gone while holding it: an open just before that deletion
        // locks a file no longer at its path, which no one else would see; such an open is done again.
        for (int attempt = 0; ; attempt++)
        {
            FileStream file;
            try
            {
                file = Open(path, FileMode.OpenOrCreate, deleteOnClose: true);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                throw new IOException($"cannot write {folder}: another process holds its lock {path} (a process with this one's PID " +
                    $"{Environment.ProcessId} in another PID namespace, such as another container writing the same output); try again when it has finished", e);
            }
            if (File.Exists(path) || attempt == 2)
                return new WriterLock(file);
            file.Dispose();
        }
    }

    /// <summary>
    /// Whether the writer of <paramref name="folder"/> holds its lock: true when it does, or when that cannot be told
    /// (the lock file is not this process's to open); false when the lock is free (its writer is gone); null when the
    /// folder has no lock file (written by a version without the locks, or its writer was ended before it wrote one)
    /// or locks are not enforced here, for the caller to judge by the PID.
    /// </summary>
    public static bool? IsHeld(string folder)
    {
        string path = PathFor(folder);
        try
        {
            using var probe = Open(path, FileMode.Open, deleteOnClose: false);
            try
            {
                // A lock that a second open does not conflict with holds nothing: the first said nothing either.
                Open(path, FileMode.Open, deleteOnClose: false).Dispose();
                return null;
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                return false;
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>
    /// Takes over the lock of <paramref name="folder"/>, whose writer is gone, to delete or finish the folder under it
    /// (so a process that takes the lock meanwhile, one with the same PID, finds it held rather than its folder going
    /// from under it). False when a writer holds it; true with the lock, whose disposal deletes the lock file, or with
    /// null when the folder has no lock file.
    /// </summary>
    public static bool TryTakeOver(string folder, out WriterLock? taken)
    {
        taken = null;
        try
        {
            taken = new WriterLock(Open(PathFor(folder), FileMode.Open, deleteOnClose: true));
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes the lock file of <paramref name="folder"/> when no one holds it (its writer is gone, and the folder with
    /// it, or renamed into place by a process finishing its swap); a held one is kept.
    /// </summary>
    public static void DeleteIfFree(string folder)
    {
        if (TryTakeOver(folder, out var taken))
            taken?.Dispose();
    }

    static FileStream Open(string path, FileMode mode, bool deleteOnClose) =>
        new(path, mode, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, deleteOnClose ? FileOptions.DeleteOnClose : FileOptions.None);

    /// <summary>Releases the lock and deletes its file (when it is a writer's own, or taken over from one that is gone).</summary>
    public void Dispose() => _file.Dispose();
}
