using RecursiveMas.Models;

namespace SequentialTeamExample;

/// <summary>
/// Tiny random-weight models for the three agents, so the example runs with no downloaded weights.
/// Their hidden sizes are the ones the compiler read from config.json (the generated constants), so
/// loading's dimension check passes; their answers are noise until real models and trained links are used.
/// </summary>
internal static class RandomAgents
{
    static readonly string[] Corpus =
    [
        "You are a planner. Give a plan for the question. Question: What is 12 plus 30?",
        "You are a critic. Refine the plan. You are a solver. Put the final answer inside \\boxed{42}.",
        "Step 1: read the question. Step 2: plan. Step 3: compute the answer. Numbers 0 1 2 3 4 5 6 7 8 9.",
    ];

    /// <summary>Writes planner/, critic/ and solver/ model folders under <paramref name="root"/>.</summary>
    public static void Write(string root)
    {
        ModelDirectoryBuilder.CreateRandomAgents(root,
        [
            (Planner.ModelFolder, ModelDirectoryBuilder.TinyConfig(ModelFamily.Llama, Planner.HiddenSize)),
            (Critic.ModelFolder, ModelDirectoryBuilder.TinyConfig(ModelFamily.Qwen3, Critic.HiddenSize)),
            (Solver.ModelFolder, ModelDirectoryBuilder.TinyConfig(ModelFamily.Qwen2, Solver.HiddenSize)),
        ], Corpus, firstSeed: 1);
    }
}
