using System.Buffers;

namespace RecursiveMas.Tokenization;

/// <summary>
/// Finds added tokens in text, leftmost first and longest at a position (as Hugging Face's
/// Aho-Corasick matcher does), so "&lt;|im_start|&gt;" is never cut into BPE pieces.
/// </summary>
internal sealed class AddedTokenMatcher
{
    readonly Dictionary<char, (string Content, int Id)[]> _byFirstChar;
    readonly SearchValues<char> _firstChars;

    public AddedTokenMatcher(IEnumerable<(string Content, int Id)> tokens)
    {
        _byFirstChar = tokens
            .Where(t => t.Content.Length > 0)
            .DistinctBy(t => t.Content)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ThenBy(t => t.Content, StringComparer.Ordinal).ToArray());
        _firstChars = SearchValues.Create([.. _byFirstChar.Keys]);
    }

    /// <summary>
    /// Cuts <paramref name="text"/> into plain stretches (<c>TokenId</c> -1) and added tokens, in order.
    /// </summary>
    public List<(int Start, int Length, int TokenId)> Split(ReadOnlySpan<char> text)
    {
        var parts = new List<(int Start, int Length, int TokenId)>();
        int plainStart = 0;
        int position = 0;
        while (position < text.Length)
        {
            int found = text[position..].IndexOfAny(_firstChars);
            if (found < 0)
                break;
            position += found;
            var match = Match(text[position..]);
            if (match is null)
            {
                position++;
                continue;
            }
            if (position > plainStart)
                parts.Add((plainStart, position - plainStart, -1));
            parts.Add((position, match.Value.Content.Length, match.Value.Id));
            position += match.Value.Content.Length;
            plainStart = position;
        }
        if (plainStart < text.Length)
            parts.Add((plainStart, text.Length - plainStart, -1));
        return parts;
    }

    (string Content, int Id)? Match(ReadOnlySpan<char> text)
    {
        foreach (var candidate in _byFirstChar[text[0]])
            if (text.StartsWith(candidate.Content, StringComparison.Ordinal))
                return candidate;
        return null;
    }
}
