using System.Text.Json;

namespace RecursiveMas.Server.OpenAi;

/// <summary>
/// What a caller attaches to a chat completion for its own bookkeeping: <c>user</c> and its successor
/// <c>safety_identifier</c> (its end user's id), <c>prompt_cache_key</c> (a hint for OpenAI's prompt cache) and
/// <c>metadata</c> (tags for OpenAI's stored completions). A system has no use for either and nothing reads them, but
/// one of the wrong shape is refused as OpenAI refuses it (400 naming the field), so a client's bug shows here, not
/// only once it talks to OpenAI.
/// </summary>
internal static class CallerFields
{
    // OpenAI's documented limits for metadata: "16 key-value pairs … Keys are strings with a maximum length of 64
    // characters. Values are strings with a maximum length of 512 characters."
    const int MaxMetadataPairs = 16;
    const int MaxMetadataKeyLength = 64;
    const int MaxMetadataValueLength = 512;

    // "The IDs should be a string that uniquely identifies each user, with a maximum length of 64 characters."
    const int MaxSafetyIdentifierLength = 64;

    /// <summary>Throws an <see cref="ApiError"/> naming the field (<c>user</c>, <c>metadata</c>, <c>metadata.KEY</c>, …) when one is malformed.</summary>
    public static void Check(JsonElement root)
    {
        CheckString(root, "user", "an id for the end user", maxCharacters: null);
        CheckString(root, "safety_identifier", "an id for the end user", MaxSafetyIdentifierLength);
        CheckString(root, "prompt_cache_key", "a key for requests that share a prompt", maxCharacters: null);
        if (!root.TryGetProperty("metadata", out var metadata) || metadata.ValueKind == JsonValueKind.Null)
            return;
        if (metadata.ValueKind != JsonValueKind.Object)
            throw ApiError.Invalid("metadata", "metadata must be an object of string values such as {\"team\": \"math\"}");
        int pairs = 0;
        foreach (var pair in metadata.EnumerateObject())
        {
            if (++pairs > MaxMetadataPairs)
                throw ApiError.Invalid("metadata", $"metadata holds at most {MaxMetadataPairs} key-value pairs (OpenAI's limit)");
            string key = Key(pair);
            // A key too long to be one is not made a field name: it is echoed cut, in the message.
            if (Characters(key) > MaxMetadataKeyLength)
                throw ApiError.Invalid("metadata", $"metadata keys are at most {MaxMetadataKeyLength} characters (OpenAI's limit): {ChatCompletionRequest.Quoted(key)} is longer");
            string at = $"metadata.{key}";
            if (pair.Value.ValueKind != JsonValueKind.String)
                throw ApiError.Invalid(at, $"{at} must be a string: metadata values are strings");
            if (Characters(ChatCompletionRequest.Text(pair.Value, at)) > MaxMetadataValueLength)
                throw ApiError.Invalid(at, $"{at} is longer than {MaxMetadataValueLength} characters (OpenAI's limit for a metadata value)");
        }
    }

    /// <summary>A string field, absent or null, or text of at most <paramref name="maxCharacters"/> (OpenAI's limit, where it sets one).</summary>
    static void CheckString(JsonElement root, string name, string what, int? maxCharacters)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return;
        if (value.ValueKind != JsonValueKind.String)
            throw ApiError.Invalid(name, $"{name} must be a string: {what}");
        if (Characters(ChatCompletionRequest.Text(value, name)) > maxCharacters)
            throw ApiError.Invalid(name, $"{name} is longer than {maxCharacters} characters (OpenAI's limit)");
    }

    /// <summary>A key as .NET text; like a value, one that escapes a lone UTF-16 surrogate is no text at all (not a 500).</summary>
    static string Key(JsonProperty pair)
    {
        try
        {
            return pair.Name;
        }
        catch (InvalidOperationException)
        {
            throw ApiError.Invalid("metadata", "a metadata key is not valid Unicode text: it holds a lone UTF-16 surrogate or bytes that are not UTF-8");
        }
    }

    /// <summary>Characters as a person counts them (Unicode scalar values): an emoji is one, not two UTF-16 units.</summary>
    static int Characters(string text) => text.EnumerateRunes().Count();
}
