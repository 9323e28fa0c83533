using RecursiveMas.Decoding;
using RecursiveMas.Evaluation;
using RecursiveMas.Latent;
using static TorchSharp.torch;

namespace RecursiveMas.Systems;

/// <summary>
/// Runs a <see cref="RecursiveSystem"/> the RecursiveMAS way (PAPER §3.4): in each of n rounds every
/// agent, in plan order, reads its prompt with the latent messages addressed to it, thinks for m latent
/// steps, and sends R_out(R_in(H)) along its outgoing edges — reusing the rollout's E = R_in(H) and
/// one fused matmul for links sharing it. Loop-closing messages reach their receivers in the next
/// round. Only the decoder decodes text, only in the last round; in that round agents that cannot
/// reach the decoder are skipped.
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
        var plan = system.Plan;
        int rounds = options.RoundsFor(system.Description);
        var decoding = options.Decoding ?? system.Description.Decoding;
        var recorder = new RunRecorder();
        IReadOnlyList<GeneratedSequence>? answers = null;

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var feedback = new Dictionary<string, Tensor>();
        for (int round = 1; round <= rounds; round++)
        {
            bool last = round == rounds;
            var forward = new Dictionary<string, Dictionary<string, Tensor>>(); // receiver → slot → message
            var nextFeedback = new Dictionary<string, Tensor>();
            foreach (var name in plan.Order)
            {
                var agent = system.Agent(name);
                if (last && name != plan.Decoder && !plan.ReachesForward(name, plan.Decoder))
                    continue;
                var messages = forward.GetValueOrDefault(name) ?? [];
                if (round > 1 && feedback.TryGetValue(name, out var fb))
                    messages[AgentPrompt.FeedbackSlot] = fb;

                if (last && name == plan.Decoder)
                {
                    var prompt = agent.PromptFor(round, decode: true);
                    answers = recorder.Record(name, round, "decode",
                        () => (Result: agent.Decode(prompt, questions, messages, decoding, out int prefill, system.Tools), Prefill: prefill),
                        r => (0, r.Result.Sum(s => s.TokenIds.Count), r.Prefill)).Result;
                    options.OnStep?.Invoke(recorder.Steps[^1]);
                    break;
                }

                var (edges, links) = system.Outgoing(name, includeFeedback: !last);
                if (edges.Count == 0)
                    continue;
                int steps = options.LatentSteps ?? agent.LatentSteps;
                var thoughts = recorder.Record(name, round, "latent",
                    () => (Result: agent.Think(agent.PromptFor(round, decode: false), questions, messages, out int prefill, steps, options.RolloutMode), Prefill: prefill),
                    r => (steps, 0, r.Prefill)).Result;
                options.OnStep?.Invoke(recorder.Steps[^1]);

                var sent = links.Forward(thoughts.Embeddings);
                for (int i = 0; i < edges.Count; i++)
                {
                    var edge = edges[i];
                    options.OnMessage?.Invoke(new SentMessage(edge, round, sent[i]));
                    if (edge.IsFeedback)
                        nextFeedback[edge.To] = sent[i];
                    else
                    {
                        if (!forward.TryGetValue(edge.To, out var slots))
                            forward[edge.To] = slots = [];
                        slots[AgentPrompt.FromSlot(name)] = sent[i];
                    }
                }
            }
            feedback = nextFeedback;
        }

        if (answers is null)
            throw new InvalidOperationException($"system {system.Description.Name}: the decoder {plan.Decoder} never ran");
        return Result("recursive", rounds, questions, answers, recorder);
    }

    /// <param name="otherTokens">Text tokens other agents generated for each question (text messages), if any.</param>
    internal static RunResult Result(string method, int rounds, IReadOnlyList<string> questions, IReadOnlyList<GeneratedSequence> answers,
        RunRecorder recorder, IReadOnlyList<int>? otherTokens = null)
    {
        var answered = questions.Select((q, b) =>
        {
            string text = answers[b].Text ?? "";
            return new QuestionAnswer(q, text, AnswerExtractor.Extract(text).Value, answers[b].TokenIds.Count + (otherTokens?[b] ?? 0));
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
