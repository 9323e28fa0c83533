using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace RecursiveMas.IO;

/// <summary>
/// The sibling folder an output is built in before it is renamed into place, <c>OUT.partial-PID</c>: one per
/// process, so two runs writing the same output never share one. A run that fails removes its own; a run ended at
/// once (a second Ctrl+C, SIGKILL, a crash) cannot, and what it left is removed by the next run writing that output.
/// Its writer holds the folder's <see cref="WriterLock"/> (<c>OUT.partial-PID.lock</c>, beside it) for as long as it
/// writes: that, not the PID, says whether the writer is gone, for PIDs mean nothing across PID namespaces (two
/// containers writing to one shared volume); the PID stays in the name for people to read, and decides only for a
/// folder without a lock file (left by a version without the locks).
/// </summary>
public static class StagingFolder
{
    const string Marker = ".partial-";

    /// <summary>This process's staging folder for the output folder <paramref name="fullPath"/> (a full path).</summary>
    public static string For(string fullPath) => For(fullPath, Environment.ProcessId);

    /// <summary>The staging folder process <paramref name="pid"/> builds the output folder <paramref name="fullPath"/> in.</summary>
    public static string For(string fullPath, int pid) =>
        Path.TrimEndingDirectorySeparator(fullPath) + Marker + pid.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// For a folder without a lock file (see <see cref="RemoveStale(string)"/>): how much later than its folder's last write a live process with the folder's PID must have started to be
    /// taken for another process given the same PID. The writer always started before it wrote (by the runtime's
    /// start at least), so any margin is safe against reuse; it is wide because the two times come from different
    /// clocks (a file system's timestamps, some of whole or even two seconds; a start time derived from the boot
    /// clock) and a wall clock set forward by NTP moves one and not the other. Too wide only keeps a dead run's
    /// folder until a later run.
    /// </summary>
    public static readonly TimeSpan ReuseMargin = TimeSpan.FromHours(1);

    /// <summary>
    /// Deletes the staging folders of <paramref name="fullPath"/> whose writer is gone: <c>OUT.partial-PID</c> whose
    /// lock (<see cref="WriterLock"/>, <c>OUT.partial-PID.lock</c>) no process holds, taking that lock while deleting and
    /// the lock file with the folder. A folder without a lock file (left by a version without the locks), or anywhere
    /// locks are not enforced, is judged by its PID: gone where no process PID runs, or where the process PID runs but
    /// started more than <see cref="ReuseMargin"/> after the folder was last written (PID reuse: the writer was alive
    /// then, and two live processes never share a PID, so that process is not it). A folder whose lock is held is never
    /// touched, whatever its PID, nor one whose writer cannot be told (a lock file or start time that is not ours to
    /// read); a name that is not <c>OUT.partial-</c> and digits is not one. Lock files left without their folder (a
    /// process ended just after it deleted or renamed it) go too, when free. Returns the folders deleted.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string fullPath) => RemoveStale(fullPath, Marker);

    /// <summary>
    /// As <see cref="RemoveStale(string)"/>, for sibling folders <c>OUT</c> + <paramref name="marker"/> + <c>PID</c> of
    /// another kind that a process writes beside its output (<see cref="SwappedFolder"/>'s <c>OUT.old-PID</c>).
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string fullPath, string marker)
    {
        var removed = new List<string>();
        foreach (var leftover in Leftovers(fullPath, marker).Where(l => l.WriterIsGone))
        {
            // Under the writer's lock, so a process that takes it meanwhile (one given the same PID) finds it held,
            // rather than its new folder deleted from under it.
            if (!WriterLock.TryTakeOver(leftover.Folder, out var taken))
                continue;
            using (taken)
            {
                try
                {
                    Directory.Delete(leftover.Folder, recursive: true);
                    removed.Add(leftover.Folder);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Removed first by another run writing the same output, or not ours to delete: a leftover is no reason
                    // to fail this run, which writes its own staging folder beside it.
                }
            }
        }
        foreach (var (folder, _) in Siblings(fullPath, marker, WriterLock.FileSuffix).Where(s => !Directory.Exists(s.Path)))
            WriterLock.DeleteIfFree(folder);
        return removed;
    }

    /// <summary>A sibling folder another process wrote beside an output, its PID, and whether that process is gone.</summary>
    public readonly record struct Leftover(string Folder, int Pid, bool WriterIsGone);

    /// <summary>
    /// The folders <c>OUT</c> + <paramref name="marker"/> + <c>PID</c> beside <paramref name="fullPath"/> of processes
    /// other than this one (this process's own are its caller's to clear), in name order, each judged by the rule
    /// of <see cref="RemoveStale(string)"/>; a name with anything but digits after the marker is not one.
    /// </summary>
    public static IReadOnlyList<Leftover> Leftovers(string fullPath, string marker)
    {
        var found = new List<Leftover>();
        foreach (var (folder, pid) in Siblings(fullPath, marker, "").Where(s => Directory.Exists(s.Path)))
            found.Add(new Leftover(folder, pid, WriterLock.IsHeld(folder) switch
            {
                true => false,
                false => true,
                null => PidIsGone(pid, Directory.GetLastWriteTimeUtc(folder)),
            }));
        return found;
    }

    /// <summary>
    /// The paths <c>OUT</c> + <paramref name="marker"/> + <c>PID</c> beside <paramref name="fullPath"/>, with their PID (in
    /// name order, of processes other than this one), of which a folder or file named that + <paramref name="suffix"/>
    /// exists; a name with anything but digits between the marker and the suffix is not one.
    /// </summary>
    static IEnumerable<(string Path, int Pid)> Siblings(string fullPath, string marker, string suffix)
    {
        ArgumentException.ThrowIfNullOrEmpty(marker);
        string output = Path.TrimEndingDirectorySeparator(fullPath);
        string? parent = Path.GetDirectoryName(output);
        if (parent is null || !Directory.Exists(parent))
            yield break;
        string prefix = Path.GetFileName(output) + marker;
        // Every entry, compared by name: a search pattern would read a '?' or '*' in the output's name as a wildcard.
        foreach (string entry in Directory.EnumerateFileSystemEntries(parent).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(suffix, StringComparison.Ordinal)
                && name.Length > prefix.Length + suffix.Length
                && int.TryParse(name.AsSpan(prefix.Length, name.Length - prefix.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && pid != Environment.ProcessId)
                yield return (entry[..^suffix.Length], pid);
        }
    }

    /// <summary>The rule for a folder without a lock file: whether no process <paramref name="pid"/> runs, or a later one does.</summary>
    static bool PidIsGone(int pid, DateTime lastWrittenUtc)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime() > lastWrittenUtc + ReuseMargin;
        }
        catch (ArgumentException)
        {
            return true; // no process has that PID
        }
        catch (InvalidOperationException)
        {
            return true; // it exited while being looked at
        }
        catch (Exception e) when (e is Win32Exception or NotSupportedException or UnauthorizedAccessException)
        {
            return false; // alive, but its start time is not ours to read: it may be the writer
        }
    }
}
