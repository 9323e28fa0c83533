using RecursiveMas.Dsl;

namespace RecursiveMas.Generators.Model;

/// <summary>
/// Everything the emitter prints for one <c>[RecursiveSystem]</c> class, decided by
/// <see cref="Parsing.SystemPlanner"/>: strings, ints, enums and <see cref="EquatableArray{T}"/>s only,
/// so equal declarations give equal specs and the incremental pipeline skips re-emitting them.
/// </summary>
/// <param name="Type">The system class (namespace, nesting, keyword).</param>
/// <param name="HintName">The generated file's name (<c>MyApp.MathTeam.g.cs</c>).</param>
/// <param name="Rounds">n, as declared.</param>
/// <param name="Pattern">The collaboration pattern.</param>
/// <param name="PatternAgents">A built-in pattern's agents in argument order (empty for a custom graph).</param>
/// <param name="DeclaredLinks">A custom graph's <c>[Link]</c>s as declared (empty for a built-in pattern).</param>
/// <param name="Decoder">The agent that decodes.</param>
/// <param name="Agents">The agents, in order of first mention.</param>
/// <param name="Edges">The outer links, in the topology's edge order.</param>
/// <param name="Senders">The fused link groups the turns use.</param>
/// <param name="Stages">The agents' stages that the turns use.</param>
/// <param name="Turns">The unrolled run of <see cref="Rounds"/> rounds.</param>
/// <param name="SearchCorpus">The Deliberation search tool's corpus, relative to the model root; null for none.</param>
internal sealed record SystemGenerationSpec(
    TypeRef Type,
    string HintName,
    int Rounds,
    PatternKind Pattern,
    EquatableArray<string> PatternAgents,
    EquatableArray<DeclaredLinkSpec> DeclaredLinks,
    string Decoder,
    EquatableArray<AgentGenerationSpec> Agents,
    EquatableArray<EdgeGenerationSpec> Edges,
    EquatableArray<SenderSpec> Senders,
    EquatableArray<StageSpec> Stages,
    EquatableArray<TurnGenerationSpec> Turns,
    string? SearchCorpus);
