namespace RecursiveMas.Generators;

/// <summary>
/// Tracking names of the generator's pipeline steps, so tests can check which steps ran, were cached
/// or were left unchanged by an edit (<c>GeneratorRunResult.TrackedSteps</c>).
/// </summary>
internal static class StepNames
{
    /// <summary>The project's <c>config.json</c> files (path and text), collected.</summary>
    public const string ConfigFiles = nameof(ConfigFiles);

    /// <summary><c>[RecursiveSystem]</c> classes read into <c>SystemSpec</c>s (config files not yet applied).</summary>
    public const string ExtractSystems = nameof(ExtractSystems);

    /// <summary>System specs with config files applied, validated and planned into <c>SystemGenerationSpec</c>s.</summary>
    public const string PlanSystems = nameof(PlanSystems);

    /// <summary><c>[Agent]</c> classes read into <c>AgentSpec</c>s.</summary>
    public const string ExtractAgents = nameof(ExtractAgents);

    /// <summary>Agent specs with config files applied, as <c>AgentGenerationSpec</c>s.</summary>
    public const string PlanAgents = nameof(PlanAgents);
}
