using System.Buffers.Binary;
using System.Text;
using TorchSharp;

namespace RecursiveMas.Tests.Models.SafeTensors;

/// <summary>A fresh directory per test, removed afterwards.</summary>
sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rmas-safetensors-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Names of everything in the directory, sorted.</summary>
    public string[] Entries() =>
        Directory.EnumerateFileSystemEntries(Path).Select(p => System.IO.Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

static class SafeTensorsTestSupport
{
    /// <summary>Writes a safetensors file by hand: length prefix, the header text as given, then the data.</summary>
    public static void WriteRaw(string path, string headerJson, byte[] data) =>
        WriteRaw(path, Encoding.UTF8.GetBytes(headerJson), data);

    public static void WriteRaw(string path, byte[] header, byte[] data, ulong? declaredHeaderLength = null)
    {
        using var stream = System.IO.File.Create(path);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, declaredHeaderLength ?? (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        stream.Write(data);
    }

    /// <summary>A copy of a tensor's raw bytes (bit-exact comparison, NaN payloads included).</summary>
    public static byte[] Bytes(torch.Tensor tensor)
    {
        if (tensor.is_contiguous())
        {
            return tensor.bytes.ToArray();
        }
        using var contiguous = tensor.contiguous();
        return contiguous.bytes.ToArray();
    }

    /// <summary>A tensor of <paramref name="type"/> whose bytes are random (only 0/1 for Bool, as the format requires).</summary>
    public static torch.Tensor RandomTensor(torch.ScalarType type, long[] shape, Random random)
    {
        var tensor = torch.empty(shape, type);
        var bytes = tensor.bytes;
        random.NextBytes(bytes);
        if (type == torch.ScalarType.Bool)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] &= 1;
            }
        }
        return tensor;
    }

    public static void AssertSameTensor(torch.Tensor expected, torch.Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(Bytes(expected), Bytes(actual));
    }

    /// <summary>Same dtype, shape and element values (layout may differ).</summary>
    public static void AssertSameValues(torch.Tensor expected, torch.Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        using var e = expected.detach();
        using var a = actual.detach();
        using var same = e.eq(a);
        using var all = same.all();
        Assert.True(all.item<bool>());
    }

    public static void AssertError(ModelFileException error, string path, string? item, params string[] fragments)
    {
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.Equal(item, error.Item);
        if (item is not null)
        {
            Assert.Contains($"'{item}'", error.Message);
        }
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, error.Message);
        }
    }
}
