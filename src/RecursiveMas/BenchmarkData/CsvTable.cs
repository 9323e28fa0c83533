using System.Text;

namespace RecursiveMas.BenchmarkData;

/// <summary>
/// A CSV reader for the files benchmarks are distributed as (RFC 4180: comma-separated, fields in double quotes
/// may hold commas, line breaks and doubled quotes). The first row names the columns.
/// </summary>
public static class CsvTable
{
    /// <summary>Rows as column → value; a row with a different number of fields than the header is an error naming it.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Read(string path)
    {
        var rows = Parse(File.ReadAllText(path));
        if (rows.Count == 0)
            throw new ModelFileException(path, null, "empty CSV file");
        var header = rows[0];
        var result = new List<IReadOnlyDictionary<string, string>>();
        for (int i = 1; i < rows.Count; i++)
        {
            if (rows[i] is [""])
                continue;
            if (rows[i].Count != header.Count)
                throw new ModelFileException(path, $"row {i + 1}", $"has {rows[i].Count} fields, the header has {header.Count}");
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int c = 0; c < header.Count; c++)
                row[header[c]] = rows[i][c];
            result.Add(row);
        }
        return result;
    }

    static List<List<string>> Parse(string text)
    {
        if (text.StartsWith('\uFEFF'))
            text = text[1..];
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            any = true;
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
                quoted = true;
            else if (c == ',')
            { row.Add(field.ToString()); field.Clear(); }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    i++;
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                any = false;
            }
            else
                field.Append(c);
        }
        if (any)
        {
            row.Add(field.ToString());
            rows.Add(row);
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
                    i += 1;
                    break;                                   // PROTO n
                case 0x95:
                    i += 8;
                    break;                                   // FRAME length
                case 0x94:
                    break;                                           // MEMOIZE
                case 0x8c:
                    value = Take(data, ref i, data[i++]);
                    break;     // SHORT_BINUNICODE
                case (byte)'X':
                    { long n = BitConverter.ToUInt32(data, i); i += 4; value = Take(data, ref i, n); break; }
                case 0x8d:
                    { long n = (long)BitConverter.ToUInt64(data, i); i += 8; value = Take(data, ref i, n); break; }
                case (byte)'.':
                    return value ?? throw new InvalidDataException("the pickle holds no string");
                default:
                    throw new InvalidDataException($"pickle opcode 0x{op:x2} at byte {i - 1} is not allowed (only a pickled str is read)");
            }
        }
        throw new InvalidDataException("the pickle has no STOP opcode");
    }

    static string Take(byte[] data, ref int i, long length)
    {
        if (length < 0 || i + length > data.Length)
            throw new InvalidDataException("a string runs past the end of the pickle");
        string s = Encoding.UTF8.GetString(data, i, (int)length);
        i += (int)length;
        return s;
    }
}
