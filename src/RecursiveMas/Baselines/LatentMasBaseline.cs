using RecursiveMas.Decoding;
using RecursiveMas.Latent;
using RecursiveMas.Systems;
using static TorchSharp.torch;

namespace RecursiveMas.Baselines;

/// <summary>
/// A LatentMAS-style training-free latent system for agents that share one model (PAPER §8.1):
/// latent rollouts use the ridge realignment instead of a trained inner link, and an agent's latent
/// embeddings go to its receivers unchanged (same model, same space — no outer link). Messages fill
/// the same prompt slots as in RecursiveMAS. (LatentMAS proper prepends the sender's whole KV cache;
/// slot messages keep the comparison with RecursiveMAS to the one thing that differs: trained links.)
/// </summary>
public static class LatentMasBaseline
{
    public static RunResult SolveBatch(RecursiveSystem system, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        options ??= new RunOptions();
        var models = system.Agents.Select(a => a.Model).Distinct().ToList();
        if (models.Count != 1)
            throw new ArgumentException(
                $"LatentMAS needs agents that share one model; system {system.Description.Name} has {models.Count} " +
                $"({string.Join(", ", system.Agents.Select(a => $"{a.Name}: {a.Description.Model}"))})");
        int rounds = options.RoundsFor(system.Description);
        var decoding = options.Decoding ?? system.Description.Decoding;
        var recorder = new RunRecorder(options.OnStep);
        var board = new MessageBoard<Tensor>();
        IReadOnlyList<GeneratedSequence>? answers = null;

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var realign = new RidgeRealignment(models[0].OutputMatrix, models[0].EmbeddingMatrix);
        foreach (var turn in RoundSchedule.Turns(system.Plan, rounds))
        {
            var agent = system.Agent(turn.Agent);
            var messages = board.For(turn.Agent, turn.Round);
            if (turn.IsFinalDecode)
            {
                var prompt = agent.PromptFor(turn.Round, decode: true);
                answers = recorder.Text(turn.Agent, turn.Round, "decode",
                    () => (agent.Decode(prompt, questions, messages, decoding, out int prefill, system.Tools), prefill));
                continue;
            }

            int steps = options.LatentSteps ?? agent.LatentSteps;
            var thoughts = recorder.Latent(turn.Agent, turn.Round, steps, () =>
            {
                using var assembled = agent.Assembler.Assemble(agent.PromptFor(turn.Round, decode: false), questions, messages);
                return (LatentRollout.Run(agent.Model, realign, assembled.Embeddings, assembled.Mask, steps, options.RolloutMode), assembled.Lengths.Sum());
            });
            foreach (var edge in turn.Outgoing)
            {
                options.OnMessage?.Invoke(new SentMessage(edge, turn.Round, thoughts.Embeddings));
                board.Post(edge, turn.Round, thoughts.Embeddings);
            }
        }

        if (answers is null)
            throw new InvalidOperationException($"system {system.Description.Name}: the decoder never ran");
        return RecursiveRunner.Result("latentmas", rounds, questions, answers, recorder);
    }
}
