using Google.Protobuf;

namespace RecursiveMas.Tokenization;

/// <summary>
/// Whether a SentencePiece model's normalizer rewrites characters (a precompiled character map such as
/// <c>nmt_nfkc</c>, or normalization rules), read from its <c>normalizer_spec</c>. Microsoft.ML.Tokenizers applies the
/// map but does not say whether there is one, and the answer decides whether a text's length bounds what the
/// normalizer keeps (<see cref="SentencePieceCodec.KeptParts"/>): a map may send any string to any other, or to
/// nothing, while the identity normalizer of Llama 2, Mistral and Gemma only escapes spaces and adds a prefix.
/// </summary>
internal static class SentencePieceNormalizerRules
{
    // sentencepiece_model.proto: ModelProto.normalizer_spec = 3; NormalizerSpec.precompiled_charsmap = 2,
    // NormalizerSpec.normalization_rule_tsv = 6.
    const int NormalizerSpecField = 3, PrecompiledCharsMapField = 2, RuleTsvField = 6;

    /// <summary>
    /// True when the model's normalizer_spec holds a non-empty character map or rule table, false when it holds
    /// neither (or the model has no normalizer_spec). <paramref name="model"/> is a whole tokenizer.model that
    /// Microsoft.ML.Tokenizers has already loaded, so it is well formed.
    /// </summary>
    public static bool RewritesCharacters(byte[] model)
    {
        var input = new CodedInputStream(model);
        bool rewrites = false;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            // A later normalizer_spec merges into an earlier one, as protobuf reads repeated message fields.
            if (WireFormat.GetTagFieldNumber(tag) == NormalizerSpecField && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                rewrites |= SpecRewrites(input.ReadBytes());
            else
                input.SkipLastField();
        }
        return rewrites;
    }

    static bool SpecRewrites(ByteString spec)
    {
        var input = spec.CreateCodedInput();
        bool rewrites = false;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int field = WireFormat.GetTagFieldNumber(tag);
            if ((field == PrecompiledCharsMapField || field == RuleTsvField) && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                rewrites |= !input.ReadBytes().IsEmpty;
            else
                input.SkipLastField();
        }
        return rewrites;
    }
}
