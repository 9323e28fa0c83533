using RecursiveMas.Models;
using RecursiveMas.Presets;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Presets;

/// <summary>
/// A Sequential-Scaled-shaped system with tiny random weights: a multimodal Gemma3 planner → a Llama critic →
/// a multimodal Qwen3.5 solver (nested <c>text_config</c> config.json files, language-model tensors under
/// <c>model.language_model.</c>, as the Hub checkpoints are), planner and solver of one width and the critic
/// wider (2560 / 3072 / 2560 in the release). The models sit where <c>rmas init Sequential-Scaled</c> expects
/// them (<c>models/&lt;repository name&gt;</c>), and the SYSTEM.json is the preset's with tiny sizes and budgets.
/// </summary>
public sealed class TinyScaledSystem : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "rmas-tiny-scaled-" + Guid.NewGuid().ToString("N"));

    /// <summary>Agent → (family, hidden size); the families of the release, the shape of its widths.</summary>
    public static readonly IReadOnlyDictionary<string, (string Family, int Hidden)> Shapes = new Dictionary<string, (string, int)>
    {
        ["Planner"] = ("gemma3", 48),
        ["Critic"] = ("llama", 64),
        ["Solver"] = ("qwen3_5", 48),
    };

    public TinyScaledSystem()
    {
        long seed = 300;
        foreach (var agent in PaperPresets.SequentialScaled.Agents)
        {
            var (family, hidden) = Shapes[agent.Name];
            var config = TinyCheckpoints.Config(family, hidden) with { Multimodal = family is "gemma3" or "qwen3_5" };
            TinyCheckpoints.Write(ModelDirectory(agent.Name), config, seed++, std: 0.02).Dispose();
        }
    }

    /// <summary>The agent's model folder, the preset's <c>models/&lt;repository name&gt;</c>.</summary>
    public string ModelDirectory(string agent) =>
        Path.Combine(Root, PaperPresets.SequentialScaled.Agents.Single(a => a.Name == agent).ModelFolder);

    /// <summary>The preset's description with tiny hidden sizes, <paramref name="latentSteps"/> and a short greedy decode, saved as SYSTEM.json and read back.</summary>
    public SystemDescription Describe(int latentSteps = 3, int rounds = 2)
    {
        var preset = PaperPresets.SequentialScaled.ToDescription();
        var d = preset with
        {
            Rounds = rounds,
            Agents = preset.Agents.Select(a => a with { HiddenSize = Shapes[a.Name].Hidden, LatentSteps = latentSteps }).ToList(),
            Decoding = new DecodingDescription { MaxNewTokens = 6, RetryWithoutBoxedAnswer = false },
        };
        string path = Path.Combine(Root, "SYSTEM.json");
        d.Save(path);
        return SystemDescription.Load(path);
    }

    public RecursiveSystem Load(int latentSteps = 3, int rounds = 2, bool allowUntrained = true) =>
        RecursiveSystem.Load(Describe(latentSteps, rounds), new SystemLoadOptions { AllowUntrainedLinks = allowUntrained, UntrainedLinkSeed = 9 });

    public void Dispose()
    {
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }
}
