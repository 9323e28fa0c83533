using RecursiveMas.Decoding;
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
    /// <exception cref="PromptTooLongException">A question makes a prompt longer than its agent's model holds (<see cref="RunAdmission.CheckLength"/>), checked before any forward.</exception>
    public static RunResult SolveBatch(RecursiveSystem system, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        RunAdmission.CheckEach(system.Prompts, questions, options);
        using var run = new RunContext(system, questions, options);
        var answers = TurnLoop.Run<Tensor, IReadOnlyList<GeneratedSequence>>(system, run.Rounds,
            think: (turn, messages) => run.LatentTurn(turn, messages).Select(m => (m.Edge, m.Vectors)),
            decode: run.DecodeTurn);
        return run.Result(RunMethod.Recursive, answers);
    }
}
