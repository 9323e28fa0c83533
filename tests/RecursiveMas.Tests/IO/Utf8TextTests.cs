using System.Text;
using RecursiveMas.IO;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using RecursiveMas.Training;

namespace RecursiveMas.Tests.IO;

public sealed class Utf8TextTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-utf8-" + Guid.NewGuid().ToString("N"));

    public Utf8TextTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    string Write(string name, params byte[][] parts)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, [.. parts.SelectMany(p => p)]);
        return path;
    }

    [Fact]
    public void ADataLineThatIsNotUtf8IsRefusedByLineAndOffsetInsteadOfBecomingReplacementCharacters()
    {
        string line = """{"question": "Ava has 7 coins.", "answer": "7"}""" + "\n";
        string path = Write("train.jsonl", Utf8(line), Utf8(line), Utf8("""{"question": "Ava has """), [0xC3, 0x28], Utf8(""" coins.", "answer": "7"}""" + "\n"));

        var e = Assert.Throws<ModelFileException>(() => TrainingData.Load(path));

        Assert.Equal("line 3", e.Item);
        Assert.Contains($"not valid UTF-8 (at byte offset {2 * Utf8(line).Length + Utf8("""{"question": "Ava has """).Length} of the file)", e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void ACharacterAcrossTheReadersBlocksIsAcceptedAndABadByteFarInIsFoundOnItsLine()
    {
        // 70,000 bytes of data lines, with three-byte characters straddling the 64 KiB blocks the reader reads.
        string line = """{"question": "€€€ Ava has 7 coins.", "answer": "\\boxed{7}"}""" + "\n";
        byte[] good = Utf8(string.Concat(Enumerable.Repeat(line, 70_000 / line.Length + 1)));
        Assert.Equal(good.Count(b => b == (byte)'\n'), TaskDataFile.Read(Write("good.jsonl", good)).Count);

        string bad = Write("bad.jsonl", good, Utf8("""{"question": "x"""), [0xFF], Utf8("\"}\n"));
        var e = Assert.Throws<ModelFileException>(() => TaskDataFile.Read(bad));
        Assert.Equal($"line {good.Count(b => b == (byte)'\n') + 1}", e.Item);
        Assert.Contains($"byte offset {good.Length + Utf8("""{"question": "x""").Length} ", e.Message);

        string truncated = Write("truncated.jsonl", good, Utf8("""{"question": "x"""), [0xE2, 0x82]); // the file ends inside a character
        Assert.Contains("not valid UTF-8", Assert.Throws<ModelFileException>(() => TaskDataFile.Read(truncated)).Message);
    }

    [Fact]
    public void ASystemFileThatIsNotUtf8IsRefusedAndOneWithAByteOrderMarkIsRead()
    {
        Assert.Equal("{}", Utf8Text.Decode("x.json", [0xEF, 0xBB, 0xBF, .. Utf8("{}")]));

        string path = Write("SYSTEM.json", Utf8("{\n  \"name\": \"team"), [0xE9], Utf8("\"\n}\n"));
        var e = Assert.Throws<ModelFileException>(() => SystemDescription.Load(path));
        Assert.Equal("line 2", e.Item);
        Assert.Contains("not valid UTF-8", e.Message);
    }
}
