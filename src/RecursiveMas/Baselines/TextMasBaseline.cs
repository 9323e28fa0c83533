using RecursiveMas.Decoding;
using RecursiveMas.Systems;

namespace RecursiveMas.Baselines;

/// <summary>
/// Recursive-TextMAS (PAPER §6.2): the same agents, prompts, pattern and rounds as the system, but
/// every message is text — the sender decodes up to <see cref="SystemDescription.TextMessageTokens"/>
/// tokens and the receiver reads them in its <c>{from:X}</c> / <c>{feedback}</c> slot. No links are used.
/// </summary>
public static class TextMasBaseline
{
    public static RunResult SolveBatch(RecursiveSystem system, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        using var run = new RunContext(system, questions, options);
        var otherTokens = new int[questions.Count];
        var answers = TurnLoop.Run<IReadOnlyList<string>, IReadOnlyList<GeneratedSequence>>(system, run.Rounds,
            think: (turn, messages) =>
            {
                var agent = system.Agent(turn.Agent);
                var written = run.WriteText(agent, turn.Round, agent.PromptFor(turn.Round, decode: false), TextOf(messages));
                for (int b = 0; b < questions.Count; b++)
                    otherTokens[b] += written[b].TokenIds.Count;
                IReadOnlyList<string> texts = [.. written.Select(w => w.Text ?? "")];
                return [.. turn.Outgoing.Select(edge => (edge, texts))];
            },
            decode: (turn, messages) =>
            {
                var agent = system.Agent(turn.Agent);
                return run.DecodeText(agent, turn.Round, agent.PromptFor(turn.Round, decode: true), TextOf(messages));
            });
        return run.Result(RunMethod.Text, answers, otherTokens);
    }

    /// <summary>The text of (question, slot): what the slot's sender wrote for that question, empty when nobody did.</summary>
    static Func<int, string, string> TextOf(IReadOnlyDictionary<string, IReadOnlyList<string>> messages) =>
        (row, slot) => messages.TryGetValue(slot, out var texts) ? texts[row] : "";
}
