namespace RecursiveMas.Tokenization;

/// <summary>What one tokenizer file yields before the configs around it are applied.</summary>
/// <param name="Codec">Encoding and decoding of ordinary text.</param>
/// <param name="File">The file it came from, for error messages.</param>
/// <param name="AddedTokens">Added tokens the file declares.</param>
/// <param name="UnknownToken">The file's unknown token, if any.</param>
/// <param name="PostProcessorBosToken">The token a tokenizer.json post-processor puts first (Llama 3's BOS), if any.</param>
internal sealed record LoadedTokenizerModel(
    TokenCodec Codec,
    string File,
    IReadOnlyList<AddedToken> AddedTokens,
    string? UnknownToken = null,
    string? PostProcessorBosToken = null);
