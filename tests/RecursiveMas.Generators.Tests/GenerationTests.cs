using System.Globalization;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RecursiveMas.Generators.Tests.Infrastructure;

namespace RecursiveMas.Generators.Tests;

/// <summary>What the generator emits besides the snapshots: determinism, symbol-free specs, silence on invalid systems, typed messages.</summary>
public sealed class GenerationTests
{
    [Fact]
    public void OutputIsTheSameOnEveryRunAndInEveryCulture()
    {
        var reference = GeneratorHarness.Run(Declarations.Mixture).Sources;
        var culture = CultureInfo.CurrentCulture;
        try
        {
            // Cultures with other digits, minus signs and list separators must not reach the source.
            foreach (var name in new[] { "fi-FI", "ar-SA", "de-DE" })
            {
                CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(name);
                Assert.Equal(reference, GeneratorHarness.Run(Declarations.Mixture).Sources);
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void SpecsInThePipelineHoldNoCompilationObjects()
    {
        var output = GeneratorHarness.Run(Declarations.Custom, GeneratorHarness.Config("llama-64", 64));
        var steps = output.Result.Results.Single().TrackedSteps;
        var values = new[] { StepNames.ExtractSystems, StepNames.PlanSystems, StepNames.ExtractAgents, StepNames.PlanAgents, StepNames.ConfigFiles }
            .SelectMany(name => steps[name]).SelectMany(s => s.Outputs).Select(o => o.Value).ToList();

        Assert.NotEmpty(values);
        foreach (var value in values)
            AssertSymbolFree(value, new HashSet<object>(ReferenceEqualityComparer.Instance));
    }

    // Walks fields (records' backing fields included) and enumerables.
    static void AssertSymbolFree(object? node, HashSet<object> seen)
    {
        if (node is null || node is string || node.GetType().IsPrimitive || node.GetType().IsEnum || !seen.Add(node))
            return;
        Assert.False(node is ISymbol or Compilation or SyntaxNode or SyntaxTree or SemanticModel or Location or AttributeData,
            $"a pipeline value holds a {node.GetType().Name}");
        if (node is System.Collections.IEnumerable items)
            foreach (var item in items)
                AssertSymbolFree(item, seen);
        foreach (var field in node.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            AssertSymbolFree(field.GetValue(node), seen);
    }

    [Theory]
    [InlineData("public class Team;")] // not partial (RMAS0002)
    [InlineData("public partial class Team;", "{from:Planner}", "{from:Solver}")] // a slot for an agent that sends nothing (RMAS2002)
    [InlineData("public partial class Team;", "Rounds = 2", "Rounds = 0")] // no rounds (RMAS0005)
    [InlineData("public static partial class Team;")] // RMAS0016; was CS0714 and CS0708 in Team.g.cs
    [InlineData("public abstract partial class Team;")] // RMAS0016; was CS0144
    [InlineData("public partial class Team(int size) { public int Size => size; }")] // RMAS0016; was CS8862
    [InlineData("public partial class Team : Base { public Team() : base(1) { } } public class Base { public Base(int size) { } }")] // RMAS0016; was CS7036
    [InlineData("file partial class Team;")] // RMAS0016; was a public Team beside the user's, silently
    [InlineData("public partial class Team;", "public partial class Solver", "public static partial class Solver")] // RMAS0017; was CS0718
    [InlineData("public partial class Team;", "Solver", "PlannerFirstRound")] // P's prompt field and PlannerFirstRound's field (RMAS0014; was CS0102)
    [InlineData("public partial class Team;", "class Team", "class Rounds")] // named like its const Rounds (RMAS0014; was CS0542)
    [InlineData("public partial class Team;", "class Team", "class PlannerToSolver")] // named like its link (RMAS0014; was CS0542)
    public void AnInvalidSystemGetsNoCodeAndNoGeneratorDiagnostics(string declaration, string find = "", string replace = "")
    {
        var source = TwoAgents("public") + """
            [RecursiveSystem(Rounds = 2)]
            [Sequential(typeof(Planner), typeof(Solver))]

            """ + declaration;
        if (find.Length > 0)
            source = source.Replace(find, replace, StringComparison.Ordinal);

        var output = GeneratorHarness.Run(source);

        Assert.DoesNotContain(output.Sources, s => s.HintName is "Team.g.cs" or "Rounds.g.cs" or "PlannerToSolver.g.cs");
        Assert.Empty(output.Result.Diagnostics);
        Assert.Empty(output.CompilationProblems);
    }

    // A planner (declared with plannerAccess) and a public solver, for a Sequential(Planner, Solver) system.
    static string TwoAgents(string plannerAccess) => $$"""
        [Agent("a", HiddenSize = 64, LatentSteps = 2)]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan again: {question} {feedback}", When = PromptUse.LaterRounds)]
        {{plannerAccess}} partial class Planner;

        [Agent("b", HiddenSize = 64, LatentSteps = 2)]
        [Prompt("Solve: {from:Planner} {question}")]
        public partial class Solver;

        """;

    [Fact]
    public void AnAgentNamedLikeItsConstantGetsNoConstants()
    {
        var output = GeneratorHarness.Run("""
            [Agent("a", HiddenSize = 64)]
            [Prompt("Plan: {question}")]
            public partial class Role;
            """);

        Assert.Empty(output.Sources); // RMAS0014 says why; the constant Role was CS0542
        Assert.Empty(output.CompilationProblems);
    }

    [Fact]
    public void InternalAgentsOfAPublicSystemGetLinksNoMoreVisibleThanThey()
    {
        var output = GeneratorHarness.Run(TwoAgents("internal") + """
            [RecursiveSystem(Rounds = 2)]
            [Sequential(typeof(Planner), typeof(Solver))]
            public partial class Team;
            """);

        Assert.Empty(output.CompilationProblems); // a public TypedOuterLink<Planner, Solver> was CS0053
        var team = output.Sources.Single(s => s.HintName == "Team.g.cs").Source;
        Assert.Contains("internal global::RecursiveMas.Latent.TypedOuterLink<global::Planner, global::Solver> PlannerToSolver { get; }", team);
    }

    [Fact]
    public void PrivateAgentsNestedInTheSystemGetPrivateLinks()
    {
        var output = GeneratorHarness.Run("""
            public partial class Team
            {
                [Agent("a", HiddenSize = 64, LatentSteps = 2)]
                [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
                [Prompt("Plan again: {question} {feedback}", When = PromptUse.LaterRounds)]
                private partial class Planner;

                [Agent("b", HiddenSize = 64, LatentSteps = 2)]
                [Prompt("Solve: {from:Planner} {question}")]
                private partial class Solver;
            }

            [RecursiveSystem(Rounds = 2)]
            [Sequential(typeof(Team.Planner), typeof(Team.Solver))]
            public partial class Team;
            """);

        Assert.Empty(output.CompilationProblems);
    }

    // Generated code names every type after global::, so user types named like its namespaces in the user's own namespaces
    // (and a generic one anywhere) change nothing.
    [Fact]
    public void TypesNamedLikeTheGeneratedCodesNamespacesInTheUsersNamespaceLeaveItCompiling()
    {
        var compilation = GeneratorHarness.Compile(
            Declarations.Sequential,
            "namespace MathApp { class System { } class TorchSharp { } class RecursiveMas { } class Microsoft { } }",
            "class System<T> { } class Microsoft { }");

        var output = GeneratorHarness.Run(GeneratorHarness.Driver(), compilation);

        Assert.Contains(output.Sources, s => s.HintName == "MathApp.SequentialTeam.g.cs");
        Assert.Empty(output.CompilationProblems);
    }

    // A type in the global namespace hides a namespace of that name even from global:: (CS0437): every generated file
    // failed with CS0426 ('IDisposable' does not exist in the type 'System'). It gets no code; RMAS0024 says why.
    [Theory]
    [InlineData("class System { }")]
    [InlineData("delegate void TorchSharp();")]
    public void ATypeInTheGlobalNamespaceThatHidesAGeneratedCodesNamespaceGetsNoCode(string declaration)
    {
        var compilation = GeneratorHarness.Compile(Declarations.Sequential, declaration);

        var output = GeneratorHarness.Run(GeneratorHarness.Driver(), compilation);

        Assert.Empty(output.Sources);
        Assert.Empty(output.CompilationProblems);
    }

    // Every global::X the emitter writes is in GeneratedCodeNamespaces.Roots (or the user's own namespace), the list RMAS0024
    // checks the global namespace against: a new root left out of it would be CS0426 again, with no diagnostic.
    [Theory]
    [MemberData(nameof(Declarations.Patterns), MemberType = typeof(Declarations))]
    public void GeneratedCodeNamesOnlyTheNamespacesItChecks(string pattern)
    {
        var source = (string)typeof(Declarations).GetField(pattern)!.GetValue(null)!;
        var userRoot = source.Split("namespace ")[1].Split('.', ';', ' ', '\n')[0];
        var output = GeneratorHarness.Run(source, GeneratorHarness.Config("llama-64", 64));

        var roots = output.Sources
            .SelectMany(s => System.Text.RegularExpressions.Regex.Matches(s.Source, @"global::(@?\w+)").Select(m => m.Groups[1].Value))
            .Distinct()
            .Order(StringComparer.Ordinal);
        Assert.Equal(RecursiveMas.Dsl.Roslyn.GeneratedCodeNamespaces.Roots.Append(userRoot).Order(StringComparer.Ordinal), roots);
    }

    // A hint name with "@" made the generator fail (CS8785), and every generated file of the project went with it.
    [Fact]
    public void AgentsAndNamespacesNamedAfterKeywordsGetTheirCode()
    {
        var output = GeneratorHarness.Run("""
            namespace My.@event;

            [Agent("a", HiddenSize = 64, LatentSteps = 2)]
            [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
            [Prompt("Plan again: {question} {feedback}", When = PromptUse.LaterRounds)]
            public partial class @class;

            [Agent("b", HiddenSize = 64, LatentSteps = 2)]
            [Prompt("Solve: {from:class} {question}")]
            public partial class Solver;

            [RecursiveSystem(Rounds = 2)]
            [Sequential(typeof(@class), typeof(Solver))]
            public partial class Team;
            """);

        Assert.Empty(output.Result.Diagnostics);
        Assert.Empty(output.CompilationProblems);
        Assert.Contains(output.Sources, s => s.HintName == "My.event.class.g.cs");
        Assert.Contains("partial class @class", output.Sources.Single(s => s.HintName == "My.event.class.g.cs").Source);
    }

    // Hint names are unique ignoring case: N.Team.g.cs and n.team.g.cs made the generator fail (CS8785), and every
    // generated file of the project went with it.
    [Fact]
    public void TypesWhoseNamesDifferOnlyInCaseGetFilesOfTheirOwn()
    {
        var output = GeneratorHarness.Run(TwoAgents("public") + """
            namespace N
            {
                [RecursiveSystem(Rounds = 2)]
                [Sequential(typeof(global::Planner), typeof(global::Solver))]
                public partial class Team;
            }

            namespace n
            {
                [RecursiveSystem(Rounds = 2)]
                [Sequential(typeof(global::Planner), typeof(global::Solver))]
                public partial class team;

                [Agent("c", HiddenSize = 64)]
                [Prompt("x {question}")]
                public partial class planner;
            }
            """);

        Assert.Empty(output.Result.Diagnostics);
        Assert.Empty(output.CompilationProblems);
        var names = output.Sources.Select(s => s.HintName).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Contains("partial class Team", output.Sources.Single(s => s.HintName.StartsWith("N.Team.", StringComparison.Ordinal)).Source);
        Assert.Contains("partial class team", output.Sources.Single(s => s.HintName.StartsWith("n.team.", StringComparison.Ordinal)).Source);
        Assert.Contains("Planner.g.cs", names); // no clash (n.planner is another name), so the plain name
    }

    // RMAS0015 says why the class gets no code; it had got the system's file only, silently.
    [Fact]
    public void AClassThatIsBothAnAgentAndASystemDoesNotFailTheGenerator()
    {
        var output = GeneratorHarness.Run(TwoAgents("public") + """
            [Agent("t", HiddenSize = 64)]
            [Prompt("x {question}")]
            [RecursiveSystem(Rounds = 2)]
            [Sequential(typeof(Planner), typeof(Solver))]
            public partial class Team;
            """);

        Assert.Empty(output.Result.Diagnostics); // was CS8785: the hint name Team.g.cs twice
        Assert.DoesNotContain(output.Sources, s => s.HintName == "Team.g.cs");
        Assert.Contains(output.Sources, s => s.HintName == "Planner.g.cs");
    }

    [Fact]
    public void AnAgentNamedRuntimeKeepsItsFieldApartFromTheSystemsRuntime()
    {
        var output = GeneratorHarness.Run(TwoAgents("public").Replace("Solver", "Runtime", StringComparison.Ordinal) + """
            [RecursiveSystem(Rounds = 2)]
            [Sequential(typeof(Planner), typeof(Runtime))]
            public partial class Team;
            """);

        Assert.Empty(output.CompilationProblems); // was CS0102: the agent's field and the runtime's both _runtime
    }

    // Locals are named after agents, which can spell each other's names: P's round-11 latent and P1's round-1 latent
    // were both p11, and agent AToB's round-1 latent was the message A → B's aToB1 (CS0128 in generated code).
    [Theory]
    [InlineData("P", "P1", "", 11)]
    [InlineData("A", "B", "AToB", 2)]
    public void LocalsOfAgentsWhoseNamesSpellEachOthersAreStillDistinct(string first, string second, string third, int rounds)
    {
        var agents = new[] { first, second, third }.Where(a => a.Length > 0).ToList();
        var source = string.Concat(agents.Select((agent, i) => i == 0
            ? $$"""
                [Agent("m{{i}}", HiddenSize = 64)]
                [Prompt("{question}", When = PromptUse.FirstRound)]
                [Prompt("{question} {feedback}", When = PromptUse.LaterRounds)]
                public partial class {{agent}};

                """
            : $$"""
                [Agent("m{{i}}", HiddenSize = 64)]
                [Prompt("{from:{{agents[i - 1]}}} {question}")]
                public partial class {{agent}};

                """));
        source += $"[RecursiveSystem(Rounds = {rounds})]\n[Sequential({string.Join(", ", agents.Select(a => $"typeof({a})"))})]\npublic partial class Team;";

        var output = GeneratorHarness.Run(source);

        Assert.Contains(output.Sources, s => s.HintName == "Team.g.cs");
        Assert.Empty(output.CompilationProblems);
    }

    // Every round is written out, so int.MaxValue of them never finished generating: past Limits.MaxUnrolledRounds
    // the generated SolveBatch runs the runtime's loop.
    [Fact]
    public void AbsurdlyManyRoundsGenerateTheRuntimesLoopInsteadOfEveryRound()
    {
        var output = GeneratorHarness.Run(TwoAgents("public") + """
            [RecursiveSystem(Rounds = int.MaxValue)]
            [Sequential(typeof(Planner), typeof(Solver))]
            public partial class Team;
            """);

        Assert.DoesNotContain(output.CompilationProblems, d => d.Severity == DiagnosticSeverity.Error);
        var team = output.Sources.Single(s => s.HintName == "Team.g.cs").Source;
        Assert.Contains("return global::RecursiveMas.Systems.RecursiveRunner.SolveBatch(_Runtime, questions, options);", team);
        Assert.DoesNotContain("── Round 1 of", team);
    }

    [Fact]
    public void AMessageForAnotherAgentDoesNotCompile()
    {
        var misuse = """
            namespace MathApp;

            static class Misuse
            {
                // The planner's latents go through the planner's links only: Solver's are a type error.
                static void Send(SequentialTeam team, global::RecursiveMas.Latent.Thoughts<Solver> latent) =>
                    team.PlannerToCritic.Send(latent);
            }
            """;
        var compilation = GeneratorHarness.Compile(Declarations.Sequential, misuse);
        var output = GeneratorHarness.Run(GeneratorHarness.Driver(), compilation);

        var error = Assert.Single(output.Compilation.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS1503", error.Id);
        Assert.Contains("Thoughts<MathApp.Solver>", error.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void AgentsGetTheirDeclarationAsConstants()
    {
        var output = GeneratorHarness.Run(Declarations.Sequential, GeneratorHarness.Config("qwen3-96", 96));
        var critic = output.Sources.Single(s => s.HintName == "MathApp.Critic.g.cs").Source;

        Assert.Contains("public const string ModelFolder = \"qwen3-96\";", critic);
        Assert.Contains("public const int HiddenSize = 96;", critic);
        Assert.Contains("public const int LatentSteps = 3;", critic);
        // Without config.json or a declared size the constant is left out rather than guessed.
        Assert.DoesNotContain("HiddenSize", output.Sources.Single(s => s.HintName == "MathApp.Planner.g.cs").Source);
    }
    // typeof(Planner<int>) worked, but the agent's constants were silently left out: the emitter could not write a type
    // parameter list, and its full name was no valid file name ('<' is not allowed in a hint name).
    [Fact]
    public void GenericAgentsGetTheirConstantsInFilesOfTheirOwn()
    {
        var output = GeneratorHarness.Run("""
            namespace N
            {
                [Agent("planner", HiddenSize = 64, LatentSteps = 2)]
                [Prompt("Plan: {question}")]
                public partial class Planner<T>;

                [Agent("other", HiddenSize = 64)]
                [Prompt("Plan: {question}")]
                public partial class Planner;

                // Its Role constant could not compile beside the type parameter: no constants (RMAS0014 says why).
                [Agent("named", HiddenSize = 64)]
                [Prompt("Plan: {question}")]
                public partial class Named<Role>;

                public partial class Outer<TKey, @class>
                {
                    [Agent("solver", HiddenSize = 64)]
                    [Prompt("Solve: {from:Planner} {question}")]
                    public partial class Solver;
                }

                [RecursiveSystem(Rounds = 1)]
                [Sequential(typeof(Planner<int>), typeof(Outer<string, int>.Solver))]
                public partial class Team;
            }
            """);

        Assert.Empty(output.Result.Diagnostics);
        Assert.Empty(output.CompilationProblems);
        var planner = output.Sources.Single(s => s.HintName == "N.Planner{T}.g.cs").Source;
        Assert.Contains("partial class Planner<T>", planner);
        Assert.Contains("public const int LatentSteps = 2;", planner);
        Assert.Contains("partial class Outer<TKey, @class>", output.Sources.Single(s => s.HintName == "N.Outer{TKey, class}.Solver.g.cs").Source);
        Assert.Contains(output.Sources, s => s.HintName == "N.Planner.g.cs");
        Assert.Contains(output.Sources, s => s.HintName == "N.Team.g.cs");
        Assert.DoesNotContain(output.Sources, s => s.HintName.StartsWith("N.Named", StringComparison.Ordinal));
    }
    // The generated code is C# 10 (file-scoped namespaces, records, init-only setters, target-typed new, not patterns): a
    // project compiling C# 9 or older (LangVersion, or an older framework's default) got errors inside generated files.
    // It gets none, and RMAS0020 from the analyzers on each agent and system class instead.
    [Fact]
    public void AProjectBelowTheGeneratedCodesLanguageVersionGetsNoCode()
    {
        var options = new CSharpParseOptions(LanguageVersion.CSharp9);
        var compilation = GeneratorHarness.Compile().AddSyntaxTrees(CSharpSyntaxTree.ParseText("""
            using RecursiveMas;

            namespace N
            {
                [Agent("planner", HiddenSize = 64)]
                [Prompt("Plan: {question}")]
                public partial class Planner { }

                [Agent("solver", HiddenSize = 64)]
                [Prompt("Solve: {from:Planner} {question}")]
                public partial class Solver { }

                [RecursiveSystem(Rounds = 1)]
                [Sequential(typeof(Planner), typeof(Solver))]
                public partial class Team { }
            }
            """, options));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var output = GeneratorHarness.Run(CSharpGeneratorDriver.Create(
            [new RecursiveSystemGenerator().AsSourceGenerator()], parseOptions: options), compilation);

        Assert.Empty(output.Sources);
        Assert.Empty(output.CompilationProblems);
    }
    // Names with a connector (Pc) or a combining mark (Mn) are C# names: their slots are read, and their file names,
    // fields and locals compile.
    [Fact]
    public void AgentsNamedWithAnyIdentifierCharacterGetTheirCode()
    {
        var output = GeneratorHarness.Run("""
            [Agent("planner", HiddenSize = 64)]
            [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
            [Prompt("Plan: {question} {feedback}", When = PromptUse.LaterRounds)]
            public partial class Plan‿ner;

            [Agent("critic", HiddenSize = 64)]
            [Prompt("Critique: {from:Plan‿ner} {question}")]
            public partial class Critiqué;

            [RecursiveSystem(Rounds = 2)]
            [Sequential(typeof(Plan‿ner), typeof(Critiqué))]
            public partial class Team;
            """);

        Assert.Empty(output.Result.Diagnostics);
        Assert.Empty(output.CompilationProblems);
        Assert.Contains(output.Sources, s => s.HintName == "Team.g.cs");
        Assert.Contains(output.Sources, s => s.HintName == "Plan‿ner.g.cs");
    }
}
