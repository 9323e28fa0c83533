using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using RecursiveMas.Analyzers.Tests.Infrastructure;
using RecursiveMas.Dsl;

namespace RecursiveMas.Analyzers.Tests.Model;

/// <summary>
/// The specs are what an incremental generator caches on, so they must compare by value and must
/// not hold anything from a compilation.
/// </summary>
public class SpecEqualityTests
{
    const string Source = """
        namespace Team
        {
            public static partial class Agents
            {
                [Agent("planner", LatentSteps = 16, Role = "Planner of plans")]
                [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
                [Prompt("Plan: {question} {feedback}", When = PromptUse.LaterRounds)]
                public partial class Planner;
            }

            [Agent("solver", HiddenSize = 1536)]
            [Prompt(@"Solve: {from:Planner} {question} \boxed{}")]
            public partial record Solver;

            [RecursiveSystem(Rounds = 2)]
            [Sequential(typeof(Agents.Planner), typeof(Solver))]
            public partial class MathTeam;
        }
        """;

    static readonly ConfigFile PlannerConfig = ConfigFile.For("planner", 2048);

    [Fact]
    public void Extracting_the_same_source_twice_gives_equal_specs()
    {
        var first = Specs.System(Source, "Team.MathTeam", PlannerConfig);
        var second = Specs.System(Source, "Team.MathTeam", PlannerConfig);

        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Fact]
    public void Any_change_that_matters_makes_specs_differ()
    {
        var original = Specs.System(Source, "Team.MathTeam", PlannerConfig);

        Assert.NotEqual(original, Specs.System(Source.Replace("Rounds = 2", "Rounds = 3"), "Team.MathTeam", PlannerConfig));
        Assert.NotEqual(original, Specs.System(Source.Replace("{question} {feedback}", "{feedback} {question}"), "Team.MathTeam", PlannerConfig));
        Assert.NotEqual(original, Specs.System(Source, "Team.MathTeam", ConfigFile.For("planner", 4096)));
    }

    [Fact]
    public void Extraction_reads_names_nesting_and_defaults()
    {
        var system = Specs.System(Source, "Team.MathTeam", PlannerConfig);
        var planner = system.Agents[0];
        var solver = system.Agents[1];

        Assert.Equal(new TypeRef("Team.MathTeam", "MathTeam", "Team", "class", true, true, EquatableArray<ContainingTypeSpec>.Empty), system.Type);
        Assert.Equal(("Team.Agents.Planner", "Planner", "global::Team.Agents.Planner"), (planner.FullName, planner.Name, planner.Type.GlobalName));
        Assert.Equal([new ContainingTypeSpec("Agents", "class", true)], planner.Type.ContainingTypes);
        Assert.Equal((2048, 0, 16, "Planner of plans"), (planner.HiddenSize, planner.DeclaredHiddenSize, planner.LatentSteps, planner.Role));
        Assert.Equal(("record", 1536, ConfigJsonStatus.NotFound, AgentSpec.DefaultLatentSteps, "Solver"), (solver.Type.Keyword, solver.HiddenSize, solver.Config.Status, solver.LatentSteps, solver.Role));
        Assert.Equal([PromptUseKind.FirstRound, PromptUseKind.LaterRounds], planner.Prompts.Select(p => p.Use));
        Assert.Equal(new PatternSpec(PatternKind.Sequential, EquatableArray.Create("Team.Agents.Planner", "Team.Solver"), 1), system.Patterns.Single());
        Assert.Equal(2, system.Rounds);
        Assert.DoesNotContain(SystemValidator.ValidateWithAgents(system), p => p.IsError);
    }

    [Fact]
    public void Specs_hold_no_compilation_objects()
    {
        var system = Specs.System(Source, "Team.MathTeam", PlannerConfig);

        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Walk(system, visited);

        Assert.True(visited.Count > 20, $"the walk saw only {visited.Count} objects");
    }

    // Every object reachable through stored public properties must be a model type, a string, a
    // primitive or an enum. Properties typed as interfaces are computed views (FromAgents, Stages).
    static void Walk(object? value, HashSet<object> visited)
    {
        if (value is null or string || value.GetType().IsPrimitive || value.GetType().IsEnum || !visited.Add(value))
        {
            return;
        }

        var type = value.GetType();
        Assert.False(value is ISymbol or SyntaxNode or Location or Compilation or SemanticModel or AttributeData, $"{type} holds a compilation object");
        Assert.True(type.Namespace == "RecursiveMas.Dsl", $"{type} is not a model type");
        if (value is IEnumerable items)
        {
            foreach (var item in items)
            {
                Walk(item, visited);
            }
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && !p.PropertyType.IsInterface))
        {
            Walk(property.GetValue(value), visited);
        }
    }

    [Fact]
    public void Equatable_arrays_compare_by_elements()
    {
        Assert.Equal(EquatableArray.Create("a", "b"), new[] { "a", "b" }.ToEquatableArray());
        Assert.Equal(EquatableArray.Create("a", "b").GetHashCode(), EquatableArray.Create("a", "b").GetHashCode());
        Assert.NotEqual(EquatableArray.Create("a", "b"), EquatableArray.Create("b", "a"));
        Assert.Equal(default, EquatableArray<string>.Empty);
        Assert.Equal(EquatableArray<string>.Empty, EquatableArray.Create<string>());
        Assert.True(EquatableArray.Create("a") == EquatableArray.Create("a"));
        Assert.Equal("[a, b]", EquatableArray.Create("a", "b").ToString());
    }
}
