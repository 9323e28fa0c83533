using System.Text.Json;

namespace RecursiveMas.Tokenization;

/// <summary>
/// What <c>tokenizer_config.json</c> says about special tokens and chat formatting. A token key that is
/// present but null ("bos_token": null, as Qwen writes) is recorded as deliberately absent, which is
/// different from a missing key: Qwen's config.json still names a bos_token_id that must not be used.
/// </summary>
internal sealed class TokenizerConfig
{
    /// <summary>Special-token keys read from the file; a key maps to null when the file sets it to null.</summary>
    public Dictionary<string, string?> Tokens { get; } = new(StringComparer.Ordinal);

    /// <summary><c>add_bos_token</c>, when given.</summary>
    public bool? AddBosToken { get; private set; }

    /// <summary><c>legacy</c> (SentencePiece dummy-prefix behaviour), when given.</summary>
    public bool? Legacy { get; private set; }

    /// <summary>The Jinja chat template, when given.</summary>
    public string? ChatTemplate { get; private set; }

    /// <summary><c>tokenizer_class</c>, when given (e.g. "Qwen2Tokenizer").</summary>
    public string? TokenizerClass { get; private set; }

    /// <summary><c>added_tokens_decoder</c> entries.</summary>
    public List<AddedToken> AddedTokens { get; } = [];

    public static readonly string[] TokenKeys = ["bos_token", "eos_token", "pad_token", "unk_token"];

    /// <summary>Reads <paramref name="path"/>; an absent file yields an empty config.</summary>
    public static TokenizerConfig Read(string path)
    {
        var config = new TokenizerConfig();
        if (!File.Exists(path))
            return config;
        using var document = JsonFile.Parse(path);
        var root = JsonFile.ExpectObject(path, document.RootElement, "(root)");
        foreach (var key in TokenKeys)
            if (root.TryGetProperty(key, out var value))
                config.Tokens[key] = ReadTokenText(path, value, key);
        config.AddBosToken = JsonFile.OptionalBool(path, root, "add_bos_token", "add_bos_token");
        config.Legacy = JsonFile.OptionalBool(path, root, "legacy", "legacy");
        config.TokenizerClass = JsonFile.OptionalString(path, root, "tokenizer_class", "tokenizer_class");
        if (JsonFile.Optional(root, "chat_template") is { } template)
            config.ChatTemplate = ReadChatTemplate(path, template, "chat_template");
        if (JsonFile.Optional(root, "added_tokens_decoder") is { } decoder)
        {
            JsonFile.ExpectObject(path, decoder, "added_tokens_decoder");
            foreach (var entry in decoder.EnumerateObject())
            {
                string field = $"added_tokens_decoder[\"{entry.Name}\"]";
                if (!int.TryParse(entry.Name, out int id) || id < 0)
                    throw new ModelFileException(path, field, "key must be a non-negative integer token id");
                JsonFile.ExpectObject(path, entry.Value, field);
                string content = JsonFile.ExpectString(path, JsonFile.Required(path, entry.Value, "content", field + ".content"), field + ".content");
                if (content.Length == 0)
                    throw new ModelFileException(path, field + ".content", "is empty");
                bool special = JsonFile.OptionalBool(path, entry.Value, "special", field + ".special") ?? false;
                config.AddedTokens.Add(new AddedToken(id, content, special));
            }
        }
        return config;
    }

    /// <summary>A token written as a plain string or as an AddedToken object {"content": ...}.</summary>
    static string? ReadTokenText(string path, JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object => JsonFile.ExpectString(path, JsonFile.Required(path, value, "content", field + ".content"), field + ".content"),
        _ => throw new ModelFileException(path, field, "must be a string, an object with \"content\", or null"),
    };

    /// <summary>
    /// A template string, or the list form [{"name": ..., "template": ...}] (models with tool-use
    /// variants), from which the one named "default" (else the first) is taken.
    /// </summary>
    internal static string ReadChatTemplate(string path, JsonElement value, string field)
    {
        if (value.ValueKind == JsonValueKind.String)
            return value.GetString()!;
        JsonFile.ExpectArray(path, value, field);
        string? first = null;
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            string itemField = $"{field}[{i++}]";
            JsonFile.ExpectObject(path, item, itemField);
            string name = JsonFile.ExpectString(path, JsonFile.Required(path, item, "name", itemField + ".name"), itemField + ".name");
            string template = JsonFile.ExpectString(path, JsonFile.Required(path, item, "template", itemField + ".template"), itemField + ".template");
            if (name == "default")
                return template;
            first ??= template;
        }
        return first ?? throw new ModelFileException(path, field, "is an empty list");
    }
}
