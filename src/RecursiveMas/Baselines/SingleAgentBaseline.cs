using RecursiveMas.Latent;
using RecursiveMas.Systems;

namespace RecursiveMas.Baselines;

/// <summary>
/// The single-agent baseline (PAPER §6.2): the system's decoder agent alone, answering with a text
/// chain of thought from <see cref="SystemDescription.SingleAgentPrompt"/>, with the same decoding
/// settings (and answer retry) as the system's final decode.
/// </summary>
public static class SingleAgentBaseline
{
    public static RunResult SolveBatch(RecursiveSystem system, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        var decoder = system.Agent(system.Plan.Decoder);
        var prompt = new AgentPrompt(system.Description.SingleAgentPrompt, decoder.Tokenizer.ChatTemplate, decoder.Description.SystemPrompt);
        if (prompt.Slots.Count > 0)
            throw new ArgumentException($"the single-agent prompt of system {system.Description.Name} must not have message slots ({string.Join(", ", prompt.Slots)})");
        using var run = new RunContext(system, questions, options, rounds: 1);
        return run.Result("single", run.Decode(decoder, 1, prompt, prompt.BySlot()));
    }
}
