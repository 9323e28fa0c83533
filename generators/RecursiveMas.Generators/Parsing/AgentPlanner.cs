using System.Linq;
using RecursiveMas.Dsl;
using RecursiveMas.Generators.Model;

namespace RecursiveMas.Generators.Parsing;

/// <summary>Turns an agent spec (config applied) into what the emitter prints for it.</summary>
internal static class AgentPlanner
{
    /// <summary>The agent's generation spec.</summary>
    public static AgentGenerationSpec Plan(AgentSpec agent) => new(
        agent.Type,
        agent.Name,
        agent.Model,
        agent.HiddenSize,
        agent.LatentSteps,
        agent.Role,
        agent.Prompts.Select(p => new PromptGenerationSpec(p.Use, p.Template.Text)).ToEquatableArray(),
        GeneratedNames.Identifier(agent.Name),
        // An agent named like one of its constants (RMAS0014 at its identifier) gets none: the constant could not compile.
        CanExtend(agent.Type) && !MemberNameRules.CheckAgent(agent, []).Any());

    /// <summary>
    /// Whether generated code may add a partial declaration to <paramref name="type"/>: it is declared in
    /// this compilation, and it and every type it is nested in are <c>partial</c> (RMAS0002 tells the user otherwise), and
    /// none file-local (a part in the generated file would be another type; RMAS0016, RMAS0017). A generic one is extended
    /// with its type parameters (a generic system is refused by RMAS0016 before this is asked).
    /// </summary>
    public static bool CanExtend(TypeRef type) =>
        type.IsInSource && type.IsPartial && type.ContainingTypes.All(t => t.IsPartial) && (type.Shape & TypeShape.FileLocal) == 0;
}
