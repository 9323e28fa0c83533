using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using RecursiveMas.Systems;

namespace RecursiveMas.Server.OpenAi;

/// <summary>
/// OpenAI's response shapes: <c>chat.completion</c>, <c>chat.completion.chunk</c> (SSE), usage, and
/// RecursiveMas's own <c>rmas</c> block (rounds, latent steps, extracted answer, steps).
/// </summary>
internal static class ChatCompletionJson
{
    public static JsonObject Completion(string id, string model, long created, string text, ChatFinishReason? finish, UsageDetails? usage, RunResult? run) => new()
    {
        ["id"] = id,
        ["object"] = "chat.completion",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text, ["refusal"] = null },
            ["logprobs"] = null,
            ["finish_reason"] = Finish(finish),
        }),
        ["usage"] = Usage(usage),
        ["rmas"] = run is null ? null : Run(run),
    };

    /// <summary>A chunk with one choice whose delta is <paramref name="delta"/>.</summary>
    public static JsonObject Chunk(string id, string model, long created, JsonObject delta, ChatFinishReason? finish) => new()
    {
        ["id"] = id,
        ["object"] = "chat.completion.chunk",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["logprobs"] = null,
            ["finish_reason"] = Finish(finish),
        }),
    };

    /// <summary>The last chunk when <c>stream_options.include_usage</c>: no choices, the usage.</summary>
    public static JsonObject UsageChunk(string id, string model, long created, UsageDetails? usage) => new()
    {
        ["id"] = id,
        ["object"] = "chat.completion.chunk",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(),
        ["usage"] = Usage(usage),
    };

    public static JsonObject Usage(UsageDetails? usage) => new()
    {
        ["prompt_tokens"] = usage?.InputTokenCount ?? 0,
        ["completion_tokens"] = usage?.OutputTokenCount ?? 0,
        ["total_tokens"] = usage?.TotalTokenCount ?? 0,
        ["latent_steps"] = usage?.AdditionalCounts?.GetValueOrDefault("latent_steps") ?? 0,
    };

    public static JsonObject Step(AgentStep step) => new()
    {
        ["agent"] = step.Agent,
        ["round"] = step.Round,
        ["kind"] = step.Kind.Name(),
        ["latent_steps"] = step.LatentSteps,
        ["generated_tokens"] = step.GeneratedTokens,
        ["prefill_tokens"] = step.PrefillTokens,
        ["ms"] = Math.Round(step.Milliseconds, 1),
    };

    public static JsonObject Run(RunResult run) => new()
    {
        ["rounds"] = run.Rounds,
        ["latent_steps"] = run.LatentThoughts,
        ["answer"] = run.Answers.Count > 0 ? run.Answers[0].Answer : null,
        ["total_ms"] = Math.Round(run.TotalMilliseconds, 1),
        ["steps"] = new JsonArray([.. run.Steps.Select(s => (JsonNode)Step(s))]),
    };

    static string? Finish(ChatFinishReason? finish) =>
        finish is null ? null : finish == ChatFinishReason.Length ? "length" : "stop";
}
