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
        return Solve(system, decoder, SinglePrompt(system.Description, decoder.Prompts), RunMethod.Single, questions, options);
    }

    /// <summary>
    /// <paramref name="agent"/> alone: its own round-1 prompt with no messages, decoded as text — the
    /// "each agent alone" row of a comparison, for agents trained on one part of a task.
    /// </summary>
    public static RunResult SolveAlone(RecursiveSystem system, string agent, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        var member = system.Agent(agent);
        return Solve(system, member, AlonePrompt(system.Plan, member.Prompts), RunMethod.Alone, questions, options);
    }

    /// <summary>
    /// Refuses, from the agents' tokenizers and context sizes alone (no model loaded), a question <see cref="SolveBatch"/>
    /// would refuse, with its message: its one turn reads no message, so the check is the run's own.
    /// </summary>
    public static void CheckEach(SystemPrompts system, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var decoder = system.Agent(system.Plan.Decoder);
        CheckEach(decoder, SinglePrompt(system.Description, decoder), questions, options ?? new RunOptions(), system.Description);
    }

    /// <summary><see cref="CheckEach(SystemPrompts, IReadOnlyList{string}, RunOptions?)"/> for <see cref="SolveAlone"/>.</summary>
    public static void CheckEachAlone(SystemPrompts system, string agent, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var member = system.Agent(agent);
        CheckEach(member, AlonePrompt(system.Plan, member), questions, options ?? new RunOptions(), system.Description);
    }

    static void CheckEach(AgentPrompts agent, AgentPrompt prompt, IReadOnlyList<string> questions, RunOptions options, SystemDescription description)
    {
        int budget = (options.Decoding ?? description.Decoding).MaxNewTokens;
        RunAdmission.CheckEachQuestion(questions, question =>
            [RunAdmission.TextTurn(agent, 1, decode: true, prompt.ForRound(1), question, _ => "", budget, options.CancellationToken)]);
    }

    /// <summary>The decoder's prompt of <see cref="SolveBatch"/>: the system's single-agent prompt, which reads no message.</summary>
    static AgentPrompt SinglePrompt(SystemDescription description, AgentPrompts decoder)
    {
        var prompt = new AgentPrompt(description.SingleAgentPrompt, decoder.Tokenizer.ChatTemplate, decoder.Description.SystemPrompt);
        if (prompt.Slots.Count > 0)
            throw new ArgumentException($"the single-agent prompt of system {description.Name} must not have message slots ({string.Join(", ", prompt.Slots)})");
        return prompt;
    }

    /// <summary>The prompt of <see cref="SolveAlone"/>: the agent's own first-round prompt without its message placeholders.</summary>
    static AgentPrompt AlonePrompt(SystemPlan plan, AgentPrompts member) => member.PromptFor(1, decode: member.Name == plan.Decoder).WithoutMessages();

    static RunResult Solve(RecursiveSystem system, SystemAgent decoder, AgentPrompt prompt, RunMethod method, IReadOnlyList<string> questions, RunOptions? options)
    {
        using var run = new RunContext(system, questions, options, rounds: 1);
        run.CheckTextPrompts(decoder, 1, decode: true, prompt, (_, _) => "", run.Decoding.MaxNewTokens);
        return run.Result(method, run.Decode(decoder, 1, prompt, prompt.BySlot()));
    }
}
