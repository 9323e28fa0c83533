using RecursiveMas.Models;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using RecursiveMas.Tests.Support;
using RecursiveMas.Training;

namespace RecursiveMas.Tests.Training;

/// <summary>
/// A two-agent system (Distillation pattern: Expert → Learner, Learner decodes) of tiny random models
/// of different families, for a task only communication can solve: the question holds a one-digit
/// code, only the Expert's prompt shows the question, and the Learner must write <c>\boxed{code}</c>.
/// Without a useful message the Learner can at best guess one code for everything (chance, 1/k).
/// Built once per test class.
/// </summary>
public sealed class SecretRelay : IDisposable
{
    public static readonly string[] Codes = ["1", "2", "3", "4"];

    /// <summary>The tokenizers' corpus: the answer format is frequent enough that <c>\boxed</c> becomes one token.</summary>
    static readonly string[] Corpus = [.. Enumerable.Repeat(new[] { "Relay.", "The code?", "\\boxed{1} \\boxed{2} \\boxed{3} \\boxed{4}", "Ann Bob Cid Dee Eve Fox Gus Hal Ida Jo" }, 20).SelectMany(x => x)];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "rmas-relay-" + Guid.NewGuid().ToString("N"));

    public SecretRelay()
    {
        // Tensors here are tiny (64-wide, a few dozen positions): one intra-op thread is several times
        // faster than a pool whose synchronisation dominates, most of all on a shared 2-core machine.
        TorchSharp.torch.set_num_threads(1);
        // std 0.2 (TinyCheckpoints' default): with transformers' 0.02 a 64-wide random model's logits
        // are too flat for any input to make it write a chosen token.
        const double std = 0.2;
        ModelDirectoryBuilder.CreateRandom(Path.Combine(Root, "models", "expert"), TinyCheckpoints.Config("qwen2", 48), Corpus, seed: 31, std).Dispose();
        ModelDirectoryBuilder.CreateRandom(Path.Combine(Root, "models", "learner"), TinyCheckpoints.Config("qwen2", 64), Corpus, seed: 32, std).Dispose();
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }

    /// <summary>The description, written as SYSTEM.json under a fresh folder (its links folder is empty).</summary>
    public SystemDescription Describe(int latentSteps = 4, int rounds = 1)
    {
        var description = new SystemDescription
        {
            Name = "SecretRelay",
            Rounds = rounds,
            Pattern = new PatternDescription { Kind = CollaborationPattern.Distillation, Agents = ["Expert", "Learner"] },
            Agents =
            [
                new AgentDescription
                {
                    Name = "Expert", Model = "models/expert", LatentSteps = latentSteps, SystemPrompt = "Relay.",
                    Prompts = [new(PromptUse.FirstRound, "{question}"), new(PromptUse.LaterRounds, "{question} {feedback}")],
                },
                new AgentDescription
                {
                    Name = "Learner", Model = "models/learner", LatentSteps = latentSteps, SystemPrompt = "Relay.",
                    Prompts = [new(PromptUse.Always, "{from:Expert} The code?")],
                },
            ],
            Decoding = new DecodingDescription { MaxNewTokens = 12, RetryWithoutBoxedAnswer = false },
        };
        // Beside the models (a SYSTEM.json's modelRoot must stay inside its folder), links in a folder of its own.
        string name = "system-" + Guid.NewGuid().ToString("N")[..8];
        description = description with { LinksDirectory = name + "-links" };
        string path = Path.Combine(Root, name + ".SYSTEM.json");
        description.Save(path);
        return SystemDescription.Load(path);
    }

    /// <summary>Loads the system with freshly initialized (seeded) links.</summary>
    public RecursiveSystem Load(int latentSteps = 4, int rounds = 1, long linkSeed = 7) =>
        RecursiveSystem.Load(Describe(latentSteps, rounds), new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = linkSeed });

    /// <summary>The first <paramref name="count"/> of <see cref="Examples"/> as a task JSONL under <see cref="Root"/>: test data for <c>rmas eval</c>.</summary>
    public string WriteTestData(int count = 1)
    {
        string path = Path.Combine(Root, "test-" + Guid.NewGuid().ToString("N")[..8] + ".jsonl");
        TaskDataFile.Write(path, Examples(count, 0).Select(e => new TaskExample(e.Question, e.RoleTargets, e.Answer)));
        return path;
    }

    /// <summary>
    /// <paramref name="count"/> examples cycling through the codes (balanced), with varied wording;
    /// <paramref name="hideCode"/> removes the code from the question (the control: nothing to relay).
    /// </summary>
    public static IReadOnlyList<TrainingExample> Examples(int count, int offset, bool hideCode = false)
    {
        string[] names = ["Ann", "Bob", "Cid", "Dee", "Eve", "Fox", "Gus", "Hal", "Ida", "Jo"];
        return [.. Enumerable.Range(offset, count).Select(i =>
        {
            string code = Codes[i % Codes.Length];
            string name = names[i / Codes.Length % names.Length];
            string question = hideCode ? $"{name}: ?" : $"{name}: {code} {code} {code}";
            return new TrainingExample(question, new Dictionary<string, string> { ["Expert"] = $"The code is {code}." }, $"\\boxed{{{code}}}");
        })];
    }
}
