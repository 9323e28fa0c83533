using RecursiveMas.Dsl;

namespace RecursiveMas.Generators.Model;

/// <summary>
/// The outer links one agent's turn feeds: they all read the same E = R_in(H) of its rollout, so they
/// run fused (<c>FusedOuterLinks</c>, one matmul per projection) — the same grouping the runtime's
/// runner uses, so both give the same vectors. An agent has up to two senders: with its loop-closing
/// edges (every round but the last) and without them (the last round).
/// </summary>
/// <param name="Agent">The sending agent's name.</param>
/// <param name="IncludesFeedback">Whether the group includes the agent's loop-closing edges.</param>
/// <param name="Edges">Indices into <see cref="SystemGenerationSpec.Edges"/>, in the runtime's edge order.</param>
/// <param name="Method">The method that sends (<c>SendFromPlanner</c>).</param>
internal sealed record SenderSpec(string Agent, bool IncludesFeedback, EquatableArray<int> Edges, string Method);
