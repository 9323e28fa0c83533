using System.Globalization;

namespace RecursiveMas.IO;

/// <summary>
/// A folder replaced whole by renames, so a reader finds the old content or the complete new one, never a mix: the new
/// content is written into <c>OUT.partial-PID</c> (<see cref="StagingFolder"/>), then the aside folder <c>OUT.old-PID</c>
/// is created and the old <c>OUT</c> moved into it, the staging folder renamed to <c>OUT</c>, and the aside folder
/// deleted. A process ended at once (SIGKILL, a crash) leaves those folders beside <c>OUT</c>, and between the two
/// renames leaves no <c>OUT</c> at all: <see cref="FinishInterrupted"/> completes that swap, <see cref="Replace"/> does
/// too and removes what writers that are gone left. An exception (not an ending) between the renames is undone: the old
/// <c>OUT</c> is moved back and the writer's folders deleted, so its caller sees the exception and <c>OUT</c> as it was.
/// </summary>
/// <remarks>
/// Why the aside folder tells that a staging folder is complete, rather than a marker file written last: the aside
/// folder is created only after the staging folder's last file was written (each file flushed before its rename,
/// <see cref="AtomicFile"/>), so when <c>OUT.old-PID</c> exists, <c>OUT.partial-PID</c> is whole — it is created even
/// when there is no old <c>OUT</c> to move, so a first replacement is covered too. A marker inside the staging folder
/// would be renamed into <c>OUT</c> with it, among files a reader takes for the content (a links folder holds only link
/// files), or would need one more step to delete; a marker beside it would be one more leftover. And because the writer
/// creates the aside folder at the moment of the swap (the old <c>OUT</c> goes inside it, keeping its own, older
/// timestamps), its last-write time dates the writer, as <see cref="StagingFolder"/>'s rule for telling a dead writer
/// from a live one needs where a folder has no lock file (left by a version without the locks). Each folder's writer
/// holds its <see cref="WriterLock"/> (<c>OUT.partial-PID.lock</c>, <c>OUT.old-PID.lock</c>, beside the folders, so
/// never renamed into place) from before it creates the folders until after the swap: another process, in this PID
/// namespace or another (a second container on a shared volume), finishes or deletes them only when it can take them.
/// </remarks>
public static class SwappedFolder
{
    const string AsideMarker = ".old-";

