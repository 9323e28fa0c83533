using System.Text.Json;
using RecursiveMas.IO;

namespace RecursiveMas.Tokenization;

/// <summary>
/// Reading Hugging Face JSON files with errors that name the file and the field (as a dotted path such
/// as <c>model.merges[12]</c>), so that a broken download can be fixed without a debugger.
/// </summary>
internal static class JsonFile
{
    /// <summary>
    /// The most <see cref="Parse"/> reads: a tokenizer.json of a 256k vocabulary is ≈ 33 MB, so this is only the
    /// bound that stops a path that is not a file of this kind (a device, a pipe that never ends).
    /// </summary>
    public const long MaxParsedBytes = 1L << 30;

    /// <summary>Parses <paramref name="path"/>; a missing file, bytes that are not UTF-8 or invalid JSON is a <see cref="ModelFileException"/>.</summary>
    public static JsonDocument Parse(string path)
    {
        byte[] bytes = FileBytes.Read(path, MaxParsedBytes);
        Utf8Text.Validate(path, bytes);
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, null, $"is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The text of a small file (config.json, SYSTEM.json), refused before it is read when it is larger than <paramref name="maxBytes"/>.</summary>
    public static string ReadSmall(string path, long maxBytes)
    {
        return Utf8Text.Decode(path, FileBytes.Read(path, maxBytes));
    }

    /// <summary>
    /// Throws <see cref="ModelFileException"/> naming (as a dotted path) the first key that appears twice in
    /// one object: JSON readers disagree on which one wins, so such a file means different things to different tools.
    /// </summary>
    public static void RejectDuplicateKeys(string path, string json, JsonDocumentOptions options = default)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, options);
        }
        catch (JsonException)
        {
            return; // not JSON at all: the reader says so, with its own message
        }
        using (document)
            if (DuplicateJsonKeys.Find(document.RootElement) is { } field)
                throw new ModelFileException(path, field, DuplicateJsonKeys.Reason);
    }

    /// <summary>The property, or null when it is absent or JSON null.</summary>
    public static JsonElement? Optional(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    /// <summary>The property, which must be present and not null.</summary>
    public static JsonElement Required(string path, JsonElement obj, string name, string field) =>
        Optional(obj, name) ?? throw new ModelFileException(path, field, "is missing");

    /// <summary>Requires <paramref name="value"/> to be an object.</summary>
    public static JsonElement ExpectObject(string path, JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.Object ? value : throw WrongKind(path, field, "an object", value);

    /// <summary>Requires <paramref name="value"/> to be an array.</summary>
    public static JsonElement ExpectArray(string path, JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.Array ? value : throw WrongKind(path, field, "an array", value);

    /// <summary>Requires <paramref name="value"/> to be a string.</summary>
    public static string ExpectString(string path, JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw WrongKind(path, field, "a string", value);

    /// <summary>Requires <paramref name="value"/> to be a non-negative 32-bit integer (a token id).</summary>
    public static int ExpectId(string path, JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int id) && id >= 0
            ? id
            : throw new ModelFileException(path, field, $"must be a non-negative integer token id, not {Describe(value)}");

    /// <summary>Requires <paramref name="value"/> to be true or false.</summary>
    public static bool ExpectBool(string path, JsonElement value, string field) =>
        value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongKind(path, field, "true or false", value),
        };

    /// <summary>An optional string property.</summary>
    public static string? OptionalString(string path, JsonElement obj, string name, string field) =>
        Optional(obj, name) is { } value ? ExpectString(path, value, field) : null;

    /// <summary>An optional boolean property.</summary>
    public static bool? OptionalBool(string path, JsonElement obj, string name, string field) =>
        Optional(obj, name) is { } value ? ExpectBool(path, value, field) : null;

    /// <summary>
    /// A token id or list of them (Llama 3.1's <c>eos_token_id: [128001, 128008, 128009]</c>); empty when absent.
    /// </summary>
    public static IReadOnlyList<int> OptionalIds(string path, JsonElement obj, string name, string field)
    {
        if (Optional(obj, name) is not { } value)
            return [];
        if (value.ValueKind != JsonValueKind.Array)
            return [ExpectId(path, value, field)];
        var ids = new List<int>();
        int i = 0;
        foreach (var item in value.EnumerateArray())
            ids.Add(ExpectId(path, item, $"{field}[{i++}]"));
        return ids;
    }

    static ModelFileException WrongKind(string path, string field, string expected, JsonElement value) =>
        new(path, field, $"must be {expected}, not {Describe(value)}");

    static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => "null",
    };

    static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
