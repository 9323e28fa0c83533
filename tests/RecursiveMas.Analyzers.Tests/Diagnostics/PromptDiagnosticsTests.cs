using RecursiveMas.Analyzers.Tests.Infrastructure;

namespace RecursiveMas.Analyzers.Tests.Diagnostics;

/// <summary>RMAS2001–RMAS2015: prompts against the system's edges and rounds.</summary>
public class PromptDiagnosticsTests
{
    // Sequential(Planner, Critic, Solver): Planner -> Critic -> Solver, loop Solver -> Planner, decoder Solver.
    static string Team(string planner, string critic, string solver, int rounds = 3) => $$"""
        [Agent("planner", HiddenSize = 2048)]
        {{planner}}
        public partial class Planner;

        [Agent("critic", HiddenSize = 2048)]
        {{critic}}
        public partial class Critic;

        [Agent("solver", HiddenSize = 1536)]
        {{solver}}
        public partial class Solver;

        [RecursiveSystem(Rounds = {{rounds}})]
        [Sequential(typeof(Planner), typeof(Critic), typeof(Solver))]
        public partial class MathTeam;
        """;

    const string PlannerOk = """
        [Prompt("You are a planner. Question: {question}", When = PromptUse.FirstRound)]
        [Prompt("You are a planner. This is round 2. Question: {question} Feedback: {feedback}", When = PromptUse.LaterRounds)]
        """;

    const string CriticOk = """[Prompt("Refine the plan. Question: {question} Initial Plan: {from:Planner}")]""";

    const string SolverOk = """[Prompt(@"Refined Plan: {from:Critic} Question: {question} Put the final answer inside \boxed{}, for example \boxed{1}.")]""";

    [Fact]
    public Task Paper_prompts_have_no_diagnostics() => Verify.AnalyzerAsync(Team(PlannerOk, CriticOk, SolverOk));

    [Fact]
    public Task RMAS2001_prompt_lacks_the_slot_of_an_incoming_edge() => Verify.AnalyzerAsync(
        Team(PlannerOk, CriticOk, """[Prompt({|#0:"Solve: {question}"|})]"""),
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS2001").WithLocation(0).WithArguments("Solver", "Critic", "MathTeam"));

    [Fact]
    public Task RMAS2001_the_decode_prompt_needs_the_slots_too() => Verify.AnalyzerAsync(Team(
        PlannerOk,
        CriticOk,
        SolverOk + """

        [Prompt({|RMAS2001:"Answer: {question}"|}, When = PromptUse.Decode)]
        """));

    [Fact]
    public Task RMAS2002_slot_of_an_agent_that_sends_nothing_here() => Verify.AnalyzerAsync(Team(
        PlannerOk,
        """[Prompt({|RMAS2002:"Refine: {from:Planner} {from:Solver} {question}"|})]""",
        SolverOk));

    [Fact]
    public Task RMAS2002_loop_closing_sender_read_as_from_instead_of_feedback() => Verify.AnalyzerAsync(
        Team(
            """
            [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
            [Prompt({|#0:"Plan again: {question} {from:Solver}"|}, When = PromptUse.LaterRounds)]
            """,
            CriticOk,
            SolverOk),
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS2002").WithLocation(0).WithArguments(
            "Solver", "Planner", "MathTeam", "; its message to this agent closes the loop, so read it with {feedback} in a LaterRounds prompt"),
        Verify.Diagnostic("RMAS2005").WithLocation(0).WithArguments("Planner", "Solver", "MathTeam"));

    [Fact]
    public Task RMAS2003_slot_of_an_agent_outside_the_system() => Verify.AnalyzerAsync(Team(
        PlannerOk,
        """[Prompt({|RMAS2003:"Refine: {from:Planner} {from:Verifier} {question}"|})]""",
        SolverOk));

    [Fact]
    public Task RMAS2004_feedback_where_no_loop_closes() => Verify.AnalyzerAsync(Team(
        PlannerOk,
        CriticOk,
        """[Prompt({|RMAS2004:"Refined Plan: {from:Critic} {feedback} {question}"|})]"""));

