using RecursiveMas.Latent;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Pretraining;

/// <summary>
/// Turns task examples into the conversations an agent of a system is pre-trained on: the agent's own
/// prompts from SYSTEM.json (in its family's chat format) with the agent's role text as the assistant
/// turn. Each message placeholder is filled at random (<see cref="MessageFilling"/>; even odds by
/// default) either with the sender's role text (the teacher's message, as Recursive-TextMAS would send
/// it) or with nothing — so the agent learns both to use a message and to do its job alone, unless its
/// odds say it always reads one. By default the decoder also learns the single-agent prompt, so the
/// single-agent baseline asks it something it has seen. Where an example's roles change by round, each
/// conversation stands for one round: the prompt reads that round's number, the agent writes that round's
/// text, and the feedback slot holds what its sender wrote the round before.
/// </summary>
public static class RoleCorpus
{
    /// <summary>The conversations of <paramref name="agent"/>, in a seeded, reproducible order.</summary>
    /// <param name="systems">The systems the agent takes part in; it learns the prompts of all of them.</param>
    /// <param name="agent">The agent's name; also its key in each example's roles.</param>
    /// <param name="chat">The agent model's chat format.</param>
    /// <param name="endOfTurn">The text that ends an assistant turn in that format (e.g. "&lt;|im_end|&gt;").</param>
    /// <param name="examples">Training examples with role texts keyed by agent name.</param>
    /// <param name="seed">Decides which prompt each example uses and which placeholders are filled.</param>
    /// <param name="filling">How often placeholders are filled; null = even odds and the single-agent prompt.</param>
    public static IReadOnlyList<RoleConversation> Build(IReadOnlyList<SystemDescription> systems, string agent, ChatTemplate chat, string endOfTurn,
        IReadOnlyList<TaskExample> examples, long seed, MessageFilling? filling = null)
    {
        filling ??= new MessageFilling();
        filling.Validate();
        var prompts = new List<(AgentPrompt Prompt, SystemPlan Plan, PromptUse Use)>();
        var singles = new List<AgentPrompt>();
        foreach (var system in systems.Where(s => s.Agents.Any(a => a.Name == agent)))
        {
            var description = system.Agent(agent);
            var plan = SystemPlan.Build(system);
            foreach (var prompt in description.Prompts.DistinctBy(p => p.Template, StringComparer.Ordinal))
                prompts.Add((new AgentPrompt(prompt.Template, chat, description.SystemPrompt), plan, prompt.Use));
            if (plan.Decoder == agent && filling.SingleAgentPrompt)
                singles.Add(new AgentPrompt(system.SingleAgentPrompt, chat, description.SystemPrompt));
        }
        if (!systems.Any(s => s.Agents.Any(a => a.Name == agent)))
            throw new ArgumentException($"no system here has an agent {agent}: the agents are " +
                string.Join(", ", systems.SelectMany(s => s.Agents.Select(a => a.Name)).Distinct()), nameof(agent));
        if (prompts.Count == 0)
            throw new ArgumentException($"agent {agent} has no prompts in {string.Join(", ", systems.Select(s => s.Name))}", nameof(agent));
        var single = singles.DistinctBy(p => p.Template).ToList();

        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var conversations = new List<RoleConversation>(examples.Count * (single.Count > 0 ? 2 : 1));
        for (int i = 0; i < examples.Count; i++)
        {
            var example = examples[i];
            var (prompt, plan, use) = prompts[random.Next(prompts.Count)];
            int round = Round(use, example, random, filling);
            string target = RoleText(example, round, agent, i) + Padding(1);
            var filled = prompt.Slots.ToDictionary(s => s,
                s => random.NextDouble() < (s == AgentPrompt.FeedbackSlot ? filling.FeedbackOdds : filling.ForwardOdds));
            string Message(string slot)
            {
                if (!filled[slot])
                    return "";
                string sender = plan.SenderOf(agent, slot)
                    ?? throw new InvalidOperationException($"agent {agent} reads {slot} but no agent sends it");
                // The loop-closing message was written in the round before.
                int sent = slot == AgentPrompt.FeedbackSlot ? round - 1 : round;
                string message = RoleText(example, sent, sender, i) + Padding(0);
                // Drawn only when asked for, so a corpus without fragments draws what it always drew.
                if (filling.TrailingFragmentOdds > 0 && random.NextDouble() < filling.TrailingFragmentOdds)
                    message += endOfTurn + TrailingFragment(examples, sent, sender, random) + Padding(0);
                return message;
            }
            string Padding(int least) => filling.EndOfTurnPadding == 0
                ? string.Concat(Enumerable.Repeat(endOfTurn, least))
                : string.Concat(Enumerable.Repeat(endOfTurn, least + random.Next(filling.EndOfTurnPadding + 1)));
            conversations.Add(new RoleConversation(prompt.ForRound(round).RenderWithText(example.Question, Message), target));
            if (single.Count > 0)
                conversations.Add(new RoleConversation(single[random.Next(single.Count)].RenderWithText(example.Question, _ => ""), target));
        }
        return conversations;
    }

    /// <summary>
    /// The round a conversation stands for: a first-round prompt's is 1, a later-rounds prompt's 2; where the
    /// example's roles change by round (<see cref="TaskExample.LaterRounds"/>), a prompt used in several
    /// rounds draws one of them, the last listed one (which stands for every round after it) with
    /// <see cref="MessageFilling.LastRoundOdds"/>, so the agent learns every round's part.
    /// </summary>
    static int Round(PromptUse use, TaskExample example, Random random, MessageFilling filling)
    {
        if (example.LaterRounds.Count == 0)
            return use == PromptUse.LaterRounds ? 2 : 1;
        if (use == PromptUse.FirstRound)
            return 1;
        int first = use == PromptUse.LaterRounds ? 2 : 1, last = example.LaterRounds.Count + 1;
        if (filling.LastRoundOdds is not double odds || first == last)
            return random.Next(first, last + 1);
        return random.NextDouble() < odds ? last : random.Next(first, last);
    }

    /// <summary>The tail of the sender's text of a random example, from a random word on.</summary>
    static string TrailingFragment(IReadOnlyList<TaskExample> examples, int round, string sender, Random random)
    {
        int index = random.Next(examples.Count);
        string[] words = RoleText(examples[index], round, sender, index).Split(' ');
        return string.Join(' ', words[random.Next(words.Length)..]);
    }

    static string RoleText(TaskExample example, int round, string agent, int index) =>
        example.RolesIn(round).TryGetValue(agent, out var text) ? text
            : throw new ArgumentException($"example {index + 1} (\"{Shorten(example.Question)}\") has no role text for agent {agent} in round {Math.Max(1, round)}; " +
                $"its roles are {string.Join(", ", example.RolesIn(round).Keys)}");

    static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
