using RecursiveMas.IO;

namespace RecursiveMas.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-atomic-" + Guid.NewGuid().ToString("N"));

    public AtomicFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AWriteReplacesTheFileFlushesItsDirectoryAndLeavesNoTemporary()
    {
        string path = Path.Combine(_dir, "config.json");
        AtomicFile.WriteAllText(path, "old");
        AtomicFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["config.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        AtomicFile.FlushDirectory(_dir);
        Assert.Throws<IOException>(() => AtomicFile.FlushDirectory(Path.Combine(_dir, "missing")));
    }

    [Fact]
    public void CheckWritableCreatesTheFolderLeavesNothingBehindAndNamesATargetItCannotWrite()
    {
        string target = Path.Combine(_dir, "results", "comparison.json");
        AtomicFile.CheckWritable(target);
        Assert.True(Directory.Exists(Path.Combine(_dir, "results")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_dir, "results")));

        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        var underAFile = Assert.Throws<IOException>(() => AtomicFile.CheckWritable(Path.Combine(file, "comparison.json")));
        Assert.StartsWith($"cannot write {Path.Combine(file, "comparison.json")}: ", underAFile.Message);
        var aFolder = Assert.Throws<IOException>(() => AtomicFile.CheckWritable(Path.Combine(_dir, "results")));
        Assert.Equal($"cannot write {Path.Combine(_dir, "results")}: it is a folder", aFolder.Message);
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    public void AWriteThroughASymbolicLinkReplacesTheFileItNamesAndKeepsTheLink()
    {
        string target = Path.Combine(_dir, "real.json");
        File.WriteAllText(target, "old");
        string link = Path.Combine(_dir, "link.json");
        File.CreateSymbolicLink(link, target);

        AtomicFile.WriteAllText(link, "new");

        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(["link.json", "real.json"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order());

        // A link put in its place (how the Hub cache installs a snapshot's link) replaces the link, and the file the old
        // link named is left alone.
        File.WriteAllText(Path.Combine(_dir, "other.json"), "other");
        Assert.True(AtomicFile.TryReplaceWithSymbolicLink(link, "other.json"));
        Assert.Equal("other.json", new FileInfo(link).LinkTarget);
        Assert.Equal("other", File.ReadAllText(link));
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(["link.json", "other.json", "real.json"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void ASymbolicLinkReplacesAFileAndItsFolderIsMade()
    {
        string path = Path.Combine(_dir, "snapshot", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "a copy");
        File.WriteAllText(Path.Combine(_dir, "blob"), "blob");

        Assert.True(AtomicFile.TryReplaceWithSymbolicLink(path, Path.Combine("..", "blob")));
        Assert.True(AtomicFile.TryReplaceWithSymbolicLink(Path.Combine(_dir, "new", "config.json"), Path.Combine("..", "blob")));

        Assert.Equal("blob", File.ReadAllText(path));
        Assert.Equal("blob", File.ReadAllText(Path.Combine(_dir, "new", "config.json")));
        Assert.Equal(["config.json"], Directory.GetFileSystemEntries(Path.Combine(_dir, "snapshot")).Select(Path.GetFileName));
    }

    // `--out /dev/null` as root replaced the device with a file. A named pipe stands in for the device here: a test
    // must not risk /dev/null itself.
    [Fact]
    public async Task AWriteToAPipeGoesToItsReaderAndLeavesThePipe()
    {
        if (!OperatingSystem.IsLinux())
            return;
        string fifo = Path.Combine(_dir, "out.json");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
            mkfifo!.WaitForExit();
        var reader = Task.Run(() => File.ReadAllText(fifo));

        AtomicFile.WriteAllText(fifo, "{\"through\": \"the pipe\"}");

        Assert.Equal("{\"through\": \"the pipe\"}", await reader.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.True((File.GetAttributes(fifo) & FileAttributes.Directory) == 0);
        using (var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%F", fifo]) { RedirectStandardOutput = true }))
            Assert.Equal("fifo", stat!.StandardOutput.ReadToEnd().Trim());
        Assert.Equal(["out.json"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void AWriteThatFailsHalfwayLeavesTheOldFileAndNoTemporary()
    {
        string path = Path.Combine(_dir, "link.safetensors");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100]);
            throw new IOException("disk full");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["link.safetensors"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    // `rmas bench --out serving.json` writes serving.png beside it: a bare name, whose folder is the current one.
    [Fact]
    public void ABareFileNameIsWrittenInTheCurrentFolder()
    {
        string name = $"rmas-atomic-{Guid.NewGuid():N}.png";
        try
        {
            AtomicFile.WriteAllBytes(name, [1, 2, 3]);
            Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(Environment.CurrentDirectory, name)));
        }
        finally
        {
            File.Delete(name);
        }
    }
}
