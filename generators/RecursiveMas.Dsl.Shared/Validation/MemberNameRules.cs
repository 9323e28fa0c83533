using System;
using System.Collections.Generic;
using System.Linq;

namespace RecursiveMas.Dsl;

/// <summary>
/// RMAS0014: a member the user writes in a <c>[RecursiveSystem]</c> or <c>[Agent]</c> class must not take a
/// name the generator gives a member of that class (<see cref="GeneratedNames"/>). Overloads count too:
/// a user <c>Solve(string)</c> would take the calls meant for the generated <c>Solve(string, RunOptions?)</c>. So does
/// the class's own name: a system class named <c>Rounds</c> or <c>PlannerToSolver</c>, an agent named <c>Role</c>.
/// </summary>
internal static class MemberNameRules
{
    /// <summary>
    /// The clashes of <paramref name="userMembers"/> (names declared in the user's code; a constructor taking the runtime
    /// system as <see cref="GeneratedNames.RuntimeConstructor"/>) with <paramref name="system"/>'s generated members.
    /// </summary>
    public static IEnumerable<Problem> CheckSystem(SystemSpec system, IEnumerable<string> userMembers)
    {
        var generated = GeneratedNames.OfSystem(system).ToList();
        return AgentClashes(system, generated)
            .Concat(Check(system.Type.FullName, system.Name, generated.Select(g => (g.Name, g.What)), userMembers));
    }

    /// <summary>
    /// The clashes of <paramref name="userMembers"/>, and of the agent class's own name and type parameters, with
    /// <paramref name="agent"/>'s generated constants.
    /// </summary>
    public static IEnumerable<Problem> CheckAgent(AgentSpec agent, IEnumerable<string> userMembers) =>
        Check(agent.FullName, agent.Name, GeneratedNames.AgentConstants, userMembers)
            .Concat(TypeParameterClashes(agent.FullName, agent.Name, agent.Type.TypeParameters));

    // A generic agent's constants go into its partial declaration (Planner<Role> gets Role), where a member cannot take
    // the name of a type parameter of its class: the constant could not compile.
    static IEnumerable<Problem> TypeParameterClashes(string owner, string typeName, IEnumerable<string> typeParameters)
    {
        foreach (var parameter in typeParameters)
        {
            foreach (var (name, what) in GeneratedNames.AgentConstants.Where(c => c.Name == parameter).Take(1))
            {
                yield return Problem.Create(DiagnosticKind.MemberNameClash, Site.Member(owner, name), name, typeName, what, "rename the type parameter");
            }
        }
    }

    // Agents whose names spell each other's generated members (P and PFirstRound: P's first-round prompt field and
    // PFirstRound's field are both _pFirstRound; A, BInnerLink and AToB: the link A -> BInnerLink and AToB's inner link
    // are both AToBInnerLink) were CS0102 inside the generated file. Reported once per agent, at the system's first
    // typeof of the agent that brings the second member.
    static IEnumerable<Problem> AgentClashes(SystemSpec system, List<(string Name, string What, string Agent)> generated)
    {
        // Two agents of one simple name give all the same names: RMAS0012 says so once.
        if (system.Agents.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count() != system.Agents.Count)
        {
            yield break;
        }

        var first = new Dictionary<string, (string What, string Agent)>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, what, agent) in generated)
        {
            if (!first.TryGetValue(name, out var earlier))
            {
                first.Add(name, (what, agent));
                continue;
            }

            if (agent.Length == 0 || earlier.Agent == agent || !reported.Add(agent))
            {
                continue;
            }

            var site = system.Mentions().FirstOrDefault(m => m.Type == agent).Site ?? Site.Declaration(system.Type.FullName);
            var agentName = system.FindAgent(agent)?.Name ?? agent;
            yield return Problem.Create(DiagnosticKind.MemberNameClash, site, name, system.Name, earlier.What,
                "rename agent '" + agentName + "', for which the generator gives " + what + " that name too");
        }
    }

    // A constructor keeps its class's name: only its parameters can change.
    static string RenameAdvice(string member) =>
        GeneratedNames.IsConstructor(member) ? "give the constructor other parameters" : "rename the member";

    static IEnumerable<Problem> Check(string owner, string typeName, IEnumerable<(string Name, string What)> generated, IEnumerable<string> userMembers)
    {
        var reserved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, what) in generated)
        {
            if (!reserved.ContainsKey(name))
            {
                reserved.Add(name, what);
            }
        }

        // A class named like a member the generator adds to it cannot compile (CS0542, inside the generated file).
        if (reserved.TryGetValue(typeName, out var taken))
        {
            yield return Problem.Create(DiagnosticKind.MemberNameClash, Site.Declaration(owner), typeName, typeName, taken, "rename the class (a member cannot have the name of its class)");
        }

        foreach (var member in userMembers.Distinct(StringComparer.Ordinal))
        {
            if (reserved.TryGetValue(member, out var what))
            {
                yield return Problem.Create(DiagnosticKind.MemberNameClash, Site.Member(owner, member), member, typeName, what, RenameAdvice(member));
            }
        }
    }
}
