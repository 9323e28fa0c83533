using RecursiveMas.Latent;
using RecursiveMas.Systems;

namespace RecursiveMas.Cluster;

/// <summary>What a run decides once for all its turns: n, m, the rollout and the final decode's settings.</summary>
[GenerateSerializer, Immutable]
public sealed class TurnSettings
{
    [Id(0)] public required int Rounds { get; init; }
    [Id(1)] public int? LatentSteps { get; init; }
    [Id(2)] public RolloutMode RolloutMode { get; init; } = RolloutMode.Cached;
    [Id(3)] public required int MaxNewTokens { get; init; }
    [Id(4)] public double Temperature { get; init; }
    [Id(5)] public double TopP { get; init; } = 1;
    [Id(6)] public int TopK { get; init; }
    [Id(7)] public long? Seed { get; init; }
    [Id(8)] public bool RetryWithoutBoxedAnswer { get; init; }
    [Id(9)] public int RetryTokens { get; init; }

    /// <summary>The settings of a run of <paramref name="description"/> with <paramref name="options"/>.</summary>
    public static TurnSettings Of(SystemDescription description, RunOptions options)
    {
        var d = options.Decoding ?? description.Decoding;
        return new TurnSettings
        {
            Rounds = options.RoundsFor(description),
            LatentSteps = options.LatentSteps,
            RolloutMode = options.RolloutMode,
            MaxNewTokens = d.MaxNewTokens,
            Temperature = d.Temperature,
            TopP = d.TopP,
            TopK = d.TopK,
            Seed = d.Seed,
            RetryWithoutBoxedAnswer = d.RetryWithoutBoxedAnswer,
            RetryTokens = d.RetryTokens,
        };
    }

    /// <summary>The run options an agent's turn runs with.</summary>
    public RunOptions ToRunOptions(CancellationToken cancellationToken = default) => new()
    {
        Rounds = Rounds,
        LatentSteps = LatentSteps,
        RolloutMode = RolloutMode,
        Decoding = new DecodingDescription
        {
            MaxNewTokens = MaxNewTokens,
            Temperature = Temperature,
            TopP = TopP,
            TopK = TopK,
            Seed = Seed,
            RetryWithoutBoxedAnswer = RetryWithoutBoxedAnswer,
            RetryTokens = RetryTokens,
        },
        CancellationToken = cancellationToken,
    };
}

/// <summary>One agent turn of one question: the question, the round, the run's settings and the latent messages the agent reads (by slot).</summary>
[GenerateSerializer, Immutable]
public sealed class TurnRequest
{
    [Id(0)] public required string System { get; init; }
    [Id(1)] public required string Question { get; init; }
    [Id(2)] public required int Round { get; init; }
    [Id(3)] public required TurnSettings Settings { get; init; }
    [Id(4)] public required Dictionary<string, LatentPayload> Messages { get; init; }
}

/// <summary>A message a thinking turn sends along one edge.</summary>
[GenerateSerializer, Immutable]
public sealed class EdgePayload
{
    [Id(0)] public required string From { get; init; }
    [Id(1)] public required string To { get; init; }
    [Id(2)] public required bool IsFeedback { get; init; }
    [Id(3)] public required LatentPayload Vectors { get; init; }

    public SystemEdge Edge => new(From, To, IsFeedback);
}

/// <summary>A step of a turn, as <see cref="AgentStep"/> records it, plus where it ran.</summary>
[GenerateSerializer, Immutable]
public sealed class TurnStep
{
    [Id(0)] public required string Agent { get; init; }
    [Id(1)] public required int Round { get; init; }
    [Id(2)] public required StepKind Kind { get; init; }
    [Id(3)] public int LatentSteps { get; init; }
    [Id(4)] public int GeneratedTokens { get; init; }
    [Id(5)] public int PrefillTokens { get; init; }
    [Id(6)] public double Milliseconds { get; init; }
    [Id(7)] public required string Silo { get; init; }

    public static TurnStep Of(AgentStep step, string silo) => new()
    {
        Agent = step.Agent,
        Round = step.Round,
        Kind = step.Kind,
        LatentSteps = step.LatentSteps,
        GeneratedTokens = step.GeneratedTokens,
        PrefillTokens = step.PrefillTokens,
        Milliseconds = step.Milliseconds,
        Silo = silo,
    };

    public AgentStep ToAgentStep() => new(Agent, Round, Kind, LatentSteps, GeneratedTokens, PrefillTokens, Milliseconds);
}

/// <summary>What a thinking turn returns: the messages it sends and its step.</summary>
[GenerateSerializer, Immutable]
public sealed class ThinkReply
{
    [Id(0)] public required List<EdgePayload> Sent { get; init; }
    [Id(1)] public required TurnStep Step { get; init; }
}

/// <summary>What the final decode returns: the text, its tokens, why it stopped, and the step.</summary>
[GenerateSerializer, Immutable]
public sealed class DecodeReply
{
    [Id(0)] public required string Text { get; init; }
    [Id(1)] public required int[] TokenIds { get; init; }
    [Id(2)] public Decoding.FinishReason Reason { get; init; }
    [Id(3)] public required TurnStep Step { get; init; }
}

/// <summary>What a silo serves: its name, the system (name and SYSTEM.json digest) and the agents it loaded.</summary>
[GenerateSerializer, Immutable]
public sealed class SiloInfo
{
    [Id(0)] public required string Silo { get; init; }
    [Id(1)] public required string System { get; init; }
    [Id(2)] public required string SystemDigest { get; init; }
    [Id(3)] public required string[] Agents { get; init; }
    [Id(4)] public int ProcessId { get; init; }
}
