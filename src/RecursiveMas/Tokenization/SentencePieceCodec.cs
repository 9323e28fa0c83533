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
    readonly SentencePieceTextNormalizer _normalizer;

    /// <param name="inner">The loaded model.</param>
    /// <param name="legacy">Hugging Face's <c>legacy</c> flag.</param>
    /// <param name="charsMap">The model's character map (<see cref="SentencePieceNormalizerRules.CharsMap"/>), or null.</param>
    public SentencePieceCodec(SentencePieceTokenizer inner, bool legacy, PrecompiledCharsMap? charsMap)
    {
        _inner = inner;
        _legacy = legacy;
        // Microsoft.ML.Tokenizers reads the flags (and their defaults) from normalizer_spec; the text is normalized
        // here (SentencePieceTextNormalizer says why) and the library only looks the pieces up.
        var spec = inner.Normalizer as SentencePieceNormalizer;
        _normalizer = new SentencePieceTextNormalizer(charsMap, inner.AddDummyPrefix, spec?.RemoveExtraWhiteSpaces ?? false,
            spec?.EscapeWhiteSpaces ?? true, inner.TreatWhitespaceAsSuffix);
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
    /// that <c>remove_extra_whitespaces</c> may drop spaces and ▁s; a map (nmt_nfkc rewrites compatibility characters
    /// and drops control characters) keeps as themselves only the characters its keys let it
    /// (<see cref="SentencePieceTextNormalizer.KeptParts"/>).
    /// </summary>
    public override long? KeptParts(ReadOnlySpan<char> text) => _normalizer.KeptParts(text);

    public override string Normalize(string text) => _normalizer.Normalize(text);

    bool PrefixesSpace => _inner.AddDummyPrefix && !_inner.TreatWhitespaceAsSuffix;

    public override bool TryGetId(string token, out int id) => _vocabulary.TryGetValue(token, out id);

    public override bool TryGetToken(int id, out string token) => _pieces.TryGetValue(id, out token!);

    public override void Encode(string text, bool atStartOfText, List<int> output)
    {
        // Non-legacy, only text at the very start of the input gets the dummy prefix.
        string normalized = _normalizer.Normalize(text, dummyPrefix: atStartOfText || _legacy || !PrefixesSpace);
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
