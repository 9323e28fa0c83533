using RecursiveMas.IO;

namespace RecursiveMas.Tests.IO;

/// <summary>
/// <see cref="SwappedFolder"/> on its own (its users, links and model folders, are tested with it in
/// <c>InterruptedLinkReplacementTests</c> and <c>PretrainingTests</c>): the writer's locks, seen from other processes.
/// </summary>
public sealed class SwappedFolderTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-swapped-" + Guid.NewGuid().ToString("N"));

    public SwappedFolderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Folder(string name, string file)
    {
        string folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, file), "{}");
        return folder;
    }

    static bool LockIsHeld(string lockFile)
    {
        try
        {
            new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose();
            return false;
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            return true;
        }
    }

    [Fact]
    public void AWriterHoldsItsLocksBesideItsFoldersWhileItWritesAndLeavesNoLockFile()
    {
        string output = Folder("links", "old.json");
        string staging = $"{output}.partial-{Environment.ProcessId}", aside = $"{output}.old-{Environment.ProcessId}";
        SwappedFolder.Replace(output, folder =>
        {
            Assert.Equal(staging, folder);
            // Held in a way every other process sees (a second open of the file conflicts, in this process too).
            Assert.True(LockIsHeld(staging + ".lock"), "the staging folder's lock is not held while it is written");
            Assert.True(LockIsHeld(aside + ".lock"), "the aside folder's lock is not held while the staging folder is written");
            Folder(Path.GetFileName(folder), "new.json");
        });
        Assert.Equal(["new.json"], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName));
        Assert.Equal([output], Directory.EnumerateFileSystemEntries(_dir));
    }

    [Fact]
    public void AProcessWithThisPidInAnotherNamespaceKeepsItsFoldersAndThisWriterIsRefused()
    {
        // Another container's writer, given this process's PID in its own PID namespace, writes the same staging folder:
        // this writer deleted it as its own leftover and wrote into it.
        string output = Folder("links", "old.json");
        string theirs = Folder($"links.partial-{Environment.ProcessId}", "theirs.json");
        using (new StagingFolderTests.LockHolder(theirs + ".lock"))
        {
            var e = Assert.Throws<IOException>(() => SwappedFolder.Replace(output, _ => Assert.Fail("wrote into another writer's folder")));
            Assert.Contains(theirs + ".lock", e.Message);
            Assert.Contains("another PID namespace", e.Message);
        }
        Assert.Equal(["theirs.json"], Directory.EnumerateFileSystemEntries(theirs).Select(Path.GetFileName));
        Assert.Equal(["old.json"], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName));
    }

    [Fact]
    public void ALoadLeavesASwapWhoseWriterHoldsItsLockWhateverItsPidAndFinishesItWhenItIsGone()
    {
        // A writer in another container, between its two renames: its PID runs nowhere here, yet it is alive. A load here
        // took it for gone and renamed its staging folder into place under it.
        string output = Path.Combine(_dir, "links");
        int pid = StagingFolderTests.DeadPid();
        string staging = Folder($"links.partial-{pid}", "new.json"), aside = Path.Combine(_dir, $"links.old-{pid}");
        Folder(Path.Combine(aside, "links"), "old.json");
        File.WriteAllText(staging + ".lock", "");
        using (new StagingFolderTests.LockHolder(aside + ".lock"))
        {
            var e = Assert.Throws<IOException>(() => SwappedFolder.FinishInterrupted(output));
            Assert.Contains("is running", e.Message);
            Assert.True(Directory.Exists(staging) && Directory.Exists(aside) && !Directory.Exists(output), "a live writer's swap was touched");
        }

        Assert.NotNull(SwappedFolder.FinishInterrupted(output));
        Assert.Equal(["new.json"], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName));
        Assert.Equal([output], Directory.EnumerateFileSystemEntries(_dir));
    }

    [Fact]
    public void AnExceptionBetweenTheRenamesPutsTheOldFolderBackAndLeavesNothingBesideIt()
    {
        // The old folder was left inside links.old-PID and the complete new one in links.partial-PID, with no links at all:
        // the caller saw the exception and a missing folder, which only a later load put right (with the new links).
        string output = Folder("links", "old.json");
        SwappedFolder.BetweenRenames.Value = _ => throw new IOException("injected between the renames");
        try
        {
            var e = Assert.Throws<IOException>(() => SwappedFolder.Replace(output, folder => Folder(Path.GetFileName(folder), "new.json")));
            Assert.Equal("injected between the renames", e.Message);
        }
        finally
        {
            SwappedFolder.BetweenRenames.Value = null;
        }
        Assert.Equal(["old.json"], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName));
        Assert.Equal([output], Directory.EnumerateFileSystemEntries(_dir));
    }

    [Fact]
    public void AFolderThatTakesTheNameBetweenTheRenamesKeepsBothFoldersAndNamesThem()
    {
        // Another process creates the folder between the renames: the new one cannot go in, the old one cannot go back.
        string output = Folder("links", "old.json");
        SwappedFolder.BetweenRenames.Value = full => Folder(Path.GetFileName(full), "someone-else.json");
        try
        {
            var e = Assert.Throws<IOException>(() => SwappedFolder.Replace(output, folder => Folder(Path.GetFileName(folder), "new.json")));
            string old = Path.Combine($"{output}.old-{Environment.ProcessId}", "links"), staging = $"{output}.partial-{Environment.ProcessId}";
            Assert.Contains($"the old folder is {old}, the complete new one {staging}; move the one you want to {output}", e.Message);
            Assert.Equal(["old.json"], Directory.EnumerateFileSystemEntries(old).Select(Path.GetFileName));
            Assert.Equal(["new.json"], Directory.EnumerateFileSystemEntries(staging).Select(Path.GetFileName));
        }
        finally
        {
            SwappedFolder.BetweenRenames.Value = null;
        }
        Assert.Equal(["someone-else.json"], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName));
    }
}
