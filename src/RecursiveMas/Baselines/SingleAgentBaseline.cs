using RecursiveMas.Latent;
using RecursiveMas.Systems;

namespace RecursiveMas.Baselines;

/// <summary>
/// The single-agent baselines (PAPER §6.2): the system's decoder agent alone, answering with a text
/// chain of thought from <see cref="SystemDescription.SingleAgentPrompt"/>; or any agent alone with its
/// own first-round prompt, message placeholders left empty (<see cref="SolveAlone"/>). Both decode with
/// the same settings (and answer retry) as the system's final decode.
/// </summary>
public static class SingleAgentBaseline
{
    public static RunResult SolveBatch(RecursiveSystem system, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        var decoder = system.Agent(system.Plan.Decoder);
        var prompt = new AgentPrompt(system.Description.SingleAgentPrompt, decoder.Tokenizer.ChatTemplate, decoder.Description.SystemPrompt);
        if (prompt.Slots.Count > 0)
            throw new ArgumentException($"the single-agent prompt of system {system.Description.Name} must not have message slots ({string.Join(", ", prompt.Slots)})");
        return Solve(system, decoder, prompt, RunMethod.Single, questions, options);
    }

    /// <summary>
    /// <paramref name="agent"/> alone: its own round-1 prompt with no messages, decoded as text — the
    /// "each agent alone" row of a comparison, for agents trained on one part of a task.
    /// </summary>
    public static RunResult SolveAlone(RecursiveSystem system, string agent, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        var member = system.Agent(agent);
        return Solve(system, member, member.PromptFor(1, decode: member.Name == system.Plan.Decoder).WithoutMessages(), RunMethod.Alone, questions, options);
    }

    static RunResult Solve(RecursiveSystem system, SystemAgent decoder, AgentPrompt prompt, RunMethod method, IReadOnlyList<string> questions, RunOptions? options)
    {
        using var run = new RunContext(system, questions, options, rounds: 1);
        run.CheckTextPrompts(decoder, 1, decode: true, prompt, (_, _) => "", run.Decoding.MaxNewTokens);
        return run.Result(method, run.Decode(decoder, 1, prompt, prompt.BySlot()));
    }
}
