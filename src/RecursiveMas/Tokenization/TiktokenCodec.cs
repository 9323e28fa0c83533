using System.Text;
using Microsoft.ML.Tokenizers;

namespace RecursiveMas.Tokenization;

/// <summary>A tiktoken rank file (<c>*.tiktoken</c>, or Llama 3's original <c>tokenizer.model</c>).</summary>
internal sealed class TiktokenCodec : TokenCodec
{
    readonly TiktokenTokenizer _inner;
    readonly Dictionary<string, int> _vocabulary;
    readonly Dictionary<int, string> _tokens;

    /// <param name="inner">The library tokenizer.</param>
    /// <param name="ranks">Token bytes in byte-level spelling (see <see cref="ByteLevelAlphabet"/>) to rank.</param>
    public TiktokenCodec(TiktokenTokenizer inner, Dictionary<string, int> ranks)
    {
        _inner = inner;
        _vocabulary = ranks;
        _tokens = new Dictionary<int, string>(ranks.Count);
        foreach (var (token, id) in ranks)
            _tokens.TryAdd(id, token);
        MaxId = ranks.Count == 0 ? -1 : ranks.Values.Max();
        LongestTokenChars = Math.Max(1, ranks.Keys.Select(k => k.Length).DefaultIfEmpty(1).Max());
    }

    public override Tokenizer Inner => _inner;

    public override int MaxId { get; }

    // Ranks are spelled a char per byte (byte-level), and every byte has one.
    public override int LongestTokenChars { get; }

    public override bool SpellsBytes => true;

    public override bool TryGetId(string token, out int id) =>
        _vocabulary.TryGetValue(ByteLevelAlphabet.Encode(token), out id);

    public override bool TryGetToken(int id, out string token)
    {
        token = "";
        if (!_tokens.TryGetValue(id, out var spelled))
            return false;
        var bytes = new List<byte>();
        ByteLevelAlphabet.TryDecode(spelled, bytes);
        token = Encoding.UTF8.GetString([.. bytes]);
        return true;
    }

    public override void Encode(string text, bool atStartOfText, List<int> output) =>
        output.AddRange(_inner.EncodeToIds(text));

    public override string Decode(IReadOnlyList<int> ids, bool atStartOfText) => _inner.Decode(ids);

    public override IEnumerable<AddedToken> BuiltInSpecialTokens =>
        (_inner.SpecialTokens ?? new Dictionary<string, int>()).Select(kv => new AddedToken(kv.Value, kv.Key));
}
