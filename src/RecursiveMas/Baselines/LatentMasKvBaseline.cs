using System.Diagnostics;
using RecursiveMas.Decoding;
using RecursiveMas.Latent;
using RecursiveMas.Models;
using RecursiveMas.Systems;
using static TorchSharp.torch;

namespace RecursiveMas.Baselines;

/// <summary>
/// LatentMAS as its authors run it (PAPER §8.1; Gen-Verse/LatentMAS <c>latent_mas.py</c>), for agents that
/// share one model: one pass through the agents, each reading its prompt (message slots left empty) on
/// top of the whole KV cache of every agent before it — their prompts and latent steps, all layers —
/// then thinking m steps (10 by default, as <c>LatentMASMethod</c>) with the ridge realignment; the last
/// agent decodes on the same cache. Nothing is trained and nothing is looped. <see cref="LatentMasBaseline"/>
/// is the slot variant that isolates what trained links change; this one is the published method.
/// Questions run one at a time (each has its own growing cache).
/// </summary>
public static class LatentMasKvBaseline
{
    /// <summary>LatentMAS's default latent steps per agent.</summary>
    public const int DefaultLatentSteps = 10;

    public static RunResult SolveBatch(RecursiveSystem system, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        options ??= new RunOptions();
        var models = system.Agents.Select(a => a.Model).Distinct().ToList();
        if (models.Count != 1)
            throw new ArgumentException(
                $"LatentMAS prepends one agent's KV cache to the next, so its agents must share one model; system {system.Description.Name} has {models.Count} " +
                $"({string.Join(", ", system.Agents.Select(a => $"{a.Name}: {a.Description.Model}"))})");
        var model = models[0];
        int steps = options.LatentSteps ?? DefaultLatentSteps;
        var decoding = options.Decoding ?? system.Description.Decoding;
        var recorder = new RunRecorder(options.OnStep);
        using var noGrad = no_grad();
        using var realign = new RidgeRealignment(model.OutputMatrix, model.EmbeddingMatrix);
        // One pass: the first round's turns, in plan order; the decoder's is its final decode.
        var turns = RoundSchedule.Turns(system.Plan, rounds: 1).ToList();
        for (int q = 0; q < questions.Count; q++)
            CheckFits(system, turns, questions[q], steps, decoding, q, questions.Count);
        var answers = new GeneratedSequence[questions.Count];
        // Steps are reported for the whole batch (as every runner does): counts summed over the questions.
        var generated = new int[turns.Count];
        var prefill = new int[turns.Count];
        var milliseconds = new double[turns.Count];
        for (int q = 0; q < questions.Count; q++)
        {
            using var scope = NewDisposeScope();
            using var cache = model.NewCache(1);
            for (int t = 0; t < turns.Count; t++)
            {
                var turn = turns[t];
                options.CancellationToken.ThrowIfCancellationRequested();
                var agent = system.Agent(turn.Agent);
                var ids = agent.Tokenizer.Encode(agent.PromptFor(1, decode: turn.IsFinalDecode).RenderWithText(questions[q], _ => ""));
                var prompt = model.Embed(tensor(ids.Select(i => (long)i).ToArray(), device: model.Device).unsqueeze(0));
                var watch = Stopwatch.StartNew();
                if (turn.IsFinalDecode)
                {
                    var texts = new TokenGenerator(model) { CancellationToken = options.CancellationToken }.Generate(
                        new ForwardInput { InputEmbeddings = prompt, Cache = cache }, SystemAgent.Sampling(decoding), agent.StopTokens,
                        tokens => agent.Tokenizer.Decode(tokens));
                    answers[q] = texts[0];
                    options.OnAnswerText?.Invoke(q, texts[0].Text ?? "");
                    generated[t] += texts[0].TokenIds.Count;
                }
                else
                    LatentRollout.Run(model, realign, prompt, null, steps, RolloutMode.Cached, cache, options.CancellationToken).Dispose();
                prefill[t] += ids.Count;
                milliseconds[t] += watch.Elapsed.TotalMilliseconds;
            }
        }
        for (int t = 0; t < turns.Count; t++)
            recorder.Add(new AgentStep(turns[t].Agent, 1, turns[t].IsFinalDecode ? StepKind.Decode : StepKind.Latent, turns[t].IsFinalDecode ? 0 : steps,
                generated[t], prefill[t], milliseconds[t]));
        return RunContext.ResultOf(RunMethod.LatentMasKv, 1, questions, answers, recorder);
    }

    /// <summary>
    /// Throws <see cref="PromptTooLongException"/> before any forward when <paramref name="question"/>'s one cache — every
    /// turn's prompt (slots empty) and latent steps, then the answer's token budget — is more than the model holds: the
    /// runners' per-turn check (<see cref="RunAdmission"/>) does not see a cache that grows across agents.
    /// </summary>
    static void CheckFits(RecursiveSystem system, IReadOnlyList<AgentTurn> turns, string question, int steps, DecodingDescription decoding, int index, int count)
    {
        long positions = 0;
        bool atLeast = false;
        foreach (var turn in turns)
        {
            var agent = system.Agent(turn.Agent);
            var prompt = agent.PromptFor(1, decode: turn.IsFinalDecode);
            var (tokens, bound) = RunAdmission.PromptTextTokens(agent.Tokenizer, prompt, question, () => [prompt.RenderWithText(question, _ => "")], agent.Prompts.MaxPositions);
            positions += tokens + (turn.IsFinalDecode ? decoding.MaxNewTokens : steps);
            atLeast |= bound;
        }
        var last = turns[^1];
        var decoder = system.Agent(last.Agent);
        if (positions <= decoder.Prompts.MaxPositions)
            return;
        var refused = new PromptTooLongException(
            $"the request is too long: LatentMAS's one cache (each agent's prompt and {steps} latent steps, then the answer's {decoding.MaxNewTokens} tokens) " +
            $"would hold {(atLeast ? "at least " : "")}{positions} positions, over the model's max_position_embeddings of {decoder.Prompts.MaxPositions}",
            new TurnPositions(last.Agent, 1, last.IsFinalDecode, (int)Math.Min(int.MaxValue, positions - decoding.MaxNewTokens), decoding.MaxNewTokens, decoder.Prompts.MaxPositions)
            { PromptIsLowerBound = atLeast },
            decoder.Prompts.MaxPositions);
        throw count > 1 ? refused.InQuestion(index, count) : refused;
    }
}
