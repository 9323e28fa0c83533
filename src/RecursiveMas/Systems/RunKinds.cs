using System.Text.Json.Serialization;

namespace RecursiveMas.Systems;

/// <summary>What an <see cref="AgentStep"/> was. In JSON (and <see cref="RunKinds.Name(StepKind)"/>) the lowercase names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepKind>))]
public enum StepKind
{
    /// <summary>A latent rollout of m thoughts: "latent".</summary>
    [JsonStringEnumMemberName("latent")]
    Latent,

    /// <summary>The decoder's final text: "decode".</summary>
    [JsonStringEnumMemberName("decode")]
    Decode,

    /// <summary>A text message to another agent (Recursive-TextMAS): "text".</summary>
    [JsonStringEnumMemberName("text")]
    Text,
}

/// <summary>
/// Which runner produced a <see cref="RunResult"/>. In JSON (and <see cref="RunKinds.Name(RunMethod)"/>)
/// the lowercase names. The comparison methods of <c>rmas eval</c> (<c>alone:AGENT</c>, <c>sft</c>, <c>lora</c>,
/// <c>untrained</c>) are strings of <c>Evaluation.ComparisonOptions</c>: they name a system and a
/// runner together, and each run's result says only its runner (<c>alone:planner</c> runs
/// <see cref="Alone"/>, <c>sft</c> and <c>lora</c> <see cref="Single"/> over a fine-tuned or adapted decoder,
/// <c>untrained</c> <see cref="Recursive"/>).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunMethod>))]
public enum RunMethod
{
    /// <summary>The recursive system (latent messages through links): "recursive".</summary>
    [JsonStringEnumMemberName("recursive")]
    Recursive,

    /// <summary>Recursive-TextMAS, the same agents exchanging text: "text".</summary>
    [JsonStringEnumMemberName("text")]
    Text,

    /// <summary>The decoder alone with the system's single-agent prompt: "single".</summary>
    [JsonStringEnumMemberName("single")]
    Single,

    /// <summary>One agent alone with its own prompt, message slots emptied (the step names the agent): "alone".</summary>
    [JsonStringEnumMemberName("alone")]
    Alone,

    /// <summary>LatentMAS's training-free latents with messages in the prompt slots (the slot variant): "latentmas".</summary>
    [JsonStringEnumMemberName("latentmas")]
    LatentMas,

    /// <summary>LatentMAS as published: each agent on the whole KV cache of those before it, one pass: "latentmas-kv".</summary>
    [JsonStringEnumMemberName("latentmas-kv")]
    LatentMasKv,
}

/// <summary>The lowercase names <see cref="StepKind"/> and <see cref="RunMethod"/> have in JSON, for tables and logs.</summary>
public static class RunKinds
{
    /// <summary>"latent", "decode" or "text".</summary>
    public static string Name(this StepKind kind) => kind switch
    {
        StepKind.Latent => "latent",
        StepKind.Decode => "decode",
        StepKind.Text => "text",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>"recursive", "text", "single", "alone", "latentmas" or "latentmas-kv".</summary>
    public static string Name(this RunMethod method) => method switch
    {
        RunMethod.Recursive => "recursive",
        RunMethod.Text => "text",
        RunMethod.Single => "single",
        RunMethod.Alone => "alone",
        RunMethod.LatentMas => "latentmas",
        RunMethod.LatentMasKv => "latentmas-kv",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };
}
