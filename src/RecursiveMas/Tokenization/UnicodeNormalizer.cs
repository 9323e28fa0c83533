using System.Text;
using Microsoft.ML.Tokenizers;

namespace RecursiveMas.Tokenization;

/// <summary>
/// Hugging Face's NFC/NFD/NFKC/NFKD normalizers (Qwen2/2.5/3 declare NFC). Composing "e" + U+0301 into
/// "é" before BPE matters: the vocabulary was learned on composed text, so the decomposed form would
/// encode to different, longer id sequences.
/// </summary>
internal sealed class UnicodeNormalizer : Normalizer
{
    readonly NormalizationForm[] _forms;

    public UnicodeNormalizer(IReadOnlyList<NormalizationForm> forms) => _forms = [.. forms];

    public override string Normalize(string original)
    {
        string text = original;
        foreach (var form in _forms)
        {
            try
            {
                text = text.Normalize(form);
            }
            catch (ArgumentException)
            {
                // .NET refuses to normalize a string with a lone surrogate; UTF-8 encoding would turn
                // it into U+FFFD anyway, so do that first rather than fail the whole encode.
                text = ReplaceLoneSurrogates(text).Normalize(form);
            }
        }
        return text;
    }

    static string ReplaceLoneSurrogates(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return builder.ToString();
    }

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());

    /// <summary>
    /// <see cref="TokenCodec.KeptParts"/> under any sequence of these forms, without normalizing, in chars or UTF-8
    /// bytes alike. An ASCII char followed by another is kept as itself, one char and one byte: no form maps it, and
    /// no composition takes it as a second part or joins it to what follows when that is ASCII too. Every other char
    /// counts an eighth: no form deletes a char, and composition makes one char of at most four code points (the
    /// longest canonical decomposition, as U+1F82's), which a compatibility mapping may have taken from as many
    /// UTF-16 pairs (U+1D6C2 is α): at most eight UTF-16 units. The last char counts an eighth whatever it is, since
    /// what follows it is unknown.
    /// </summary>
    public static long KeptParts(ReadOnlySpan<char> text)
    {
        long parts = 0;
        for (int i = 0; i < text.Length; i++)
            parts += char.IsAscii(text[i]) && i + 1 < text.Length && char.IsAscii(text[i + 1]) ? TokenCodec.PartsPerUnit : 1;
        return parts;
    }
}
