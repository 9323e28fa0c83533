using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace RecursiveMas.Server.OpenAi;

/// <summary>
/// The body of <c>POST /v1/chat/completions</c>, read the way OpenAI reads it: <c>model</c>,
/// <c>messages</c> (string content or text parts), <c>stream</c>, <c>stream_options.include_usage</c>,
/// <c>max_tokens</c>/<c>max_completion_tokens</c>, <c>temperature</c>, <c>top_p</c>, <c>seed</c>, <c>n</c>
/// (1 only), <c>stop</c>; plus RecursiveMas's <c>rounds</c>, <c>latent_steps</c> and <c>stream_events</c>
/// (step events on the SSE stream). Fields it does not know are ignored, as SDKs send extras.
/// Every wrong field is an <see cref="ApiError"/> that names it.
/// </summary>
public sealed record ChatCompletionRequest(
    string? Model,
    IReadOnlyList<ChatMessage> Messages,
    ChatOptions Options,
    bool Stream,
    bool IncludeUsage,
    bool StreamEvents)
{
    public static ChatCompletionRequest Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new ApiError(400, $"the request body is not valid JSON: {e.Message}", code: "invalid_json");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ApiError(400, "the request body must be a JSON object", code: "invalid_json");

            var options = new ChatOptions { AdditionalProperties = [] };
            options.Temperature = Single(root, "temperature");
            options.TopP = Single(root, "top_p");
            options.Seed = Integer(root, "seed");
            long? maxTokens = Integer(root, "max_completion_tokens") ?? Integer(root, "max_tokens");
            if (maxTokens is not null)
                options.MaxOutputTokens = (int)Math.Clamp(maxTokens.Value, int.MinValue, int.MaxValue);
            if (Integer(root, "n") is long n && n != 1)
                throw ApiError.Invalid("n", "n must be 1: a system writes one answer per request");
            if (root.TryGetProperty("stop", out var stop) && stop.ValueKind is not JsonValueKind.Null)
                options.StopSequences = stop.ValueKind == JsonValueKind.String ? [stop.GetString()!]
                    : stop.ValueKind == JsonValueKind.Array ? [.. stop.EnumerateArray().Select(s => s.ToString())]
                    : throw ApiError.Invalid("stop", "stop must be a string or an array of strings");
            if (root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0)
                throw ApiError.Invalid("tools", "tools are not supported: a Deliberation system brings its own tools");
            foreach (string key in new[] { "rounds", "latent_steps" })
                if (Integer(root, key) is long value)
                    options.AdditionalProperties[key] = value;

            bool includeUsage = false;
            if (root.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind == JsonValueKind.Object)
                includeUsage = Boolean(streamOptions, "include_usage", "stream_options.include_usage") ?? false;

            return new ChatCompletionRequest(
                String(root, "model"),
                ReadMessages(root),
                options,
                Boolean(root, "stream") ?? false,
                includeUsage,
                Boolean(root, "stream_events") ?? false);
        }
    }

    static IReadOnlyList<ChatMessage> ReadMessages(JsonElement root)
    {
        if (!root.TryGetProperty("messages", out var messages))
            throw ApiError.Invalid("messages", "messages is required");
        if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            throw ApiError.Invalid("messages", "messages must be a non-empty array");
        var list = new List<ChatMessage>();
        int i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            string at = $"messages[{i++}]";
            if (m.ValueKind != JsonValueKind.Object)
                throw ApiError.Invalid(at, $"{at} must be an object with role and content");
            var role = String(m, "role", $"{at}.role") switch
            {
                "system" or "developer" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                "tool" => ChatRole.Tool,
                null => throw ApiError.Invalid($"{at}.role", $"{at}.role is required"),
                var other => throw ApiError.Invalid($"{at}.role", $"{at}.role must be system, developer, user, assistant or tool, not \"{other}\""),
            };
            list.Add(new ChatMessage(role, Content(m, $"{at}.content")));
        }
        return list;
    }

    /// <summary>String content, null (an assistant turn that only called tools), or text parts joined.</summary>
    static string Content(JsonElement message, string at)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
            return "";
        if (content.ValueKind == JsonValueKind.String)
            return Text(content, at);
        if (content.ValueKind != JsonValueKind.Array)
            throw ApiError.Invalid(at, $"{at} must be a string or an array of content parts");
        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || String(part, "type", at) != "text")
                throw ApiError.Invalid(at, $"{at}: only text parts ({{\"type\": \"text\", \"text\": ...}}) are supported");
            text.Append(String(part, "text", at));
        }
        return text.ToString();
    }

    static string? String(JsonElement e, string name, string? param = null) =>
        !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? Text(v, param ?? name)
        : throw ApiError.Invalid(param ?? name, $"{param ?? name} must be a string");

    /// <summary>A JSON string as .NET text; one that escapes a lone UTF-16 surrogate ("\ud800") is no text at all.</summary>
    static string Text(JsonElement value, string param)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw ApiError.Invalid(param, $"{param} is not valid Unicode text: it holds a lone UTF-16 surrogate");
        }
    }

    static bool? Boolean(JsonElement e, string name, string? param = null) =>
        !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
        : throw ApiError.Invalid(param ?? name, $"{param ?? name} must be true or false");

    /// <summary>A number that fits a float (what <see cref="ChatOptions"/> holds): 1e400 or 1e39 is out of range, not infinity.</summary>
    static float? Single(JsonElement e, string name) =>
        !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind != JsonValueKind.Number ? throw ApiError.Invalid(name, $"{name} must be a number")
        : v.TryGetDouble(out double value) && float.IsFinite((float)value) ? (float)value
        : throw ApiError.Invalid(name, $"{name} is out of range: {v.GetRawText()} is not a finite number");

    static long? Integer(JsonElement e, string name) =>
        !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long value) ? value
        : throw ApiError.Invalid(name, $"{name} must be an integer");
}
