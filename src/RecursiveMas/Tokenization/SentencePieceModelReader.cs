using Microsoft.ML.Tokenizers;

namespace RecursiveMas.Tokenization;

/// <summary>A SentencePiece <c>tokenizer.model</c> protobuf (Llama 2, Mistral).</summary>
internal static class SentencePieceModelReader
{
    /// <param name="path">tokenizer.model.</param>
    /// <param name="legacy">Hugging Face's <c>legacy</c> flag from tokenizer_config.json (default true).</param>
    public static LoadedTokenizerModel Read(string path, bool legacy)
    {
        SentencePieceTokenizer inner;
        byte[]? charsMap;
        try
        {
            byte[] model = File.ReadAllBytes(path);
            // BOS is added by ModelTokenizer.Encode(addBos) so that every format behaves alike.
            inner = SentencePieceTokenizer.Create(new MemoryStream(model, writable: false), addBeginningOfSentence: false, addEndOfSentence: false);
            charsMap = SentencePieceNormalizerRules.CharsMap(model);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException(path, null, $"cannot be read: {e.Message}", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Google.Protobuf reports a corrupt file as InvalidProtocolBufferException; the library throws
            // ArgumentException for model types it lacks. Either way the file is the problem.
            throw new ModelFileException(path, null, $"is not a SentencePiece model Microsoft.ML.Tokenizers can load: {e.Message}", e);
        }
        PrecompiledCharsMap? map;
        try
        {
            map = charsMap is null ? null : PrecompiledCharsMap.Read(charsMap);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(path, SentencePieceNormalizerRules.CharsMapField, e.Message, e);
        }
        var codec = new SentencePieceCodec(inner, legacy, map);
        return new LoadedTokenizerModel(codec, path, [], codec.DefaultUnknownToken);
    }
}
