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

    /// <summary>
    /// Refuses, from the agents' tokenizers and context sizes alone (no model loaded), a question whose text prompts
    /// cannot fit: each turn checked as the run checks it (<see cref="RunContext.CheckTextPrompts"/>), exactly where the
    /// turn reads no message yet (the run reads those slots empty), and where it reads what senders will write, from
    /// the question's bound alone — what a run would refuse anyway, before it loads anything.
    /// </summary>
    public static void CheckEach(SystemPrompts system, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        options ??= new RunOptions();
        int rounds = options.RoundsFor(system.Description);
        int answerTokens = (options.Decoding ?? system.Description.Decoding).MaxNewTokens;
        RunAdmission.CheckEachQuestion(questions, question => Turns(system, rounds, answerTokens, question, options.CancellationToken));
    }

    /// <summary>The positions of each turn of a run of <paramref name="question"/>, as far as they are known before it (<see cref="CheckEach"/>).</summary>
    static IEnumerable<TurnPositions> Turns(SystemPrompts system, int rounds, int answerTokens, string question, CancellationToken cancellationToken)
    {
        var written = new MessageBoard<bool>();
        foreach (var turn in RoundSchedule.Turns(system.Plan, rounds))
        {
            var agent = system.Agent(turn.Agent);
            var prompt = agent.PromptFor(turn.Round, turn.IsFinalDecode);
            var messages = written.For(turn.Agent, turn.Round);
            Func<string, string>? messageText = prompt.Slots.Any(messages.ContainsKey) ? null : _ => "";
            yield return RunAdmission.TextTurn(agent, turn.Round, turn.IsFinalDecode, prompt, question, messageText,
                turn.IsFinalDecode ? answerTokens : system.Description.TextMessageTokens, cancellationToken);
            foreach (var edge in turn.Outgoing)
                written.Post(edge, turn.Round, true);
        }
    }

    /// <summary>The text of (question, slot): what the slot's sender wrote for that question, empty when nobody did.</summary>
    static Func<int, string, string> TextOf(IReadOnlyDictionary<string, IReadOnlyList<string>> messages) =>
        (row, slot) => messages.TryGetValue(slot, out var texts) ? texts[row] : "";
}
