using RecursiveMas.Latent;
using RecursiveMas.Systems;

namespace RecursiveMas.Serving;

/// <summary>
/// What must be equal for questions to share one batched agent turn: the same agent reading the same
/// prompt, doing the same thing (thinking m steps in the same mode and sending along the same edges, or
/// decoding with the same settings but for the seed, which each row keeps), with messages of the same
/// shape in the same slots. Questions at different rounds, with different n, or arrived at different
/// times batch together whenever their keys match.
/// </summary>
internal readonly record struct TurnKey(
    string Agent,
    AgentPrompt Prompt,
    bool Decode,
    int LatentSteps,
    RolloutMode Mode,
    bool IncludesFeedback,
    string Slots,
    DecodingDescription? Decoding)
{
    public static TurnKey Of(SystemAgent agent, AgentTurn turn, IReadOnlyDictionary<string, TorchSharp.torch.Tensor> messages,
        RunOptions options, DecodingDescription decoding)
    {
        string slots = string.Join(";", messages.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{kv.Value.shape[1]}"));
        return turn.IsFinalDecode
            ? new TurnKey(agent.Name, agent.PromptFor(turn.Round, decode: true), true, 0, default, false, slots, decoding with { Seed = null })
            : new TurnKey(agent.Name, agent.PromptFor(turn.Round, decode: false), false, options.LatentSteps ?? agent.LatentSteps,
                options.RolloutMode, turn.Outgoing.Any(e => e.IsFeedback), slots, null);
    }
}