    [Fact]
    public Task RMAS2005_later_rounds_prompt_lacks_feedback() => Verify.AnalyzerAsync(Team(
        """
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt({|RMAS2005:"Plan again: {question}"|}, When = PromptUse.LaterRounds)]
        """,
        CriticOk,
        SolverOk));

    [Fact]
    public Task RMAS2005_one_always_prompt_cannot_close_the_loop() => Verify.AnalyzerAsync(Team(
        """[Prompt({|RMAS2005:"Plan: {question}"|})]""",
        CriticOk,
        SolverOk));

    [Fact]
    public Task RMAS2005_one_round_needs_no_feedback() => Verify.AnalyzerAsync(Team(
        """[Prompt("Plan: {question}")]""",
        CriticOk,
        SolverOk,
        rounds: 1));

    [Fact]
    public Task RMAS2006_feedback_in_a_prompt_used_in_round_one() => Verify.AnalyzerAsync(Team(
        """[Prompt({|RMAS2006:"Plan: {question} {feedback}"|})]""",
        CriticOk,
        SolverOk));

    [Fact]
    public Task RMAS2006_feedback_in_a_first_round_prompt() => Verify.AnalyzerAsync(Team(
        """
        [Prompt({|RMAS2006:"Plan: {question} {feedback}"|}, When = PromptUse.FirstRound)]
        [Prompt("Plan again: {question} {feedback}", When = PromptUse.LaterRounds)]
        """,
        CriticOk,
        SolverOk));

    [Fact]
    public Task RMAS2006_an_always_prompt_that_only_later_rounds_use_may_read_feedback() => Verify.AnalyzerAsync(Team(
        """
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan again: {question} {feedback}")]
        """,
        CriticOk,
        SolverOk));

