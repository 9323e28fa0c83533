using RecursiveMas.Decoding;
using RecursiveMas.Latent;
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
        options ??= new RunOptions();
        int rounds = options.RoundsFor(system.Description);
        var decoding = options.Decoding ?? system.Description.Decoding;
        var messageOptions = SystemAgent.Sampling(decoding) with { MaxNewTokens = system.Description.TextMessageTokens };
        var recorder = new RunRecorder(options.OnStep);
        var board = new MessageBoard<IReadOnlyList<string>>();
        var otherTokens = new int[questions.Count];
        IReadOnlyList<GeneratedSequence>? answers = null;

        using var noGrad = TorchSharp.torch.no_grad();
        foreach (var turn in RoundSchedule.Turns(system.Plan, rounds))
        {
            var agent = system.Agent(turn.Agent);
            var messages = board.For(turn.Agent, turn.Round);
            string Text(int row, string slot) => messages.TryGetValue(slot, out var texts) ? texts[row] : "";
            if (turn.IsFinalDecode)
            {
                var prompt = agent.PromptFor(turn.Round, decode: true);
                answers = recorder.Text(turn.Agent, turn.Round, "decode",
                    () => (agent.DecodeText(prompt, questions, Text, decoding, out int prefill), prefill));
                continue;
            }

            var written = recorder.Text(turn.Agent, turn.Round, "text",
                () => (agent.GenerateText(agent.PromptFor(turn.Round, decode: false), questions, Text, messageOptions, out int prefill), prefill));
            for (int b = 0; b < questions.Count; b++)
                otherTokens[b] += written[b].TokenIds.Count;
            var texts = written.Select(w => w.Text ?? "").ToList();
            foreach (var edge in turn.Outgoing)
                board.Post(edge, turn.Round, texts);
        }

        if (answers is null)
            throw new InvalidOperationException($"system {system.Description.Name}: the decoder never ran");
        return RecursiveRunner.Result("text", rounds, questions, answers, recorder, otherTokens);
    }
}
