using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using RecursiveMas.Models.SafeTensors;
using TorchSharp;
using static RecursiveMas.Tests.Models.SafeTensors.SafeTensorsTestSupport;

namespace RecursiveMas.Tests.Models.SafeTensors;

public class SafeTensorsRoundTripTests
{
    public static TheoryData<SafeTensorsDType> AllDTypes()
    {
        var data = new TheoryData<SafeTensorsDType>();
        foreach (var dtype in SafeTensorsDTypes.All)
        {
            data.Add(dtype);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void EveryDTypeRoundTripsBitExactIncludingScalarAndEmptyShapes(SafeTensorsDType dtype)
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        var type = dtype.ToScalarType();
        var random = new Random(1234 + (int)dtype);
        var originals = new Dictionary<string, torch.Tensor>
        {
            ["matrix"] = RandomTensor(type, [3, 5], random),
            ["scalar"] = RandomTensor(type, [], random),
            ["empty"] = RandomTensor(type, [0], random),
            ["empty.middle"] = RandomTensor(type, [2, 0, 3], random),
            ["cube"] = RandomTensor(type, [2, 3, 4], random),
        };
        try
        {
            SafeTensorsWriter.Write(path, originals);

            using var file = SafeTensorsFile.Open(path);
            Assert.Equal(originals.Keys.Order(), file.Tensors.Select(t => t.Name).Order());
            foreach (var (name, original) in originals)
            {
                var info = file.GetInfo(name);
                Assert.Equal(dtype, info.DType);
                Assert.Equal(original.shape, info.Shape);
                Assert.Equal(original.numel(), info.ElementCount);
                Assert.Equal(original.numel() * dtype.ElementSize(), info.ByteLength);

                using var loaded = file.Load(name);
                AssertSameTensor(original, loaded);
            }
        }
        finally
        {
            foreach (var t in originals.Values)
            {
                t.Dispose();
            }
        }
    }

    [Fact]
    public void DTypeMappingsAgreeWithTorch()
    {
        foreach (var dtype in SafeTensorsDTypes.All)
        {
            var type = dtype.ToScalarType();
            Assert.Equal(dtype, SafeTensorsDTypes.FromScalarType(type));
            using var t = torch.empty(1, type);
            Assert.Equal(t.element_size(), dtype.ElementSize());
            Assert.True(SafeTensorsDTypes.TryParseHeaderName(dtype.ToHeaderName(), out var parsed));
            Assert.Equal(dtype, parsed);
        }
        Assert.False(SafeTensorsDTypes.TryParseHeaderName("1", out _));
        Assert.False(SafeTensorsDTypes.TryParseHeaderName("f32", out _));
        Assert.False(SafeTensorsDTypes.TryFromScalarType(torch.ScalarType.ComplexFloat32, out _));
        Assert.Throws<ArgumentException>(() => SafeTensorsDTypes.FromScalarType(torch.ScalarType.ComplexFloat32));
    }

    [Fact]
    public void MetadataRoundTripsAndFormatPtIsAddedWhenMissing()
    {
        using var dir = new TempDirectory();
        using var t = torch.ones(2);
        var metadata = new Dictionary<string, string> { ["author"] = "rmas", ["note"] = "ünïcødé \"quoted\"", ["empty"] = "" };

        SafeTensorsWriter.Write(dir.File("a.safetensors"), [new("w", t)], metadata);
        using (var file = SafeTensorsFile.Open(dir.File("a.safetensors")))
        {
            foreach (var (key, value) in metadata)
            {
                Assert.Equal(value, file.Metadata[key]);
            }
            Assert.Equal("pt", file.Metadata["format"]);
            Assert.Equal(metadata.Count + 1, file.Metadata.Count);
        }

        // A caller's own "format" is kept.
        SafeTensorsWriter.Write(dir.File("b.safetensors"), [new("w", t)], new Dictionary<string, string> { ["format"] = "mlx" });
        using (var file = SafeTensorsFile.Open(dir.File("b.safetensors")))
        {
            Assert.Equal("mlx", Assert.Single(file.Metadata).Value);
        }
    }

    [Fact]
    public void FileWithoutMetadataHasEmptyMetadata()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        WriteRaw(path, """{"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}""", [7, 9]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Empty(file.Metadata);
        using var w = file.Load("w");
        Assert.Equal(new byte[] { 7, 9 }, Bytes(w));
    }

    [Fact]
    public void HeaderIsPaddedWithSpacesToEightBytesAndOffsetsAreContiguous()
    {
        using var dir = new TempDirectory();
        string path = dir.File("p.safetensors");
        using var a = torch.ones(3, dtype: torch.ScalarType.Int8);
        using var b = torch.ones(5, dtype: torch.ScalarType.Float32);
        SafeTensorsWriter.Write(path, [new("a", a), new("b", b)]);

        byte[] bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        Assert.Equal(8 + n + 3 + 20, bytes.Length);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        string trimmed = header.TrimEnd(' ');
        Assert.EndsWith("}", trimmed);
        using var json = JsonDocument.Parse(trimmed);
        Assert.Equal("[0,3]", json.RootElement.GetProperty("a").GetProperty("data_offsets").GetRawText());
        Assert.Equal("[3,23]", json.RootElement.GetProperty("b").GetProperty("data_offsets").GetRawText());
        Assert.Equal("I8", json.RootElement.GetProperty("a").GetProperty("dtype").GetString());
    }

    [Fact]
    public void NonContiguousTensorsAreWrittenInLogicalOrder()
    {
        using var dir = new TempDirectory();
        string path = dir.File("nc.safetensors");
        using var m = torch.arange(6, dtype: torch.ScalarType.Float32).reshape(2, 3);
        using var t = m.t();
        Assert.False(t.is_contiguous());
        SafeTensorsWriter.Write(path, [new("t", t)]);

        using var file = SafeTensorsFile.Open(path);
        using var loaded = file.Load("t");
        Assert.Equal(new long[] { 3, 2 }, loaded.shape);
        AssertSameValues(t, loaded);
    }

    [Fact]
    public void LoadConvertsDTypeAndDevice()
    {
        using var dir = new TempDirectory();
        string path = dir.File("c.safetensors");
        using var original = torch.tensor(new float[] { 1.5f, -2f, 3.25f });
        SafeTensorsWriter.Write(path, [new("w", original)]);

        using var file = SafeTensorsFile.Open(path);
        using var wide = file.Load("w", torch.ScalarType.Float64, torch.CPU);
        Assert.Equal(torch.ScalarType.Float64, wide.dtype);
        Assert.Equal(DeviceType.CPU, wide.device_type);
        using var expected = original.to_type(torch.ScalarType.Float64);
        AssertSameValues(expected, wide);
    }

    [Fact]
    public void LoadIntoFillsContiguousNonContiguousAndConvertingDestinations()
    {
        using var dir = new TempDirectory();
        string path = dir.File("li.safetensors");
        using var original = torch.arange(12, dtype: torch.ScalarType.Float32).reshape(3, 4);
        using var bf16 = original.to_type(torch.ScalarType.BFloat16);
        SafeTensorsWriter.Write(path, [new("f32", original), new("bf16", bf16)]);
        using var file = SafeTensorsFile.Open(path);

        // Same dtype, contiguous: read straight into the destination's memory.
        using var parameter = torch.zeros(3, 4).requires_grad_(true);
        file.LoadInto("f32", parameter);
        AssertSameValues(original, parameter);
        Assert.True(parameter.requires_grad);

        // Non-contiguous destination of the same shape.
        using var backing = torch.zeros(4, 3);
        using var view = backing.t();
        file.LoadInto("f32", view);
        AssertSameValues(original, view);

        // Stored BF16 into a float32 parameter.
        using var widened = torch.zeros(3, 4).requires_grad_(true);
        file.LoadInto("bf16", widened);
        AssertSameValues(original, widened);
    }

    [Fact]
    public void TensorsLargerThanOneChunkAreReadAndWrittenCorrectly()
    {
        using var dir = new TempDirectory();
        string path = dir.File("chunks.safetensors");
        var random = new Random(99);
        using var f32 = RandomTensor(torch.ScalarType.Float32, [7, 131], random);
        using var f64 = RandomTensor(torch.ScalarType.Float64, [257], random);
        using var bf16 = RandomTensor(torch.ScalarType.BFloat16, [3, 3, 41], random);

        int saved = TensorBytes.ChunkBytes;
        try
        {
            // 20 bytes: 5 floats, 2 doubles (not a multiple of 8), 10 bf16 values per piece; many pieces
            // per tensor and a short last piece in each.
            TensorBytes.ChunkBytes = 20;
            SafeTensorsWriter.Write(path, [new("f32", f32), new("f64", f64), new("bf16", bf16)]);
            using var file = SafeTensorsFile.Open(path);
            foreach (var (name, original) in new[] { ("f32", f32), ("f64", f64), ("bf16", bf16) })
            {
                using var loaded = file.Load(name);
                AssertSameTensor(original, loaded);
                using var destination = torch.zeros(original.shape, original.dtype);
                file.LoadInto(name, destination);
                AssertSameTensor(original, destination);
            }
        }
        finally
        {
            TensorBytes.ChunkBytes = saved;
        }
    }

    [Fact]
    public void ReadingAfterTheFileShrankIsAModelFileException()
    {
        using var dir = new TempDirectory();
        string path = dir.File("shrink.safetensors");
        using var original = torch.ones(64);
        SafeTensorsWriter.Write(path, [new("w", original)]);

        using var file = SafeTensorsFile.Open(path);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.SetLength(stream.Length - 10);
        }
        var error = Assert.Throws<ModelFileException>(() => file.Load("w").Dispose());
        AssertError(error, file.Path, "w", "truncated");
    }

    [Fact]
    public void TensorsAreListedInFileOrderAndDisposeClosesTheFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("o.safetensors");
        using var a = torch.ones(2);
        using var b = torch.ones(3);
        SafeTensorsWriter.Write(path, [new("z", a), new("a", b)]);

        var file = SafeTensorsFile.Open(path);
        Assert.Equal(["z", "a"], file.Tensors.Select(t => t.Name));
        Assert.True(file.Contains("z"));
        Assert.False(file.Contains("missing"));
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.Load("z"));
    }
}
