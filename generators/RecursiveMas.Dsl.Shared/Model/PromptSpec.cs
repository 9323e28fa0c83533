namespace RecursiveMas.Dsl;

/// <summary>One <c>[Prompt]</c> of an agent.</summary>
/// <param name="Use">When the agent uses it.</param>
/// <param name="Template">The parsed template.</param>
/// <param name="AttributeIndex">The position of its attribute among the agent type's attributes (for diagnostics).</param>
internal sealed record PromptSpec(PromptUseKind Use, PromptTemplate Template, int AttributeIndex);
