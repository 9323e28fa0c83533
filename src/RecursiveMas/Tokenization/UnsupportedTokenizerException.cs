namespace RecursiveMas.Tokenization;

/// <summary>
/// A well-formed tokenizer file of a kind this library does not implement (a WordPiece or Unigram
/// <c>tokenizer.json</c>, a Metaspace pre-tokenizer). Unlike a malformed file, this lets
/// <see cref="ModelTokenizer.Load"/> fall back to another file in the directory: Mistral ships a
/// SentencePiece-style <c>tokenizer.json</c> next to a <c>tokenizer.model</c> that does load.
/// </summary>
internal sealed class UnsupportedTokenizerException(string filePath, string? item, string detail)
    : ModelFileException(filePath, item, detail);
