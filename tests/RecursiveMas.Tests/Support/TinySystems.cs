using RecursiveMas.Systems;

namespace RecursiveMas.Tests.Support;

/// <summary>
/// A folder of tiny random-weight agents of different families and hidden sizes, and SYSTEM.json
/// descriptions of every collaboration pattern over them. Built once per test class (xunit fixture).
/// </summary>
public sealed class TinySystems : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "rmas-systems-" + Guid.NewGuid().ToString("N"));

    /// <summary>Model folder → (family, hidden size).</summary>
    public static readonly IReadOnlyDictionary<string, (string Family, int Hidden)> Models = new Dictionary<string, (string, int)>
    {
        ["llama-64"] = ("llama", 64),
        ["qwen3-96"] = ("qwen3", 96),
        ["qwen2-128"] = ("qwen2", 128),
        ["mistral-64"] = ("mistral", 64),
        ["qwen2-64"] = ("qwen2", 64),
    };

    public TinySystems()
    {
        long seed = 100;
        foreach (var (folder, (family, hidden)) in Models)
            TinyCheckpoints.Write(Path.Combine(Root, "models", folder), TinyCheckpoints.Config(family, hidden), seed++, std: 0.02).Dispose();
        File.WriteAllText(Path.Combine(Root, "corpus.txt"), "Paris\nParis is the capital of France.\n\nArithmetic\nTwelve plus thirty is forty-two.\n");
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }

    public static readonly string[] Patterns = ["sequential", "mixture", "distillation", "deliberation", "custom"];

    static AgentDescription Agent(string name, string model, int steps, params PromptDescription[] prompts) =>
        new() { Name = name, Model = "models/" + model, LatentSteps = steps, Prompts = prompts };

    static PromptDescription First(string t) => new(PromptUse.FirstRound, t);
    static PromptDescription Later(string t) => new(PromptUse.LaterRounds, t);
    static PromptDescription Always(string t) => new(PromptUse.Always, t);

    /// <summary>The description of <paramref name="pattern"/> with <paramref name="rounds"/> rounds, written as SYSTEM.json.</summary>
    public SystemDescription Describe(string pattern, int rounds, int maxNewTokens = 6)
    {
        var decoding = new DecodingDescription { MaxNewTokens = maxNewTokens, RetryWithoutBoxedAnswer = false };
        SystemDescription d = pattern switch
        {
            "sequential" => new SystemDescription
            {
                Name = "SequentialTeam",
                Pattern = new PatternDescription { Kind = CollaborationPattern.Sequential, Agents = ["Planner", "Critic", "Solver"] },
                Agents =
                [
                    Agent("Planner", "llama-64", 4,
                        First("You are a planner. Give a plan for the question. Question: {question}"),
                        Later("You are a planner. This is a later round. Question: {question} Feedback signal from the previous round: {feedback} Refine the plan.")),
                    Agent("Critic", "qwen3-96", 3, Always("You are a critic. Question: {question} Initial plan: {from:Planner} Refine the plan.")),
                    Agent("Solver", "qwen2-128", 5, Always("You are a solver. Refined plan: {from:Critic} Question: {question} Put the final answer inside \\boxed{}.")),
                ],
            },
            "mixture" => new SystemDescription
            {
                Name = "MixtureTeam",
                Pattern = new PatternDescription { Kind = CollaborationPattern.Mixture, Agents = ["Summarizer", "Math", "Code", "Science"] },
                Agents =
                [
                    Agent("Math", "llama-64", 3, First("You are the math expert. Question: {question}"), Later("You are the math expert. Question: {question} Feedback: {feedback}")),
                    Agent("Code", "qwen3-96", 4, First("You are the code expert. Question: {question}"), Later("You are the code expert. Question: {question} Feedback: {feedback}")),
                    Agent("Science", "mistral-64", 2, First("You are the science expert. Question: {question}"), Later("You are the science expert. Question: {question} Feedback: {feedback}")),
                    Agent("Summarizer", "qwen2-128", 3, Always("Math: {from:Math} Code: {from:Code} Science: {from:Science} Question: {question} Answer in \\boxed{}.")),
                ],
            },
            "distillation" => new SystemDescription
            {
                Name = "DistillationTeam",
                Pattern = new PatternDescription { Kind = CollaborationPattern.Distillation, Agents = ["Expert", "Learner"] },
                Agents =
                [
                    Agent("Expert", "qwen3-96", 4, First("Provide a concise plan. Question: {question}"), Later("Provide a concise plan. Question: {question} Learner feedback: {feedback}")),
                    Agent("Learner", "qwen2-64", 3, Always("Expert plan: {from:Expert} Question: {question} Answer in \\boxed{}.")),
                ],
            },
            "deliberation" => new SystemDescription
            {
                Name = "DeliberationTeam",
                Pattern = new PatternDescription { Kind = CollaborationPattern.Deliberation, Agents = ["Reflector", "ToolCaller"] },
                Agents =
                [
                    Agent("Reflector", "qwen3-96", 3, First("Reflect on the question. Question: {question}"), Later("Reflect on the question. Question: {question} Tool-caller feedback: {feedback}")),
                    Agent("ToolCaller", "qwen3-96", 3, Always("Reflector signal: {from:Reflector} Question: {question} Use <calculator>expression</calculator> when needed.")),
                ],
                ToolCorpus = "corpus.txt",
            },
            "custom" => new SystemDescription
            {
                Name = "CustomTeam",
                Pattern = new PatternDescription
                {
                    Kind = CollaborationPattern.Custom,
                    Links = [new("Reader", "Checker"), new("Checker", "Writer"), new("Reader", "Writer"), new("Writer", "Reader")],
                    Decoder = "Writer",
                },
                Agents =
                [
                    Agent("Reader", "llama-64", 3, First("Read: {question}"), Later("Read: {question} Feedback: {feedback}")),
                    Agent("Checker", "mistral-64", 2, Always("Check: {from:Reader} {question}")),
                    Agent("Writer", "qwen2-128", 4, Always("Reader: {from:Reader} Checker: {from:Checker} Question: {question}")),
                ],
            },
            _ => throw new ArgumentException(pattern),
        };
        d = d with { Rounds = rounds, Decoding = decoding };
        string path = Path.Combine(Root, $"{pattern}-{rounds}.SYSTEM.json");
        d.Save(path);
        return SystemDescription.Load(path);
    }

    /// <summary>Loads <paramref name="pattern"/> with untrained (seeded) links.</summary>
    public RecursiveSystem Load(string pattern, int rounds, int maxNewTokens = 6) =>
        RecursiveSystem.Load(Describe(pattern, rounds, maxNewTokens), new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 5 });
}
