using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace RecursiveMas.Tokenization;

/// <summary>
/// Builds a byte-level BPE from a Hugging Face fast-tokenizer <c>tokenizer.json</c>, the format GPT-2,
/// Llama 3 and Qwen2/2.5/3 ship. Microsoft.ML.Tokenizers 2.0.1 has no loader for this file, so the
/// vocabulary, merges, added tokens, normalizer and pre-tokenizer are read here and handed to
/// <see cref="BpeOptions"/>. Anything that would make the ids differ from Hugging Face's (another model
/// type, another pre-tokenizer, byte fallback) is refused rather than approximated. Added tokens are
/// matched verbatim; their lstrip/rstrip/single_word/normalized flags are not applied, which changes
/// nothing for the supported families (they set them all false) but would for e.g. RoBERTa's &lt;mask&gt;.
/// </summary>
internal static class HfTokenizerJsonReader
{
    public static LoadedTokenizerModel Read(string path)
    {
        using var document = JsonFile.Parse(path);
        var root = JsonFile.ExpectObject(path, document.RootElement, "(root)");
        var model = JsonFile.ExpectObject(path, JsonFile.Required(path, root, "model", "model"), "model");

        string type = JsonFile.OptionalString(path, model, "type", "model.type")
            ?? (JsonFile.Optional(model, "merges") is not null ? "BPE" : throw new ModelFileException(path, "model.type", "is missing"));
        if (type != "BPE")
            throw new UnsupportedTokenizerException(path, "model.type",
                $"model type '{type}' is not supported; only byte-level BPE tokenizers (GPT-2, Llama 3, Qwen) are");
        if (JsonFile.OptionalBool(path, model, "byte_fallback", "model.byte_fallback") == true)
            throw new UnsupportedTokenizerException(path, "model.byte_fallback",
                "BPE with byte fallback (SentencePiece-style, as Llama 2 and Mistral) is not supported from tokenizer.json; load tokenizer.model instead");
        foreach (var affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (JsonFile.OptionalString(path, model, affix, $"model.{affix}") is { Length: > 0 })
                throw new UnsupportedTokenizerException(path, $"model.{affix}", "is not supported for a byte-level BPE");

        var vocabulary = ReadVocabulary(path, model);
        var merges = ReadMerges(path, model, vocabulary);
        var addedTokens = ReadAddedTokens(path, root);
        var normalizer = ReadNormalizer(path, root);
        var (patterns, addPrefixSpace) = ReadPreTokenizer(path, root);
        CheckDecoder(path, root);
        bool ignoreMerges = JsonFile.OptionalBool(path, model, "ignore_merges", "model.ignore_merges") ?? false;
        string? unknown = JsonFile.OptionalString(path, model, "unk_token", "model.unk_token");

        var matcher = new AddedTokenMatcher(addedTokens.Select(t => (t.Content, t.Id)));
        var preTokenizer = new RegexSplitPreTokenizer(patterns, matcher);
        var options = new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = true,
            PreTokenizer = preTokenizer,
            Normalizer = normalizer,
            SpecialTokens = addedTokens.GroupBy(t => t.Content).ToDictionary(g => g.Key, g => g.First().Id),
            UnknownToken = unknown is not null && vocabulary.ContainsKey(unknown) ? unknown : null,
        };
        BpeTokenizer inner;
        try
        {
            inner = BpeTokenizer.Create(options);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            throw new ModelFileException(path, "model", $"Microsoft.ML.Tokenizers rejected the BPE model: {e.Message}", e);
        }
        var codec = new ByteLevelBpeCodec(inner, vocabulary, preTokenizer, normalizer, addPrefixSpace, ignoreMerges);
        return new LoadedTokenizerModel(codec, path, addedTokens, unknown, ReadPostProcessorBos(root));
    }

    static Dictionary<string, int> ReadVocabulary(string path, JsonElement model)
    {
        var element = JsonFile.ExpectObject(path, JsonFile.Required(path, model, "vocab", "model.vocab"), "model.vocab");
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var seenIds = new HashSet<int>();
        foreach (var entry in element.EnumerateObject())
        {
            string field = $"model.vocab[\"{entry.Name}\"]";
            int id = JsonFile.ExpectId(path, entry.Value, field);
            if (!vocabulary.TryAdd(entry.Name, id))
                throw new ModelFileException(path, field, "appears twice");
            if (!seenIds.Add(id))
                throw new ModelFileException(path, field, $"reuses id {id}");
        }
        if (vocabulary.Count == 0)
            throw new ModelFileException(path, "model.vocab", "is empty");
        return vocabulary;
    }

