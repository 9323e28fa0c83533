using System.Text.Json;
using System.Text.Json.Nodes;
using RecursiveMas.IO;
using RecursiveMas.Links;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Systems;

/// <summary>The collaboration patterns of PAPER §1.2, plus custom graphs.</summary>
public enum CollaborationPattern
{
    /// <summary>A1 → A2 → … → Ak, feedback Ak → A1; Ak decodes.</summary>
    Sequential,

    /// <summary>Experts → summarizer, feedback summarizer → each expert; the summarizer decodes.</summary>
    Mixture,

    /// <summary>Expert → learner, feedback learner → expert; the learner decodes.</summary>
    Distillation,

    /// <summary>Reflector → tool-caller, feedback tool-caller → reflector; the tool-caller decodes with tools.</summary>
    Deliberation,

    /// <summary>Declared links plus a declared decoder.</summary>
    Custom,
}

/// <summary>One prompt of an agent.</summary>
public sealed record PromptDescription(PromptUse Use, string Template);

/// <summary>One agent: its model folder (relative to the model root), prompts and latent steps.</summary>
public sealed record AgentDescription
{
    public required string Name { get; init; }

    /// <summary>Model folder relative to <see cref="SystemDescription.ModelRoot"/>.</summary>
    public required string Model { get; init; }

    /// <summary>Declared hidden size; 0 = read it from the model's config.json (a mismatch is an error).</summary>
    public int HiddenSize { get; init; }

    /// <summary>m, the latent thoughts per rollout.</summary>
    public int LatentSteps { get; init; } = 32;

    /// <summary>Role name for logs and prompts, and the second place links are looked for (<c>inner.ROLE</c>) when none are saved under the name; null = the agent's name.</summary>
    public string? Role { get; init; }

    /// <summary>System message of the agent's chat prompts; null keeps the chat format's default.</summary>
    public string? SystemPrompt { get; init; }

    public IReadOnlyList<PromptDescription> Prompts { get; init; } = [];
}

/// <summary>A link of a custom graph.</summary>
public sealed record LinkDescription(string From, string To, int FromHiddenSize = 0, int ToHiddenSize = 0);

/// <summary>
/// The pattern and its agents in the order of the DSL attribute's arguments: Sequential (agents…),
/// Mixture (summarizer, experts…), Distillation (expert, learner), Deliberation (reflector, tool-caller);
/// or, for <see cref="CollaborationPattern.Custom"/>, links and a decoder.
/// </summary>
public sealed record PatternDescription
{
    public required CollaborationPattern Kind { get; init; }

    public IReadOnlyList<string> Agents { get; init; } = [];

    public IReadOnlyList<LinkDescription> Links { get; init; } = [];

    public string? Decoder { get; init; }
}

/// <summary>How the decoder agent decodes the final answer.</summary>
public sealed record DecodingDescription
{
    public int MaxNewTokens { get; init; } = 256;
    public double Temperature { get; init; }
    public double TopP { get; init; } = 1;
    public int TopK { get; init; }
    public long? Seed { get; init; }

    /// <summary>PAPER §7.3: when the output has no \boxed{} answer, append "Final Answer: \boxed{" and continue briefly.</summary>
    public bool RetryWithoutBoxedAnswer { get; init; } = true;

    /// <summary>Tokens for that continuation (the released code uses 16).</summary>
    public int RetryTokens { get; init; } = 16;
}

/// <summary>
/// Where the official RecursiveMAS release keeps a system's links (PAPER §1.2), so that
/// <see cref="RecursiveSystem.Load(SystemDescription, SystemLoadOptions)"/> imports them through
/// <see cref="PyTorchLinkImport"/> when no link of this library's format is saved under the link's id.
/// Folders are relative to <see cref="SystemDescription.ModelRoot"/>: each agent's Hub repository
/// (its inner link <c>adapter.pt</c>, or <c>adapter(TASK).pt</c>, sits beside the model weights) and
/// the system's <c>…-Outerlinks</c> repository (<c>outerlink_config.json</c> names the file of each key).
/// </summary>
/// <param name="Task">
/// The task whose links a task-scoped release (Sequential, Distillation) provides: <c>math</c> (MATH500,
/// GPQA, MedQA) or <c>code</c> (MBPP+); null for releases with one set (Mixture, Deliberation).
/// </param>
/// <param name="Inner">Agent → the folder of its Hub repository.</param>
/// <param name="OuterFolder">The folder of the outer-links repository.</param>
/// <param name="Outer">Released key (<c>outer_12</c>, <c>outer_s1</c>, …) → the edge it serves.</param>
public sealed record ReleasedLinksDescription(
    string? Task,
    IReadOnlyList<ReleasedInnerLink> Inner,
    string OuterFolder,
    IReadOnlyList<ReleasedOuterLink> Outer);

