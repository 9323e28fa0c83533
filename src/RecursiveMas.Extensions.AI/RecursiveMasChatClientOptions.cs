using RecursiveMas.Systems;

namespace RecursiveMas.Extensions.AI;

/// <summary>Settings of a <see cref="RecursiveMasChatClient"/>: its name, defaults, and the bounds requests are checked against.</summary>
public sealed record RecursiveMasChatClientOptions
{
    /// <summary>The model id reported in responses and metadata (default: the system's name, else "recursive-mas").</summary>
    public string? ModelId { get; init; }

    /// <summary>
    /// The decoding settings that <see cref="Microsoft.Extensions.AI.ChatOptions"/> override (default: the
    /// system's, else <see cref="DecodingDescription"/>'s defaults).
    /// </summary>
    public DecodingDescription? Decoding { get; init; }

    /// <summary>The most rounds a request may ask for through the <c>rounds</c> property.</summary>
    public int MaxRounds { get; init; } = 64;

    /// <summary>The most latent steps a request may ask for through the <c>latent_steps</c> property.</summary>
    public int MaxLatentSteps { get; init; } = 4096;

    /// <summary>The most output tokens a request may ask for (<see cref="Microsoft.Extensions.AI.ChatOptions.MaxOutputTokens"/>).</summary>
    public int MaxOutputTokens { get; init; } = 4096;

    /// <summary>
    /// When true, the earlier turns and system messages of a conversation are written before the last
    /// user message, as "Role: text" lines, and the whole becomes the question. Off by default: a
    /// system's own prompts (which its links were trained with) frame a single question.
    /// </summary>
    public bool IncludeHistory { get; init; }
}
