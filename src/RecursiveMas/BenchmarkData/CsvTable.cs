using System.Text;

namespace RecursiveMas.BenchmarkData;

/// <summary>One row of a CSV file: the line it starts on (1-based, as an editor shows it) and its column → value.</summary>
public sealed record CsvRow(int Line, IReadOnlyDictionary<string, string> Fields);

/// <summary>
/// A CSV reader for the files benchmarks are distributed as (RFC 4180: comma-separated, fields in double quotes
/// may hold commas, line breaks and doubled quotes). The first row names the columns. The file must be UTF-8;
/// a quote never closed, a column named twice or a row of another width is an error naming its line.
/// </summary>
public static class CsvTable
{
    /// <summary>The rows after the header; blank lines are skipped.</summary>
    public static IReadOnlyList<CsvRow> Read(string path)
    {
        var rows = Parse(path, IO.Utf8Text.Decode(path, IO.FileBytes.Read(path, BenchmarkFile.MaxWholeFileBytes)));
        if (rows.Count == 0)
            throw new ModelFileException(path, null, "empty CSV file");
        var (_, header) = rows[0];
        if (header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ModelFileException(path, "line 1", $"the header names the column \"{twice.Key}\" twice");
        var result = new List<CsvRow>();
        foreach (var (line, fields) in rows.Skip(1))
        {
            if (fields is [""])
                continue;
            if (fields.Count != header.Count)
                throw new ModelFileException(path, $"line {line}", $"has {fields.Count} fields, the header has {header.Count}");
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int c = 0; c < header.Count; c++)
                row[header[c]] = fields[c];
            result.Add(new CsvRow(line, row));
        }
        return result;
    }

    static List<(int Line, List<string> Fields)> Parse(string path, string text)
    {
        var rows = new List<(int, List<string>)>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        int line = 1, rowLine = 1, quoteLine = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            any = true;
            if (c == '\n' || (c == '\r' && !(i + 1 < text.Length && text[i + 1] == '\n')))
                line++; // counted before the character is used, so a row ending here starts the next on the new line
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                { field.Append('"'); i++; }
                else if (c == '"')
                    quoted = false;
                else
                    field.Append(c);
            }
            else if (c == '"')
            {
                quoted = true;
                quoteLine = line;
            }
            else if (c == ',')
            { row.Add(field.ToString()); field.Clear(); }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                    line++;
                }
                row.Add(field.ToString());
                field.Clear();
                rows.Add((rowLine, row));
                row = [];
                rowLine = line;
                any = false;
            }
            else
                field.Append(c);
        }
        // A quote left open swallows every line after it into one field: the rows there would vanish without a word.
        if (quoted)
            throw new ModelFileException(path, $"line {quoteLine}", "a quoted field opened here is never closed");
        if (any)
        {
            row.Add(field.ToString());
            rows.Add((rowLine, row));
        }
        return rows;
    }
}

/// <summary>
/// Reads a pickle (protocol 2–5) whose only object is one str — how LiveCodeBench stores its private tests. Only
/// the opcodes such a pickle uses are accepted (PROTO, FRAME, SHORT_BINUNICODE, BINUNICODE, BINUNICODE8, MEMOIZE,
/// STOP); anything else (globals, reduce, …) is refused, so no pickle code is ever run.
/// </summary>
public static class PickledString
{
    public static string Read(byte[] data)
    {
        string? value = null;
        int i = 0;
        while (i < data.Length)
        {
            byte op = data[i++];
            switch (op)
            {
                case 0x80:
                    Need(data, i, 1);
                    i += 1;
                    break;                                   // PROTO n
                case 0x95:
                    Need(data, i, 8);
                    i += 8;
                    break;                                   // FRAME length
                case 0x94:
                    break;                                           // MEMOIZE
                case 0x8c:
                    Need(data, i, 1);
                    value = Take(data, ref i, data[i++]);
                    break;     // SHORT_BINUNICODE
                case (byte)'X':
                    { Need(data, i, 4); long n = BitConverter.ToUInt32(data, i); i += 4; value = Take(data, ref i, n); break; }
                case 0x8d:
                    { Need(data, i, 8); ulong n = BitConverter.ToUInt64(data, i); i += 8; value = Take(data, ref i, n > int.MaxValue ? -1 : (long)n); break; }
                case (byte)'.':
                    return value ?? throw new InvalidDataException("the pickle holds no string");
                default:
                    throw new InvalidDataException($"pickle opcode 0x{op:x2} at byte {i - 1} is not allowed (only a pickled str is read)");
            }
        }
        throw new InvalidDataException("the pickle has no STOP opcode");
    }

    static void Need(byte[] data, int at, int bytes)
    {
        if (at + bytes > data.Length)
            throw new InvalidDataException($"the pickle ends inside the opcode at byte {at - 1}");
    }

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static string Take(byte[] data, ref int i, long length)
    {
        if (length < 0 || i + length > data.Length)
            throw new InvalidDataException("a string runs past the end of the pickle");
        string s;
        try
        {
            s = StrictUtf8.GetString(data, i, (int)length); // a str pickles as UTF-8: other bytes are damage, not text
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"the pickled string at byte {i} is not UTF-8");
        }
        i += (int)length;
        return s;
    }
}
