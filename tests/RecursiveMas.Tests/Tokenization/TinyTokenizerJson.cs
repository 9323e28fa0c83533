using System.Text.Json.Nodes;

namespace RecursiveMas.Tests.Tokenization;

/// <summary>
/// A small hand-written Hugging Face tokenizer.json in Qwen's layout: ids 0..255 are the 256 byte-level
/// symbols (id = byte value, so expected ids are easy to write), then a few merged tokens, then added
/// tokens. Merges come in both spellings: "a b" strings and [a, b] pairs.
/// </summary>
internal static class TinyTokenizerJson
{
    public const int Hello = 264, World = 260, Twelve = 265, Xyz = 266;
    public const int EndOfText = 300, ImStart = 301, ImEnd = 302, Think = 303, EndThink = 304;
    public const string QwenSplit = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <param name="preTokenizer">The pre_tokenizer node; null means Qwen's Split + ByteLevel.</param>
    /// <param name="ignoreMerges">model.ignore_merges.</param>
    public static JsonObject Create(JsonNode? preTokenizer = null, bool ignoreMerges = false)
    {
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++)
            vocab[ByteChar(b).ToString()] = b;
        string[] merged = ["Ġw", "or", "Ġwor", "ld", "Ġworld", "he", "ll", "hell", "hello", "12", "Ġxyz"];
        for (int i = 0; i < merged.Length; i++)
            vocab[merged[i]] = 256 + i;
        var merges = new JsonArray(
            "Ġ w", "o r", "Ġw or",
            new JsonArray("l", "d"), new JsonArray("Ġwor", "ld"), new JsonArray("h", "e"),
            "l l", new JsonArray("he", "ll"), "hell o", new JsonArray("1", "2"));
        // "Ġxyz" has no merge: only ignore_merges can produce it.
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(
                Added(EndOfText, "<|endoftext|>", true), Added(ImStart, "<|im_start|>", true), Added(ImEnd, "<|im_end|>", true),
                Added(Think, "<think>", false), Added(EndThink, "</think>", false)),
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = preTokenizer ?? new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = QwenSplit }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
            },
            ["post_processor"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = "",
                ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = ignoreMerges,
                ["vocab"] = vocab,
                ["merges"] = merges,
            },
        };
    }

    /// <summary>The GPT-2 style pre-tokenizer: ByteLevel alone, splitting with GPT-2's pattern.</summary>
    public static JsonObject Gpt2PreTokenizer() =>
        new() { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };

    public static void Write(TempDirectory directory, JsonObject tokenizer) =>
        directory.Write("tokenizer.json", tokenizer.ToJsonString());

    static JsonObject Added(int id, string content, bool special) => new()
    {
        ["id"] = id,
        ["content"] = content,
        ["single_word"] = false,
        ["lstrip"] = false,
        ["rstrip"] = false,
        ["normalized"] = false,
        ["special"] = special,
    };

    /// <summary>GPT-2's byte-to-character table.</summary>
    public static char ByteChar(int b)
    {
        int next = 0;
        for (int x = 0; x < 256; x++)
        {
            bool printable = (x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF);
            if (x == b)
                return printable ? (char)x : (char)(256 + next);
            if (!printable)
                next++;
        }
        throw new ArgumentOutOfRangeException(nameof(b));
    }
}
