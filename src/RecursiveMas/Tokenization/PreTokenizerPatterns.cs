using System.Text.RegularExpressions;

namespace RecursiveMas.Tokenization;

/// <summary>
/// The pre-tokenization regular expressions of the byte-level BPE families. Pre-tokenization cuts
/// text into pieces that BPE never merges across, so using another family's pattern silently changes
/// token ids even though decoding still round-trips.
/// </summary>
internal static class PreTokenizerPatterns
{
    /// <summary>GPT-2's pattern: what a ByteLevel pre-tokenizer with <c>use_regex: true</c> applies.</summary>
    public const string Gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>
    /// Llama 3's Split pattern (cl100k_base's, spelled without possessive quantifiers, which .NET lacks).
    /// Also the default for a tiktoken file of unknown origin, since Llama 3 ships its vocabulary that way.
    /// </summary>
    public const string Llama3 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Qwen2/2.5/3's Split pattern: Llama 3's with single digits.</summary>
    public const string Qwen2 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>
    /// How long one match may take. A pattern from a tokenizer.json could backtrack catastrophically on
    /// some text; the shipped patterns match a word in microseconds.
    /// </summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// GPT-2's pattern with every digit its own piece (a leading space stays on the first digit), so
    /// "12 + 30" pre-tokenizes as "1", "2", " +", " 3", "0" and no number ever becomes one opaque token:
    /// small models trained on arithmetic then see the digits they must compute with.
    /// </summary>
    public const string DigitsApart = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>
    /// Compiles a Hugging Face (Rust/Oniguruma) pattern for .NET. Culture-invariant so that <c>(?i:)</c>
    /// does not depend on the machine's locale (the Turkish dotless i); each match is bounded by
    /// <see cref="MatchTimeout"/> (<see cref="RegexMatchTimeoutException"/>).
    /// </summary>
    public static Regex Compile(string pattern) =>
        new(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, MatchTimeout);
}
