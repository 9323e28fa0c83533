using Microsoft.ML.Tokenizers;

namespace RecursiveMas.Tokenization;

/// <summary>
/// A SentencePiece <c>tokenizer.model</c> (Llama 2, Mistral) through Microsoft.ML.Tokenizers'
/// <see cref="SentencePieceTokenizer"/>.
/// </summary>
/// <remarks>
/// The dummy-prefix space follows Hugging Face's <c>legacy</c> flag. Legacy (the default, and what Meta's
/// Llama 2 reference code does) prefixes every stretch of text between special tokens, so
/// "&lt;s&gt;[INST] hi" becomes "▁[INST]▁hi". Non-legacy (Mistral v0.3's <c>"legacy": false</c>, matching
/// mistral_common) prefixes only text at the very start of the input, so "[INST] hi" with a control
/// [INST] becomes [INST] "▁hi" rather than [INST] "▁" "▁hi".
/// </remarks>
internal sealed class SentencePieceCodec : TokenCodec
{
    const char Space = '\u2581';
    readonly SentencePieceTokenizer _inner;
    readonly Dictionary<string, int> _vocabulary;
    readonly Dictionary<int, string> _pieces;
    readonly bool _legacy;
    readonly bool _rewritesCharacters;
    // Without a character map and with remove_extra_whitespaces, the model's normalizer minus that step, which
    // WithoutExtraSpaces does instead; null otherwise.
    readonly SentencePieceNormalizer? _spacesKept;

    /// <param name="inner">The loaded model.</param>
    /// <param name="legacy">Hugging Face's <c>legacy</c> flag.</param>
    /// <param name="rewritesCharacters">Whether the model's normalizer has a character map or rules (<see cref="SentencePieceNormalizerRules"/>).</param>
    public SentencePieceCodec(SentencePieceTokenizer inner, bool legacy, bool rewritesCharacters)
    {
        _inner = inner;
        _legacy = legacy;
        _rewritesCharacters = rewritesCharacters;
        if (!rewritesCharacters && inner.Normalizer is SentencePieceNormalizer { RemoveExtraWhiteSpaces: true } normalizer)
            _spacesKept = new SentencePieceNormalizer(removeExtraWhiteSpaces: false, addDummyPrefix: normalizer.AddDummyPrefix,
                escapeWhiteSpaces: normalizer.EscapeWhiteSpaces, treatWhitespaceAsSuffix: normalizer.TreatWhitespaceAsSuffix,
                specialTokens: normalizer.SpecialTokens);
        _vocabulary = new Dictionary<string, int>(inner.Vocabulary);
        _pieces = new Dictionary<int, string>(_vocabulary.Count);
        foreach (var (piece, id) in _vocabulary)
            _pieces.TryAdd(id, piece);
        MaxId = _vocabulary.Count == 0 ? -1 : _vocabulary.Values.Max();
        // Without byte fallback a character outside the vocabulary becomes the unknown piece, which may stand for a
        // whole run of them: no bound from the text's length holds.
        LongestTokenChars = inner.ByteFallback ? Math.Max(1, _vocabulary.Keys.Select(k => k.Length).DefaultIfEmpty(1).Max()) : int.MaxValue;
    }

    public override Tokenizer Inner => _inner;

    public override int MaxId { get; }

    public override int LongestTokenChars { get; }

    /// <summary>
    /// Without a character map the normalizer keeps every char (a space becomes ▁, a prefix may be added), except
    /// that <c>remove_extra_whitespaces</c> drops spaces (U+0020, the only whitespace it knows without a map): so every
    /// other char counts whole. A character map (nmt_nfkc drops control characters; a custom one may map anything to
    /// nothing) leaves no bound.
    /// </summary>
    public override long? KeptParts(ReadOnlySpan<char> text)
    {
        if (_rewritesCharacters)
            return null;
        if (_spacesKept is null)
            return base.KeptParts(text);
        return (long)PartsPerUnit * (text.Length - text.Count(' '));
    }

    public override string Normalize(string text) =>
        _spacesKept is not null ? _spacesKept.Normalize(WithoutExtraSpaces(text)) : _inner.Normalizer?.Normalize(text) ?? text;

    /// <summary>
    /// SentencePiece's <c>remove_extra_whitespaces</c>: no space at either end, one in place of each run. Done here
    /// because Microsoft.ML.Tokenizers 2.0.1's normalizer returns nothing for a text with a single char besides
    /// spaces ("x" and " x " gave no ids, where SentencePiece gives "▁x"; tested). Not with a character map, which only
    /// the library applies: there (spm_train's defaults, nmt_nfkc with remove_extra_whitespaces) a stretch of text
    /// between special tokens that is one char besides spaces still encodes to nothing.
    /// </summary>
    static string WithoutExtraSpaces(string text)
    {
        var kept = new System.Text.StringBuilder(text.Length);
        foreach (char c in text.AsSpan().Trim(' '))
            if (c != ' ' || kept[^1] != ' ')
                kept.Append(c);
        return kept.ToString();
    }

    bool PrefixesSpace => _inner.AddDummyPrefix && !_inner.TreatWhitespaceAsSuffix;

    public override bool TryGetId(string token, out int id) => _vocabulary.TryGetValue(token, out id);

    public override bool TryGetToken(int id, out string token) => _pieces.TryGetValue(id, out token!);

    public override void Encode(string text, bool atStartOfText, List<int> output)
    {
        if (text.Length == 0)
            return;
        if (atStartOfText || _legacy || !PrefixesSpace)
        {
            output.AddRange(_spacesKept is null
                ? _inner.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false)
                : _inner.EncodeToIds(Normalize(text), addBeginningOfSentence: false, addEndOfSentence: false,
                    considerPreTokenization: true, considerNormalization: false));
            return;
        }
        // Normalize with the model's own rules, then take the dummy prefix back off.
        string normalized = Normalize(text);
        if (normalized.Length > 0 && normalized[0] == Space)
            normalized = normalized[1..];
        if (normalized.Length > 0)
            output.AddRange(_inner.EncodeToIds(normalized, addBeginningOfSentence: false, addEndOfSentence: false,
                considerPreTokenization: true, considerNormalization: false));
    }

    public override string Decode(IReadOnlyList<int> ids, bool atStartOfText)
    {
        string text = _inner.Decode(ids);
        // The library drops the leading space of a decode as the dummy prefix; mid-text that space is real.
        if (!atStartOfText && PrefixesSpace && ids.Count > 0
            && _pieces.TryGetValue(ids[0], out var first) && first.Length > 0 && first[0] == Space)
            text = " " + text;
        return text;
    }

    public override IEnumerable<AddedToken> BuiltInSpecialTokens
    {
        get
        {
            if (_inner.BeginningOfSentenceId >= 0 && _inner.BeginningOfSentenceToken is { } bos)
                yield return new AddedToken(_inner.BeginningOfSentenceId, bos);
            if (_inner.EndOfSentenceId >= 0 && _inner.EndOfSentenceToken is { } eos)
                yield return new AddedToken(_inner.EndOfSentenceId, eos);
        }
    }

    public override string? DefaultBosToken => _inner.BeginningOfSentenceId >= 0 ? _inner.BeginningOfSentenceToken : null;

    public override string? DefaultEosToken => _inner.EndOfSentenceId >= 0 ? _inner.EndOfSentenceToken : null;

    public override string? DefaultUnknownToken => _inner.UnknownId >= 0 ? _inner.UnknownToken : null;

    /// <summary>Hugging Face's LlamaTokenizer defaults to <c>add_bos_token: true</c>.</summary>
    public override bool DefaultAddsBos => true;
}