/// <summary>An agent's released inner link: the folder of its Hub repository.</summary>
public sealed record ReleasedInnerLink(string Agent, string Folder);

/// <summary>A released outer link: its key in the release and the edge it serves.</summary>
public sealed record ReleasedOuterLink(string Key, string From, string To);

/// <summary>
/// A recursive multi-agent system as data: the runtime's own format, <c>SYSTEM.json</c>. The DSL's
/// source generator emits the same description for every attributed system, and
/// <see cref="RecursiveSystem.Load(SystemDescription, SystemLoadOptions)"/> runs either. Relative paths are relative to the file.
/// </summary>
public sealed record SystemDescription
{
    public const string FormatName = "rmas-system/1";

    public required string Name { get; init; }

    public int Rounds { get; init; } = 3;

    public required PatternDescription Pattern { get; init; }

    public required IReadOnlyList<AgentDescription> Agents { get; init; }

    /// <summary>Where agent model folders are, relative to the description's folder.</summary>
    public string ModelRoot { get; init; } = ".";

    /// <summary>Where trained links are, relative to the description's folder.</summary>
    public string LinksDirectory { get; init; } = "links";

    public LinkArchitecture InnerLink { get; init; } = LinkArchitecture.LayerNormResidual;

    public LinkArchitecture OuterLink { get; init; } = LinkArchitecture.OuterLayerNormResidual;

    public DecodingDescription Decoding { get; init; } = new();

    /// <summary>The official release's link files to import when present (null = none; see <see cref="ReleasedLinksDescription"/>).</summary>
    public ReleasedLinksDescription? ReleasedLinks { get; init; }

    /// <summary>Deliberation: the local corpus file the search tool reads (null = no search tool).</summary>
    public string? ToolCorpus { get; init; }

    /// <summary>Prompt of the single-agent baseline (the decoder alone, chain of thought in text).</summary>
    public string SingleAgentPrompt { get; init; } = DefaultSingleAgentPrompt;

    /// <summary>Recursive-TextMAS baseline: tokens each agent may write per message.</summary>
    public int TextMessageTokens { get; init; } = 256;

    /// <summary>The file this description was read from (null when built in code).</summary>
    public string? SourcePath { get; init; }

    public const string DefaultSingleAgentPrompt =
        "{question}\nPlease reason step by step, and put your final answer within \\boxed{}.";

    /// <summary>Folder relative paths resolve against.</summary>
    public string BaseDirectory => SourcePath is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(SourcePath))!;

    /// <summary>The agent called <paramref name="name"/>.</summary>
    public AgentDescription Agent(string name) =>
        Agents.FirstOrDefault(a => a.Name == name) ?? throw new KeyNotFoundException($"system {Name} has no agent {name}");

    /// <summary>Reads and parses a SYSTEM.json file.</summary>
    public static SystemDescription Load(string path)
    {
        if (!File.Exists(path))
            throw new ModelFileException(path, null, "system description not found");
        return Parse(JsonFile.ReadSmall(path, MaxFileBytes), path);
    }

    /// <summary>The largest SYSTEM.json read.</summary>
    public const long MaxFileBytes = 4 << 20;

    /// <summary>Parses SYSTEM.json text; <paramref name="path"/> names the file in errors and anchors relative paths.</summary>
    public static SystemDescription Parse(string json, string path) => new SystemDescriptionReader(path).Read(json);

    /// <summary>The SYSTEM.json text of this description.</summary>
    public string ToJson() => SystemDescriptionWriter.Write(this).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Writes SYSTEM.json atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");
}
