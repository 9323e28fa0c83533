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
    /// <summary>The UTF-8 byte-order mark, dropped where a file starts with it.</summary>
    internal static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

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
        int at = ValidPrefixLength(bytes);
        throw Invalid(path, bytes[..at].Count((byte)'\n') + 1, at);
    }

    /// <summary>
    /// Throws a <see cref="ModelFileException"/> where <paramref name="line"/>, line <paramref name="number"/> of
    /// <paramref name="path"/> starting at byte <paramref name="offset"/> of the file, is not UTF-8 (for files read
    /// line by line, which may be large).
    /// </summary>
    public static void Validate(string path, ReadOnlySpan<byte> line, int number, long offset)
    {
        if (Utf8.IsValid(line))
            return;
        throw Invalid(path, number, offset + ValidPrefixLength(line));
    }

    /// <summary>How many bytes at the start of <paramref name="bytes"/> are whole UTF-8 sequences.</summary>
    static int ValidPrefixLength(ReadOnlySpan<byte> bytes)
    {
        char[] chars = new char[bytes.Length]; // a byte gives at most one char
        Utf8.ToUtf16(bytes, chars, out int valid, out _, replaceInvalidSequences: false);
        return valid;
    }

    static ModelFileException Invalid(string path, long line, long offset) =>
        new(path, JsonLines.Line(checked((int)line)), $"is not valid UTF-8 (at byte offset {offset} of the file)");
}
