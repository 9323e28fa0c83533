using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace RecursiveMas.IO;

/// <summary>
/// The text files the library reads (SYSTEM.json, config.json, JSONL data) are UTF-8, and a byte sequence that is
/// not would become U+FFFD without a word — a question, a prompt or an answer silently changed. These readers refuse
/// such a file instead, naming the line and the byte offset of the first bad sequence. A UTF-8 byte-order mark is
/// accepted and dropped, as <see cref="File.ReadAllText(string)"/> drops it.
/// </summary>
public static class Utf8Text
{
    static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    /// <summary>The text of <paramref name="bytes"/>, read from <paramref name="path"/>; a <see cref="ModelFileException"/> where they are not UTF-8.</summary>
    public static string Decode(string path, ReadOnlySpan<byte> bytes)
    {
        Validate(path, bytes);
        return Encoding.UTF8.GetString(bytes[(bytes.StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0)..]);
    }

    /// <summary>Throws a <see cref="ModelFileException"/> where <paramref name="bytes"/>, read from <paramref name="path"/>, are not UTF-8.</summary>
    public static void Validate(string path, ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
            return;
        char[] chars = new char[bytes.Length];
        Utf8.ToUtf16(bytes, chars, out int at, out _, replaceInvalidSequences: false);
        throw Invalid(path, bytes[..at].Count((byte)'\n') + 1, at);
    }

    /// <summary>
    /// Reads <paramref name="path"/> through once, in blocks, and throws a <see cref="ModelFileException"/> at its
    /// first sequence that is not UTF-8 (for files read line by line afterwards, which may be large).
    /// </summary>
    public static void Check(string path)
    {
        using var stream = File.OpenRead(path);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        char[] chars = ArrayPool<char>.Shared.Rent(buffer.Length); // a byte gives at most one char
        try
        {
            long offset = 0, lines = 1;
            int carried = 0; // the start of a sequence the previous block ended in
            while (true)
            {
                int read = stream.Read(buffer, carried, buffer.Length - carried);
                int length = carried + read;
                bool final = read == 0;
                var block = buffer.AsSpan(0, length);
                var status = Utf8.ToUtf16(block, chars, out int consumed, out _, replaceInvalidSequences: false, isFinalBlock: final);
                lines += block[..consumed].Count((byte)'\n');
                if (status == OperationStatus.InvalidData)
                    throw Invalid(path, lines, offset + consumed);
                if (final)
                    return;
                // NeedMoreData: the block ends inside a sequence, whose bytes start the next block.
                offset += consumed;
                carried = length - consumed;
                block[consumed..].CopyTo(buffer);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    static ModelFileException Invalid(string path, long line, long offset) =>
        new(path, JsonLines.Line(checked((int)line)), $"is not valid UTF-8 (at byte offset {offset} of the file)");
}
