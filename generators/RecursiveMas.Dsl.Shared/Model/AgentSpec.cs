namespace RecursiveMas.Dsl;

/// <summary>An <c>[Agent]</c> class, as the generator and the analyzers see it.</summary>
/// <param name="Type">The agent class.</param>
/// <param name="AttributeIndex">The position of <c>[Agent]</c> among the class's attributes (for diagnostics).</param>
/// <param name="Model">The model folder, relative to the model root given at load time.</param>
/// <param name="DeclaredHiddenSize">The <c>HiddenSize</c> argument; 0 when not declared.</param>
/// <param name="Config">The model's <c>config.json</c>, when the project has it.</param>
/// <param name="LatentSteps">m, latent thoughts per round.</param>
/// <param name="Role">The role name (the class name unless declared).</param>
/// <param name="Prompts">The <c>[Prompt]</c>s, in declaration order.</param>
internal sealed record AgentSpec(
    TypeRef Type,
    int AttributeIndex,
    string Model,
    int DeclaredHiddenSize,
    ConfigJsonFacts Config,
    int LatentSteps,
    string Role,
    EquatableArray<PromptSpec> Prompts)
{
    /// <summary>The default of <c>[Agent(LatentSteps = ...)]</c>.</summary>
    public const int DefaultLatentSteps = 32;

    /// <summary>The class name, which <c>{from:Name}</c> slots use.</summary>
    public string Name => Type.Name;

    /// <summary>The fully qualified name that identifies the agent in edges and sites.</summary>
    public string FullName => Type.FullName;

    /// <summary>
    /// The hidden size d: the declared one, else the one in config.json; 0 when neither is known
    /// (the generator cannot size the agent's links then).
    /// </summary>
    public int HiddenSize => DeclaredHiddenSize > 0 ? DeclaredHiddenSize : Config.HiddenSize;
}
