namespace RecursiveMas.Tasks;

/// <summary>
/// The role names the generated tasks write texts for, which are also the agent names of the shipped
/// zoo's systems (training role targets are keyed by agent name).
/// </summary>
public static class TaskRoles
{
    /// <summary>Writes the plan: which steps to take, without results.</summary>
    public const string Planner = "planner";

    /// <summary>Writes the refined plan: each step with its intermediate result.</summary>
    public const string Critic = "critic";

    /// <summary>Writes the final answer ending with <c>\boxed{...}</c>.</summary>
    public const string Solver = "solver";

    /// <summary>All roles in the order the sequential system runs them.</summary>
    public static IReadOnlyList<string> All { get; } = [Planner, Critic, Solver];
}
