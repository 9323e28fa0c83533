using RecursiveMas.Baselines;
using RecursiveMas.Models;
using RecursiveMas.Systems;

namespace RecursiveMas.Cli.Benchmarks;

/// <summary>
/// RecursiveMAS vs Recursive-TextMAS end to end on a Sequential system of three random-weight agents
/// of different families and sizes (Llama d=256, Qwen3 d=384, Qwen2 d=512; 4 layers each), for
/// n = 1, 2, 3: wall time and generated tokens. Both methods use the same agents, prompts and final
/// decode budget; RecursiveMAS thinks m = 32 latent steps per agent where TextMAS writes a message of
/// up to 256 tokens (the budget of the text baseline's messages).
/// </summary>
static class SystemBench
{
    public sealed record Row(int Rounds, double RecursiveMs, double TextMs, int RecursiveTokens, int TextTokens, double Speedup, double TokenReduction);

    static readonly string[] Corpus =
    [
        "You are a planner agent in a multi-agent system. Give a plan for the question below.",
        "You are a refiner agent. Refine the initial plan and respond with the plan only.",
        "You are a solver agent. Solve the question and put the final answer inside \\boxed{}.",
        "Question: A shop sells 12 apples and 30 pears. How many fruits are there? Step 1: add 12 and 30. Answer: 42.",
        "Feedback signal from the previous round: use it as a soft correction and check the arithmetic.",
        "Step 1: read. Step 2: plan. Step 3: compute. Step 4: check. The final answer is \\boxed{42}.",
    ];

    public static SystemDescription Build(string root, bool quick)
    {
        int layers = quick ? 2 : 4;
        ModelDirectoryBuilder.CreateRandomAgents(root,
        [
            ("planner", ModelDirectoryBuilder.TinyConfig(ModelFamily.Llama, quick ? 64 : 256, layers, vocabSize: 1024, groupedQuery: true)),
            ("critic", ModelDirectoryBuilder.TinyConfig(ModelFamily.Qwen3, quick ? 96 : 384, layers, vocabSize: 1024, groupedQuery: true)),
            ("solver", ModelDirectoryBuilder.TinyConfig(ModelFamily.Qwen2, quick ? 128 : 512, layers, vocabSize: 1024, groupedQuery: true)),
        ], Corpus, firstSeed: 11);
        int m = quick ? 4 : 32;
        var description = new SystemDescription
        {
            Name = "BenchSequential",
            Rounds = 3,
            Pattern = new PatternDescription { Kind = CollaborationPattern.Sequential, Agents = ["Planner", "Critic", "Solver"] },
            Agents =
            [
                new() { Name = "Planner", Model = "planner", LatentSteps = m, Prompts =
                [
                    new(PromptUse.FirstRound, "You are a planner agent in a multi-agent system. Give a plan for the question below. Question: {question}"),
                    new(PromptUse.LaterRounds, "You are a planner agent in a recursive multi-agent system. Question: {question} Feedback signal from the previous round: {feedback} Use the feedback as a soft correction."),
                ] },
                new() { Name = "Critic", Model = "critic", LatentSteps = m, Prompts =
                [
                    new(PromptUse.Always, "You are a refiner agent. Question: {question} The initial plan from the planner: {from:Planner} Refine the initial plan."),
                ] },
                new() { Name = "Solver", Model = "solver", LatentSteps = m, Prompts =
                [
                    new(PromptUse.Always, "You are a solver agent. Here is the refined plan: {from:Critic} The question is: {question} Put the final answer inside \\boxed{}."),
                ] },
            ],
            Decoding = new DecodingDescription { MaxNewTokens = quick ? 8 : 64, RetryWithoutBoxedAnswer = false },
            TextMessageTokens = quick ? 16 : 256,
        };
        string path = Path.Combine(root, "SYSTEM.json");
        description.Save(path);
        return SystemDescription.Load(path);
    }

    public static IReadOnlyList<Row> Run(bool quick, Action<string> log)
    {
        string root = Path.Combine(Path.GetTempPath(), "rmas-bench-system-" + Environment.ProcessId);
        try
        {
            var description = Build(root, quick);
            using var system = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true });
            log($"agents: {string.Join(", ", system.Agents.Select(a => $"{a.Name} ({a.Model.Config.ModelType}, d={a.HiddenSize}, m={a.LatentSteps})"))}; " +
                $"text messages ≤ {description.TextMessageTokens} tokens, final answer ≤ {description.Decoding.MaxNewTokens} tokens");
            string question = "A shop sells 12 apples and 30 pears. How many fruits are there?";
            // Both methods once at the most rounds first: otherwise the first row also timed the JIT's
            // tier-up of everything a run calls (n = 1 measured slower than n = 2).
            var warmUp = new RunOptions { Rounds = 3 };
            RecursiveRunner.Solve(system, question, warmUp);
            TextMasBaseline.SolveBatch(system, [question], warmUp);
            var rows = new List<Row>();
            foreach (int n in new[] { 1, 2, 3 })
            {
                var options = new RunOptions { Rounds = n };
                RunResult? latent = null, text = null;
                double latentMs = BenchTiming.MedianMilliseconds(() => latent = RecursiveRunner.Solve(system, question, options), repetitions: quick ? 1 : 3);
                double textMs = BenchTiming.MedianMilliseconds(() => text = TextMasBaseline.SolveBatch(system, [question], options), repetitions: 1);
                var row = new Row(n, latentMs, textMs, latent!.GeneratedTokens, text!.GeneratedTokens, textMs / latentMs,
                    1 - (double)latent.GeneratedTokens / text.GeneratedTokens);
                rows.Add(row);
                log($"n={n}: recursive {latentMs:F0} ms / {row.RecursiveTokens} tokens, text {textMs:F0} ms / {row.TextTokens} tokens, " +
                    $"speedup {row.Speedup:F2}x, token reduction {row.TokenReduction:P1}");
            }
            return rows;
        }
        finally
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }
}
