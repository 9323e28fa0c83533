using RecursiveMas.Analyzers.Tests.Infrastructure;

namespace RecursiveMas.Analyzers.Tests.CodeFixes;

public class MakePartialCodeFixTests
{
    [Fact]
    public Task Adds_partial_after_the_other_modifiers() => Verify.CodeFixAsync<MakePartialCodeFix>(
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public sealed class {|RMAS0002:Planner|}
        {
        }
        """,
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public sealed partial class Planner
        {
        }
        """);

    [Fact]
    public Task Adds_partial_to_a_declaration_without_modifiers_keeping_its_indentation() => Verify.CodeFixAsync<MakePartialCodeFix>(
        """
        namespace Agents
        {
            [Agent("planner", HiddenSize = 2048)]
            [Prompt("Plan: {question}")]
            class {|RMAS0002:Planner|} { }
        }
        """,
        """
        namespace Agents
        {
            [Agent("planner", HiddenSize = 2048)]
            [Prompt("Plan: {question}")]
            partial class Planner { }
        }
        """);

    [Fact]
    public Task Fixes_a_system_and_the_type_that_contains_it() => Verify.CodeFixAsync<MakePartialCodeFix>(
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class Planner;

        [Agent("solver", HiddenSize = 1536)]
        [Prompt("Solve: {from:Planner} {question}")]
        public partial class Solver;

        public static class {|RMAS0002:Systems|}
        {
            [RecursiveSystem]
            [Sequential(typeof(Planner), typeof(Solver))]
            public class {|RMAS0002:Team|} { }
        }
        """,
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class Planner;

        [Agent("solver", HiddenSize = 1536)]
        [Prompt("Solve: {from:Planner} {question}")]
        public partial class Solver;

        public static partial class Systems
        {
            [RecursiveSystem]
            [Sequential(typeof(Planner), typeof(Solver))]
            public partial class Team { }
        }
        """);
}
