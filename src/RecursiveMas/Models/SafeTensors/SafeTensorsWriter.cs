using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using RecursiveMas.IO;
using TorchSharp;

namespace RecursiveMas.Models.SafeTensors;

/// <summary>
/// Writes tensors as safetensors files, single or sharded in the Hugging Face layout. Every file is
/// written to a temporary and renamed into place, so a failure never leaves a half-written file and
/// never damages an existing file at the target path.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>The metadata key Hugging Face transformers requires ("pt", "tf", "flax" or "mlx") before it loads a file.</summary>
    public const string FormatMetadataKey = "format";

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/>, in the order given. Tensors may be of
    /// any supported dtype, on any device and non-contiguous: each is copied to a contiguous CPU
    /// temporary only when it is not one already.
    /// </summary>
    /// <param name="path">Target file; replaced atomically if it exists. Its directory is created if needed.</param>
    /// <param name="tensors">Name/tensor pairs. The tensors stay owned by the caller.</param>
    /// <param name="metadata">
    /// Stored as <c>__metadata__</c>. When it has no "format" entry, <c>"format": "pt"</c> is added, because
    /// Hugging Face transformers refuses safetensors files without one.
    /// </param>
    /// <exception cref="ArgumentException">A duplicate, null or reserved name, a null tensor, or an unsupported dtype.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        string fullPath = Path.GetFullPath(path);
        // Everything is enumerated and checked before any file is created: the header must be complete
        // before the first data byte, and a throwing enumerable then costs nothing on disk.
        var entries = Collect(tensors);
        string temp = WriteTemp(fullPath, entries, metadata);
        AtomicFile.Commit(temp, fullPath);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> as shards <c>{baseName}-00001-of-0000N.safetensors</c> of at most
    /// <paramref name="maxShardBytes"/> bytes of tensor data each (a single larger tensor gets a shard of
    /// its own), plus <c>{baseName}.safetensors.index.json</c> mapping every tensor to its shard.
    /// </summary>
    /// <remarks>
    /// All shards are written completely to temporaries first, then renamed into place, then the index is
    /// written, so a failure while writing data leaves the directory as it was. Shards left over from an
    /// earlier write with a different shard count are not deleted.
    /// </remarks>
    /// <param name="directory">Target directory; created if needed.</param>
    /// <param name="tensors">Name/tensor pairs, kept in this order across shards.</param>
    /// <param name="maxShardBytes">Most tensor-data bytes per shard; must be positive.</param>
    /// <param name="baseName">File name stem, "model" by default as Hugging Face expects.</param>
    /// <exception cref="ArgumentException">As for <see cref="Write"/>, or a non-positive size or a base name with a path in it.</exception>
    public static void WriteSharded(string directory, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, long maxShardBytes, string baseName = "model")
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        ArgumentException.ThrowIfNullOrEmpty(baseName);
        if (baseName.IndexOfAny(['/', '\\']) >= 0 || baseName != Path.GetFileName(baseName))
        {
            throw new ArgumentException($"The base name '{baseName}' must be a plain file name stem.", nameof(baseName));
        }

        string fullDirectory = Path.GetFullPath(directory);
        var entries = Collect(tensors);

        // Greedy packing in the given order, like transformers' save_pretrained.
        var shards = new List<List<Entry>> { new() };
        long current = 0;
        foreach (var entry in entries)
        {
            if (shards[^1].Count > 0 && current + entry.ByteLength > maxShardBytes)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(entry);
            current += entry.ByteLength;
        }

        int count = shards.Count;
        var written = new List<(string Temp, string Final)>(count);
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        try
        {
            for (int i = 0; i < count; i++)
            {
                string fileName = string.Create(CultureInfo.InvariantCulture, $"{baseName}-{i + 1:D5}-of-{count:D5}.safetensors");
                string final = Path.Combine(fullDirectory, fileName);
                written.Add((WriteTemp(final, shards[i], metadata: null), final));
                foreach (var entry in shards[i])
                {
                    weightMap[entry.Name] = fileName;
                }
            }
        }
        catch
        {
            foreach (var (temp, _) in written)
            {
                AtomicFile.TryDelete(temp);
            }
            throw;
        }

        for (int i = 0; i < written.Count; i++)
        {
            try
            {
                AtomicFile.Commit(written[i].Temp, written[i].Final);
            }
            catch
            {
                for (int j = i + 1; j < written.Count; j++)
                {
                    AtomicFile.TryDelete(written[j].Temp);
                }
                throw;
            }
        }

        long totalSize = entries.Sum(e => e.ByteLength);
        AtomicFile.WriteAllBytes(Path.Combine(fullDirectory, $"{baseName}.safetensors.index.json"), BuildIndex(totalSize, weightMap));
    }

    /// <summary>One tensor to write, with what the header needs captured up front.</summary>
    sealed record Entry(string Name, torch.Tensor Tensor, SafeTensorsDType DType, long[] Shape, long ByteLength);

    static List<Entry> Collect(IEnumerable<KeyValuePair<string, torch.Tensor>> tensors)
    {
        var entries = new List<Entry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name is null)
            {
                throw new ArgumentException("A tensor name is null.", nameof(tensors));
            }
            if (name == SafeTensorsHeader.MetadataKey)
            {
                throw new ArgumentException($"'{name}' is reserved for metadata and cannot name a tensor.", nameof(tensors));
            }
            if (!names.Add(name))
            {
                throw new ArgumentException($"Duplicate tensor name '{name}'.", nameof(tensors));
            }
            if (tensor is null)
            {
                throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
            }
            if (!SafeTensorsDTypes.TryFromScalarType(tensor.dtype, out var dtype))
            {
                throw new ArgumentException(
                    $"Tensor '{name}' has type {tensor.dtype}, which cannot be stored in a safetensors file; supported: {SafeTensorsDTypes.SupportedList}.",
                    nameof(tensors));
            }
            long[] shape = tensor.shape;
            entries.Add(new Entry(name, tensor, dtype, shape, tensor.numel() * dtype.ElementSize()));
        }
        return entries;
    }

    /// <summary>Writes a complete file to a temporary next to <paramref name="finalPath"/> and returns the temporary's path.</summary>
    static string WriteTemp(string finalPath, List<Entry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        byte[] header = BuildHeader(entries, metadata);
        string temp = AtomicFile.CreateTempFor(finalPath, out var stream);
        try
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            long expectedEnd = 8 + header.Length;
            foreach (var entry in entries)
            {
                WriteData(stream, entry);
                expectedEnd += entry.ByteLength;
                // A tensor resized between Collect and now would make the data disagree with the header.
                if (stream.Position != expectedEnd)
                {
                    throw new InvalidOperationException($"Tensor '{entry.Name}' changed size while it was being written.");
                }
            }
            AtomicFile.FlushAndClose(stream);
            return temp;
        }
        catch
        {
            stream.Dispose();
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    static void WriteData(FileStream stream, Entry entry)
    {
        var tensor = entry.Tensor;
        torch.Tensor? owned = null;
        try
        {
            if (tensor.device_type != DeviceType.CPU)
            {
                owned = tensor.cpu();
                tensor = owned;
            }
            if (!tensor.is_contiguous())
            {
                var contiguous = tensor.contiguous();
                owned?.Dispose();
                owned = contiguous;
                tensor = contiguous;
            }
            TensorBytes.ForEachChunk(tensor, (chunk, _) => stream.Write(chunk));
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>The JSON header, padded with spaces so the data buffer starts 8-byte aligned as the format recommends.</summary>
    static byte[] BuildHeader(List<Entry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();

            var meta = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (metadata is not null)
            {
                foreach (var (key, value) in metadata)
                {
                    meta[key] = value ?? throw new ArgumentException($"Metadata value for '{key}' is null.", nameof(metadata));
                }
            }
            meta.TryAdd(FormatMetadataKey, "pt");
            json.WriteStartObject(SafeTensorsHeader.MetadataKey);
            foreach (var (key, value) in meta)
            {
                json.WriteString(key, value);
            }
            json.WriteEndObject();

            long offset = 0;
            foreach (var entry in entries)
            {
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", entry.DType.ToHeaderName());
                json.WriteStartArray("shape");
                foreach (long dim in entry.Shape)
                {
                    json.WriteNumberValue(dim);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + entry.ByteLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += entry.ByteLength;
            }
            json.WriteEndObject();
        }

        int length = (int)buffer.Length;
        int padded = (length + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    static byte[] BuildIndex(long totalSize, SortedDictionary<string, string> weightMap)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteNumber("total_size", totalSize);
            json.WriteEndObject();
            json.WriteStartObject("weight_map");
            foreach (var (name, file) in weightMap)
            {
                json.WriteString(name, file);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
