using Microsoft.ML.Tokenizers;

namespace RecursiveMas.Tokenization;

/// <summary>
/// One tokenizer format's handling of ordinary text: everything except added/special tokens, which
/// <see cref="ModelTokenizer"/> cuts out first so that every format treats them the same way.
/// </summary>
internal abstract class TokenCodec
{
    /// <summary>The Microsoft.ML.Tokenizers model underneath.</summary>
    public abstract Tokenizer Inner { get; }

    /// <summary>The largest id in the model's own vocabulary, or -1 for an empty one.</summary>
    public abstract int MaxId { get; }

    /// <summary>The id of a vocabulary entry spelled as in the model's files (e.g. "&lt;s&gt;", "&lt;|endoftext|&gt;").</summary>
    public abstract bool TryGetId(string token, out int id);

    /// <summary>The vocabulary entry of <paramref name="id"/>, spelled as in the model's files.</summary>
    public abstract bool TryGetToken(int id, out string token);

    /// <summary>
    /// Appends the ids of <paramref name="text"/>, which holds no added token. <paramref name="atStartOfText"/>
    /// says whether it begins the whole input: SentencePiece adds its dummy-prefix space only there.
    /// </summary>
    public abstract void Encode(string text, bool atStartOfText, List<int> output);

    /// <summary>
    /// The most UTF-16 chars of <see cref="Normalize"/>d text one id of this vocabulary covers (the longest entry, as
    /// spelled: a byte-level spelling has a char per byte, and a UTF-8 byte never stands for more than one char), so
    /// that a text of n such chars is at least n / this many ids. <see cref="int.MaxValue"/> where no such bound holds
    /// (a vocabulary whose unknown token may stand for a run of characters).
    /// </summary>
    public abstract int LongestTokenChars { get; }

    /// <summary>The text the vocabulary's entries cover: <paramref name="text"/> after the model's normalizer.</summary>
    public virtual string Normalize(string text) => text;

    /// <summary>
    /// Whether the vocabulary's entries spell UTF-8 bytes, a char each (byte-level BPE, tiktoken): an entry of n chars
    /// then stands for n bytes of text, and a text is measured in its UTF-8 bytes (<see cref="KeptParts"/>).
    /// </summary>
    public virtual bool SpellsBytes => false;

    /// <summary>What one unit (a byte or a char, <see cref="SpellsBytes"/>) counts in <see cref="KeptParts"/>: a normalizer may merge up to eight chars into one.</summary>
    public const int PartsPerUnit = 8;

    /// <summary>
    /// A lower bound, in eighths (<see cref="PartsPerUnit"/>) of the unit the entries spell (a UTF-8 byte where
    /// <see cref="SpellsBytes"/>, else a char), on what <see cref="Normalize"/> keeps of <paramref name="text"/>
    /// wherever it stands in a longer text, computed without normalizing it (so a text far longer than any context
    /// costs no copy): the normalizer runs over the whole, so what surrounds it may merge with its ends. Null where
    /// the normalizer may delete chars, so that no bound holds. Without a normalizer all of it is kept.
    /// </summary>
    public virtual long? KeptParts(ReadOnlySpan<char> text) =>
        (long)PartsPerUnit * (SpellsBytes ? System.Text.Encoding.UTF8.GetByteCount(text) : text.Length);

    /// <summary>Decodes ids of this vocabulary; <paramref name="atStartOfText"/> as for <see cref="Encode"/>.</summary>
    public abstract string Decode(IReadOnlyList<int> ids, bool atStartOfText);

    /// <summary>Special tokens the model file itself defines (tiktoken encodings, SentencePiece controls).</summary>
    public virtual IEnumerable<AddedToken> BuiltInSpecialTokens => [];

    /// <summary>The format's own BOS/EOS/UNK spellings, used when no config names them.</summary>
    public virtual string? DefaultBosToken => null;

    /// <inheritdoc cref="DefaultBosToken"/>
    public virtual string? DefaultEosToken => null;

    /// <inheritdoc cref="DefaultBosToken"/>
    public virtual string? DefaultUnknownToken => null;

    /// <summary>Whether Hugging Face adds BOS by default for this format when no config says.</summary>
    public virtual bool DefaultAddsBos => false;
}
