using System.Text;
using RecursiveMas.Models.SafeTensors;
using TorchSharp;
using static RecursiveMas.Tests.Models.SafeTensors.SafeTensorsTestSupport;

namespace RecursiveMas.Tests.Models.SafeTensors;

/// <summary>
/// Every malformed file is refused by <see cref="SafeTensorsFile.Open"/> with a
/// <see cref="ModelFileException"/> that names the file, the tensor or field at fault, and the problem.
/// </summary>
public class SafeTensorsMalformedTests
{
    static ModelFileException OpenFails(string path) =>
        Assert.Throws<ModelFileException>(() => SafeTensorsFile.Open(path).Dispose());

    [Fact]
    public void MissingFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("absent.safetensors");
        AssertError(OpenFails(path), path, null, "does not exist");
    }

    [Fact]
    public void DirectoryInsteadOfFile()
    {
        using var dir = new TempDirectory();
        AssertError(OpenFails(dir.Path), dir.Path, null, "is a directory");
    }

    [Fact]
    public void FileShorterThanTheLengthPrefix()
    {
        using var dir = new TempDirectory();
        string path = dir.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);
        AssertError(OpenFails(path), path, null, "only 5 bytes", "truncated");
    }

    [Fact]
    public void EmptyFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("empty.safetensors");
        File.WriteAllBytes(path, []);
        AssertError(OpenFails(path), path, null, "only 0 bytes");
    }

    [Fact]
    public void HeaderLengthBeyondTheEndOfTheFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("cut.safetensors");
        WriteRaw(path, Encoding.UTF8.GetBytes("{}        "), [], declaredHeaderLength: 1000);
        AssertError(OpenFails(path), path, null, "says 1000 bytes", "only 10 bytes follow", "truncated");
    }

    [Theory]
    [InlineData(200_000_000UL)]
    [InlineData(ulong.MaxValue)]
    public void AbsurdHeaderLength(ulong declared)
    {
        using var dir = new TempDirectory();
        string path = dir.File("absurd.safetensors");
        WriteRaw(path, Encoding.UTF8.GetBytes("{}"), [], declaredHeaderLength: declared);
        AssertError(OpenFails(path), path, null, $"says {declared} bytes", "100000000-byte limit");
    }

    [Fact]
    public void HeaderIsNotUtf8()
    {
        using var dir = new TempDirectory();
        string path = dir.File("latin1.safetensors");
        byte[] header = [.. Encoding.UTF8.GetBytes("{\"w"), 0xFF, 0xFE, .. Encoding.UTF8.GetBytes("\":{}}")];
        WriteRaw(path, header, []);
        AssertError(OpenFails(path), path, null, "not valid UTF-8");
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object, found an array")]
    [InlineData("\"text\"", "must be a JSON object, found a string")]
    public void HeaderIsNotAJsonObject(string header, string fragment)
    {
        using var dir = new TempDirectory();
        string path = dir.File("notjson.safetensors");
        WriteRaw(path, header, []);
        AssertError(OpenFails(path), path, null, fragment);
    }

    /// <summary>Header-entry cases: (header, data bytes, tensor or field named, what the message must say).</summary>
    [Theory]
    // entry not an object
    [InlineData("""{"w": 5}""", 0, "w", "must be an object with dtype, shape and data_offsets")]
    // dtype
    [InlineData("""{"w": {"shape": [1], "data_offsets": [0, 4]}}""", 4, "w", "no 'dtype'")]
    [InlineData("""{"w": {"dtype": 7, "shape": [1], "data_offsets": [0, 4]}}""", 4, "w", "'dtype' must be a string")]
    [InlineData("""{"w": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}""", 1, "w", "unknown or unsupported dtype 'F8_E4M3'")]
    [InlineData("""{"w": {"dtype": "f32", "shape": [1], "data_offsets": [0, 4]}}""", 4, "w", "unknown or unsupported dtype 'f32'")]
    [InlineData("""{"w": {"dtype": "1", "shape": [1], "data_offsets": [0, 4]}}""", 4, "w", "unknown or unsupported dtype '1'")]
    // shape
    [InlineData("""{"w": {"dtype": "F32", "data_offsets": [0, 4]}}""", 4, "w", "no 'shape'")]
    [InlineData("""{"w": {"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}}""", 4, "w", "'shape' must be an array of non-negative integers")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}""", 4, "w", "'shape' must be an array of non-negative integers")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [99999999999999999999], "data_offsets": [0, 4]}}""", 4, "w", "'shape' must be an array of non-negative integers")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2, -1], "data_offsets": [0, 4]}}""", 4, "w", "negative dimension -1")]
    // data_offsets
    [InlineData("""{"w": {"dtype": "F32", "shape": [1]}}""", 4, "w", "no 'data_offsets'")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}""", 4, "w", "'data_offsets' must be an array of two non-negative integers")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}}""", 8, "w", "'data_offsets' must be an array of two non-negative integers")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}""", 4, "w", "'data_offsets' must be an array of two non-negative integers")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": "0-4"}}""", 4, "w", "'data_offsets' must be an array of two non-negative integers")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}""", 8, "w", "[8, 4]", "begin is after end")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [100], "data_offsets": [0, 400]}}""", 16, "w", "[0, 400]", "out of range", "only 16 bytes")]
    // dtype and shape disagree with the byte count
    [InlineData("""{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""", 8, "w", "dtype F32 and shape [3] need 12 bytes", "span 8 bytes")]
    [InlineData("""{"w": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, 16]}}""", 16, "w", "need 8 bytes", "span 16 bytes")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 8]}}""", 8, "w", "more bytes than a file can hold")]
    // two tensors sharing bytes: the later one is named, the earlier one is in the message
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}""", 12, "b", "overlap", "tensor 'a' [0, 8]", "[4, 12]")]
    [InlineData("""{"big": {"dtype": "U8", "shape": [12], "data_offsets": [0, 12]}, "inside": {"dtype": "U8", "shape": [2], "data_offsets": [4, 6]}}""", 12, "inside", "overlap", "tensor 'big'")]
    // bytes that belong to no tensor: a hole between two tensors or before the first, trailing bytes after the last
    [InlineData("""{"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}, "b": {"dtype": "U8", "shape": [2], "data_offsets": [4, 6]}}""", 6, "b", "[4, 6] leave a hole", "bytes [2, 4)", "tensor 'a' [0, 2]")]
    [InlineData("""{"w": {"dtype": "U8", "shape": [2], "data_offsets": [2, 4]}}""", 4, "w", "leave a hole", "bytes [0, 2)", "the start of the data buffer")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}""", 7, "w", "the data buffer is 7 bytes", "ends at byte 4", "3 trailing bytes belong to no tensor")]
    [InlineData("""{"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}, "e": {"dtype": "F32", "shape": [0], "data_offsets": [2, 2]}}""", 3, "a", "1 trailing bytes")]
    [InlineData("""{"__metadata__": {"format": "pt"}}""", 5, null, "no tensor holds any bytes", "5 trailing bytes")]
    // duplicate names
    [InlineData("""{"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "w": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}""", 2, "w", "more than once", "duplicate")]
    // a field repeated inside an entry or in __metadata__: named by its dotted path
    [InlineData("""{"w": {"dtype": "U8", "dtype": "F32", "shape": [1], "data_offsets": [0, 1]}}""", 1, "w.dtype", "more than once")]
    [InlineData("""{"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1], "data_offsets": [1, 2]}}""", 2, "w.data_offsets", "more than once")]
    [InlineData("""{"__metadata__": {"format": "pt", "format": "mlx"}}""", 0, "__metadata__.format", "more than once")]
    // metadata
    [InlineData("""{"__metadata__": {"format": "pt", "step": 5}}""", 0, "__metadata__", "'step' must be a string", "a number")]
    [InlineData("""{"__metadata__": {"nested": {"a": "b"}}}""", 0, "__metadata__", "'nested' must be a string")]
    [InlineData("""{"__metadata__": ["pt"]}""", 0, "__metadata__", "must be an object mapping strings to strings")]
    public void MalformedHeaderEntry(string header, int dataBytes, string? item, params string[] fragments)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.safetensors");
        WriteRaw(path, header, new byte[dataBytes]);
        AssertError(OpenFails(path), path, item, fragments);
    }

    [Fact]
    public void TrailingSpacePaddingAndEmptyTensorsAreAccepted()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ok.safetensors");
        // An empty range sitting inside another tensor's bytes holds nothing and overlaps nothing, and
        // leaves no byte of the buffer unindexed.
        WriteRaw(path,
            """{"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}, "e": {"dtype": "F32", "shape": [0, 3], "data_offsets": [2, 2]}, "b": {"dtype": "U8", "shape": [2], "data_offsets": [4, 6]}, "__metadata__": null}      """,
            [1, 2, 3, 4, 7, 8]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(3, file.Tensors.Count);
        using var b = file.Load("b");
        Assert.Equal(new byte[] { 7, 8 }, Bytes(b));
        using var e = file.Load("e");
        Assert.Equal(new long[] { 0, 3 }, e.shape);
    }

    [Fact]
    public void AChunkRepeatedAtTheEndIsRefusedNamingTheLastTensor()
    {
        // A resumed download that wrote its last chunk twice leaves a file whose header and tensors are
        // intact: only the bytes after the last tensor show it.
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        using var first = torch.ones(3);
        using var last = torch.zeros(2, 2);
        SafeTensorsWriter.Write(path, [new("first", first), new("last", last)]);
        byte[] written = File.ReadAllBytes(path);
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write(written, written.Length - 8, 8);
        }
        AssertError(OpenFails(path), path, "last", "36 bytes", "ends at byte 28", "8 trailing bytes belong to no tensor");
    }

    [Fact]
    public void UnknownTensorIsNamedWithTheFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("one.safetensors");
        using var t = torch.ones(2);
        SafeTensorsWriter.Write(path, [new("present", t)]);
        using var file = SafeTensorsFile.Open(path);
        AssertError(Assert.Throws<ModelFileException>(() => file.GetInfo("absent")), path, "absent", "no such tensor");
        AssertError(Assert.Throws<ModelFileException>(() => file.Load("absent")), path, "absent", "no such tensor");
        using var destination = torch.zeros(2);
        AssertError(Assert.Throws<ModelFileException>(() => file.LoadInto("absent", destination)), path, "absent", "no such tensor");
    }

    [Fact]
    public void LoadIntoAWrongShapeNamesBothShapes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("shape.safetensors");
        using var t = torch.ones(2, 3);
        SafeTensorsWriter.Write(path, [new("model.embed.weight", t)]);
        using var file = SafeTensorsFile.Open(path);

        using var destination = torch.full(3, 2, 5f);
        var error = Assert.Throws<ModelFileException>(() => file.LoadInto("model.embed.weight", destination));
        AssertError(error, path, "model.embed.weight", "shape mismatch", "expected [3, 2]", "file stores [2, 3]");
        using var untouched = torch.full(3, 2, 5f);
        AssertSameValues(untouched, destination);

        // Same element count is not enough, and a scalar is not a 1-element vector.
        using var flat = torch.zeros(6);
        AssertError(Assert.Throws<ModelFileException>(() => file.LoadInto("model.embed.weight", flat)), path, "model.embed.weight", "expected [6]");
    }
}
