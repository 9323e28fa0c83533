using System.Text.Encodings.Web;
using System.Text.Json;
using RecursiveMas.IO;

namespace RecursiveMas.Tokenization;

/// <summary>
/// Writes a Hugging Face <c>tokenizer.json</c> for a byte-level BPE (GPT-2 layout: ByteLevel
/// pre-tokenizer with GPT-2's pattern, ByteLevel decoder, model type BPE), so that our own small models
/// ship the same format as the real ones and load through <see cref="ModelTokenizer.Load"/> (and in
/// Python's tokenizers).
/// </summary>
public static class ByteLevelBpeTokenizerJson
{
    /// <summary>
    /// Writes the file atomically (<see cref="AtomicFile"/>: a temporary beside <paramref name="path"/>, flushed,
    /// renamed over it), so a crash never leaves a half-written tokenizer that a later run would load. The output depends
    /// only on the arguments (vocabulary ordered by id, merges in order), byte for byte.
    /// </summary>
    /// <param name="path">The tokenizer.json to write.</param>
    /// <param name="vocab">Byte-level token spellings (see GPT-2's byte-to-character table) to ids.</param>
    /// <param name="merges">Merges in priority order; both parts and their concatenation must be in <paramref name="vocab"/>.</param>
    /// <param name="addedTokens">Added tokens; an id may also be in <paramref name="vocab"/> only with the same spelling.</param>
    /// <param name="splitPattern">
    /// A pre-tokenization regex other than GPT-2's: written as a <c>Sequence</c> of an isolating <c>Split</c>
    /// and a ByteLevel step without its own regex (how Qwen2 and Llama 3 files spell theirs); null = GPT-2's.
    /// </param>
    /// <exception cref="ArgumentException">The vocabulary, merges or added tokens are inconsistent.</exception>
    public static void Write(string path, IReadOnlyDictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges,
        IReadOnlyList<AddedToken> addedTokens, string? splitPattern = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(vocab);
        ArgumentNullException.ThrowIfNull(merges);
        ArgumentNullException.ThrowIfNull(addedTokens);
        Validate(vocab, merges, addedTokens);

        AtomicFile.Write(path, stream => WriteJson(stream, vocab, merges, addedTokens, splitPattern));
    }

    static void Validate(IReadOnlyDictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges,
        IReadOnlyList<AddedToken> addedTokens)
    {
        var tokensById = new Dictionary<int, string>();
        foreach (var (token, id) in vocab)
        {
            if (string.IsNullOrEmpty(token))
                throw new ArgumentException("The vocabulary holds an empty token.", nameof(vocab));
            if (id < 0)
                throw new ArgumentException($"Token \"{token}\" has negative id {id}.", nameof(vocab));
            if (!tokensById.TryAdd(id, token))
                throw new ArgumentException($"Tokens \"{tokensById[id]}\" and \"{token}\" share id {id}.", nameof(vocab));
        }
        for (int i = 0; i < merges.Count; i++)
        {
            var (left, right) = merges[i];
            foreach (var part in new[] { left, right, left + right })
                if (string.IsNullOrEmpty(part) || !vocab.ContainsKey(part))
                    throw new ArgumentException($"Merge {i} (\"{left}\", \"{right}\") uses \"{part}\", which is not in the vocabulary.", nameof(merges));
        }
        var addedIds = new HashSet<int>();
        foreach (var token in addedTokens)
        {
            if (token is null || string.IsNullOrEmpty(token.Content) || token.Id < 0)
                throw new ArgumentException("Added tokens need content and a non-negative id.", nameof(addedTokens));
            if (!addedIds.Add(token.Id))
                throw new ArgumentException($"Two added tokens share id {token.Id}.", nameof(addedTokens));
            if (tokensById.TryGetValue(token.Id, out var existing) && existing != token.Content)
                throw new ArgumentException($"Added token \"{token.Content}\" reuses the id of vocabulary entry \"{existing}\".", nameof(addedTokens));
        }
    }

    static void WriteJson(Stream stream, IReadOnlyDictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges,
        IReadOnlyList<AddedToken> addedTokens, string? splitPattern)
    {
        // Relaxed escaping writes 'Ġ' and CJK as UTF-8, as Hugging Face does, instead of \uXXXX escapes.
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        json.WriteNull("truncation");
        json.WriteNull("padding");
        json.WriteStartArray("added_tokens");
        foreach (var token in addedTokens.OrderBy(t => t.Id))
        {
            json.WriteStartObject();
            json.WriteNumber("id", token.Id);
            json.WriteString("content", token.Content);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("rstrip", false);
            json.WriteBoolean("normalized", false);
            json.WriteBoolean("special", token.Special);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNull("normalizer");
        if (splitPattern is null)
        {
            WriteByteLevel(json, "pre_tokenizer", addPrefixSpace: false, trimOffsets: true);
        }
        else
        {
            json.WriteStartObject("pre_tokenizer");
            json.WriteString("type", "Sequence");
            json.WriteStartArray("pretokenizers");
            json.WriteStartObject();
            json.WriteString("type", "Split");
            json.WriteStartObject("pattern");
            json.WriteString("Regex", splitPattern);
            json.WriteEndObject();
            json.WriteString("behavior", "Isolated");
            json.WriteBoolean("invert", false);
            json.WriteEndObject();
            WriteByteLevel(json, null, addPrefixSpace: false, trimOffsets: true, useRegex: false);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        WriteByteLevel(json, "post_processor", addPrefixSpace: true, trimOffsets: false);
        WriteByteLevel(json, "decoder", addPrefixSpace: true, trimOffsets: true);
        json.WriteStartObject("model");
        json.WriteString("type", "BPE");
        json.WriteNull("dropout");
        json.WriteNull("unk_token");
        json.WriteNull("continuing_subword_prefix");
        json.WriteNull("end_of_word_suffix");
        json.WriteBoolean("fuse_unk", false);
        json.WriteBoolean("byte_fallback", false);
        json.WriteBoolean("ignore_merges", false);
        json.WriteStartObject("vocab");
        foreach (var (token, id) in vocab.OrderBy(kv => kv.Value))
            json.WriteNumber(token, id);
        json.WriteEndObject();
        // The [left, right] form: unambiguous whatever the tokens hold, and what tokenizers >= 0.20 write.
        json.WriteStartArray("merges");
        foreach (var (left, right) in merges)
        {
            json.WriteStartArray();
            json.WriteStringValue(left);
            json.WriteStringValue(right);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>GPT-2's ByteLevel settings; add_prefix_space only matters to the decoder and post-processor offsets.</summary>
    static void WriteByteLevel(Utf8JsonWriter json, string? name, bool addPrefixSpace, bool trimOffsets, bool useRegex = true)
    {
        if (name is null)
            json.WriteStartObject();
        else
            json.WriteStartObject(name);
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", addPrefixSpace);
        json.WriteBoolean("trim_offsets", trimOffsets);
        json.WriteBoolean("use_regex", useRegex);
        json.WriteEndObject();
    }
}
