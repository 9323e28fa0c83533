using RecursiveMas.Models;

namespace RecursiveMas.Systems;

/// <summary>How <see cref="RecursiveSystem.Load(SystemDescription, SystemLoadOptions?)"/> finds and materialises a system.</summary>
public sealed record SystemLoadOptions
{
    /// <summary>Dtype and device of the agents' models.</summary>
    public ModelLoadOptions Model { get; init; } = new();

    /// <summary>Overrides the description's model root (absolute, or relative to the current directory).</summary>
    public string? ModelRoot { get; init; }

    /// <summary>
    /// Model folders chosen by the caller (agent name → folder) that replace those the description names —
    /// e.g. a fine-tuned decoder for the SFT baseline. They come from code, not from a file, so unlike a
    /// description's <c>model</c> they may lie outside the model root.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ModelOverrides { get; init; }

    /// <summary>
    /// LoRA adapters chosen by the caller (agent name → PEFT adapter directory, e.g. from <c>rmas pretrain
    /// --lora-rank</c>): each is merged into that agent's model weights at load (W += scale · B A), so the agent
    /// runs the adapted model at no extra cost — the LoRA baseline. Applied over the agent's model, whether
    /// the description's or a <see cref="ModelOverrides"/> one; a model another agent shares stays unadapted.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Adapters { get; init; }

    /// <summary>
    /// Only these agents (by name) are loaded — their models, tokenizers and inner links — with the outer
    /// links of the edges they send along; null = every agent. The plan still covers the whole system (every
    /// agent's config.json is read). A part of a system serves the agents of one machine of a cluster; it
    /// runs those agents' turns only (<see cref="RecursiveSystem.Agent"/> names the agents it lacks).
    /// </summary>
    public IReadOnlyCollection<string>? Agents { get; init; }

    /// <summary>Overrides the description's links folder.</summary>
    public string? LinksDirectory { get; init; }

    /// <summary>
    /// Links without a file start from PyTorch's default initialization (seeded by
    /// <see cref="UntrainedLinkSeed"/>) instead of failing: for benchmarks, tests, and training from scratch.
    /// </summary>
    public bool AllowUntrainedLinks { get; init; }

    /// <summary>
    /// Every link starts from its seeded initialization, whatever files the links folder holds: training
    /// from scratch, and the training-free baseline. Implies <see cref="AllowUntrainedLinks"/>.
    /// </summary>
    public bool IgnoreLinkFiles { get; init; }

    /// <summary>Seed of untrained links (each link derives its own from this and its id).</summary>
    public long UntrainedLinkSeed { get; init; }

    /// <summary>The default <see cref="PrefixCacheBytes"/>: 64 MiB per agent.</summary>
    public const long DefaultPrefixCacheBytes = 64L << 20;

    /// <summary>
    /// Bytes of prompt-prefix KV each agent keeps (<see cref="SystemAgent.Prefixes"/>): the text before an
    /// agent's first message slot is prefilled once and reused by later rounds and questions; 0 = off.
    /// Answers do not depend on it.
    /// </summary>
    public long PrefixCacheBytes { get; init; } = DefaultPrefixCacheBytes;
}
