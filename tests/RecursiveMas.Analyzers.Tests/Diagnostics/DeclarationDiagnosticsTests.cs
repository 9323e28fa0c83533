using Microsoft.CodeAnalysis.CSharp;
using RecursiveMas.Analyzers.Tests.Infrastructure;

namespace RecursiveMas.Analyzers.Tests.Diagnostics;

/// <summary>RMAS0001–RMAS0025: declarations. Each rule has a test that fires it and one that does not.</summary>
public class DeclarationDiagnosticsTests
{
    // Two agents that form a valid sequential system with any round count.
    const string Agents = """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan again: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class Planner;

        [Agent("solver", HiddenSize = 1536)]
        [Prompt(@"Plan: {from:Planner} Question: {question} Put the answer in \boxed{}.")]
        public partial class Solver;

        """;

    [Fact]
    public Task Valid_system_has_no_diagnostics() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0001_pattern_names_a_type_without_Agent() => Verify.AnalyzerAsync(Agents + """
        public class Helper { }

        [RecursiveSystem]
        [Sequential(typeof(Planner), {|RMAS0001:typeof(Helper)|})]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0001_link_and_decoder_name_a_type_without_Agent() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem]
        [Link(typeof(Planner), {|RMAS0001:typeof(string)|})]
        [Decoder({|RMAS0001:typeof(string)|})]
        public partial class Team;
        """);

