using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace RecursiveMas.Tokenization;

/// <summary>
/// A tiktoken rank file: one "base64-token rank" pair per line. The file carries neither the
/// pre-tokenizer pattern nor the special tokens, so the well-known OpenAI encodings are recognised by
/// file name (gpt2, r50k_base, cl100k_base, o200k_base) and take Microsoft.ML.Tokenizers' built-in
/// pattern and specials; any other file (Llama 3's original tokenizer.model) gets Llama 3's pattern and
/// only the special tokens the configs declare. (Config-declared tokens are not passed as extras to a
/// well-known encoding: the library throws on one it already has, and ModelTokenizer handles them anyway.)
/// </summary>
internal static class TiktokenFileReader
{
    /// <summary>Whether <paramref name="path"/> looks like a tiktoken file (for a <c>tokenizer.model</c> of either kind).</summary>
    public static bool LooksLikeTiktoken(string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[256];
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        int end = Array.IndexOf(buffer, (byte)'\n', 0, read);
        string firstLine = Encoding.ASCII.GetString(buffer, 0, end < 0 ? read : end).TrimEnd('\r');
        return Regex.IsMatch(firstLine, @"^[A-Za-z0-9+/]+=* \d+$");
    }

    public static LoadedTokenizerModel Read(string path, IReadOnlyList<AddedToken> addedTokens)
    {
        var ranks = ReadRanks(path);
        string name = Path.GetFileNameWithoutExtension(path).ToLowerInvariant();
        string? knownModel =
            name.StartsWith("gpt2", StringComparison.Ordinal) || name.StartsWith("r50k", StringComparison.Ordinal) ? "gpt2"
            : name.StartsWith("cl100k", StringComparison.Ordinal) ? "gpt-4"
            : name.StartsWith("o200k", StringComparison.Ordinal) ? "gpt-4o"
            : null;
        var specials = addedTokens.GroupBy(t => t.Content).ToDictionary(g => g.Key, g => g.First().Id);
        TiktokenTokenizer inner;
        try
        {
            using var stream = File.OpenRead(path);
            inner = knownModel is not null
                ? TiktokenTokenizer.CreateForModel(knownModel, stream)
                : TiktokenTokenizer.Create(stream,
                    new RegexPreTokenizer(PreTokenizerPatterns.Compile(PreTokenizerPatterns.Llama3), specials),
                    normalizer: null, specialTokens: specials);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not ModelFileException)
        {
            throw new ModelFileException(path, null, $"Microsoft.ML.Tokenizers rejected the tiktoken file: {e.Message}", e);
        }
        return new LoadedTokenizerModel(new TiktokenCodec(inner, ranks), path, []);
    }

    /// <summary>Validates every line here, so a bad one is reported by number rather than by the library.</summary>
    static Dictionary<string, int> ReadRanks(string path)
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
        var ranks = new Dictionary<string, int>(lines.Length, StringComparer.Ordinal);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0)
                continue;
            string field = $"line {i + 1}";
            int space = line.IndexOf(' ');
            byte[] bytes;
            int rank;
            try
            {
                if (space <= 0 || !int.TryParse(line.AsSpan(space + 1), out rank) || rank < 0)
                    throw new FormatException("expected \"base64-token rank\"");
                bytes = Convert.FromBase64String(line[..space]);
            }
            catch (FormatException e)
            {
                throw new ModelFileException(path, field, $"is not a \"base64-token rank\" pair: {e.Message}", e);
            }
            if (!ranks.TryAdd(ByteLevelAlphabet.Encode(bytes), rank))
                throw new ModelFileException(path, field, "repeats a token");
        }
        if (ranks.Count == 0)
            throw new ModelFileException(path, null, "holds no tokens");
        return ranks;
    }
}
