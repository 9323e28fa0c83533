using Google.Protobuf;

namespace RecursiveMas.Tokenization;

/// <summary>
/// The precompiled character map of a SentencePiece model's <c>normalizer_spec</c> (<c>nmt_nfkc</c> and the like),
/// which Microsoft.ML.Tokenizers parses but neither exposes nor applies to text (<see cref="PrecompiledCharsMap"/>).
/// Only the map matters when text is encoded: sentencepiece's normalizer reads nothing else of the rules, and
/// spm_train compiles a <c>normalization_rule_tsv</c> into the map.
/// </summary>
internal static class SentencePieceNormalizerRules
{
    // sentencepiece_model.proto: ModelProto.normalizer_spec = 3; NormalizerSpec.precompiled_charsmap = 2.
    const int NormalizerSpecField = 3, PrecompiledCharsMapField = 2;

    /// <summary>The name of the field, for errors.</summary>
    public const string CharsMapField = "normalizer_spec.precompiled_charsmap";

    /// <summary>
    /// The model's character map, or null when it has none (an empty one is none, as for sentencepiece). <paramref
    /// name="model"/> is a whole tokenizer.model that Microsoft.ML.Tokenizers has already loaded, so it is well formed.
    /// </summary>
    public static byte[]? CharsMap(byte[] model)
    {
        var input = new CodedInputStream(model);
        byte[]? charsMap = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            // A later normalizer_spec merges into an earlier one, as protobuf reads repeated message fields: a map
            // in the later one replaces the earlier map.
            if (WireFormat.GetTagFieldNumber(tag) == NormalizerSpecField && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                charsMap = SpecCharsMap(input.ReadBytes()) ?? charsMap;
            else
                input.SkipLastField();
        }
        return charsMap is { Length: > 0 } ? charsMap : null;
    }

    static byte[]? SpecCharsMap(ByteString spec)
    {
        var input = spec.CreateCodedInput();
        byte[]? charsMap = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == PrecompiledCharsMapField && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                charsMap = input.ReadBytes().ToByteArray();
            else
                input.SkipLastField();
        }
        return charsMap;
    }
}
