using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using TorchSharp;

namespace RecursiveMas.Models.SafeTensors;

/// <summary>
/// An open safetensors file: the header is parsed and validated by <see cref="Open"/>, tensor data is
/// read on demand straight from disk into tensor memory. The whole file is never held in memory.
/// </summary>
/// <remarks>
/// The file handle stays open until <see cref="Dispose"/>. Reads are positional, so
/// <see cref="Load"/> and <see cref="LoadInto"/> may be called from several threads at once.
/// </remarks>
public sealed class SafeTensorsFile : IDisposable
{
    readonly SafeFileHandle handle;
    readonly Dictionary<string, SafeTensorInfo> byName;
    readonly long dataStart;

    SafeTensorsFile(string path, SafeFileHandle handle, long dataStart, SafeTensorsHeader header)
    {
        Path = path;
        this.handle = handle;
        this.dataStart = dataStart;
        Tensors = header.Tensors.AsReadOnly();
        Metadata = header.Metadata.AsReadOnly();
        byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>The header's <c>__metadata__</c> (empty when there is none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Every tensor, in the order their data lies in the file (loading in this order reads the file sequentially).</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>
    /// Opens <paramref name="path"/> and validates its whole header, so that any malformed file fails
    /// here, with a <see cref="ModelFileException"/> naming the file and the tensor at fault, rather
    /// than halfway through loading a model.
    /// </summary>
    /// <exception cref="ModelFileException">The file is missing, unreadable, truncated or its header is malformed.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // The format is little-endian and we copy bytes into tensors verbatim.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Reading safetensors files requires a little-endian machine.");
        }

        string fullPath = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new ModelFileException(fullPath, null, "is a directory, not a safetensors file");
        }
        if (!File.Exists(fullPath))
        {
            throw new ModelFileException(fullPath, null, "the file does not exist");
        }

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException(fullPath, null, $"the file cannot be opened: {e.Message}", e);
        }

        try
        {
            long length = RandomAccess.GetLength(handle);
            if (length < 8)
            {
                throw new ModelFileException(fullPath, null,
                    $"the file is only {length} bytes, shorter than the 8-byte header length prefix (truncated, or not a safetensors file)");
            }

            Span<byte> prefix = stackalloc byte[8];
            ReadExactly(handle, prefix, 0, fullPath, null);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > SafeTensorsHeader.MaxHeaderBytes)
            {
                throw new ModelFileException(fullPath, null,
                    $"the header length prefix says {headerLength} bytes, more than the {SafeTensorsHeader.MaxHeaderBytes}-byte limit (corrupt, or not a safetensors file)");
            }
            if ((long)headerLength > length - 8)
            {
                throw new ModelFileException(fullPath, null,
                    $"the header length prefix says {headerLength} bytes but only {length - 8} bytes follow it (the file is truncated)");
            }

            var header = new byte[headerLength];
            ReadExactly(handle, header, 8, fullPath, null);
            long dataStart = 8 + (long)headerLength;
            var parsed = SafeTensorsHeader.Parse(fullPath, header, length - dataStart);
            return new SafeTensorsFile(fullPath, handle, dataStart, parsed);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Whether the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => byName.ContainsKey(name);

    /// <summary>The header entry of tensor <paramref name="name"/>.</summary>
    /// <exception cref="ModelFileException">The file has no such tensor.</exception>
    public SafeTensorInfo GetInfo(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return byName.TryGetValue(name, out var info)
            ? info
            : throw new ModelFileException(Path, name, $"no such tensor in this file (it has {byName.Count} tensors)");
    }

    /// <summary>
    /// Reads tensor <paramref name="name"/> into a new tensor. The bytes go from disk straight into a
    /// CPU tensor of the stored dtype; it is then converted to <paramref name="dtype"/> and moved to
    /// <paramref name="device"/> when those are given (each step frees the previous tensor).
    /// </summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="dtype">Element type of the result; null keeps the stored type.</param>
    /// <param name="device">Device of the result; null keeps it on the CPU.</param>
    /// <returns>A new tensor the caller owns and must dispose.</returns>
    /// <exception cref="ModelFileException">No such tensor, or the file changed on disk and its data can no longer be read.</exception>
    public torch.Tensor Load(string name, torch.ScalarType? dtype = null, torch.Device? device = null)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        var info = GetInfo(name);
        var tensor = ReadStored(info);
        try
        {
            if (dtype is { } type && type != tensor.dtype)
            {
                var converted = tensor.to_type(type);
                tensor.Dispose();
                tensor = converted;
            }
            if (device is not null)
            {
                var moved = tensor.to(device);
                if (!ReferenceEquals(moved, tensor))
                {
                    tensor.Dispose();
                    tensor = moved;
                }
            }
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies tensor <paramref name="name"/> into the existing <paramref name="destination"/> (e.g. a
    /// model parameter), converting the element type and device as needed, without recording autograd.
    /// </summary>
    /// <remarks>
    /// When <paramref name="destination"/> is a contiguous CPU tensor of the stored dtype the bytes are
    /// read straight into it with no temporary at all; otherwise one temporary of the stored dtype is
    /// read and copied over, then freed. Either way peak memory is the destination plus at most one
    /// tensor's worth, never a second copy of the file.
    /// </remarks>
    /// <exception cref="ModelFileException">No such tensor, or its shape differs from <paramref name="destination"/>'s.</exception>
    public void LoadInto(string name, torch.Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        var info = GetInfo(name);
        long[] expected = destination.shape;
        if (!expected.AsSpan().SequenceEqual(info.Shape))
        {
            throw new ModelFileException(Path, name,
                $"shape mismatch: expected {SafeTensorInfo.FormatShape(expected)} (the destination's shape) but the file stores {info.ShapeText} ({info.DType.ToHeaderName()})");
        }

        using var noGrad = torch.no_grad();
        if (destination.device_type == DeviceType.CPU && destination.dtype == info.DType.ToScalarType() && destination.is_contiguous())
        {
            ReadInto(info, destination);
            return;
        }

        using var stored = ReadStored(info);
        var result = destination.copy_(stored);
        if (!ReferenceEquals(result, destination))
        {
            result.Dispose();
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => handle.Dispose();

    /// <summary>Reads a tensor's bytes into a new CPU tensor of the stored dtype and shape.</summary>
    torch.Tensor ReadStored(SafeTensorInfo info)
    {
        var tensor = torch.empty(info.Shape, info.DType.ToScalarType());
        try
        {
            ReadInto(info, tensor);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>Reads a tensor's bytes into <paramref name="destination"/>: contiguous, CPU, stored dtype and shape.</summary>
    void ReadInto(SafeTensorInfo info, torch.Tensor destination)
    {
        long fileOffset = dataStart + info.Begin;
        string path = Path;
        var file = handle;
        TensorBytes.ForEachChunk(destination, (chunk, byteOffset) => ReadExactly(file, chunk, fileOffset + byteOffset, path, info.Name));
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; a short read means the file shrank under us.</summary>
    static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path, string? item)
    {
        while (!buffer.IsEmpty)
        {
            int read;
            try
            {
                read = RandomAccess.Read(file, buffer, offset);
            }
            catch (IOException e)
            {
                throw new ModelFileException(path, item, $"reading the file failed: {e.Message}", e);
            }
            if (read == 0)
            {
                throw new ModelFileException(path, item, "the file ended before the data did: it was truncated or replaced after it was opened");
            }
            buffer = buffer[read..];
            offset += read;
        }
    }
}
