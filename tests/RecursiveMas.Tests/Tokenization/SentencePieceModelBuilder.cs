using System.Text;

namespace RecursiveMas.Tests.Tokenization;

/// <summary>
/// Writes a SentencePiece ModelProto by hand (protobuf wire format), so tests need neither a real
/// model file nor the protobuf compiler. Fields used (sentencepiece_model.proto): ModelProto.pieces = 1
/// {piece = 1, score = 2, type = 3}, trainer_spec = 2 {model_type = 3, vocab_size = 4, byte_fallback = 35,
/// unk_id = 40, bos_id = 41, eos_id = 42, pad_id = 43}, normalizer_spec = 3 {name = 1, precompiled_charsmap = 2,
/// add_dummy_prefix = 3, remove_extra_whitespaces = 4, escape_whitespaces = 5}.
/// </summary>
internal static class SentencePieceModelBuilder
{
    public const int Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Byte = 6;
    const int Bpe = 2;

    /// <summary>
    /// A BPE model with byte fallback: &lt;unk&gt;=0, &lt;s&gt;=1, &lt;/s&gt;=2, the 256 byte pieces
    /// &lt;0x00&gt;.. at 3..258, then <paramref name="pieces"/> (earlier = higher score = merged first),
    /// then <paramref name="controls"/>. The normalizer is the identity (Llama 2's, Mistral's), dropping extra
    /// whitespace when <paramref name="removeExtraWhitespaces"/>, with <paramref name="charsMap"/> as its precompiled
    /// character map when given.
    /// </summary>
    public static byte[] Build(IReadOnlyList<string> pieces, IReadOnlyList<string> controls, bool removeExtraWhitespaces = false,
        byte[]? charsMap = null)
    {
        var all = new List<(string Piece, float Score, int Type)> { ("<unk>", 0, Unknown), ("<s>", 0, Control), ("</s>", 0, Control) };
        for (int b = 0; b < 256; b++)
            all.Add(($"<0x{b:X2}>", 0, Byte));
        for (int i = 0; i < pieces.Count; i++)
            all.Add((pieces[i], -i, Normal));
        foreach (var control in controls)
            all.Add((control, 0, Control));

        var model = new List<byte>();
        foreach (var (piece, score, type) in all)
        {
            var message = new List<byte>();
            String(message, 1, piece);
            Float(message, 2, score);
            Varint(message, 3, type);
            Bytes(model, 1, message);
        }
        var trainer = new List<byte>();
        Varint(trainer, 3, Bpe);
        Varint(trainer, 4, all.Count);
        Varint(trainer, 35, 1);
        Varint(trainer, 40, 0);
        Varint(trainer, 41, 1);
        Varint(trainer, 42, 2);
        Varint(trainer, 43, -1);
        Bytes(model, 2, trainer);
        var normalizer = new List<byte>();
        String(normalizer, 1, "identity");
        if (charsMap is not null)
            Bytes(normalizer, 2, [.. charsMap]);
        Varint(normalizer, 3, 1);
        Varint(normalizer, 4, removeExtraWhitespaces ? 1 : 0);
        Varint(normalizer, 5, 1);
        Bytes(model, 3, normalizer);
        return [.. model];
    }

    static void Tag(List<byte> output, int field, int wireType) => RawVarint(output, (ulong)((field << 3) | wireType));

    static void RawVarint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }
        output.Add((byte)value);
    }

    static void Varint(List<byte> output, int field, long value)
    {
        Tag(output, field, 0);
        RawVarint(output, unchecked((ulong)value));
    }

    static void Float(List<byte> output, int field, float value)
    {
        Tag(output, field, 5);
        output.AddRange(BitConverter.GetBytes(value));
    }

    static void Bytes(List<byte> output, int field, List<byte> bytes)
    {
        Tag(output, field, 2);
        RawVarint(output, (ulong)bytes.Count);
        output.AddRange(bytes);
    }

    static void String(List<byte> output, int field, string text) => Bytes(output, field, [.. Encoding.UTF8.GetBytes(text)]);
}
