using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace RecursiveMas.Tokenization;

/// <summary>
/// GPT-2's original pair of files, <c>vocab.json</c> (token to id) and <c>merges.txt</c> (one "left right"
/// merge per line after a "#version" header), as older checkpoints and slow tokenizers ship them.
/// </summary>
internal static class VocabMergesReader
{
    /// <param name="vocabPath">vocab.json.</param>
    /// <param name="mergesPath">merges.txt.</param>
    /// <param name="pattern">The pre-tokenizer pattern (GPT-2's unless the config names Qwen2's tokenizer class).</param>
    /// <param name="addedTokens">Added tokens from the configs, isolated by the library's own pre-tokenizer too.</param>
    public static LoadedTokenizerModel Read(string vocabPath, string mergesPath, string pattern, IReadOnlyList<AddedToken> addedTokens)
    {
        var vocabulary = ReadVocabulary(vocabPath);
        var merges = ReadMerges(mergesPath, vocabulary);
        var matcher = new AddedTokenMatcher(addedTokens.Select(t => (t.Content, t.Id)));
        var preTokenizer = new RegexSplitPreTokenizer([PreTokenizerPatterns.Compile(pattern)], matcher);
        var options = new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = true,
            PreTokenizer = preTokenizer,
            SpecialTokens = addedTokens.GroupBy(t => t.Content).ToDictionary(g => g.Key, g => g.First().Id),
        };
        BpeTokenizer inner;
        try
        {
            inner = BpeTokenizer.Create(options);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            throw new ModelFileException(mergesPath, null, $"Microsoft.ML.Tokenizers rejected the BPE model: {e.Message}", e);
        }
        var codec = new ByteLevelBpeCodec(inner, vocabulary, preTokenizer, normalizer: null, addPrefixSpace: false, ignoreMerges: false);
        return new LoadedTokenizerModel(codec, vocabPath, []);
    }

    static Dictionary<string, int> ReadVocabulary(string path)
    {
        using var document = JsonFile.Parse(path);
        var root = JsonFile.ExpectObject(path, document.RootElement, "(root)");
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in root.EnumerateObject())
        {
            string field = $"[\"{entry.Name}\"]";
            if (!vocabulary.TryAdd(entry.Name, JsonFile.ExpectId(path, entry.Value, field)))
                throw new ModelFileException(path, field, "appears twice");
        }
        if (vocabulary.Count == 0)
            throw new ModelFileException(path, null, "holds no tokens");
        return vocabulary;
    }

    static List<string> ReadMerges(string path, Dictionary<string, int> vocabulary)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException(path, null, $"cannot be read: {e.Message}", e);
        }
        var merges = new List<string>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            // The header is a comment; the library would otherwise try to merge "#version:" with "0.2".
            if (line.Length == 0 || (i == 0 && line.StartsWith("#version", StringComparison.Ordinal)))
                continue;
            string field = $"line {i + 1}";
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new ModelFileException(path, field, $"must be two tokens separated by one space, not \"{line}\"");
            foreach (var part in new[] { parts[0], parts[1], parts[0] + parts[1] })
                if (!vocabulary.ContainsKey(part))
                    throw new ModelFileException(path, field, $"token \"{part}\" is not in vocab.json");
            merges.Add(line);
        }
        return merges;
    }
}
