using RecursiveMas.Decoding;
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
        var models = system.Agents.Select(a => a.Model).Distinct().ToList();
        if (models.Count != 1)
            throw new ArgumentException(
                $"LatentMAS needs agents that share one model; system {system.Description.Name} has {models.Count} " +
                $"({string.Join(", ", system.Agents.Select(a => $"{a.Name}: {a.Description.Model}"))})");
        RunAdmission.CheckEach(system.Prompts, questions, options); // as the recursive runner: before any forward
        using var run = new RunContext(system, questions, options);
        using var realign = new RidgeRealignment(models[0].OutputMatrix, models[0].EmbeddingMatrix);
        var answers = TurnLoop.Run<Tensor, IReadOnlyList<GeneratedSequence>>(system, run.Rounds,
            think: (turn, messages) =>
            {
                var agent = system.Agent(turn.Agent);
                var thoughts = run.Think(agent, turn.Round, agent.PromptFor(turn.Round, decode: false), messages, inner: realign);
                return [.. turn.Outgoing.Select(edge => (edge, run.Sent(edge, turn.Round, thoughts.Embeddings).Vectors))];
            },
            decode: (turn, messages) =>
            {
                var agent = system.Agent(turn.Agent);
                return run.Decode(agent, turn.Round, agent.PromptFor(turn.Round, decode: true), messages);
            });
        return run.Result(RunMethod.LatentMas, answers);
    }
}
