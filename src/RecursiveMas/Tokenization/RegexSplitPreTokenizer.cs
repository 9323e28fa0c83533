using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace RecursiveMas.Tokenization;

/// <summary>
/// Hugging Face's <c>Split</c> pre-tokenizer with <c>behavior: "Isolated"</c>, chained as in a
/// <c>Sequence</c>: every regex match becomes its own piece and so does every stretch of text between
/// matches, and each later pattern splits the pieces the earlier ones produced. Microsoft.ML.Tokenizers'
/// own <see cref="RegexPreTokenizer"/> keeps only the matches, which drops text a pattern does not cover.
/// Added tokens, when given, are cut out first and left whole, so that the library tokenizer on its own
/// (<see cref="ModelTokenizer.Inner"/>) still maps "&lt;|im_start|&gt;" to its id.
/// </summary>
internal sealed class RegexSplitPreTokenizer : PreTokenizer
{
    readonly IReadOnlyList<Regex> _patterns;
    readonly AddedTokenMatcher? _addedTokens;

    public RegexSplitPreTokenizer(IReadOnlyList<Regex> patterns, AddedTokenMatcher? addedTokens = null)
    {
        _patterns = patterns;
        _addedTokens = addedTokens;
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) =>
        text is null ? [] : Split(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text);

    List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var result = new List<(int Offset, int Length)>();
        if (text.IsEmpty)
            return result;
        var parts = _addedTokens?.Split(text) ?? [(0, text.Length, -1)];
        foreach (var (start, length, tokenId) in parts)
        {
            if (tokenId >= 0)
            {
                result.Add((start, length));
                continue;
            }
            var pieces = new List<(int Offset, int Length)> { (start, length) };
            foreach (var pattern in _patterns)
            {
                var next = new List<(int Offset, int Length)>(pieces.Count * 2);
                foreach (var (offset, pieceLength) in pieces)
                    SplitOne(pattern, text.Slice(offset, pieceLength), offset, next);
                pieces = next;
            }
            result.AddRange(pieces);
        }
        return result;
    }

    static void SplitOne(Regex pattern, ReadOnlySpan<char> piece, int baseOffset, List<(int Offset, int Length)> output)
    {
        int last = 0;
        foreach (var match in pattern.EnumerateMatches(piece))
        {
            // An empty match splits nothing; Hugging Face skips them too.
            if (match.Length == 0)
                continue;
            if (match.Index > last)
                output.Add((baseOffset + last, match.Index - last));
            output.Add((baseOffset + match.Index, match.Length));
            last = match.Index + match.Length;
        }
        if (last < piece.Length)
            output.Add((baseOffset + last, piece.Length - last));
    }
}
