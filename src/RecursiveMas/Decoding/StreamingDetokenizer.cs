namespace RecursiveMas.Decoding;

/// <summary>
/// Turns one sequence's tokens, as they are generated, into text deltas whose concatenation is the
/// decoded text of all tokens so far. A byte-level token can end in the middle of a UTF-8 character;
/// the decoder shows that as U+FFFD, so a trailing U+FFFD is held back until the next token completes
/// it (or <see cref="Finish"/> is called). Decoding the whole prefix each time keeps the deltas exactly
/// consistent with decoders that look at neighbouring tokens (SentencePiece's leading space); answers are short, so the quadratic cost does not matter.
/// </summary>
public sealed class StreamingDetokenizer(Func<IReadOnlyList<int>, string> decode)
{
    private readonly List<int> _tokens = [];

    /// <summary>The text handed out so far.</summary>
    public string Emitted { get; private set; } = "";

    /// <summary>Adds a token; returns the new text it completes ("" when none yet).</summary>
    public string Append(int tokenId)
    {
        _tokens.Add(tokenId);
        string text = decode(_tokens);
        int end = text.Length;
        while (end > 0 && text[end - 1] == '\uFFFD')
            end--;
        return Advance(text[..end]);
    }

    /// <summary>
    /// The rest of <paramref name="finalText"/> (the sequence's final text) not handed out yet, or ""
    /// when what was handed out is not a prefix of it (a stop string cut text already streamed).
    /// </summary>
    public string Finish(string finalText) => Advance(finalText);

    string Advance(string text)
    {
        // Only ever extend: text already handed out cannot be taken back.
        if (text.Length <= Emitted.Length || !text.StartsWith(Emitted, StringComparison.Ordinal))
            return "";
        string delta = text[Emitted.Length..];
        Emitted = text;
        return delta;
    }
}
