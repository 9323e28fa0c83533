using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using RecursiveMas.IO;

namespace RecursiveMas.Server.OpenAi;

/// <summary>
/// The body of <c>POST /v1/chat/completions</c>, read the way OpenAI reads it: <c>model</c>,
/// <c>messages</c> (string content or text parts), <c>stream</c>, <c>stream_options.include_usage</c>,
/// <c>max_tokens</c>/<c>max_completion_tokens</c>, <c>temperature</c>, <c>top_p</c>, <c>seed</c>, <c>n</c>
/// (1 only), <c>stop</c>; plus RecursiveMas's <c>rounds</c>, <c>latent_steps</c> and <c>stream_events</c>
/// (step events on the SSE stream), and <c>top_k</c> as vLLM reads it; <c>user</c> and <c>metadata</c> are checked, never
/// used (<see cref="CallerFields"/>). Fields it does not know are ignored, as SDKs
/// send extras; fields that ask for what a system cannot give (tools, JSON mode, log-probabilities, stop sequences)
/// are refused rather than silently dropped. Every wrong field is an <see cref="ApiError"/> that names it.
/// </summary>
public sealed record ChatCompletionRequest(
    string? Model,
    IReadOnlyList<ChatMessage> Messages,
    ChatOptions Options,
    bool Stream,
    bool IncludeUsage,
    bool StreamEvents)
{
    /// <summary>The field the token budget was read from (<c>max_completion_tokens</c> wins over <c>max_tokens</c>), for errors.</summary>
    public string BudgetParam { get; init; } = "max_tokens";

    public static ChatCompletionRequest Parse(ReadOnlyMemory<byte> body)
    {
        // RFC 8259 lets a parser accept a UTF-8 byte order mark; JsonDocument does not.
        if (body.Span.StartsWith(Utf8Bom))
            body = body[Utf8Bom.Length..];
        // Said plainly: JsonDocument's words for it are "The input does not contain any JSON tokens … when isFinalBlock is true".
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
            throw new ApiError(400, "the request body is empty: send a JSON object with messages", code: "invalid_json");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            // JSON between systems is UTF-8 (RFC 8259 §8.1; a charset parameter changes nothing). A UTF-16 or UTF-32 body fails
            // at a NUL or a byte order mark, which alone would not tell the client why.
            string hint = LooksLikeUtf16Or32(body.Span) ? " (the body looks like UTF-16 or UTF-32: send it as UTF-8)" : "";
            throw new ApiError(400, $"the request body is not valid JSON{hint}: {e.Message}", code: "invalid_json");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ApiError(400, "the request body must be a JSON object", code: "invalid_json");
            // As the file readers refuse one: which of the two a field read would see is not the same for every reader.
            // The parsed document is walked, so the body is read once, within its limit.
            if (DuplicateJsonKeys.Find(root) is { } twice)
                throw new ApiError(400, $"{Cut(twice)}: {DuplicateJsonKeys.Reason}", Cut(twice), "invalid_json");

            var options = new ChatOptions { AdditionalProperties = [] };
            options.Temperature = Single(root, "temperature");
            options.TopP = Single(root, "top_p");
            options.Seed = Integer(root, "seed");
            // vLLM's top_k: 0 or -1 turns it off (the chat client's rule).
            if (Integer(root, "top_k") is long topK)
                options.TopK = (int)Math.Clamp(topK, int.MinValue, int.MaxValue);
            // Both are read, so a bad one is refused even beside a good one; OpenAI's newer name wins.
            long? maxCompletionTokens = Integer(root, "max_completion_tokens"), maxTokens = Integer(root, "max_tokens");
            if ((maxCompletionTokens ?? maxTokens) is long budget)
                options.MaxOutputTokens = (int)Math.Clamp(budget, int.MinValue, int.MaxValue);
            if (Integer(root, "n") is long n && n != 1)
                throw ApiError.Invalid("n", "n must be 1: a system writes one answer per request");
            if (StopSequences(root) is { Count: > 0 } stops)
                throw Unsupported("stop", "stop sequences are not supported: a system's decoder stops at its end-of-turn token or its token budget");
            RefuseWhatNoSystemGives(root);
            CallerFields.Check(root);
            foreach (string key in new[] { "rounds", "latent_steps" })
                if (Integer(root, key) is long value)
                    options.AdditionalProperties[key] = value;

            bool stream = Boolean(root, "stream") ?? false;
            bool includeUsage = false;
            if (root.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind != JsonValueKind.Null)
            {
                includeUsage = streamOptions.ValueKind == JsonValueKind.Object
                    ? Boolean(streamOptions, "include_usage", "stream_options.include_usage") ?? false
                    : throw ApiError.Invalid("stream_options", "stream_options must be an object such as {\"include_usage\": true}");
                // As OpenAI answers: options of a stream on a request that asks for none are a mistake, not a no-op.
                if (!stream)
                    throw ApiError.Invalid("stream_options", "stream_options is only allowed when stream is true");
            }

            return new ChatCompletionRequest(
                String(root, "model"),
                ReadMessages(root),
                options,
                stream,
                includeUsage,
                Boolean(root, "stream_events") ?? false)
            {
                BudgetParam = maxCompletionTokens is null ? "max_tokens" : "max_completion_tokens",
            };
        }
    }

    static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>A UTF-16/32 byte order mark, or a NUL among the first bytes (JSON text in UTF-8 holds no raw NUL).</summary>
    static bool LooksLikeUtf16Or32(ReadOnlySpan<byte> body) =>
        body.Length >= 2 && (body[0], body[1]) is (0xFF, 0xFE) or (0xFE, 0xFF) || body[..Math.Min(body.Length, 4)].Contains((byte)0);

    /// <summary>A refusal of a field the server reads but cannot honour (OpenAI's <c>unsupported_value</c>).</summary>
    static ApiError Unsupported(string param, string message) => new(400, message, param, "unsupported_value");

    /// <summary><c>stop</c>: null, a string, or an array of strings (each checked as text).</summary>
    static List<string> StopSequences(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null)
            return [];
        if (stop.ValueKind == JsonValueKind.String)
            return [Text(stop, "stop")];
        if (stop.ValueKind != JsonValueKind.Array)
            throw ApiError.Invalid("stop", "stop must be a string or an array of strings");
        var list = new List<string>();
        int i = 0;
        foreach (var item in stop.EnumerateArray())
        {
            string at = $"stop[{i++}]";
            list.Add(item.ValueKind == JsonValueKind.String ? Text(item, at) : throw ApiError.Invalid(at, $"{at} must be a string"));
        }
        return list;
    }

    /// <summary>
    /// OpenAI options that change what the answer must be — tools to call, a JSON format, log-probabilities, penalties and
    /// biases on the tokens drawn — which
    /// a system's decoder does not do: refused, so a client never takes an ordinary answer for what it asked. Their
    /// neutral values (no tools, <c>"auto"</c>/<c>"none"</c> tool choice, a text format, no log-probabilities, no penalty, no
    /// bias) pass.
    /// </summary>
    static void RefuseWhatNoSystemGives(JsonElement root)
    {
        foreach (string key in new[] { "tools", "functions" })
            if (root.TryGetProperty(key, out var list) && list.ValueKind != JsonValueKind.Null)
            {
                if (list.ValueKind != JsonValueKind.Array)
                    throw ApiError.Invalid(key, $"{key} must be an array");
                if (list.GetArrayLength() > 0)
                    throw Unsupported(key, $"{key} are not supported: a Deliberation system brings its own tools");
            }
        foreach (string key in new[] { "tool_choice", "function_call" })
            if (root.TryGetProperty(key, out var choice) && choice.ValueKind != JsonValueKind.Null
                && !(choice.ValueKind == JsonValueKind.String && Text(choice, key) is "auto" or "none"))
                throw Unsupported(key, $"{key} must be \"auto\" or \"none\": no tools are offered");
        if (root.TryGetProperty("response_format", out var format) && format.ValueKind != JsonValueKind.Null)
        {
            if (format.ValueKind != JsonValueKind.Object)
                throw ApiError.Invalid("response_format", "response_format must be an object such as {\"type\": \"text\"}");
            if (String(format, "type", "response_format.type") is { } type && type != "text")
                throw Unsupported("response_format", $"response_format {Quoted(type)} is not supported: a system answers in text");
        }
        if (Boolean(root, "logprobs") == true)
            throw Unsupported("logprobs", "logprobs are not supported: the answer's tokens come from a system, not one model's distribution");
        long? topLogprobs = Integer(root, "top_logprobs");
        if (topLogprobs is < 0 or > 20)
            throw ApiError.Invalid("top_logprobs", $"top_logprobs must be between 0 and 20 (OpenAI's range), not {topLogprobs}");
        if (topLogprobs is > 0)
            throw Unsupported("top_logprobs", "top_logprobs are not supported: the answer's tokens come from a system, not one model's distribution");
        // Penalties and biases change which tokens are drawn; the decoder samples without them, so only their
        // neutral values pass (0; vLLM's repetition_penalty 1; an empty logit_bias).
        foreach (string key in new[] { "frequency_penalty", "presence_penalty" })
            if (Single(root, key) is float penalty && penalty != 0)
                throw Unsupported(key, $"{key} is not supported: a system's decoder samples without penalties (0 is the value it honours)");
        if (Single(root, "repetition_penalty") is float repetition && repetition != 1)
            throw Unsupported("repetition_penalty", "repetition_penalty is not supported: a system's decoder samples without penalties (1 is the value it honours)");
        if (root.TryGetProperty("logit_bias", out var bias) && bias.ValueKind != JsonValueKind.Null)
        {
            if (bias.ValueKind != JsonValueKind.Object)
                throw ApiError.Invalid("logit_bias", "logit_bias must be an object mapping token ids to biases");
            if (bias.EnumerateObject().Any())
                throw Unsupported("logit_bias", "logit_bias is not supported: the answer's tokens come from a system, not one model's distribution");
        }
    }

    /// <summary>Input echoed in an error, cut to a readable length: an error never sends a megabyte back.</summary>
    internal static string Quoted(string text) => "\"" + Cut(text) + "\"";

    /// <summary><paramref name="text"/> cut to 40 chars, as every echo of input is (a key the client sent may be megabytes long).</summary>
    static string Cut(string text) => text.Length <= 40 ? text : text[..40] + "…";

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
                // OpenAI's deprecated "function" role is a tool's answer too; SDKs still type it and replay old histories with it.
                "tool" or "function" => ChatRole.Tool,
                null => throw ApiError.Invalid($"{at}.role", $"{at}.role is required"),
                var other => throw ApiError.Invalid($"{at}.role", $"{at}.role must be system, developer, user, assistant, tool or function, not {Quoted(other)}"),
            };
            list.Add(new ChatMessage(role, Content(m, $"{at}.content", role == ChatRole.Assistant)));
        }
        return list;
    }

    /// <summary>String content, null (an assistant turn that only called tools), or text parts (and an assistant's refusal parts) joined.</summary>
    static string Content(JsonElement message, string at, bool assistant)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
            return "";
        if (content.ValueKind == JsonValueKind.String)
            return Text(content, at);
        if (content.ValueKind != JsonValueKind.Array)
            throw ApiError.Invalid(at, $"{at} must be a string or an array of content parts");
        var text = new StringBuilder();
        int j = 0;
        foreach (var part in content.EnumerateArray())
        {
            // Each part's own path, so an error names the part at fault (content[1].text), not the array around it.
            string partAt = $"{at}[{j++}]";
            if (part.ValueKind != JsonValueKind.Object)
                throw ApiError.Invalid(partAt, $"{partAt} must be a content part object: only text parts ({{\"type\": \"text\", \"text\": ...}}) are supported");
            string? type = String(part, "type", $"{partAt}.type");
            // An assistant turn may hold OpenAI's refusal parts (what the model said when it declined): its text, replayed.
            if (assistant && type == "refusal")
            {
                text.Append(String(part, "refusal", $"{partAt}.refusal"));
                continue;
            }
            if (type != "text")
                throw ApiError.Invalid(partAt, $"{partAt} {(type is null ? "has no type" : $"has type {Quoted(type)}")}: only text parts ({{\"type\": \"text\", \"text\": ...}}) are supported");
            text.Append(String(part, "text", $"{partAt}.text"));
        }
        return text.ToString();
    }

    static string? String(JsonElement e, string name, string? param = null) =>
        !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? Text(v, param ?? name)
        : throw ApiError.Invalid(param ?? name, $"{param ?? name} must be a string");

    /// <summary>
    /// A JSON string as .NET text; one that escapes a lone UTF-16 surrogate ("\ud800") or holds bytes that are not
    /// UTF-8 is no text at all.
    /// </summary>
    internal static string Text(JsonElement value, string param)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw ApiError.Invalid(param, $"{param} is not valid Unicode text: it holds a lone UTF-16 surrogate or bytes that are not UTF-8");
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
        : throw ApiError.Invalid(name, $"{name} is out of range: {Quoted(v.GetRawText())} is not a finite number");

    /// <summary>An integer that fits 64 bits; an integer beyond them is out of range, anything else not an integer.</summary>
    static long? Integer(JsonElement e, string name) =>
        !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long value) ? value
        : v.ValueKind == JsonValueKind.Number && IsWhole(v.GetRawText())
            ? throw ApiError.Invalid(name, $"{name} is out of range: {Quoted(v.GetRawText())} does not fit a 64-bit integer")
        : throw ApiError.Invalid(name, $"{name} must be an integer");

    static bool IsWhole(string number) => number.TrimStart('-').All(char.IsAsciiDigit);
}
