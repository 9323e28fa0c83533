using System.Diagnostics;
using System.Globalization;
using RecursiveMas.IO;

namespace RecursiveMas.Tests.IO;

public sealed class StagingFolderTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-staging-" + Guid.NewGuid().ToString("N"));

    public StagingFolderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A PID no process can have: above the kernel's pid_max.</summary>
    internal static int DeadPid() =>
        File.Exists("/proc/sys/kernel/pid_max") && int.TryParse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture, out int max) && max < int.MaxValue
            ? max + 1
            : int.MaxValue;

    string Staging(string output, object id)
    {
        string folder = Path.Combine(_dir, $"{output}.partial-{id}");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model.safetensors"), "half-written");
        return folder;
    }

    [Fact]
    public void RemovesTheStagingFoldersOfDeadWritersAndOfReusedPidsOnlyAndOnlyOfItsOutput()
    {
        string output = Path.Combine(_dir, "model");
        string dead = Staging("model", DeadPid());
        string mine = Staging("model", Environment.ProcessId);
        // PID 1 runs (init) and started before this folder was written: it may be its writer.
        string live = Staging("model", 1);
        string otherOutput = Staging("model-b", DeadPid());
        string notAPid = Staging("model", "x1");

        Assert.Equal([dead], StagingFolder.RemoveStale(output + Path.DirectorySeparatorChar));
        Assert.False(Directory.Exists(dead));
        Assert.All(new[] { mine, live, otherOutput, notAPid }, folder => Assert.True(Directory.Exists(folder), folder));

        // The same folder last written long before PID 1 started: its writer was another process that had PID 1.
        Directory.SetLastWriteTimeUtc(live, new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal([live], StagingFolder.RemoveStale(output));
        Assert.All(new[] { mine, otherOutput, notAPid }, folder => Assert.True(Directory.Exists(folder), folder));

        Assert.Equal(output + ".partial-" + Environment.ProcessId, StagingFolder.For(output));
        Assert.Empty(StagingFolder.RemoveStale(Path.Combine(_dir, "missing", "model")));
    }

    [Fact]
    public void RemovesTheLeftoversOfAnotherKindByTheSameRuleAndListsThemWithTheirWriters()
    {
        // The aside folders OUT.old-PID of a swap (SwappedFolder) are judged as staging folders are.
        string output = Path.Combine(_dir, "links");
        string Aside(int pid) => Directory.CreateDirectory(Path.Combine(_dir, $"links.old-{pid}")).FullName;
        string dead = Aside(DeadPid()), live = Aside(1), mine = Aside(Environment.ProcessId);
        string staging = Staging("links", DeadPid());

        Assert.Equal([new StagingFolder.Leftover(live, 1, WriterIsGone: false), new StagingFolder.Leftover(dead, DeadPid(), WriterIsGone: true)],
            StagingFolder.Leftovers(output, ".old-").OrderBy(l => l.Pid));
        Assert.Equal([dead], StagingFolder.RemoveStale(output, ".old-"));
        Assert.All(new[] { live, mine, staging }, folder => Assert.True(Directory.Exists(folder), folder));
        Assert.Equal(output + ".partial-42", StagingFolder.For(output, 42));
    }

    /// <summary>
    /// A writer in another process holding a lock file, as a writer in another container would: util-linux <c>flock</c>,
    /// which takes the same <c>flock(LOCK_EX)</c> .NET takes for <c>FileShare.None</c>, and holds it until killed (it
    /// alone: <c>--close</c> keeps the lock out of the command it runs, so the lock is free once it has exited).
    /// </summary>
    internal sealed class LockHolder : IDisposable
    {
        readonly Process _process;

        public LockHolder(string lockFile)
        {
            var start = new ProcessStartInfo("flock", ["--exclusive", "--nonblock", "--close", lockFile, "sh", "-c", "echo held; exec sleep 600"])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            _process = Process.Start(start)!;
            Assert.Equal("held", _process.StandardOutput.ReadLine());
        }

        public void Dispose()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            _process.Dispose();
        }
    }

    [Fact]
    public void AWriterIsTakenForGoneByItsLockNotByItsPid()
    {
        // Two containers writing to one volume see each other's PIDs as no process, or as some other process: a live
        // writer's folder was deleted when its PID was not running here, and a gone one's kept when it was.
        string output = Path.Combine(_dir, "model");
        string liveElsewhere = Staging("model", DeadPid()), goneElsewhere = Staging("model", 1);
        File.WriteAllText(goneElsewhere + ".lock", "");
        string orphanLock = Path.Combine(_dir, $"model.partial-{DeadPid() - 1}.lock");
        File.WriteAllText(orphanLock, "");
        using (new LockHolder(liveElsewhere + ".lock"))
        {
            Assert.Equal([new StagingFolder.Leftover(goneElsewhere, 1, WriterIsGone: true), new StagingFolder.Leftover(liveElsewhere, DeadPid(), WriterIsGone: false)],
                StagingFolder.Leftovers(output, ".partial-").OrderBy(l => l.Pid));
            Assert.Equal([goneElsewhere], StagingFolder.RemoveStale(output));
            Assert.True(Directory.Exists(liveElsewhere), "a folder whose writer holds its lock was deleted");
            Assert.True(File.Exists(liveElsewhere + ".lock"), "a held lock file was deleted");
            Assert.False(File.Exists(goneElsewhere + ".lock"), "a gone writer's lock file was kept with its folder deleted");
            Assert.False(File.Exists(orphanLock), "a free lock file without its folder was kept");
        }

        // Its writer ended (however: the kernel releases the lock), the folder and its lock file go.
        Assert.Equal([liveElsewhere], StagingFolder.RemoveStale(output));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir));
    }
}
