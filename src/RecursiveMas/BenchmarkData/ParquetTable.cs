using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet;
using Parquet.Serialization;

namespace RecursiveMas.BenchmarkData;

/// <summary>
/// Reads a Parquet file — the format the Hugging Face Hub distributes datasets in (<c>test-00000-of-00001.parquet</c>)
/// — as rows of column → JSON value, so a benchmark's parquet and JSONL exports read the same: strings, numbers and
/// booleans as themselves, lists (e.g. MBPP+'s <c>test_list</c>) as arrays, structs as objects, timestamps as ISO
/// 8601 strings, binary as base64. A null cell is an absent field, as in the JSONL export. Every compression the
/// Hub's files use (snappy, zstd, gzip, lz4) is read by Parquet.Net, a fully managed reader.
/// </summary>
public static class ParquetTable
{
    /// <summary>
    /// The most rows a benchmark file may claim. The Hub's test splits hold thousands; a damaged or hostile footer can
    /// claim billions in a few hundred bytes, and the reader allocates for what the footer claims.
    /// </summary>
    public const long MaxRows = 1_000_000;

    /// <summary>The rows of <paramref name="path"/>; a file that is not Parquet, or is damaged, is an error naming it.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> Read(string path)
    {
        IList<Dictionary<string, object>> rows;
        try
        {
            using var stream = File.OpenRead(path);
            CheckFooterFits(path, stream);
            long claimed;
            var reader = ParquetReader.CreateAsync(stream, leaveStreamOpen: true).GetAwaiter().GetResult();
            try
            {
                claimed = reader.RowGroups.Sum(g => g.RowCount);
            }
            finally
            {
                reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            if (claimed is < 0 or > MaxRows)
                throw new ModelFileException(path, null, $"its footer claims {claimed} rows; a benchmark file holds at most {MaxRows}");
            stream.Position = 0;
            rows = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult().Data;
        }
        catch (Exception e) when (e is IOException or ParquetException or InvalidDataException or NotSupportedException
                                      or InvalidOperationException or ArgumentException or IndexOutOfRangeException or ApplicationException
                                      or Parquet.Meta.Proto.ThriftProtocolException or OverflowException or EndOfStreamException)
        {
            throw new ModelFileException(path, null, $"not a readable Parquet file: {e.Message}", e);
        }

        var result = new List<IReadOnlyDictionary<string, JsonElement>>(rows.Count);
        foreach (var row in rows)
        {
            var record = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var (column, value) in row)
            {
                if (value is not null)
                    record[column] = JsonSerializer.SerializeToElement(ToJson(value), Cells);
            }
            result.Add(record);
        }
        return result;
    }

    // JSON has no NaN or infinity: such a cell (a score column the benchmark never reads, say) becomes the string
    // "NaN" / "Infinity", which a field that must be a number refuses by name.
    static readonly JsonSerializerOptions Cells = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    // A Parquet file ends in its footer's length (4 bytes, little-endian) and "PAR1", and starts with "PAR1": a length
    // of 0, or one that runs past the file, is refused here, before the reader allocates a buffer of that size.
    static void CheckFooterFits(string path, FileStream stream)
    {
        const int Magic = 4, LengthField = 4;
        if (stream.Length < 2 * Magic + LengthField)
            throw new ModelFileException(path, null, $"not a readable Parquet file: {stream.Length} bytes is too short for one");
        Span<byte> tail = stackalloc byte[LengthField + Magic];
        stream.Position = stream.Length - tail.Length;
        stream.ReadExactly(tail);
        uint footer = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail);
        if (!tail[LengthField..].SequenceEqual("PAR1"u8))
            throw new ModelFileException(path, null, "not a readable Parquet file: it does not end in \"PAR1\"");
        if (footer == 0 || footer > stream.Length - 2 * Magic - LengthField)
            throw new ModelFileException(path, null, $"not a readable Parquet file: its footer length {footer} does not fit a file of {stream.Length} bytes");
        stream.Position = 0;
    }

    // One cell as a JSON node; Parquet.Net hands strings inside lists over as ReadOnlyMemory<char>.
    static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        ReadOnlyMemory<char> chars => JsonValue.Create(chars.ToString()),
        bool b => JsonValue.Create(b),
        byte or sbyte or short or ushort or int or uint or long or ulong => JsonValue.Create(Convert.ToDecimal(value, CultureInfo.InvariantCulture)),
        float f => JsonValue.Create(f),
        double d => JsonValue.Create(d),
        decimal m => JsonValue.Create(m),
        DateTime t => JsonValue.Create(t.ToString("o", CultureInfo.InvariantCulture)),
        DateTimeOffset t => JsonValue.Create(t.ToString("o", CultureInfo.InvariantCulture)),
        DateOnly d => JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        TimeSpan t => JsonValue.Create(t.ToString("c", CultureInfo.InvariantCulture)),
        Guid g => JsonValue.Create(g.ToString()),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        IDictionary map => new JsonObject(map.Keys.Cast<object>().Select(k =>
            KeyValuePair.Create(Convert.ToString(k, CultureInfo.InvariantCulture) ?? "", ToJson(map[k])))),
        IEnumerable items => new JsonArray([.. items.Cast<object?>().Select(ToJson)]),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };
}
