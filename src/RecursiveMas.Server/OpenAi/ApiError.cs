using System.Text.Json.Nodes;
using RecursiveMas.Systems;

namespace RecursiveMas.Server.OpenAi;

/// <summary>
/// A request the server refuses, with what OpenAI's API answers in that case:
/// <c>{"error": {"message", "type", "param", "code"}}</c> and an HTTP status.
/// </summary>
/// <param name="cause">The failure behind a server error, logged (with its stack trace) but never sent.</param>
public sealed class ApiError(int status, string message, string? param = null, string? code = null, string type = "invalid_request_error",
    Exception? cause = null)
    : Exception(message, cause)
{
    public int Status { get; } = status;

    public string? Param { get; } = param;

    public string? Code { get; } = code;

    public string Type { get; } = type;

    public JsonObject ToJson() => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = Message,
            ["type"] = Type,
            ["param"] = Param,
            ["code"] = Code,
        },
    };

    /// <summary>A 400 for <paramref name="param"/>.</summary>
    public static ApiError Invalid(string param, string message) => new(400, message, param, "invalid_value");

    /// <summary>
    /// A 400 from the chat client's validation (never from inside a run): <see cref="ArgumentException"/> names a
    /// <see cref="Microsoft.Extensions.AI.ChatOptions"/> property, additional property or message; the error names the JSON field.
    /// A <see cref="PromptTooLongException"/> is OpenAI's <c>context_length_exceeded</c>.
    /// </summary>
    /// <param name="budgetParam">The field the token budget came from: <c>max_tokens</c>, or <c>max_completion_tokens</c> where the
    /// request used OpenAI's newer name (an error must name the field the client sent).</param>
    public static ApiError From(ArgumentException e, string budgetParam = "max_tokens")
    {
        if (e is PromptTooLongException tooLong)
            return new ApiError(400, tooLong.TurnReason, "messages", "context_length_exceeded");
        string? param = e.ParamName switch
        {
            "MaxOutputTokens" => budgetParam,
            "TopP" => "top_p",
            "TopK" => "top_k",
            "Temperature" => "temperature",
            "options" => "model",
            null => null,
            var name => name,
        };
        // The chat client names RecursiveMas's own options "additional properties" (ChatOptions.AdditionalProperties);
        // over HTTP they are fields like any other.
        string message = param is null ? ErrorText.Reason(e) : ErrorText.Reason(e).Replace($"additional property \"{param}\"", param, StringComparison.Ordinal);
        if (e.ParamName == "MaxOutputTokens")
            message = message.Replace("max output tokens", budgetParam, StringComparison.Ordinal);
        return new ApiError(param == "model" ? 404 : 400, message, param, param == "model" ? "model_not_found" : "invalid_value");
    }
}
