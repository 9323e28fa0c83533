namespace RecursiveMas.Tokenization;

/// <summary>A byte-level BPE learned by <see cref="ByteLevelBpeTrainer"/>.</summary>
/// <param name="Vocabulary">Byte-level token spellings to ids: special tokens first, then the 256 bytes, then learned tokens.</param>
/// <param name="Merges">The merges in the order they were learned (their priority).</param>
/// <param name="AddedTokens">The special tokens, which are also in <paramref name="Vocabulary"/>.</param>
/// <param name="SplitPattern">The pre-tokenization pattern it was learned with when not GPT-2's (written as a Split step before ByteLevel).</param>
public sealed record TrainedByteLevelBpe(
    IReadOnlyDictionary<string, int> Vocabulary,
    IReadOnlyList<(string Left, string Right)> Merges,
    IReadOnlyList<AddedToken> AddedTokens,
    string? SplitPattern = null)
{
    /// <summary>Writes it as a Hugging Face tokenizer.json (see <see cref="ByteLevelBpeTokenizerJson.Write"/>).</summary>
    public void WriteTokenizerJson(string path) => ByteLevelBpeTokenizerJson.Write(path, Vocabulary, Merges, AddedTokens, SplitPattern);
}
