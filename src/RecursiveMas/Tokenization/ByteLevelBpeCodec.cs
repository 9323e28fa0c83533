using Microsoft.ML.Tokenizers;

namespace RecursiveMas.Tokenization;

/// <summary>
/// Byte-level BPE (GPT-2, Llama 3, Qwen2/2.5/3, our own tiny models) on top of Microsoft.ML.Tokenizers'
/// <see cref="BpeTokenizer"/>. The pipeline (normalize, pre-tokenize, BPE per piece) runs here rather
/// than inside the library so that Hugging Face's <c>ignore_merges</c> can be honoured: Llama 3 sets it,
/// and a pre-token that is itself a vocabulary entry must become that single id even where the merges
/// would reach a different split.
/// </summary>
internal sealed class ByteLevelBpeCodec : TokenCodec
{
    readonly BpeTokenizer _inner;
    readonly IReadOnlyDictionary<string, int> _vocabulary;
    readonly Dictionary<int, string> _tokens;
    readonly PreTokenizer _preTokenizer;
    readonly UnicodeNormalizer? _normalizer;
    readonly bool _addPrefixSpace;
    readonly bool _ignoreMerges;

    public ByteLevelBpeCodec(
        BpeTokenizer inner,
        IReadOnlyDictionary<string, int> vocabulary,
        PreTokenizer preTokenizer,
        UnicodeNormalizer? normalizer,
        bool addPrefixSpace,
        bool ignoreMerges)
    {
        _inner = inner;
        _vocabulary = vocabulary;
        _tokens = new Dictionary<int, string>(vocabulary.Count);
        foreach (var (token, id) in vocabulary)
            _tokens.TryAdd(id, token);
        MaxId = vocabulary.Count == 0 ? -1 : vocabulary.Values.Max();
        LongestTokenChars = Math.Max(1, vocabulary.Keys.Select(k => k.Length).DefaultIfEmpty(1).Max());
        _preTokenizer = preTokenizer;
        _normalizer = normalizer;
        _addPrefixSpace = addPrefixSpace;
        _ignoreMerges = ignoreMerges;
    }

    public override Tokenizer Inner => _inner;

    public override int MaxId { get; }

    // Every byte has an entry (the byte-level alphabet), so no id stands for more than its spelling.
    public override int LongestTokenChars { get; }

    public override string Normalize(string text) => _normalizer?.Normalize(text) ?? text;

    public override bool SpellsBytes => true;

    public override long? KeptParts(ReadOnlySpan<char> text) =>
        _normalizer is null ? base.KeptParts(text) : UnicodeNormalizer.KeptParts(text);

    public override bool TryGetId(string token, out int id) => _vocabulary.TryGetValue(token, out id);

    public override bool TryGetToken(int id, out string token) => _tokens.TryGetValue(id, out token!);

    public override void Encode(string text, bool atStartOfText, List<int> output)
    {
        string normalized = Normalize(text);
        // Hugging Face's ByteLevel add_prefix_space applies to every segment between added tokens.
        if (_addPrefixSpace && !normalized.StartsWith(' '))
            normalized = " " + normalized;
        foreach (var (offset, length) in _preTokenizer.PreTokenize(normalized))
        {
            string piece = normalized.Substring(offset, length);
            if (_ignoreMerges && _vocabulary.TryGetValue(ByteLevelAlphabet.Encode(piece), out int whole))
            {
                output.Add(whole);
                continue;
            }
            output.AddRange(_inner.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));
        }
    }

    public override string Decode(IReadOnlyList<int> ids, bool atStartOfText) => _inner.Decode(ids);
}
