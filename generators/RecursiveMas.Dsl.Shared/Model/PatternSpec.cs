namespace RecursiveMas.Dsl;

/// <summary>The collaboration pattern of a system.</summary>
internal enum PatternKind
{
    /// <summary><c>[Sequential(A1, …, Ak)]</c>: A1 → … → Ak, loop Ak → A1, decoder Ak.</summary>
    Sequential,

    /// <summary><c>[Mixture(S, E1, …, Ek)]</c>: Ei → S, loop S → Ei, decoder S.</summary>
    Mixture,

    /// <summary><c>[Distillation(E, L)]</c>: E → L, loop L → E, decoder L.</summary>
    Distillation,

    /// <summary><c>[Deliberation(R, T)]</c>: R → T, loop T → R, decoder T.</summary>
    Deliberation,

    /// <summary><c>[Link(from, to)]</c>… plus one <c>[Decoder]</c>.</summary>
    Custom,
}

/// <summary>A built-in pattern attribute (<c>[Sequential]</c>, <c>[Mixture]</c>, <c>[Distillation]</c>, <c>[Deliberation]</c>) as declared.</summary>
/// <param name="Kind">Which pattern (never <see cref="PatternKind.Custom"/>).</param>
/// <param name="Agents">
/// The agents' full names in argument order (for <c>[Mixture]</c>: the summarizer, then the experts);
/// an empty string where the argument is not a resolvable type. The position in this list is the
/// argument position used in <see cref="Site"/>s.
/// </param>
/// <param name="AttributeIndex">The position of the attribute among the system type's attributes.</param>
/// <param name="SearchCorpus"><c>[Deliberation(SearchCorpus = ...)]</c>: the search tool's corpus, relative to the model root; null when not set (and for other patterns).</param>
internal sealed record PatternSpec(PatternKind Kind, EquatableArray<string> Agents, int AttributeIndex, string? SearchCorpus = null);

/// <summary>A <c>[Link(from, to)]</c> of a custom graph.</summary>
/// <param name="From">The sending agent's full name (empty when unresolvable).</param>
/// <param name="To">The receiving agent's full name (empty when unresolvable).</param>
/// <param name="FromHiddenSize">The declared input width; 0 when not declared.</param>
/// <param name="ToHiddenSize">The declared output width; 0 when not declared.</param>
/// <param name="AttributeIndex">The position of the attribute among the system type's attributes.</param>
internal sealed record LinkSpec(string From, string To, int FromHiddenSize, int ToHiddenSize, int AttributeIndex);

/// <summary>A <c>[Decoder(agent)]</c> of a custom graph.</summary>
/// <param name="Agent">The agent's full name (empty when unresolvable).</param>
/// <param name="AttributeIndex">The position of the attribute among the system type's attributes.</param>
internal sealed record DecoderSpec(string Agent, int AttributeIndex);
