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
        (string Folder, ModelFamily Family, int Hidden)[] agents =
        [
            (Planner.ModelFolder, ModelFamily.Llama, Planner.HiddenSize),
            (Critic.ModelFolder, ModelFamily.Qwen3, Critic.HiddenSize),
            (Solver.ModelFolder, ModelFamily.Qwen2, Solver.HiddenSize),
        ];
        long seed = 1;
        foreach (var (folder, family, hidden) in agents)
        {
            int heads = hidden / 32;
            var config = new ModelConfig
            {
                Family = family,
                HiddenSize = hidden,
                IntermediateSize = hidden * 3,
                LayerCount = 2,
                HeadCount = heads,
                KeyValueHeadCount = heads,
                HeadDim = 32,
                VocabSize = 320,
                TieWordEmbeddings = family != ModelFamily.Llama,
                QkvBias = family == ModelFamily.Qwen2,
                QueryKeyNorm = family == ModelFamily.Qwen3,
            };
            ModelDirectoryBuilder.CreateRandom(Path.Combine(root, folder), config, Corpus, seed++).Dispose();
        }
    }
}
