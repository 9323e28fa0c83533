using System.Text;

namespace RecursiveMas.Tokenization;

/// <summary>
/// GPT-2's reversible byte-to-character table, used by every byte-level BPE (GPT-2, Llama 3, Qwen):
/// each of the 256 byte values maps to one printable Unicode character, so vocabularies and merges
/// can be stored as JSON text while still covering arbitrary bytes. Printable Latin-1 bytes map to
/// themselves; the rest (controls, space, a few Latin-1 gaps) map to U+0100 upward in byte order,
/// which is why a space appears as 'Ġ' (U+0120) and a newline as 'Ċ' (U+010A).
/// </summary>
internal static class ByteLevelAlphabet
{
    static readonly char[] ByteToCharTable = BuildTable();
    static readonly Dictionary<char, byte> CharToByteTable =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToCharTable[b], b => (byte)b);

    /// <summary>The character that stands for <paramref name="value"/>.</summary>
    public static char ByteToChar(byte value) => ByteToCharTable[value];

    /// <summary>The byte-level spelling of <paramref name="bytes"/>.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
            chars[i] = ByteToCharTable[bytes[i]];
        return new string(chars);
    }

    /// <summary>The byte-level spelling of the UTF-8 encoding of <paramref name="text"/>.</summary>
    public static string Encode(string text) => Encode(Encoding.UTF8.GetBytes(text));

    /// <summary>Appends the bytes a byte-level token spells; false when it holds a character outside the table.</summary>
    public static bool TryDecode(string token, List<byte> destination)
    {
        foreach (char c in token)
        {
            if (!CharToByteTable.TryGetValue(c, out byte b))
                return false;
            destination.Add(b);
        }
        return true;
    }

    static char[] BuildTable()
    {
        var table = new char[256];
        var direct = new bool[256];
        for (int b = '!'; b <= '~'; b++)
            direct[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++)
            direct[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++)
            direct[b] = true;
        int next = 0;
        for (int b = 0; b < 256; b++)
            table[b] = direct[b] ? (char)b : (char)(256 + next++);
        return table;
    }
}
