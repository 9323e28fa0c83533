using System.Text.Json;
using System.Text.Unicode;
using RecursiveMas.IO;

namespace RecursiveMas.Models.SafeTensors;

/// <summary>
/// Parses and validates a safetensors JSON header. Everything that could make a later read go wrong
/// (a bad offset, a dtype/shape that disagrees with the byte count, two tensors sharing bytes) is
/// rejected here, so a file that opens can be read without further checks and never hands native code
/// a bad length; so is a data buffer the tensors do not cover exactly (a hole, trailing bytes), which
/// the format forbids.
/// </summary>
internal sealed class SafeTensorsHeader
{
    /// <summary>The reserved header key holding string-to-string metadata.</summary>
    internal const string MetadataKey = "__metadata__";

    /// <summary>
    /// Largest header accepted, the same limit as the reference Rust implementation: real headers are
    /// kilobytes to a few megabytes, so a bigger length prefix means a corrupt or foreign file, and
    /// refusing it keeps us from allocating gigabytes on garbage.
    /// </summary>
    internal const long MaxHeaderBytes = 100_000_000;

    SafeTensorsHeader(List<SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The tensors, ordered by their position in the data buffer.</summary>
    internal List<SafeTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> entries; empty when the header has none.</summary>
    internal Dictionary<string, string> Metadata { get; }

    /// <summary>Parses <paramref name="header"/>; every problem is a <see cref="ModelFileException"/> naming <paramref name="path"/>.</summary>
    /// <param name="path">The file, for messages.</param>
    /// <param name="header">The header bytes (after the 8-byte length prefix).</param>
    /// <param name="dataLength">Bytes in the data buffer that follows the header.</param>
    internal static SafeTensorsHeader Parse(string path, ReadOnlyMemory<byte> header, long dataLength)
    {
        // System.Text.Json would also reject bad UTF-8, but with a message about JSON; checking first
        // tells the user the actual problem.
        if (!Utf8.IsValid(header.Span))
        {
            throw new ModelFileException(path, null, "the header is not valid UTF-8 (not a safetensors file, or corrupt)");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, null, $"the header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ModelFileException(path, null, $"the header must be a JSON object, found {Describe(root.ValueKind)}");
            }

            // JsonDocument keeps repeated keys and readers disagree on which one counts (a map reader keeps
            // the last), so two tools could read different data under one tensor name, dtype or offsets.
            // Checked on the whole header, so a field repeated inside an entry is caught too.
            if (DuplicateJsonKeys.Find(root) is { } twice)
            {
                throw new ModelFileException(path, twice,
                    $"{DuplicateJsonKeys.Reason} of the header (a duplicate tensor name or field): readers disagree on which one counts");
            }

            var tensors = new List<SafeTensorInfo>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    ParseMetadata(path, property.Value, metadata);
                }
                else
                {
                    tensors.Add(ParseEntry(path, property.Name, property.Value, dataLength));
                }
            }

