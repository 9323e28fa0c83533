using System.Runtime.InteropServices;
using System.Text;

namespace RecursiveMas.Tokenization;

/// <summary>
/// SentencePiece's normalizer (sentencepiece's normalizer.cc, <c>Normalizer::Normalize</c>) over UTF-8: at each place
/// the longest key of the character map, if any, gives the replacement, else the character stays; with
/// <c>remove_extra_whitespaces</c> leading spaces are skipped, a replacement's leading spaces after a space are dropped
/// and trailing spaces removed; spaces become ▁ (<c>escape_whitespaces</c>); a ▁ goes before (or, with
/// <c>treat_whitespace_as_suffix</c>, after) the text (<c>add_dummy_prefix</c>).
/// </summary>
/// <remarks>
/// Ours rather than Microsoft.ML.Tokenizers 2.0.1's, which ignores a character map for string input and returns
/// nothing for a text of one char besides spaces under <c>remove_extra_whitespaces</c> ("5" gave no ids where
/// SentencePiece gives "▁5"). The model's pieces are then looked up in the text this gives.
/// </remarks>
internal sealed class SentencePieceTextNormalizer(
    PrecompiledCharsMap? charsMap, bool addDummyPrefix, bool removeExtraWhitespaces, bool escapeWhitespaces, bool whitespaceAsSuffix)
{
    const char Space = '\u2581';

    /// <summary>Normalizes <paramref name="text"/>; without <paramref name="dummyPrefix"/> no ▁ is added whatever the model says.</summary>
    public string Normalize(string text, bool dummyPrefix = true)
    {
        ReadOnlySpan<byte> input = Encoding.UTF8.GetBytes(text);
        if (removeExtraWhitespaces)
        {
            while (!input.IsEmpty)
            {
                int consumed = Prefix(input, out var piece);
                if (!piece.SequenceEqual(" "u8))
                    break;
                input = input[consumed..];
            }
        }
        if (input.IsEmpty)
            return "";

        var output = new List<byte>(input.Length + 3);
        bool addSpace = dummyPrefix && addDummyPrefix;
        if (addSpace && !whitespaceAsSuffix)
            AddSpace(output);
        bool previousWasSpace = removeExtraWhitespaces;
        while (!input.IsEmpty)
        {
            int consumed = Prefix(input, out var piece);
            if (previousWasSpace)
                piece = piece.TrimStart((byte)' ');
            if (!piece.IsEmpty)
            {
                foreach (byte b in piece)
                {
                    if (b == ' ' && escapeWhitespaces)
                        AddSpace(output);
                    else
                        output.Add(b);
                }
                previousWasSpace = piece[^1] == ' ';
            }
            input = input[consumed..];
            if (!removeExtraWhitespaces)
                previousWasSpace = false;
        }
        if (removeExtraWhitespaces)
        {
            // As normalizer.cc: every trailing space goes, an escaped one or a ▁ the text held alike.
            ReadOnlySpan<byte> space = escapeWhitespaces ? "▁"u8 : " "u8;
            while (CollectionsMarshal.AsSpan(output).EndsWith(space))
                output.RemoveRange(output.Count - space.Length, space.Length);
        }
        if (addSpace && whitespaceAsSuffix)
            AddSpace(output);
        return Encoding.UTF8.GetString(CollectionsMarshal.AsSpan(output));
    }

    /// <summary>
    /// <see cref="TokenCodec.KeptParts"/>: every char of a code point the map surely keeps as itself
    /// (<see cref="PrecompiledCharsMap.KeepsAsItself"/>; all of them without a map), except, under
    /// <c>remove_extra_whitespaces</c>, a space or a ▁, which may be dropped. The last code point's next is unknown.
    /// </summary>
    public long KeptParts(ReadOnlySpan<char> text)
    {
        long parts = 0;
        Rune? current = null;
        int currentChars = 0;
        for (int at = 0; ;)
        {
            Rune? next = null;
            int nextChars = 0;
            if (at < text.Length)
            {
                // A lone surrogate is U+FFFD, as encoding to UTF-8 makes it.
                Rune.DecodeFromUtf16(text[at..], out var rune, out nextChars);
                next = rune;
                at += nextChars;
            }
            if (current is Rune kept && Keeps(kept, next))
                parts += (long)TokenCodec.PartsPerUnit * currentChars;
            if (next is null)
                return parts;
            (current, currentChars) = (next, nextChars);
        }
    }

    bool Keeps(Rune rune, Rune? next) =>
        !(removeExtraWhitespaces && (rune.Value == ' ' || rune.Value == Space)) && (charsMap?.KeepsAsItself(rune, next) ?? true);

    /// <summary>normalizer.cc's NormalizePrefix: how many bytes the next piece takes, and the piece.</summary>
    int Prefix(ReadOnlySpan<byte> input, out ReadOnlySpan<byte> piece)
    {
        if (charsMap is not null)
        {
            int matched = charsMap.LongestMatch(input, out piece);
            if (matched > 0)
                return matched;
        }
        // The input is UTF-8 from a string, so whole: one character as it is.
        Rune.DecodeFromUtf8(input, out _, out int consumed);
        piece = input[..consumed];
        return consumed;
    }

    void AddSpace(List<byte> output)
    {
        if (escapeWhitespaces)
            output.AddRange("▁"u8);
        else
            output.Add((byte)' ');
    }
}
