using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RecursiveMas.Generators.Tests.Infrastructure;

namespace RecursiveMas.Generators.Tests;

/// <summary>
/// The pipeline is incremental: an edit that does not touch the DSL leaves every step cached (nothing
/// re-emitted); a change of a hidden size — in the source or in a config.json — re-emits the system.
/// </summary>
public sealed class IncrementalityTests
{
    const string System = """
        namespace Team;

        [Agent("a", HiddenSize = 64, LatentSteps = 2)]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan again: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class Planner;

        [Agent("b", LatentSteps = 2)]
        [Prompt("Solve: {from:Planner} {question}")]
        public partial class Solver;

        [RecursiveSystem(Rounds = 2)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Pair;
        """;

    static readonly AdditionalText SolverConfig = GeneratorHarness.Config("b", 96);

    static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile(System, "namespace Other; public class Unrelated { public int A; }");
        var driver = GeneratorHarness.Driver(SolverConfig);
        var first = GeneratorHarness.Run(driver, compilation);
        Assert.Contains(first.Sources, s => s.HintName == "Team.Pair.g.cs");
        return (first.Driver, compilation);
    }

    static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorDriverRunResult result, string step) =>
        result.Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    static IEnumerable<IncrementalStepRunReason> OutputReasons(GeneratorDriverRunResult result) =>
        result.Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason);

    [Fact]
    public void AnUnrelatedEditLeavesThePipelineCached()
    {
        var (driver, compilation) = FirstRun();
        var unrelated = compilation.SyntaxTrees.Single(t => t.ToString().Contains("Unrelated", StringComparison.Ordinal));
        var edited = compilation.ReplaceSyntaxTree(unrelated,
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int A; public string B = \"edited\"; }", GeneratorHarness.ParseOptions));

        var second = GeneratorHarness.Run(driver, edited).Result;

        Assert.All(Reasons(second, StepNames.ExtractSystems), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(Reasons(second, StepNames.PlanSystems), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(Reasons(second, StepNames.PlanAgents), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(OutputReasons(second), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void ChangingADeclaredHiddenSizeReEmitsTheSystem()
    {
        var (driver, compilation) = FirstRun();
        var declaration = compilation.SyntaxTrees.Single(t => t.ToString().Contains("RecursiveSystem", StringComparison.Ordinal));
        var edited = compilation.ReplaceSyntaxTree(declaration,
            CSharpSyntaxTree.ParseText("using RecursiveMas;\n" + System.Replace("HiddenSize = 64", "HiddenSize = 80", StringComparison.Ordinal), GeneratorHarness.ParseOptions));

        var second = GeneratorHarness.Run(driver, edited);

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second.Result, StepNames.PlanSystems));
        var pair = second.Sources.Single(s => s.HintName == "Team.Pair.g.cs").Source;
        Assert.Contains("new(\"Planner\", \"Solver\", false, 80, 96),", pair);
    }

    [Fact]
    public void ChangingAConfigJsonReEmitsTheSystem()
    {
        var (driver, compilation) = FirstRun();
        driver = driver.ReplaceAdditionalText(SolverConfig, GeneratorHarness.Config("b", 112));

        var second = GeneratorHarness.Run(driver, compilation);

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second.Result, StepNames.PlanSystems));
        Assert.Contains("new(\"Planner\", \"Solver\", false, 64, 112),", second.Sources.Single(s => s.HintName == "Team.Pair.g.cs").Source);
    }
}
