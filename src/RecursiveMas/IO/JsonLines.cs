using System.Text.Json;

namespace RecursiveMas.IO;

/// <summary>
/// Reads a JSONL file one JSON value per non-blank line, in one pass over its bytes. A missing file, a line that is
/// not UTF-8 (<see cref="Utf8Text"/>) or longer than <see cref="MaxLineBytes"/>, a line that is not JSON or has a
/// key twice in one object (<see cref="DuplicateJsonKeys"/>), a value the line's parser cannot read, or a file with
/// no lines is a <see cref="ModelFileException"/> naming the file (and the line, as "line N"); what a line must
/// hold is the caller's <c>parse</c>, which throws the same way. One pass, so a pipe (a shell's <c>&lt;(…)</c>)
/// can be read, and a bound on a line, so a stream with no line ends (<c>/dev/zero</c>) is refused, not read
/// until memory runs out.
/// </summary>
public static class JsonLines
{
    /// <summary>
    /// The longest line read: far past any record of the formats read this way (the longest, LiveCodeBench's
    /// compressed private tests, are a few MiB a line).
    /// </summary>
    public const int MaxLineBytes = 256 << 20;

    /// <param name="what">The file's kind in messages: "training data" → "training data not found".</param>
    /// <param name="items">What its lines are: "examples" → "training data has no examples".</param>
    /// <param name="parse">Turns one line's value into an item; gets the 1-based line number.</param>
    public static IReadOnlyList<T> Read<T>(string path, string what, string items, Func<JsonElement, int, T> parse)
    {
        if (!File.Exists(path))
            throw new ModelFileException(path, null, $"{what} not found");
        var result = new List<T>();
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            foreach (var (line, number) in Lines(path, stream))
            {
                if (line.Span.TrimStart(" \t\r"u8).IsEmpty)
                    continue;
                result.Add(ParseLine(path, line, number, parse));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException(path, null, $"cannot be read: {e.Message}", e);
        }
        if (result.Count == 0)
            throw new ModelFileException(path, null, $"{what} has no {items}");
        return result;
    }

    static T ParseLine<T>(string path, ReadOnlyMemory<byte> line, int number, Func<JsonElement, int, T> parse)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, Line(number), $"not valid JSON: {e.Message}", e);
        }
        // The document reads the line's bytes in place: it is disposed before the buffer holds the next line.
        using (document)
        {
            if (DuplicateJsonKeys.Find(document.RootElement) is { } twice)
                throw new ModelFileException(path, Line(number), $"the key {twice} appears more than once in the same object");
            try
            {
                return parse(document.RootElement, number);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                // What JsonElement throws for a value it cannot give: a string with a lone surrogate escape
                // ("\ud800"), a field read as a type it does not have, a number read as an integer it is not.
                throw new ModelFileException(path, Line(number), e.Message, e);
            }
        }
    }

    /// <summary>
    /// The file's lines without their "\n", each checked to be UTF-8 (a byte-order mark at the start is dropped),
    /// with 1-based numbers. A line is valid only until the next is asked for: they share one buffer.
    /// </summary>
    static IEnumerable<(ReadOnlyMemory<byte> Line, int Number)> Lines(string path, Stream stream)
    {
        // Not pooled: a buffer grown for one long line would be kept by the pool long after the file.
        byte[] buffer = new byte[1 << 16];
        int start = 0, end = 0, number = 0; // buffer[start..end] is read and not yet given out
        long offset = 0; // the file offset of buffer[start]
        bool atEnd = false;
        while (true)
        {
            int newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline < 0 && !atEnd)
            {
                if (end - start >= MaxLineBytes)
                    throw new ModelFileException(path, Line(number + 1), $"has no line end in its first {MaxLineBytes >> 20} MiB, the longest line read");
                // Make room: move the partial line to the front, and grow the buffer when it is all line.
                if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length)
                    Array.Resize(ref buffer, Math.Min(2 * buffer.Length, MaxLineBytes));
                int read = stream.Read(buffer, end, buffer.Length - end);
                atEnd = read == 0;
                end += read;
                continue;
            }
            int length = newline < 0 ? end - start : newline;
            if (newline < 0 && length == 0)
                yield break;
            number++;
            var line = buffer.AsMemory(start, length);
            if (number == 1 && line.Span.StartsWith(Utf8Text.ByteOrderMark))
                line = line[Utf8Text.ByteOrderMark.Length..];
            Utf8Text.Validate(path, line.Span, number, offset + (length - line.Length));
            yield return (line, number);
            int consumed = newline < 0 ? length : length + 1;
            start += consumed;
            offset += consumed;
            if (newline < 0)
                yield break;
        }
    }

    /// <summary>How messages name a line: "line 9".</summary>
    public static string Line(int number) => $"line {number}";
}