    [Fact]
    public Task RMAS2007_placeholder_lookalikes() => Verify.AnalyzerAsync(
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt({|#0:"Plan: {Question}"|}, When = PromptUse.FirstRound)]
        [Prompt({|#1:"Plan again: {question} {feedbak} {from Critic}"|}, When = PromptUse.LaterRounds)]
        public partial class Planner;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS2007").WithLocation(0).WithArguments("{Question}", "Planner"),
        Verify.Diagnostic("RMAS2010").WithLocation(0).WithArguments("Planner", "PromptUse.FirstRound"),
        Verify.Diagnostic("RMAS2007").WithLocation(1).WithArguments("{feedbak}", "Planner"),
        Verify.Diagnostic("RMAS2007").WithLocation(1).WithArguments("{from Critic}", "Planner"));

    [Fact]
    public Task RMAS2007_an_unclosed_from_slot() => Verify.AnalyzerAsync(
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt({|#0:@"Question: {question} Plan: {from:Critic Answer in \boxed{}."|})]
        public partial class Planner;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS2007").WithLocation(0).WithArguments("{from:Critic", "Planner"));

    [Fact]
    public Task RMAS2010_a_prompt_without_the_question() => Verify.AnalyzerAsync(
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt({|#0:"Plan again from the feedback: {feedback}"|}, When = PromptUse.LaterRounds)]
        public partial class Planner;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS2010").WithLocation(0).WithArguments("Planner", "PromptUse.LaterRounds"));

    [Fact]
    public Task RMAS2007_latex_numbers_and_json_stay_literal_without_warning() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt(@"Question: {question} Use \frac{a}{b} and x_{i}; put the answer in \boxed{}, e.g. \boxed{1}. Reply as {""answer"": 42} or {1}.")]
        public partial class Planner;
        """);

    [Fact]
    public Task RMAS2012_placeholders_in_double_braces() => Verify.AnalyzerAsync(
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt({|#0:"Question: {{question}} (round {{round}})"|})]
        public partial class Planner;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS2012").WithLocation(0).WithArguments("{{question}}", "Planner", "{question}"),
        Verify.Diagnostic("RMAS2012").WithLocation(0).WithArguments("{{round}}", "Planner", "{round}"));

    // The attribute's value counts: an interpolated string's {{question}} is {question}, and \boxed{{question}} boxes it.
    [Fact]
    public Task RMAS2012_single_braces_in_the_value_and_latex_arguments_are_fine() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt($"Question: {{question}} Answer in \\boxed{{{{question}}}}.")]
        public partial class Planner;
        """);

    // Only the decoder (Solver, the last agent) makes the final text decode: the critic's Decode prompt was never read.
    [Fact]
    public Task RMAS2013_a_decode_prompt_on_an_agent_that_does_not_decode() => Verify.AnalyzerAsync(
        Team(PlannerOk, CriticOk + """

            [{|#0:Prompt("Answer: {question} {from:Planner}", When = PromptUse.Decode)|}]
            """, SolverOk),
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS2013").WithLocation(0).WithArguments("Critic", "Solver", "MathTeam"));

    [Fact]
    public Task RMAS2013_a_decode_prompt_on_the_decoder_is_fine() => Verify.AnalyzerAsync(Team(
        PlannerOk,
        CriticOk,
        SolverOk + """

        [Prompt("Answer: {from:Critic} {question}", When = PromptUse.Decode)]
        """));

    // One round has no later round: the planner's LaterRounds prompt (its {feedback} included) was never read, without a word.
    [Fact]
    public Task RMAS2014_a_later_rounds_prompt_in_a_one_round_system() => Verify.AnalyzerAsync(
        Team("""
            [Prompt("You are a planner. Question: {question}", When = PromptUse.FirstRound)]
            [{|#0:Prompt("You are a planner. This is round 2. Question: {question} Feedback: {feedback}", When = PromptUse.LaterRounds)|}]
            """, CriticOk, SolverOk, rounds: 1),
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS2014").WithLocation(0).WithArguments("Planner", "MathTeam"));

    [Fact]
    public Task RMAS2014_a_later_rounds_prompt_with_two_rounds_is_read() => Verify.AnalyzerAsync(Team(PlannerOk, CriticOk, SolverOk, rounds: 2));

    // The decoder does not roll out in the last round: in two rounds its Decode prompt takes round 2, and its LaterRounds
    // prompt was read by nothing.
    [Fact]
    public Task RMAS2015_a_decoders_later_rounds_prompt_that_its_decode_prompt_replaces() => Verify.AnalyzerAsync(
        Team(PlannerOk, CriticOk, """
            [Prompt("Solve. Refined Plan: {from:Critic} Question: {question}", When = PromptUse.FirstRound)]
            [{|#0:Prompt("Solve again. Refined Plan: {from:Critic} Question: {question}", When = PromptUse.LaterRounds)|}]
            [Prompt(@"Answer. Refined Plan: {from:Critic} Question: {question} Put the final answer inside \boxed{}.", When = PromptUse.Decode)]
            """, rounds: 2),
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS2015").WithLocation(0).WithArguments("Solver", "LaterRounds", "MathTeam", "2 rounds",
            "the FirstRound prompt in round 1 and the Decode prompt in the final decode (round 2)"));

    // Three rounds: round 2 is a rollout of the decoder, which reads the same prompt.
    [Fact]
    public Task RMAS2015_a_decoders_later_rounds_prompt_in_three_rounds_is_read() => Verify.AnalyzerAsync(
        Team(PlannerOk, CriticOk, """
            [Prompt("Solve. Refined Plan: {from:Critic} Question: {question}", When = PromptUse.FirstRound)]
            [Prompt("Solve again. Refined Plan: {from:Critic} Question: {question}", When = PromptUse.LaterRounds)]
            [Prompt(@"Answer. Refined Plan: {from:Critic} Question: {question} Put the final answer inside \boxed{}.", When = PromptUse.Decode)]
            """, rounds: 3));

    // One round: the decoder only decodes, so neither its round-1 prompt nor (RMAS2014) a later one is read.
    [Fact]
    public Task RMAS2015_a_decoders_first_round_prompt_in_one_round() => Verify.AnalyzerAsync(
        Team("""[Prompt("You are a planner. Question: {question}")]""", CriticOk, """
            [{|#0:Prompt("Solve. Refined Plan: {from:Critic} Question: {question}", When = PromptUse.FirstRound)|}]
            [Prompt(@"Answer. Refined Plan: {from:Critic} Question: {question} Put the final answer inside \boxed{}.", When = PromptUse.Decode)]
            """, rounds: 1),
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS2015").WithLocation(0).WithArguments("Solver", "FirstRound", "MathTeam", "1 round",
            "the Decode prompt in the final decode (round 1)"));

    // An Always prompt beside a prompt for each stage the critic runs (rounds 1 to 3) is read by none.
    [Fact]
    public Task RMAS2015_an_always_prompt_beside_a_prompt_for_every_stage() => Verify.AnalyzerAsync(
        Team(PlannerOk, """
            [{|#0:Prompt("Refine the plan. Question: {question} Initial Plan: {from:Planner}")|}]
            [Prompt("Refine the plan first. Question: {question} Initial Plan: {from:Planner}", When = PromptUse.FirstRound)]
            [Prompt("Refine the plan again. Question: {question} Initial Plan: {from:Planner}", When = PromptUse.LaterRounds)]
            """, SolverOk),
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS2015").WithLocation(0).WithArguments("Critic", "Always", "MathTeam", "3 rounds",
            "the FirstRound prompt in round 1 and the LaterRounds prompt in rounds 2 and 3"));

    [Fact]
    public Task RMAS2011_a_when_that_is_no_prompt_use() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        [Prompt("Plan again: {question}", When = {|RMAS2011:(PromptUse)42|})]
        [Prompt("Plan too: {question}", When = {|RMAS2011:(PromptUse)(-1)|})]
        public partial class Planner;
        """);

    [Fact]
    public Task RMAS2008_two_prompts_for_one_use() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        [{|RMAS2008:Prompt("Plan differently: {question}")|}]
        [Prompt("Plan first: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan first again: {question}", When = {|RMAS2008:PromptUse.FirstRound|})]
        public partial class Planner;
        """);

    [Fact]
    public Task RMAS2008_one_prompt_per_use_is_fine() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        [Prompt("Plan first: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan later: {question}", When = PromptUse.LaterRounds)]
        [Prompt("Answer: {question}", When = PromptUse.Decode)]
        public partial class Planner;
        """);

    [Fact]
    public Task RMAS2009_no_prompt_for_later_rounds() => Verify.AnalyzerAsync(
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        public partial class {|#0:Planner|};

        [Agent("solver", HiddenSize = 1536)]
        [Prompt("Solve: {from:Planner} {question}")]
        public partial class Solver;

        [RecursiveSystem(Rounds = 2)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS2009").WithLocation(0).WithArguments("Planner", "rounds 2 and later", "Team"));

    [Fact]
    public Task RMAS2009_agent_without_prompts() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner;

        [Agent("solver", HiddenSize = 1536)]
        public partial class {|RMAS2009:Solver|};

        [RecursiveSystem(Rounds = 1)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS2009_a_one_round_decoder_needs_only_its_decode_prompt() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner;

        [Agent("solver", HiddenSize = 1536)]
        [Prompt("Solve: {from:Planner} {question}", When = PromptUse.Decode)]
        public partial class Solver;

        [RecursiveSystem(Rounds = 1)]
        [Sequential(typeof(Planner), typeof(Solver))]
        public partial class Team;
        """);

    [Fact]
    public Task Mixture_summarizer_reads_every_expert_and_experts_read_feedback() => Verify.AnalyzerAsync("""
        [Agent("math", HiddenSize = 1536)]
        [Prompt("You are the math expert. {question}", When = PromptUse.FirstRound)]
        [Prompt("You are the math expert. {question} Summary so far: {feedback}", When = PromptUse.LaterRounds)]
        public partial class MathExpert;

        [Agent("code", HiddenSize = 2048)]
        [Prompt("You are the code expert. {question}", When = PromptUse.FirstRound)]
        [Prompt({|RMAS2005:"You are the code expert. {question}"|}, When = PromptUse.LaterRounds)]
        public partial class CodeExpert;

        [Agent("summarizer", HiddenSize = 2048)]
        [Prompt({|RMAS2001:"Math: {from:MathExpert} {question}"|})]
        public partial class Summarizer;

        [RecursiveSystem]
        [Mixture(typeof(Summarizer), typeof(MathExpert), typeof(CodeExpert))]
        public partial class Panel;
        """);

    [Fact]
    public Task Distillation_and_deliberation_valid_systems_have_no_diagnostics() => Verify.AnalyzerAsync("""
        [Agent("expert", HiddenSize = 4096)]
        [Prompt("Provide a concise plan. {question}", When = PromptUse.FirstRound)]
        [Prompt("Provide a concise plan. {question} Learner signal: {feedback}", When = PromptUse.LaterRounds)]
        public partial class Expert;

        [Agent("learner", HiddenSize = 2560)]
        [Prompt(@"Expert plan: {from:Expert} {question} Answer in \boxed{}.")]
        public partial class Learner;

        [RecursiveSystem]
        [Distillation(typeof(Expert), typeof(Learner))]
        public partial class Tutoring;

        [Agent("reflector", HiddenSize = 2560)]
        [Prompt("Reflect. {question}", When = PromptUse.FirstRound)]
        [Prompt("Reflect. {question} Toolcaller feedback signal: {feedback}", When = PromptUse.LaterRounds)]
        public partial class Reflector;

        [Agent("toolcaller", HiddenSize = 2560)]
        [Prompt("Reflector signal: {from:Reflector} {question}")]
        [Prompt(@"Reflector signal: {from:Reflector} {question} Use <python>...</python>; answer in \boxed{}.", When = PromptUse.Decode)]
        public partial class ToolCaller;

        [RecursiveSystem(Rounds = 2)]
        [Deliberation(typeof(Reflector), typeof(ToolCaller))]
        public partial class Deliberate;
        """);

    [Fact]
    public Task Problems_of_an_agent_from_a_referenced_assembly_are_reported_where_the_system_names_it()
    {
        var test = Verify.AnalyzerTest("""
            [RecursiveSystem(Rounds = 2)]
            [Sequential(typeof(Library.Planner), {|RMAS2001:typeof(Library.Solver)|})]
            public partial class Team;
            """);
        test.TestState.AdditionalProjects["Library"].Sources.Add("""
            using RecursiveMas;

            namespace Library;

            [Agent("planner", HiddenSize = 2048)]
            [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
            [Prompt("Plan: {question} {feedback}", When = PromptUse.LaterRounds)]
            public partial class Planner;

            [Agent("solver", HiddenSize = 1536)]
            [Prompt("Solve: {question}")]
            public partial class Solver;
            """);
        test.TestState.AdditionalProjects["Library"].AdditionalReferences.AddRange([.. TestReferences.Framework, TestReferences.RecursiveMas]);
        test.TestState.AdditionalProjectReferences.Add("Library");
        return test.RunAsync();
    }
    // A class named with a connector (Pc) or a combining mark (Mn) is read from by its name; RMAS2001 had asked for the
    // very slot the prompt has, because the placeholder parser took only letters and digits.
    [Fact]
    public Task From_slots_name_classes_with_any_identifier_character() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class Plan‿ner;

        [Agent("critic", HiddenSize = 2048)]
        [Prompt("Critique: {from:Plan‿ner} {question}")]
        public partial class Critiqué;

        [RecursiveSystem(Rounds = 2)]
        [Sequential(typeof(Plan‿ner), typeof(Critiqué))]
        public partial class Team;
        """);
}