            tensors.Sort(static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : string.CompareOrdinal(a.Name, b.Name));
            CheckTiling(path, tensors, dataLength);
            return new SafeTensorsHeader(tensors, metadata);
        }
    }

    static void ParseMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        // The reference implementation treats the field as optional, so an explicit null means "none".
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ModelFileException(path, MetadataKey, $"must be an object mapping strings to strings, found {Describe(value.ValueKind)}");
        }
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new ModelFileException(path, MetadataKey,
                    $"the value of '{entry.Name}' must be a string, found {Describe(entry.Value.ValueKind)} {entry.Value.GetRawText()}");
            }
            metadata.Add(entry.Name, entry.Value.GetString()!); // keys are unique: DuplicateJsonKeys ran on the whole header
        }
    }

    static SafeTensorInfo ParseEntry(string path, string name, JsonElement entry, long dataLength)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new ModelFileException(path, name, $"the header entry must be an object with dtype, shape and data_offsets, found {Describe(entry.ValueKind)}");
        }

        // dtype
        if (!entry.TryGetProperty("dtype", out var dtypeElement))
        {
            throw new ModelFileException(path, name, "the header entry has no 'dtype'");
        }
        if (dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new ModelFileException(path, name, $"'dtype' must be a string such as \"F32\", found {dtypeElement.GetRawText()}");
        }
        string dtypeName = dtypeElement.GetString()!;
        if (!SafeTensorsDTypes.TryParseHeaderName(dtypeName, out var dtype))
        {
            throw new ModelFileException(path, name, $"unknown or unsupported dtype '{dtypeName}' (supported: {SafeTensorsDTypes.SupportedList})");
        }

        // shape
        if (!entry.TryGetProperty("shape", out var shapeElement))
        {
            throw new ModelFileException(path, name, "the header entry has no 'shape'");
        }
        if (shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw new ModelFileException(path, name, $"'shape' must be an array of non-negative integers, found {shapeElement.GetRawText()}");
        }
        var shape = new long[shapeElement.GetArrayLength()];
        int index = 0;
        foreach (var dimElement in shapeElement.EnumerateArray())
        {
            if (dimElement.ValueKind != JsonValueKind.Number || !dimElement.TryGetInt64(out long dim))
            {
                throw new ModelFileException(path, name, $"'shape' must be an array of non-negative integers, found {shapeElement.GetRawText()}");
            }
            if (dim < 0)
            {
                throw new ModelFileException(path, name, $"negative dimension {dim} in shape {shapeElement.GetRawText()}");
            }
            shape[index++] = dim;
        }

        // data_offsets
        if (!entry.TryGetProperty("data_offsets", out var offsetsElement))
        {
            throw new ModelFileException(path, name, "the header entry has no 'data_offsets'");
        }
        if (offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2
            || !TryGetOffset(offsetsElement[0], out long begin) || !TryGetOffset(offsetsElement[1], out long end))
        {
            throw new ModelFileException(path, name, $"'data_offsets' must be an array of two non-negative integers [begin, end], found {offsetsElement.GetRawText()}");
        }
        if (begin > end)
        {
            throw new ModelFileException(path, name, $"data_offsets [{begin}, {end}] are invalid: begin is after end");
        }
        if (end > dataLength)
        {
            throw new ModelFileException(path, name,
                $"data_offsets [{begin}, {end}] are out of range: the data buffer is only {dataLength} bytes (the file may be truncated)");
        }

        // The byte count must be exactly what dtype and shape imply, or the read would leave part of the
        // tensor uninitialised or pull in a neighbour's bytes.
        long byteLength = end - begin;
        if (!TryGetByteCount(shape, dtype.ElementSize(), out long expected) || expected != byteLength)
        {
            string need = expected >= 0 ? $"{expected} bytes" : "more bytes than a file can hold";
            throw new ModelFileException(path, name,
                $"dtype {dtypeName} and shape {SafeTensorInfo.FormatShape(shape)} need {need}, but data_offsets [{begin}, {end}] span {byteLength} bytes");
        }

        return new SafeTensorInfo(name, dtype, shape, begin, end);
    }

    static bool TryGetOffset(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value) && value >= 0;
    }

    /// <summary>elements × elementSize, or false (bytes = -1) on overflow.</summary>
    static bool TryGetByteCount(long[] shape, int elementSize, out long bytes)
    {
        // A zero dimension makes the tensor empty whatever the other dimensions are; check it first so a
        // huge-but-empty shape does not count as an overflow.
        if (Array.IndexOf(shape, 0L) >= 0)
        {
            bytes = 0;
            return true;
        }
        try
        {
            long count = elementSize;
            foreach (long dim in shape)
            {
                count = checked(count * dim);
            }
            bytes = count;
            return true;
        }
        catch (OverflowException)
        {
            bytes = -1;
            return false;
        }
    }

    /// <summary>
    /// The tensors' ranges must tile the data buffer exactly, as the format requires ("entirely indexed, and
    /// cannot contain holes"): two tensors sharing bytes would alias each other's data, and bytes that belong
    /// to no tensor (a gap, or anything after the last tensor: a chunk a resumed download wrote twice, data
    /// appended to the file) are never read, so the file is not what its header says and may carry a second
    /// payload (a polyglot file).
    /// </summary>
    static void CheckTiling(string path, List<SafeTensorInfo> sortedByBegin, long dataLength)
    {
        // Sorted by begin, each tensor with bytes must start exactly where the previous one ended. Empty
        // ranges hold no bytes, so they can neither overlap nor fill anything, wherever they sit.
        SafeTensorInfo? previous = null;
        foreach (var tensor in sortedByBegin)
        {
            if (tensor.ByteLength == 0)
            {
                continue;
            }
            long covered = previous?.End ?? 0;
            if (tensor.Begin < covered)
            {
                throw new ModelFileException(path, tensor.Name,
                    $"data_offsets [{tensor.Begin}, {tensor.End}] overlap those of tensor '{previous!.Name}' [{previous.Begin}, {previous.End}]");
            }
            if (tensor.Begin > covered)
            {
                string before = previous is null ? "the start of the data buffer" : $"the end of tensor '{previous.Name}' [{previous.Begin}, {previous.End}]";
                throw new ModelFileException(path, tensor.Name,
                    $"data_offsets [{tensor.Begin}, {tensor.End}] leave a hole: bytes [{covered}, {tensor.Begin}) after {before} belong to no tensor (the data buffer must be entirely indexed)");
            }
            previous = tensor;
        }

        long end = previous?.End ?? 0;
        if (end != dataLength)
        {
            string last = previous is null ? "no tensor holds any bytes" : $"the last tensor's data ends at byte {end} (data_offsets [{previous.Begin}, {previous.End}])";
            throw new ModelFileException(path, previous?.Name,
                $"the data buffer is {dataLength} bytes but {last}: {dataLength - end} trailing bytes belong to no tensor (for instance a chunk a resumed download wrote twice, or data appended to the file)");
        }
    }

    static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