    // These left the system without code and without a message.
    [Theory]
    [InlineData("{|RMAS0001:null|}", "Sequential")]
    [InlineData("{|RMAS0001:typeof(Solver[])|}", "Sequential")]
    [InlineData("{|RMAS0001:typeof(int*)|}", "Sequential")]
    [InlineData("{|RMAS0001:null|}", "Link")]
    public Task RMAS0001_null_and_types_that_are_not_classes(string second, string attribute) => Verify.AnalyzerAsync(Agents + $$"""
        [RecursiveSystem]
        [{{attribute}}(typeof(Planner), {{second}})]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0001_message_names_an_array_type() => Verify.AnalyzerAsync(
        Agents + """
        [RecursiveSystem]
        [Sequential(typeof(Planner), {|#0:typeof(Solver[])|})]
        public partial class Team;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0001").WithLocation(0).WithArguments("Solver[]", "Team"));

    // Named arguments in another order: the diagnostic had gone to 'to: typeof(Solver)', the first one.
    [Fact]
    public Task RMAS0001_named_arguments_out_of_order() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem]
        [Link(to: typeof(Solver), from: {|RMAS0001:typeof(string)|})]
        [Decoder(agent: typeof(Solver))]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0001_message_names_the_type_and_the_system() => Verify.AnalyzerAsync(
        Agents + """
        [RecursiveSystem]
        [Sequential(typeof(Planner), {|#0:typeof(object)|})]
        public partial class Team;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0001").WithLocation(0).WithArguments("object", "Team"));

    [Fact]
    public Task RMAS0002_agent_not_partial() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public class {|RMAS0002:Planner|} { }
        """);

    [Fact]
    public Task RMAS0002_system_not_partial() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem]
        [Sequential(typeof(Planner), typeof(Solver))]
        public sealed class {|RMAS0002:Team|} { }
        """);

    [Fact]
    public Task RMAS0002_containing_type_not_partial() => Verify.AnalyzerAsync("""
        public static class {|RMAS0002:Agents|}
        {
            [Agent("planner", HiddenSize = 2048)]
            [Prompt("Plan: {question}")]
            public partial class Planner;
        }
        """);

    [Fact]
    public Task RMAS0002_nested_in_partial_types_is_fine() => Verify.AnalyzerAsync("""
        public static partial class Agents
        {
            [Agent("planner", HiddenSize = 2048)]
            [Prompt("Plan: {question}")]
            public partial class Planner;
        }
        """);

    [Fact]
    public Task RMAS0003_rounds_below_one() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem(Rounds = {|RMAS0003:0|})]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team;
        """);

    // Without the planner's LaterRounds prompt, which one round never reads (RMAS2014).
    [Fact]
    public Task RMAS0003_one_round_is_fine() => Verify.AnalyzerAsync(Agents.Replace("""
        [Prompt("Plan again: {question} {feedback}", When = PromptUse.LaterRounds)]

        """, "", StringComparison.Ordinal) + """
        [RecursiveSystem(Rounds = 1)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0004_rounds_above_sixteen() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem(Rounds = {|RMAS0004:17|})]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0004_sixteen_rounds_is_fine() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem(Rounds = 16)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0005_latent_steps_below_one() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048, LatentSteps = {|RMAS0005:0|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """);

    [Fact]
    public Task RMAS0006_latent_steps_absurdly_large() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048, LatentSteps = {|RMAS0006:4096|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """);

    [Fact]
    public Task RMAS0005_RMAS0006_one_and_1024_latent_steps_are_fine() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048, LatentSteps = 1)]
        [Prompt("Plan: {question}")]
        public partial class Planner;

        [Agent("critic", HiddenSize = 2048, LatentSteps = 1024)]
        [Prompt("Critique: {question}")]
        public partial class Critic;
        """);

    [Fact]
    public Task RMAS0007_system_without_pattern() => Verify.AnalyzerAsync("""
        [RecursiveSystem(Rounds = 2)]
        public partial class {|RMAS0007:Team|};
        """);

    [Fact]
    public Task RMAS0008_two_built_in_patterns() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem]
        [Sequential(typeof(Planner), typeof(Solver))]
        [{|RMAS0008:Distillation(typeof(Planner), typeof(Solver))|}]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0008_decoder_with_a_built_in_pattern() => Verify.AnalyzerAsync(
        Agents + """
        [RecursiveSystem]
        [Sequential(typeof(Planner), typeof(Solver))]
        [{|#0:Decoder(typeof(Solver))|}]
        public partial class Team;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0008").WithLocation(0).WithArguments("[Decoder]", "[Sequential]", "Team"));

    [Fact]
    public Task RMAS0009_sequential_with_one_agent() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem]
        [{|RMAS0009:Sequential(typeof(Planner))|}]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0009_mixture_with_one_expert() => Verify.AnalyzerAsync(
        Agents + """
        [RecursiveSystem]
        [{|#0:Mixture(typeof(Solver), typeof(Planner))|}]
        public partial class Team;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0009").WithLocation(0).WithArguments("Mixture", "a summarizer and at least 2 experts", "1 expert"));

    [Fact]
    public Task RMAS0009_decoder_without_links() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem]
        [{|RMAS0009:Decoder(typeof(Solver))|}]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0010_agent_twice_in_a_pattern() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem]
        [Sequential(typeof(Planner), typeof(Solver), {|RMAS0010:typeof(Planner)|})]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0011_empty_model() => Verify.AnalyzerAsync("""
        [Agent({|RMAS0011:""|}, HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """);

    // The runtime refuses these when it loads the system (ContainedPath); they had passed every analyzer.
    [Theory]
    [InlineData("/models/qwen3", "is an absolute path")]
    [InlineData(@"\\server\models\qwen3", "is an absolute path")]
    [InlineData(@"C:\models\qwen3", "is an absolute path")]
    [InlineData("../qwen3", "climbs out of the model root with '..'")]
    [InlineData(@"qwen3\..\..\elsewhere", "climbs out of the model root with '..'")]
    public Task RMAS0018_model_folder_outside_the_model_root(string model, string why) => Verify.AnalyzerAsync(
        $$"""
        [Agent({|#0:{{SymbolDisplay.FormatLiteral(model, quote: true)}}|}, HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0018").WithLocation(0).WithArguments("Planner", model, why));

    // Loading looked for the folder "planner " and failed only when it was not there, the space hard to see in its message.
    [Theory]
    [InlineData("planner ", "ends with white space", "planner")]
    [InlineData(" planner", "begins with white space", "planner")]
    [InlineData("planner\t", "ends with white space", "planner")]
    [InlineData("qwen /Qwen3-1.7B", "ends with white space in its folder name \"qwen \"", "qwen/Qwen3-1.7B")]
    public Task RMAS0025_model_folder_padded_with_white_space(string model, string why, string trimmed) => Verify.AnalyzerAsync(
        $$"""
        [Agent({|#0:{{SymbolDisplay.FormatLiteral(model, quote: true)}}|}, HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0025").WithLocation(0).WithArguments("Planner", model, why, trimmed));

    [Fact]
    public Task RMAS0025_spaces_inside_a_folder_name_are_fine() => Verify.AnalyzerAsync("""
        [Agent("my models/Qwen3 1.7B", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """);

    [Fact]
    public Task RMAS0018_model_folders_that_stay_inside_the_model_root() => Verify.AnalyzerAsync("""
        [Agent("llama/Llama-3.2-1B-Instruct", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner;

        [Agent("./qwen3/../qwen3-1.7b", HiddenSize = 2048)]
        [Prompt("Solve: {question}")]
        public partial class Solver;
        """);

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("..", "is '.' or '..'")]
    [InlineData("team/planner", "holds a path separator ('/' or '\\')")]
    [InlineData(@"team\planner", "holds a path separator ('/' or '\\')")]
    [InlineData("planner:v2", "holds a character that is not allowed in a file name on every OS (':')")]
    [InlineData("aux", "is reserved for a device on Windows (AUX, in any case and with any extension)")]
    [InlineData("Com3.planner", "is reserved for a device on Windows (COM3, in any case and with any extension)")]
    [InlineData("planner.", "ends in a dot, which Windows drops from a file name")]
    [InlineData("planner ", "ends in a space, which Windows drops from a file name")]
    public Task RMAS0019_role_that_is_not_a_file_name(string role, string why) => Verify.AnalyzerAsync(
        $$"""
        [Agent("planner", HiddenSize = 2048, Role = {|#0:{{SymbolDisplay.FormatLiteral(role, quote: true)}}|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0019").WithLocation(0).WithArguments("Planner", role, why));

    // Loading refuses an agent name that is no file name as it refuses such a role: with a Role of its own, the class
    // compiled and its system failed to load.
    [Fact]
    public Task RMAS0021_agent_class_named_like_a_windows_device() => Verify.AnalyzerAsync(
        """
        [Agent("llama", HiddenSize = 2048, Role = "con-debater")]
        [Prompt("Argue against: {question}")]
        public partial class {|#0:Con|};
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0021").WithLocation(0).WithArguments("Con", "is reserved for a device on Windows (CON, in any case and with any extension)"));

    // Without a Role the role is the class name: RMAS0019 had said Role = "Aux", which the class never wrote, at [Agent].
    [Fact]
    public Task RMAS0021_without_a_role_is_reported_once_at_the_class() => Verify.AnalyzerAsync(
        """
        [Agent("llama", HiddenSize = 2048)]
        [Prompt("Assist: {question}")]
        public partial class {|#0:Aux|};
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0021").WithLocation(0).WithArguments("Aux", "is reserved for a device on Windows (AUX, in any case and with any extension)"));

    // Both agents' link files were looked up under one role, and the generated trainer handed the role's texts to both.
    [Theory]
    [InlineData("Role = \"agent\"", "Role = \"agent\"", "agent")]
    [InlineData("Role = \"Agent\"", "Role = \"agent\"", "Agent")] // Windows and macOS file names ignore case
    [InlineData("Role = \"Solver\"", "LatentSteps = 8", "Solver")] // no Role: the solver's role is its class name
    public Task RMAS0022_two_agents_of_one_role(string plannerRole, string solverRole, string shared) => Verify.AnalyzerAsync(
        Agents.Replace("HiddenSize = 2048)", "HiddenSize = 2048, " + plannerRole + ")", StringComparison.Ordinal)
            .Replace("HiddenSize = 1536)", "HiddenSize = 1536, " + solverRole + ")", StringComparison.Ordinal) + """
        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), {|#0:typeof(Solver)|})]
        public partial class Team;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0022").WithLocation(0).WithArguments("Planner", "Solver", shared, "Team"));

    // Roles that are each other's class names are two roles (the generated trainer re-keys them from the example as given).
    [Theory]
    [InlineData("Role = \"planner\"", "Role = \"SOLVER\"")]
    [InlineData("Role = \"Solver\"", "Role = \"Planner\"")]
    public Task RMAS0022_distinct_roles_are_fine(string plannerRole, string solverRole) => Verify.AnalyzerAsync(
        Agents.Replace("HiddenSize = 2048)", "HiddenSize = 2048, " + plannerRole + ")", StringComparison.Ordinal)
            .Replace("HiddenSize = 1536)", "HiddenSize = 1536, " + solverRole + ")", StringComparison.Ordinal) + """
        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team;
        """);

    // A prompt on the system class or on a plain class is read by no agent: it had been dropped without a word.
    [Fact]
    public Task RMAS0023_prompt_on_a_class_without_Agent() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]
        [{|#0:Prompt("Think step by step: {question}")|}]
        [Prompt("Check: {question}", When = PromptUse.Decode)]
        public partial class Team;

        [{|#1:Prompt("Critique: {question}")|}]
        public class Critic;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0023").WithLocation(0).WithArguments("Team"),
        Verify.Diagnostic("RMAS0023").WithLocation(1).WithArguments("Critic"));

    // A valid one-round team in namespace N, with each agent and system class marked (#0 Planner, #1 Solver, #2 Team) for
    // the diagnostics reported on every class that gets no generated code.
    const string MarkedTeam = """
        namespace N
        {
            [Agent("planner", HiddenSize = 2048)]
            [Prompt("Plan: {question}")]
            public partial class {|#0:Planner|} { }

            [Agent("solver", HiddenSize = 1536)]
            [Prompt("Solve: {from:Planner} {question}")]
            public partial class {|#1:Solver|} { }

            [RecursiveSystem(Rounds = 1)]
            [Sequential(typeof(Planner), typeof(Solver))]
            public partial class {|#2:Team|} { }
        }
        """;

    // A type named System in the global namespace hides the namespace even from the generated code's global::System: every
    // generated file failed with CS0426 and nothing of ours said why. In the user's namespace, or generic, it hides nothing.
    [Fact]
    public Task RMAS0024_a_type_in_the_global_namespace_hides_a_namespace_generated_code_names() => Verify.AnalyzerAsync("""
        class System { }

        class TorchSharp<T> { }

        namespace N { class TorchSharp { } }

        """ + MarkedTeam,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0024").WithLocation(0).WithArguments("Planner", "System"),
        Verify.Diagnostic("RMAS0024").WithLocation(1).WithArguments("Solver", "System"),
        Verify.Diagnostic("RMAS0024").WithLocation(2).WithArguments("Team", "System"));

    [Fact]
    public Task RMAS0024_types_in_namespaces_hide_nothing() => Verify.AnalyzerAsync(Agents + """
        namespace N { class System { } class TorchSharp { } class RecursiveMas { } }

        class System<T> { }

        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0020_language_version_below_the_generated_codes()
    {
        var test = Verify.AnalyzerTest(MarkedTeam);
        test.SolutionTransforms.Add((solution, project) =>
            solution.WithProjectParseOptions(project, new CSharpParseOptions(LanguageVersion.CSharp9)));
        test.ExpectedDiagnostics.AddRange(
        [
            Verify.Diagnostic("RMAS0020").WithLocation(0).WithArguments("Planner", "9.0", "10.0"),
            Verify.Diagnostic("RMAS0020").WithLocation(1).WithArguments("Solver", "9.0", "10.0"),
            Verify.Diagnostic("RMAS0020").WithLocation(2).WithArguments("Team", "9.0", "10.0"),
        ]);
        return test.RunAsync();
    }

    // A generic agent's constants go into its partial declaration, where a type parameter of the same name is taken
    // (CS0102 inside the generated file).
    [Fact]
    public Task RMAS0014_type_parameter_named_like_an_agent_constant() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner<{|#0:Role|}>;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0014").WithLocation(0).WithArguments("Role", "Planner", "the agent's role name", "rename the type parameter"));

    [Fact]
    public Task RMAS0012_two_agents_with_one_class_name() => Verify.AnalyzerAsync("""
        namespace Math
        {
            [Agent("math", HiddenSize = 2048)]
            [Prompt("Solve: {question}", When = PromptUse.FirstRound)]
            [Prompt("Solve: {question} {feedback}", When = PromptUse.LaterRounds)]
            public partial class Expert;
        }

        namespace Code
        {
            [Agent("code", HiddenSize = 2048)]
            [Prompt("Code: {question}", When = PromptUse.FirstRound)]
            [Prompt("Code: {question} {feedback}", When = PromptUse.LaterRounds)]
            public partial class Expert;
        }

        [Agent("summarizer", HiddenSize = 2048)]
        [Prompt("Summarize: {from:Expert} {question}")]
        public partial class Summarizer;

        [RecursiveSystem]
        [Mixture(typeof(Summarizer), typeof(Math.Expert), {|RMAS0012:typeof(Code.Expert)|})]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0013_pattern_without_RecursiveSystem() => Verify.AnalyzerAsync(Agents + """
        [{|RMAS0013:Sequential(typeof(Planner), typeof(Solver))|}]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0014_system_members_named_like_generated_ones() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team
        {
            public string {|RMAS0014:Solve|}(string question) => question;
            private readonly int {|RMAS0014:_planner|};
            public object? {|RMAS0014:PlannerToSolver|} { get; set; }
            public int {|RMAS0014:SolverInnerLink|} => _planner;
            public void {|RMAS0014:ThinkPlannerLaterRounds|}() { }
            public sealed class {|RMAS0014:Graph|} { }
        }
        """);

    [Fact]
    public Task RMAS0014_agent_constant_declared_by_the_user() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner
        {
            public const int {|RMAS0014:LatentSteps|} = 4;
        }
        """);

    [Fact]
    public Task RMAS0014_message_names_the_member_the_class_and_the_generated_member() => Verify.AnalyzerAsync(
        Agents + """
        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team
        {
            public int {|#0:SendFromPlanner|} => 0;
        }
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0014").WithLocation(0).WithArguments("SendFromPlanner", "Team", "the sender method of agent 'Planner'", "rename the member"));

    // A member cannot have the name of its class: these were CS0542 inside the generated file.
    [Theory]
    [InlineData("Rounds")]
    [InlineData("PlannerToSolver")]
    [InlineData("SolveBatch")]
    public Task RMAS0014_system_class_named_like_a_generated_member(string name) => Verify.AnalyzerAsync(Agents + $$"""
        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class {|RMAS0014:{{name}}|};
        """);

    // The generated private constructor that Load calls takes the runtime system: a user one with that signature was CS0111.
    [Fact]
    public Task RMAS0014_constructor_taking_the_runtime_system() => Verify.AnalyzerAsync(
        Agents + """
        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team
        {
            public Team(string name) { }
            public {|#0:Team|}(RecursiveMas.Systems.RecursiveSystem runtime) { }
        }
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0014").WithLocation(0).WithArguments("Team(RecursiveSystem)", "Team", "the private constructor that Load calls", "give the constructor other parameters"));

    [Fact]
    public Task RMAS0014_positional_record_agent_property() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial record Planner(int {|RMAS0014:Role|});
        """);

    // Two agents whose names spell each other's generated members: CS0102 inside the generated file.
    [Fact]
    public Task RMAS0014_agents_whose_names_spell_each_others_members() => Verify.AnalyzerAsync(
        """
        [Agent("p", HiddenSize = 2048)]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan again: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class P;

        [Agent("q", HiddenSize = 2048)]
        [Prompt("Solve: {from:P} {question}")]
        public partial class PFirstRound;

        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(P), {|#0:typeof(PFirstRound)|})]
        public partial class Team;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0014").WithLocation(0).WithArguments("_pFirstRound", "Team", "a prompt field of agent 'P'", "rename agent 'PFirstRound', for which the generator gives the field of agent 'PFirstRound' that name too"));

    [Fact]
    public Task RMAS0014_a_link_named_like_an_agents_inner_link() => Verify.AnalyzerAsync("""
        [Agent("a", HiddenSize = 2048)]
        [Prompt("A: {question}", When = PromptUse.FirstRound)]
        [Prompt("A again: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class A;

        [Agent("b", HiddenSize = 2048)]
        [Prompt("B: {from:A} {question}")]
        public partial class BInnerLink;

        [Agent("c", HiddenSize = 2048)]
        [Prompt("C: {from:BInnerLink} {question}")]
        public partial class AToB;

        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(A), {|RMAS0014:typeof(BInnerLink)|}, typeof(AToB))]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS0014_agent_class_named_like_its_constant() => Verify.AnalyzerAsync(
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class {|#0:Role|};
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0014").WithLocation(0).WithArguments("Role", "Role", "the agent's role name", "rename the class (a member cannot have the name of its class)"));

    [Fact]
    public Task RMAS0014_names_the_generator_does_not_use_are_free() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team
        {
            public string SolveAll(string question) => question;
            public void ThinkCritic() { }
            public int CriticToSolver => 1;
            public string RoleOfTeam => "team";
        }
        """);

    // The generator left the agent file out (two files of one name had been CS8785), silently.
    [Fact]
    public Task RMAS0015_class_that_is_both_an_agent_and_a_system() => Verify.AnalyzerAsync(
        Agents + """
        [Agent("team", HiddenSize = 2048)]
        [Prompt("Answer: {question}")]
        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class {|#0:Team|};
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0015").WithLocation(0).WithArguments("Team"));

    // Each was a CS error inside the generated file, or no code and no message (generic), or code for another class (file).
    [Theory]
    [InlineData("public static partial class {|RMAS0016:Team|};")]
    [InlineData("public abstract partial class {|RMAS0016:Team|};")]
    [InlineData("public partial class {|RMAS0016:Team|}<T>;")]
    [InlineData("public static partial class Outer<T> { [RecursiveSystem(Rounds = 3)][Sequential(typeof(Planner), typeof(Solver))] public partial class {|RMAS0016:Team|}; }")]
    [InlineData("file partial class {|RMAS0016:Team|};")]
    [InlineData("public partial class {|RMAS0016:Team|}(int size) { public int Size => size; }")]
    [InlineData("public partial record {|RMAS0016:Team|}(int Size);")]
    [InlineData("public partial class {|RMAS0016:Team|} : Base { public Team() : base(1) { } } public class Base { protected Base(int size) { } }")]
    [InlineData("public partial class {|RMAS0016:Team|} : Base { public Team() : base(1) { } } public class Base { private Base() { } public Base(int size) { } }")]
    public Task RMAS0016_system_class_the_generator_cannot_extend(string declaration) => Verify.AnalyzerAsync(Agents + (declaration.StartsWith("public static partial class Outer", StringComparison.Ordinal) ? "" : """
        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]

        """) + declaration);

    [Fact]
    public Task RMAS0016_message_names_the_class_and_the_base_class() => Verify.AnalyzerAsync(
        Agents + """
        public class Base { public Base(string name) { } }

        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class {|#0:Team|} : Base
        {
            public Team() : base("team") { }
        }
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0016").WithLocation(0).WithArguments("Team", "derives from 'Base', which has no constructor that the generated private constructor can call without arguments: give 'Base' an accessible parameterless constructor, or do not derive from it"));

    [Theory]
    [InlineData("public sealed partial class Team;")]
    [InlineData("public partial record Team;")]
    [InlineData("public partial class Team : Base; public abstract class Base { protected Base(int size = 1) { } }")]
    [InlineData("public static partial class Outer { [RecursiveSystem(Rounds = 3)][Sequential(typeof(Planner), typeof(Solver))] public partial class Team; }")]
    [InlineData("public partial class Base { private Base() { } public Base(int size) { } [RecursiveSystem(Rounds = 3)][Sequential(typeof(Planner), typeof(Solver))] public partial class Team : Base; }")]
    public Task RMAS0016_system_classes_the_generator_extends(string declaration) => Verify.AnalyzerAsync(Agents + (declaration.Contains("[RecursiveSystem", StringComparison.Ordinal) ? "" : """
        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Solver))]

        """) + declaration);

    [Theory]
    [InlineData("public static partial class {|RMAS0017:Solver|};")]
    [InlineData("file partial class {|RMAS0017:Solver|};")]
    public Task RMAS0017_agent_type_generated_code_cannot_name(string declaration) => Verify.AnalyzerAsync("""
        [Agent("solver", HiddenSize = 1536)]
        [Prompt("Solve: {question}")]

        """ + declaration);

    [Fact]
    public Task RMAS0017_open_generic_agent() => Verify.AnalyzerAsync(
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan again: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class Planner<T>;

        [Agent("solver", HiddenSize = 1536)]
        [Prompt("Plan: {from:Planner} Question: {question}")]
        public partial class Solver;

        [RecursiveSystem(Rounds = 3)]
        [Sequential({|#0:typeof(Planner<>)|}, typeof(Solver))]
        public partial class Team;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS0017").WithLocation(0).WithArguments("Planner", "is named as an open generic type, which generated code cannot use as a type argument: name it with its type arguments, such as typeof(Planner<int>)"));

    [Fact]
    public async Task RMAS0014_members_in_generated_sources_are_not_the_users()
    {
        var test = Verify.AnalyzerTest(Agents + """
            [RecursiveSystem(Rounds = 3)]
            [Sequential(typeof(Planner), typeof(Solver))]
            public partial class Team;
            """);
        test.TestState.Sources.Add(("Team.g.cs", """
            // <auto-generated/>
            public partial class Team
            {
                public const int Rounds = 3;
            }
            """));
        await test.RunAsync();
    }
    [Fact]
    public Task Agent_rules_broken_by_an_agent_of_a_compiled_library_are_reported_where_the_system_names_it()
    {
        // The generator refuses the system for these (the rules are the same), so without them here the project got no
        // code and no reason: the library's own analyzers, if any ran, reported them to its author only.
        var test = Verify.AnalyzerTest("""
            [RecursiveSystem(Rounds = 2)]
            [Sequential({|#0:typeof(Library.Planner)|}, {|#1:typeof(Library.Solver)|}, {|#2:typeof(Library.Checker)|})]
            public partial class Team;
            """);
        test.TestState.AdditionalReferences.Add(CompiledLibrary.Reference("""
            using RecursiveMas;

            namespace Library;

            [Agent("", HiddenSize = 2048)]
            [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
            [Prompt("Plan: {question} {feedback}", When = PromptUse.LaterRounds)]
            public class Planner;

            [Agent("solver", HiddenSize = -1, LatentSteps = 0)]
            [Prompt("Solve: {from:Planner} {question}")]
            public class Solver;

            [Agent("checker", HiddenSize = 1536)]
            [Prompt("Check: {from:Solver} {question}")]
            public static class Checker;
            """));
        test.ExpectedDiagnostics.AddRange(
        [
            Verify.Diagnostic("RMAS0011").WithLocation(0).WithArguments("Planner"),
            Verify.Diagnostic("RMAS1005").WithLocation(1).WithArguments("HiddenSize of agent 'Solver'", "-1"),
            Verify.Diagnostic("RMAS0005").WithLocation(1).WithArguments("Solver", "0"),
            Verify.Diagnostic("RMAS0017").WithLocation(2).WithArguments("Checker", "is static, and a static class cannot be a type argument of the generated code (Thoughts<Checker>, Message<From, Checker>): remove 'static'"),
        ]);
        return test.RunAsync();
    }
}