    /// <summary>
    /// Reads merges in both spellings: "a b" strings (tokenizers before 0.20, Llama 3) and [a, b] pairs
    /// (newer files, Qwen3). The library only takes the string form, which is fine for byte-level BPE:
    /// its tokens never hold a literal space, since space is spelled 'Ġ'.
    /// </summary>
    static List<string> ReadMerges(string path, JsonElement model, Dictionary<string, int> vocabulary)
    {
        var element = JsonFile.ExpectArray(path, JsonFile.Required(path, model, "merges", "model.merges"), "model.merges");
        var merges = new List<string>(element.GetArrayLength());
        int index = 0;
        foreach (var item in element.EnumerateArray())
        {
            string field = $"model.merges[{index++}]";
            string left, right;
            if (item.ValueKind == JsonValueKind.String)
            {
                string text = item.GetString()!;
                int space = text.IndexOf(' ');
                if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                    throw new ModelFileException(path, field, $"must be two tokens separated by one space, not \"{text}\"");
                left = text[..space];
                right = text[(space + 1)..];
            }
            else if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() == 2)
            {
                left = JsonFile.ExpectString(path, item[0], field + "[0]");
                right = JsonFile.ExpectString(path, item[1], field + "[1]");
                if (left.Contains(' ') || right.Contains(' '))
                    throw new UnsupportedTokenizerException(path, field, "merge tokens containing a space are not supported");
            }
            else
            {
                throw new ModelFileException(path, field, "must be a \"left right\" string or a [left, right] pair");
            }
            foreach (var part in new[] { left, right, left + right })
                if (!vocabulary.ContainsKey(part))
                    throw new ModelFileException(path, field, $"token \"{part}\" is not in model.vocab");
            merges.Add(left + " " + right);
        }
        return merges;
    }

    static List<AddedToken> ReadAddedTokens(string path, JsonElement root)
    {
        var tokens = new List<AddedToken>();
        if (JsonFile.Optional(root, "added_tokens") is not { } element)
            return tokens;
        JsonFile.ExpectArray(path, element, "added_tokens");
        int index = 0;
        foreach (var item in element.EnumerateArray())
        {
            string field = $"added_tokens[{index++}]";
            JsonFile.ExpectObject(path, item, field);
            int id = JsonFile.ExpectId(path, JsonFile.Required(path, item, "id", field + ".id"), field + ".id");
            string content = JsonFile.ExpectString(path, JsonFile.Required(path, item, "content", field + ".content"), field + ".content");
            if (content.Length == 0)
                throw new ModelFileException(path, field + ".content", "is empty");
            bool special = JsonFile.OptionalBool(path, item, "special", field + ".special") ?? false;
            tokens.Add(new AddedToken(id, content, special));
        }
        return tokens;
    }

    static UnicodeNormalizer? ReadNormalizer(string path, JsonElement root)
    {
        if (JsonFile.Optional(root, "normalizer") is not { } element)
            return null;
        var forms = new List<NormalizationForm>();
        CollectNormalizationForms(path, element, "normalizer", forms);
        return forms.Count == 0 ? null : new UnicodeNormalizer(forms);
    }

    static void CollectNormalizationForms(string path, JsonElement element, string field, List<NormalizationForm> forms)
    {
        JsonFile.ExpectObject(path, element, field);
        string type = JsonFile.ExpectString(path, JsonFile.Required(path, element, "type", field + ".type"), field + ".type");
        switch (type)
        {
            case "NFC":
                forms.Add(NormalizationForm.FormC);
                break;
            case "NFD":
                forms.Add(NormalizationForm.FormD);
                break;
            case "NFKC":
                forms.Add(NormalizationForm.FormKC);
                break;
            case "NFKD":
                forms.Add(NormalizationForm.FormKD);
                break;
            case "Sequence":
                var list = JsonFile.ExpectArray(path, JsonFile.Required(path, element, "normalizers", field + ".normalizers"), field + ".normalizers");
                int i = 0;
                foreach (var item in list.EnumerateArray())
                    CollectNormalizationForms(path, item, $"{field}.normalizers[{i++}]", forms);
                break;
            default:
                throw new UnsupportedTokenizerException(path, field + ".type",
                    $"normalizer '{type}' is not supported; only NFC, NFD, NFKC, NFKD and Sequence of them are");
        }
    }

    /// <summary>
    /// Accepts ByteLevel alone, or a Sequence of Isolated Splits followed by ByteLevel (Llama 3, Qwen).
    /// ByteLevel with <c>use_regex</c> (the default) splits by GPT-2's pattern after any earlier Split.
    /// </summary>
    static (List<Regex> Patterns, bool AddPrefixSpace) ReadPreTokenizer(string path, JsonElement root)
    {
        const string field = "pre_tokenizer";
        if (JsonFile.Optional(root, field) is not { } element)
            throw new UnsupportedTokenizerException(path, field, "is missing; a byte-level BPE needs a ByteLevel pre-tokenizer");
        JsonFile.ExpectObject(path, element, field);
        string type = JsonFile.ExpectString(path, JsonFile.Required(path, element, "type", field + ".type"), field + ".type");
        var steps = new List<(JsonElement Step, string Field)>();
        if (type == "Sequence")
        {
            var list = JsonFile.ExpectArray(path, JsonFile.Required(path, element, "pretokenizers", field + ".pretokenizers"), field + ".pretokenizers");
            int i = 0;
            foreach (var item in list.EnumerateArray())
                steps.Add((JsonFile.ExpectObject(path, item, $"{field}.pretokenizers[{i}]"), $"{field}.pretokenizers[{i++}]"));
        }
        else
        {
            steps.Add((element, field));
        }

        var patterns = new List<Regex>();
        bool? addPrefixSpace = null;
        foreach (var (step, stepField) in steps)
        {
            string stepType = JsonFile.ExpectString(path, JsonFile.Required(path, step, "type", stepField + ".type"), stepField + ".type");
            if (addPrefixSpace is not null)
                throw new UnsupportedTokenizerException(path, stepField, $"a '{stepType}' step after ByteLevel is not supported");
            switch (stepType)
            {
                case "Split":
                    patterns.Add(ReadSplit(path, step, stepField));
                    break;
                case "ByteLevel":
                    addPrefixSpace = JsonFile.OptionalBool(path, step, "add_prefix_space", stepField + ".add_prefix_space") ?? false;
                    if (JsonFile.OptionalBool(path, step, "use_regex", stepField + ".use_regex") ?? true)
                        patterns.Add(PreTokenizerPatterns.Compile(PreTokenizerPatterns.Gpt2));
                    break;
                default:
                    throw new UnsupportedTokenizerException(path, stepField + ".type",
                        $"pre-tokenizer '{stepType}' is not supported; only ByteLevel, optionally after Split steps, is");
            }
        }
        if (addPrefixSpace is null)
            throw new UnsupportedTokenizerException(path, field, "has no ByteLevel step; only byte-level BPE tokenizers are supported");
        return (patterns, addPrefixSpace.Value);
    }

    static Regex ReadSplit(string path, JsonElement step, string field)
    {
        string behavior = JsonFile.OptionalString(path, step, "behavior", field + ".behavior") ?? "Isolated";
        if (behavior != "Isolated")
            throw new UnsupportedTokenizerException(path, field + ".behavior", $"Split behavior '{behavior}' is not supported; only Isolated is");
        if (JsonFile.OptionalBool(path, step, "invert", field + ".invert") == true)
            throw new UnsupportedTokenizerException(path, field + ".invert", "an inverted Split is not supported");
        var pattern = JsonFile.ExpectObject(path, JsonFile.Required(path, step, "pattern", field + ".pattern"), field + ".pattern");
        if (JsonFile.OptionalString(path, pattern, "Regex", field + ".pattern.Regex") is { } regex)
        {
            try
            {
                return PreTokenizerPatterns.Compile(regex);
            }
            catch (ArgumentException e)
            {
                throw new ModelFileException(path, field + ".pattern.Regex", $"is not a regular expression .NET accepts: {e.Message}", e);
            }
        }
        if (JsonFile.OptionalString(path, pattern, "String", field + ".pattern.String") is { } literal)
            return PreTokenizerPatterns.Compile(Regex.Escape(literal));
        throw new ModelFileException(path, field + ".pattern", "must hold a \"Regex\" or a \"String\"");
    }

    static void CheckDecoder(string path, JsonElement root)
    {
        if (JsonFile.Optional(root, "decoder") is not { } element)
            return;
        JsonFile.ExpectObject(path, element, "decoder");
        string type = JsonFile.ExpectString(path, JsonFile.Required(path, element, "type", "decoder.type"), "decoder.type");
        if (type != "ByteLevel")
            throw new UnsupportedTokenizerException(path, "decoder.type", $"decoder '{type}' is not supported; only ByteLevel is");
    }

    /// <summary>The special token a TemplateProcessing post-processor puts before the text, if any.</summary>
    static string? ReadPostProcessorBos(JsonElement root)
    {
        if (JsonFile.Optional(root, "post_processor") is not { ValueKind: JsonValueKind.Object } processor)
            return null;
        var candidates = new List<JsonElement> { processor };
        if (JsonFile.Optional(processor, "processors") is { ValueKind: JsonValueKind.Array } list)
            candidates.AddRange(list.EnumerateArray());
        foreach (var candidate in candidates)
        {
            if (candidate.ValueKind != JsonValueKind.Object
                || JsonFile.Optional(candidate, "type") is not { ValueKind: JsonValueKind.String } type
                || type.GetString() != "TemplateProcessing"
                || JsonFile.Optional(candidate, "single") is not { ValueKind: JsonValueKind.Array } single
                || single.GetArrayLength() == 0)
                continue;
            if (JsonFile.Optional(single[0], "SpecialToken") is { ValueKind: JsonValueKind.Object } special
                && JsonFile.Optional(special, "id") is { ValueKind: JsonValueKind.String } id)
                return id.GetString();
        }
        return null;
    }
}
