using System.Collections.Generic;
using System.Linq;

namespace RecursiveMas.Dsl;

/// <summary>
/// The names of the members the source generator adds to <c>[RecursiveSystem]</c> and <c>[Agent]</c>
/// classes. The generator's planner names per-agent and per-edge members with these functions, and
/// the analyzer reserves the same names (RMAS0014), so a user member can never silently collide with
/// generated code or be renamed out of step with it.
/// </summary>
internal static class GeneratedNames
{
    /// <summary>The fixed public API of every generated system, with what each is.</summary>
    public static IReadOnlyList<(string Name, string What)> SystemApi { get; } =
    [
        ("Rounds", "the declared round count"),
        ("Graph", "the static recursion graph"),
        ("Describe", "the SYSTEM.json description"),
        ("Load", "the loader"),
        ("Runtime", "the loaded runtime system"),
        ("Dispose", "Dispose (the system is IDisposable)"),
        ("Solve", "the one-question runner"),
        ("SolveBatch", "the batch runner"),
        ("TrainInner", "the inner-loop trainer"),
        ("TrainOuter", "the outer-loop trainer"),
        ("Train", "the trainer"),
    ];

    /// <summary>The constants generated on every agent, with what each is.</summary>
    public static IReadOnlyList<(string Name, string What)> AgentConstants { get; } =
    [
        ("ModelFolder", "the agent's model folder"),
        ("HiddenSize", "the agent's hidden size"),
        ("LatentSteps", "the agent's latent steps"),
        ("Role", "the agent's role name"),
    ];

    /// <summary>
    /// The private field holding the loaded runtime system. Upper case after the underscore, which no agent's field
    /// (<see cref="AgentField"/>: "_" and the name in camelCase) can be: an agent named Runtime has the field _runtime.
    /// </summary>
    public const string RuntimeField = "_Runtime";

    /// <summary>The private helper re-keying role targets by agent name (emitted when a role is renamed).</summary>
    public const string ByAgentName = "ByAgentName";

    /// <summary>
    /// The private constructor <c>Load</c> calls, as the one "name" a constructor has: its class and its parameter
    /// (<c>Team(RecursiveSystem)</c>). A user constructor with the same parameter is CS0111 in generated code.
    /// </summary>
    public static string RuntimeConstructor(string system) => system + "(" + RuntimeConstructorParameter + ")";

    /// <summary>The simple name of the type of the generated constructor's one parameter (<c>RecursiveMas.Systems.RecursiveSystem</c>).</summary>
    public const string RuntimeConstructorParameter = "RecursiveSystem";

    /// <summary>Whether <paramref name="name"/>, a name <see cref="OfSystem"/> gives, is <see cref="RuntimeConstructor"/>'s.</summary>
    public static bool IsConstructor(string name) => name.EndsWith(")", System.StringComparison.Ordinal);

    /// <summary>The camelCase form of a class name, for locals and fields (<c>Planner</c> → <c>planner</c>).</summary>
    public static string Identifier(string agent) =>
        agent.Length == 0 ? agent : char.ToLowerInvariant(agent[0]) + agent.Substring(1);

    /// <summary>The private field holding an agent of the loaded system.</summary>
    public static string AgentField(string agent) => "_" + Identifier(agent);

    /// <summary>The public property of an agent's inner link.</summary>
    public static string InnerLink(string agent) => agent + "InnerLink";

    /// <summary>The public property of the outer link <paramref name="from"/> → <paramref name="to"/>.</summary>
    public static string OuterLink(string from, string to) => from + "To" + to;

    /// <summary>
    /// The prompt field and the method of one of an agent's stages: its final decode, its rollout when it
    /// reads one prompt in every round (<paramref name="oneThinkingPrompt"/>), or its first-round or
    /// later-round rollout.
    /// </summary>
    public static (string Field, string Method) Stage(string agent, PromptStage stage, bool oneThinkingPrompt)
    {
        var field = "_" + Identifier(agent);
        return stage switch
        {
            PromptStage.FinalDecode => (field + "Decode", "Decode" + agent),
            _ when oneThinkingPrompt => (field + "Prompt", "Think" + agent),
            PromptStage.FirstRound => (field + "FirstRound", "Think" + agent + "FirstRound"),
            _ => (field + "LaterRounds", "Think" + agent + "LaterRounds"),
        };
    }

    /// <summary>The method that sends an agent's messages through its fused outer links (with or without its loop-closing ones).</summary>
    public static string Sender(string agent, bool withFeedback) => "SendFrom" + agent + (withFeedback ? "WithFeedback" : "");

    /// <summary>
    /// Every name the generator may give a member of <paramref name="system"/>'s class, with what it is and the full
    /// name of the agent it comes from (empty for the fixed API): the fixed API, and for each agent and edge every name
    /// its stages, senders and links may take (a superset of one run's names, so that adding a prompt never turns a
    /// user member, or another agent, into a clash).
    /// </summary>
    public static IEnumerable<(string Name, string What, string Agent)> OfSystem(SystemSpec system)
    {
        foreach (var (name, what) in SystemApi)
        {
            yield return (name, what, "");
        }

        yield return (RuntimeConstructor(system.Name), "the private constructor that Load calls", "");
        yield return (RuntimeField, "the runtime field", "");
        yield return (ByAgentName, "the role re-keying helper", "");

        // One agent per simple name: two agents of one name are RMAS0012 already.
        foreach (var spec in system.Agents.GroupBy(a => a.Name).Select(g => g.First()))
        {
            var (agent, owner) = (spec.Name, spec.FullName);
            yield return (AgentField(agent), "the field of agent '" + agent + "'", owner);
            yield return (InnerLink(agent), "the inner link of agent '" + agent + "'", owner);
            foreach (var stage in new[] { PromptStage.FirstRound, PromptStage.LaterRounds, PromptStage.FinalDecode })
            {
                foreach (var one in new[] { true, false })
                {
                    var (field, method) = Stage(agent, stage, one);
                    yield return (field, "a prompt field of agent '" + agent + "'", owner);
                    yield return (method, "a stage method of agent '" + agent + "'", owner);
                }
            }

            yield return (Sender(agent, withFeedback: false), "the sender method of agent '" + agent + "'", owner);
            yield return (Sender(agent, withFeedback: true), "the sender method of agent '" + agent + "'", owner);
        }

        // A link's name is blamed on its receiver, the agent whose name ends it.
        if (Topology.Build(system) is { } topology)
        {
            var names = system.Agents.ToDictionary(a => a.FullName, a => a.Name);
            foreach (var edge in topology.Edges.Where(e => names.ContainsKey(e.From) && names.ContainsKey(e.To)))
            {
                yield return (OuterLink(names[edge.From], names[edge.To]), "the outer link " + names[edge.From] + " -> " + names[edge.To], edge.To);
            }
        }
    }
}