    /// <summary>The aside folder process <paramref name="pid"/> moves the old <paramref name="fullPath"/> into during its swap.</summary>
    static string AsideFor(string fullPath, int pid) =>
        Path.TrimEndingDirectorySeparator(fullPath) + AsideMarker + pid.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Makes <paramref name="fullPath"/> hold exactly what <paramref name="write"/> writes into the folder it is given
    /// (this process's staging folder), swapped in whole. First finishes a swap a writer that is gone was ended in
    /// (<see cref="FinishInterrupted"/>, when unambiguous: a crash of this run before its own swap then leaves those
    /// links, not none) and removes what writers that are gone left beside the folder (staging and aside folders, by
    /// <see cref="StagingFolder.RemoveStale(string)"/>'s rule); a live writer's are never touched. A crash leaves the old
    /// content or the complete new one (with the old beside it in <c>OUT.old-PID</c>); an exception, in
    /// <paramref name="write"/> or in the swap's renames, leaves the old content in place and nothing beside it.
    /// </summary>
    public static void Replace(string fullPath, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(fullPath));
        string staging = StagingFolder.For(full), aside = AsideFor(full, Environment.ProcessId);
        // Held until both folders are gone or renamed into place: they tell every other process this writer is live
        // (StagingFolder), and refuse a process with this PID in another PID namespace writing the same folders.
        using var stagingLock = WriterLock.Take(staging);
        using var asideLock = WriterLock.Take(aside);
        if (Interrupted(full).Writer is { } interrupted)
            Finish(full, interrupted);
        // What a run ended at once left would stay beside the folder for ever; several interrupted swaps (which
        // Interrupted cannot choose between) go too: this swap replaces them all the same.
        StagingFolder.RemoveStale(full);
        StagingFolder.RemoveStale(full, AsideMarker);
        foreach (var leftover in new[] { staging, aside }.Where(Directory.Exists))
            Directory.Delete(leftover, recursive: true);
        try
        {
            write(staging);
        }
        catch
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
            throw;
        }
        // From here on the staging folder is complete, and the aside folder says so (see the remarks).
        string? old = null;
        try
        {
            Directory.CreateDirectory(aside);
            if (Directory.Exists(full))
            {
                Directory.Move(full, Path.Combine(aside, Path.GetFileName(full)));
                old = Path.Combine(aside, Path.GetFileName(full));
            }
            BetweenRenames.Value?.Invoke(full);
            Directory.Move(staging, full);
        }
        catch (Exception e)
        {
            RollBack(full, staging, aside, old, e);
            throw;
        }
        Directory.Delete(aside, recursive: true);
    }

    /// <summary>
    /// Test hook: called with the folder between the swap's two renames (the old folder moved aside, the new one not yet
    /// in place), in the calling flow only (an <see cref="AsyncLocal{T}"/>: swaps that tests beside it run are untouched).
    /// </summary>
    internal static readonly AsyncLocal<Action<string>?> BetweenRenames = new();

    /// <summary>
    /// Undoes a swap that threw (<paramref name="failure"/>) before its new folder was in place: moves the old folder
    /// (<paramref name="old"/>, inside the aside folder; null when there was none or it was not moved) back to
    /// <paramref name="full"/> and deletes the staging and aside folders, so the caller sees the exception and the
    /// folder as it was; only a process ended at once leaves a swap half done (<see cref="FinishInterrupted"/>). When
    /// the old folder cannot be moved back (something took its name meanwhile), throws an <see cref="IOException"/>
    /// naming where the old and the new folders are, both kept.
    /// </summary>
    static void RollBack(string full, string staging, string aside, string? old, Exception failure)
    {
        if (old is not null)
        {
            try
            {
                Directory.Move(old, full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"replacing {full} failed ({failure.Message}), and moving the old folder back failed too " +
                    $"({e.Message}): the old folder is {old}, the complete new one {staging}; move the one you want to {full}", failure);
            }
        }
        foreach (string folder in new[] { staging, aside }.Where(Directory.Exists))
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left to the next swap, as a writer's that is gone (its lock is released with this one's).
            }
        }
    }

    /// <summary>
    /// When <paramref name="fullPath"/> is missing because its writer was ended between the two renames of its swap
    /// (<c>OUT.old-PID</c> beside it, of a process that is gone, and that process's complete <c>OUT.partial-PID</c>),
    /// finishes the swap: renames the staging folder to <c>OUT</c> and deletes the aside folder. Returns what it did,
    /// for the caller to tell its user; null when there was nothing to finish (the folder exists, or no swap was
    /// under way: a staging folder without its aside folder may be half-written, and the folder was missing before).
    /// Throws an <see cref="IOException"/> naming the folders and how to recover when the folder is missing and a
    /// swap cannot be finished safely: a live process is in the middle of one (or one whose state cannot be told),
    /// several writers that are gone were, or a staging folder is gone.
    /// </summary>
    public static string? FinishInterrupted(string fullPath)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(fullPath));
        var (writer, refusal) = Interrupted(full);
        if (refusal is not null)
            throw new IOException(refusal);
        if (writer is not { } dead)
            return null;
        try
        {
            Finish(full, dead);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{full} is missing: process {dead} was ended while replacing it, and its new folder " +
                $"{StagingFolder.For(full, dead)} is complete, but renaming it into place failed ({e.Message}); rename it to {full} " +
                $"and delete {AsideFor(full, dead)}", e);
        }
        return $"{full} was missing: process {dead} was ended while replacing it; finished its replacement by renaming its complete " +
            $"new folder {StagingFolder.For(full, dead)} to {full} and deleting {AsideFor(full, dead)}, which held what it replaced";
    }

    /// <summary>
    /// The writer whose interrupted swap of <paramref name="full"/> can be finished, or why none can (null and null:
    /// the folder exists, or no swap was under way).
    /// </summary>
    static (int? Writer, string? Refusal) Interrupted(string full)
    {
        if (Directory.Exists(full))
            return (null, null);
        var asides = StagingFolder.Leftovers(full, AsideMarker);
        if (asides.Count == 0)
            return (null, null);
        string Staging(StagingFolder.Leftover aside) => StagingFolder.For(full, aside.Pid);
        if (asides.Where(a => !a.WriterIsGone).Select(a => (StagingFolder.Leftover?)a).FirstOrDefault() is { } live)
            return (null, $"{full} is missing while process {live.Pid}, which is running (it holds its lock, or it cannot be told), " +
                $"is replacing it ({live.Folder} is beside it): try again when it has finished; if that process is not writing " +
                $"this folder, rename {Staging(live)}, its complete new folder, to {full}");
        var complete = asides.Where(a => Directory.Exists(Staging(a))).ToList();
        if (asides.Count > 1)
            return (null, $"{full} is missing and {asides.Count} processes that are gone were ended while replacing it " +
                $"({string.Join(", ", asides.Select(a => a.Folder))}): rename the complete new folder you want " +
                $"({(complete.Count > 0 ? string.Join(", ", complete.Select(Staging)) : "none is left")}) to {full}");
        if (complete.Count == 0)
            return (null, $"{full} is missing and {asides[0].Folder}, left by process {asides[0].Pid}, which was ended while " +
                $"replacing it, is beside it without that process's new folder {Staging(asides[0])}: what it replaced, if anything, " +
                $"is in {asides[0].Folder}; move it back to {full}");
        return (asides[0].Pid, null);
    }

    /// <summary>
    /// The second rename and the deletion of process <paramref name="pid"/>'s swap. Another process finishing the
    /// same swap at the same time (two loaders) is no error: whichever renames first wins.
    /// </summary>
    static void Finish(string full, int pid)
    {
        try
        {
            Directory.Move(StagingFolder.For(full, pid), full);
        }
        catch (IOException) when (Directory.Exists(full))
        {
        }
        try
        {
            Directory.Delete(AsideFor(full, pid), recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Deleted first by another process finishing the same swap; or left for the next Replace, as any leftover
            // of a writer that is gone.
        }
        // The writer that is gone left its locks' files beside the folders; a held one (a process given its PID since,
        // writing the folder anew) is kept.
        WriterLock.DeleteIfFree(StagingFolder.For(full, pid));
        WriterLock.DeleteIfFree(AsideFor(full, pid));
    }
}
