using System.Diagnostics;
using RecursiveMas.Evaluation;
using RecursiveMas.IO;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;

namespace RecursiveMas.Tests.IO;

/// <summary>
/// Paths that are not regular files: a device whose bytes never end (<c>/dev/zero</c>, only ever read here) is refused
/// at a bound instead of read until memory runs out, and a pipe (a shell's <c>&lt;(…)</c>) is read — once.
/// </summary>
public sealed class EndlessInputTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-endless-" + Guid.NewGuid().ToString("N"));

    public EndlessInputTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ADeviceThatNeverEndsIsRefusedAtTheBoundOfTheFileKind()
    {
        var system = Assert.Throws<ModelFileException>(() => SystemDescription.Load("/dev/zero"));
        Assert.Contains($"a file of this kind is at most {SystemDescription.MaxFileBytes} bytes", system.Message);

        var comparison = Assert.Throws<ModelFileException>(() => ComparisonResult.Load("/dev/zero"));
        Assert.Contains($"at most {ComparisonResult.MaxFileBytes} bytes", comparison.Message);

        var data = Assert.Throws<ModelFileException>(() => TaskDataFile.Read("/dev/zero"));
        Assert.Equal("line 1", data.Item);
        Assert.Contains("has no line end in its first 256 MiB", data.Message);
    }

    [Fact]
    public void AFileLargerThanItsKindAllowsIsRefusedBeforeItIsRead()
    {
        string big = Path.Combine(_dir, "SYSTEM.json");
        using (var stream = File.Create(big))
            stream.SetLength(SystemDescription.MaxFileBytes + 1);

        var e = Assert.Throws<ModelFileException>(() => FileBytes.Read(big, SystemDescription.MaxFileBytes));

        Assert.Contains($"is {SystemDescription.MaxFileBytes + 1} bytes; a file of this kind is at most", e.Message);
        Assert.Equal([1, 2, 3], FileBytes.Read(WriteBytes("small", [1, 2, 3]), 3));
        Assert.Throws<ModelFileException>(() => FileBytes.Read(WriteBytes("four", [1, 2, 3, 4]), 3));
    }

    [Fact]
    public async Task DataFromAPipeIsReadInOnePass()
    {
        string fifo = Path.Combine(_dir, "data.jsonl");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
            mkfifo!.WaitForExit();
        string lines = """
            {"question": "Ava has 7 coins.", "answer": "\\boxed{7}"}
            {"question": "Bo has 3 coins.", "answer": "\\boxed{3}"}

            """;
        // The writer blocks until the reader opens the pipe; what it writes can be read only once.
        var writer = Task.Run(() => File.WriteAllText(fifo, lines));

        var examples = TaskDataFile.Read(fifo);

        await writer;
        Assert.Equal(["Ava has 7 coins.", "Bo has 3 coins."], examples.Select(e => e.Question));
    }

    string WriteBytes(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
