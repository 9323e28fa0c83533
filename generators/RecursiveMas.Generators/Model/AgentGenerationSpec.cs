using RecursiveMas.Dsl;

namespace RecursiveMas.Generators.Model;

/// <summary>An agent as the emitter prints it: names, static sizes and prompts, all decided by the parser.</summary>
/// <param name="Type">The agent class (for its partial declaration and its <c>global::</c> name).</param>
/// <param name="Name">The agent's name in the runtime (the class name, as <c>{from:Name}</c> slots use it).</param>
/// <param name="Model">The model folder, relative to the model root.</param>
/// <param name="HiddenSize">d: declared, else from config.json at compile time; 0 when unknown (checked at load time only).</param>
/// <param name="LatentSteps">m.</param>
/// <param name="Role">The role name.</param>
/// <param name="Prompts">The prompts, in declaration order.</param>
/// <param name="Identifier">A camelCase identifier for locals and fields (<c>planner</c>).</param>
/// <param name="EmitPartial">Whether the generator may add to the class (declared in this compilation, <c>partial</c> all the way out).</param>
internal sealed record AgentGenerationSpec(
    TypeRef Type,
    string Name,
    string Model,
    int HiddenSize,
    int LatentSteps,
    string Role,
    EquatableArray<PromptGenerationSpec> Prompts,
    string Identifier,
    bool EmitPartial);

/// <summary>A prompt as SYSTEM.json carries it.</summary>
/// <param name="Use">When the agent reads it.</param>
/// <param name="Template">The template as written.</param>
internal sealed record PromptGenerationSpec(PromptUseKind Use, string Template);
