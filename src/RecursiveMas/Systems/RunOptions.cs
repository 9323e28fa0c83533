using RecursiveMas.Latent;

namespace RecursiveMas.Systems;

/// <summary>A latent message as it leaves its sender's outer link.</summary>
public sealed record SentMessage(SystemEdge Edge, int Round, TorchSharp.torch.Tensor Vectors);

/// <summary>Per-run overrides of a system's settings.</summary>
public sealed record RunOptions
{
    /// <summary>The most rounds the DSL's rules call sane (RMAS warns above it); what a server allows a request by default.</summary>
    public const int SaneMaxRounds = RecursiveMas.Dsl.Limits.MaxRounds;

    /// <summary>The most latent steps the DSL's rules call sane (RMAS warns above it); what a server allows a request by default.</summary>
    public const int SaneMaxLatentSteps = RecursiveMas.Dsl.Limits.MaxLatentSteps;

    /// <summary>n; null = the description's rounds.</summary>
    public int? Rounds { get; init; }

    /// <summary>m for every agent; null = each agent's own.</summary>
    public int? LatentSteps { get; init; }

    /// <summary>Cached (default) or the official re-run-everything rollout.</summary>
    public RolloutMode RolloutMode { get; init; } = RolloutMode.Cached;

    /// <summary>Final-decode settings; null = the description's.</summary>
    public DecodingDescription? Decoding { get; init; }

    /// <summary>Called after every agent step (progress display, live web page).</summary>
    public Action<AgentStep>? OnStep { get; init; }

    /// <summary>
    /// Called for every latent message sent, with its edge, the round it was produced in and its
    /// vectors [B, m, d_receiver] (valid during the call only: the run disposes them; keep a copy with
    /// <c>clone().DetachFromDisposeScope()</c>).
    /// </summary>
    public Action<SentMessage>? OnMessage { get; init; }

    /// <summary>
    /// Called with (question index, text delta) while the decoder writes the final answer; a question's
    /// deltas concatenate to its answer text (streaming).
    /// </summary>
    public Action<int, string>? OnAnswerText { get; init; }

    /// <summary>Checked between agent turns, latent steps and decode steps; cancelling stops the run with <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>n for a run of a system described by <paramref name="d"/>; checks the overrides (n ≥ 1, m ≥ 1).</summary>
    public int RoundsFor(SystemDescription d)
    {
        int rounds = Rounds ?? d.Rounds;
        if (rounds < 1)
            throw new ArgumentOutOfRangeException(nameof(Rounds), rounds, "a system runs at least one round");
        if (LatentSteps is < 1)
            throw new ArgumentOutOfRangeException(nameof(LatentSteps), LatentSteps, "an agent thinks at least one latent step");
        return rounds;
    }
}
