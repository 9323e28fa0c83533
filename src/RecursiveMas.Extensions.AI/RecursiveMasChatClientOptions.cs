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

    /// <summary>The most rounds a request may ask for through the <c>rounds</c> property (default 16, what the analyzers call sane).</summary>
    public int MaxRounds { get; init; } = RunOptions.SaneMaxRounds;

    /// <summary>The most latent steps a request may ask for through the <c>latent_steps</c> property (default 1024, what the analyzers call sane).</summary>
    public int MaxLatentSteps { get; init; } = RunOptions.SaneMaxLatentSteps;

    /// <summary>
    /// The longest assembled prompt (text tokens plus latent message vectors) any agent may be given; null
    /// = only each model's <c>max_position_embeddings</c> bounds it. Checked before the run, for a client
    /// over a <see cref="RecursiveSystem"/>.
    /// </summary>
    public int? MaxPromptTokens { get; init; }

    /// <summary>The most output tokens a request may ask for (<see cref="Microsoft.Extensions.AI.ChatOptions.MaxOutputTokens"/>).</summary>
    public int MaxOutputTokens { get; init; } = 4096;

    /// <summary>
    /// When true, the earlier turns and system messages of a conversation are written before the last
    /// user message, as "Role: text" lines, and the whole becomes the question. Off by default: a
    /// system's own prompts (which its links were trained with) frame a single question.
    /// </summary>
    public bool IncludeHistory { get; init; }

    /// <summary>
    /// Runs of a client over a <see cref="SystemRunner"/> in progress at once (default 1: a loaded system is not
    /// thread-safe). More only for a runner that is safe to call concurrently, such as one that sends each
    /// question to a cluster (<c>rmas serve --cluster</c>).
    /// </summary>
    public int ConcurrentRuns { get; init; } = 1;
}
