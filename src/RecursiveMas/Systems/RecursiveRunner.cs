using RecursiveMas.Decoding;
using RecursiveMas.Evaluation;
using static TorchSharp.torch;

namespace RecursiveMas.Systems;

/// <summary>
/// Runs a <see cref="RecursiveSystem"/> the RecursiveMAS way (PAPER §3.4): following
/// <see cref="RoundSchedule"/>, every agent reads its prompt with the latent messages addressed to it,
/// thinks for m latent steps, and sends R_out(R_in(H)) along its outgoing edges — reusing the rollout's
/// E = R_in(H), with one fused matmul for links sharing it. Only the decoder decodes text, only in the
/// last round.
/// </summary>
public static class RecursiveRunner
{
    /// <summary>Answers one question.</summary>
    public static RunResult Solve(RecursiveSystem system, string question, RunOptions? options = null) =>
        SolveBatch(system, [question], options);

    /// <summary>Answers a batch of questions together (left-padded; each row gets what it gets alone).</summary>
    public static RunResult SolveBatch(RecursiveSystem system, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        options ??= new RunOptions();
        int rounds = options.RoundsFor(system.Description);
        var decoding = options.Decoding ?? system.Description.Decoding;
        var recorder = new RunRecorder(options.OnStep);
        var board = new MessageBoard<Tensor>();
        IReadOnlyList<GeneratedSequence>? answers = null;

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var turn in RoundSchedule.Turns(system.Plan, rounds))
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            var agent = system.Agent(turn.Agent);
            var messages = board.For(turn.Agent, turn.Round);
            if (turn.IsFinalDecode)
            {
                var prompt = agent.PromptFor(turn.Round, decode: true);
                answers = recorder.Text(turn.Agent, turn.Round, "decode",
                    () => (agent.Decode(prompt, questions, messages, decoding, out int prefill, system.Tools, options.OnAnswerText, options.CancellationToken), prefill));
                continue;
            }

            int steps = options.LatentSteps ?? agent.LatentSteps;
            var thoughts = recorder.Latent(turn.Agent, turn.Round, steps,
                () => (agent.Think(agent.PromptFor(turn.Round, decode: false), questions, messages, out int prefill, steps, options.RolloutMode, options.CancellationToken), prefill));

            var (edges, links) = system.Outgoing(turn.Agent, includeFeedback: turn.Outgoing.Any(e => e.IsFeedback));
            var sent = links.Forward(thoughts.Embeddings);
            for (int i = 0; i < edges.Count; i++)
            {
                options.OnMessage?.Invoke(new SentMessage(edges[i], turn.Round, sent[i]));
                board.Post(edges[i], turn.Round, sent[i]);
            }
        }

        if (answers is null)
            throw new InvalidOperationException($"system {system.Description.Name}: the decoder {system.Plan.Decoder} never ran");
        return Result("recursive", rounds, questions, answers, recorder);
    }

    /// <summary>
    /// The result of a run: each answer extracted from its decoded text, the recorder's steps and time.
    /// Every runner ends with it, generated systems included, so their results and accounting agree.
    /// </summary>
    /// <param name="otherTokens">Text tokens other agents generated for each question (text messages), if any.</param>
    public static RunResult Result(string method, int rounds, IReadOnlyList<string> questions, IReadOnlyList<GeneratedSequence> answers,
        RunRecorder recorder, IReadOnlyList<int>? otherTokens = null)
    {
        var answered = questions.Select((q, b) =>
        {
            string text = answers[b].Text ?? "";
            return new QuestionAnswer(q, text, AnswerExtractor.Extract(text).Value, answers[b].TokenIds.Count + (otherTokens?[b] ?? 0))
            {
                FinishReason = answers[b].Reason,
            };
        }).ToList();
        return new RunResult
        {
            Method = method,
            Rounds = rounds,
            Answers = answered,
            Steps = recorder.Steps,
            TotalMilliseconds = recorder.ElapsedMilliseconds,
            PeakMemoryBytes = RunRecorder.PeakMemoryBytes(),
        };
    }
}
