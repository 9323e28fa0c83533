using RecursiveMas.Analyzers.Tests.Infrastructure;

namespace RecursiveMas.Analyzers.Tests.Diagnostics;

/// <summary>RMAS3001–RMAS3009: custom graphs of [Link]s and a [Decoder].</summary>
public class GraphDiagnosticsTests
{
    // Prompts that fit the chain A -> B -> C -> A, so that only the graph rule under test fires.
    const string Agents = """
        [Agent("a", HiddenSize = 64)]
        [Prompt("A: {question}", When = PromptUse.FirstRound)]
        [Prompt("A: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class A;

        [Agent("b", HiddenSize = 64)]
        [Prompt("B: {from:A} {question}")]
        public partial class B;

        [Agent("c", HiddenSize = 64)]
        [Prompt("C: {from:B} {question}")]
        public partial class C;

        """;

    [Fact]
    public Task Valid_custom_graph_has_no_diagnostics() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem]
        [Link(typeof(A), typeof(B), FromHiddenSize = 64, ToHiddenSize = 64)]
        [Link(typeof(B), typeof(C))]
        [Link(typeof(C), typeof(A))]
        [Decoder(typeof(C))]
        public partial class Chain;
        """);

    [Fact]
    public Task RMAS3001_links_without_decoder() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem]
        [Link(typeof(A), typeof(B))]
        [Link(typeof(B), typeof(A))]
        public partial class {|RMAS3001:Pair|};
        """);

    [Fact]
    public Task RMAS3002_two_decoders() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem]
        [Link(typeof(A), typeof(B))]
        [Link(typeof(B), typeof(A))]
        [Decoder(typeof(B))]
        [{|RMAS3002:{|CS0579:Decoder|}(typeof(A))|}]
        public partial class Pair;
        """);

    [Fact]
    public Task RMAS3003_decoder_outside_the_links() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem]
        [Link(typeof(A), typeof(B))]
        [Link(typeof(B), typeof(A))]
        [Decoder({|RMAS3003:typeof(C)|})]
        public partial class Pair;
        """);

    [Fact]
    public Task RMAS3004_agent_unreachable_from_the_first() => Verify.AnalyzerAsync(
        Agents + """
        [RecursiveSystem]
        [Link(typeof(A), typeof(B))]
        [Link({|#0:typeof(C)|}, typeof(B))]
        [Link(typeof(B), typeof(A))]
        [Decoder(typeof(B))]
        public partial class Fan;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS3004").WithLocation(0).WithArguments("C", "A", "Fan"));

    [Fact]
    public Task RMAS3008_an_agent_that_sends_to_no_one() => Verify.AnalyzerAsync(
        Agents.Replace("C: {from:B}", "C: {from:A}", StringComparison.Ordinal) + """
        [RecursiveSystem(Rounds = 2)]
        [Link(typeof(A), typeof(B))]
        [Link(typeof(A), {|#0:typeof(C)|})]
        [Link(typeof(B), typeof(A))]
        [Decoder(typeof(B))]
        public partial class DeadEnd;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS3008").WithLocation(0).WithArguments("C", "B", "DeadEnd"));

    // B is the first agent and the decoder; A reaches it only through the loop-closing A -> B. With one round B decoded at
    // once, reading nothing, and A never ran: the system compiled and ran as B alone.
    const string DecoderFirst = """
        [Agent("a", HiddenSize = 64)]
        [Prompt("A: {from:B} {question}")]
        public partial class A;

        [Agent("b", HiddenSize = 64)]
        [Prompt("B: {question}", When = PromptUse.FirstRound)]
        [Prompt("B: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class B;

        """;

    [Fact]
    public Task RMAS3009_an_agent_that_reaches_the_decoder_only_through_the_loop_in_one_round() => Verify.AnalyzerAsync(
        DecoderFirst + """
        [RecursiveSystem(Rounds = 1)]
        [Link(typeof(B), {|#0:typeof(A)|})]
        [Link(typeof(A), typeof(B))]
        [Decoder(typeof(B))]
        public partial class Team;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS3009").WithLocation(0).WithArguments("A", "B", "Team"));

    [Fact]
    public Task RMAS3009_the_same_graph_with_two_rounds_reads_the_loop() => Verify.AnalyzerAsync(DecoderFirst + """
        [RecursiveSystem(Rounds = 2)]
        [Link(typeof(B), typeof(A))]
        [Link(typeof(A), typeof(B))]
        [Decoder(typeof(B))]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS3005_decoder_does_not_lead_back_with_several_rounds() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem(Rounds = 2)]
        [Link(typeof(A), typeof(B))]
        [Decoder({|RMAS3005:typeof(B)|})]
        public partial class OneWay;
        """);

    [Fact]
    public Task RMAS3005_one_round_needs_no_way_back() => Verify.AnalyzerAsync("""
        [Agent("a", HiddenSize = 64)]
        [Prompt("A: {question}")]
        public partial class A;

        [Agent("b", HiddenSize = 64)]
        [Prompt("B: {from:A} {question}")]
        public partial class B;

        [RecursiveSystem(Rounds = 1)]
        [Link(typeof(A), typeof(B))]
        [Decoder(typeof(B))]
        public partial class OneWay;
        """);

    [Fact]
    public Task RMAS3006_two_loop_closing_edges_into_one_agent() => Verify.AnalyzerAsync(
        Agents + """
        [RecursiveSystem]
        [Link(typeof(A), typeof(B))]
        [Link(typeof(B), typeof(C))]
        [Link(typeof(B), typeof(A))]
        [{|#0:Link(typeof(C), typeof(A))|}]
        [Decoder(typeof(C))]
        public partial class Braid;
        """,
        [],
        includeHidden: false,
        Verify.Diagnostic("RMAS3006").WithLocation(0).WithArguments("A", "B", "C", "Braid"));

    [Fact]
    public Task RMAS3007_link_declared_twice() => Verify.AnalyzerAsync(Agents + """
        [RecursiveSystem]
        [Link(typeof(A), typeof(B))]
        [Link(typeof(B), typeof(A))]
        [{|RMAS3007:Link(typeof(A), typeof(B))|}]
        [Decoder(typeof(B))]
        public partial class Pair;
        """);

    [Fact]
    public Task Custom_graph_edges_drive_the_prompt_rules() => Verify.AnalyzerAsync("""
        [Agent("a", HiddenSize = 64)]
        [Prompt("A: {question}", When = PromptUse.FirstRound)]
        [Prompt("A: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class A;

        [Agent("b", HiddenSize = 64)]
        [Prompt("B: {from:A} {question}")]
        public partial class B;

        [Agent("c", HiddenSize = 64)]
        [Prompt({|RMAS2001:"C: {from:A} {question}"|})]
        public partial class C;

        // A feeds B and C, and B feeds C, so C needs {from:A} and {from:B}.
        [RecursiveSystem]
        [Link(typeof(A), typeof(B))]
        [Link(typeof(A), typeof(C))]
        [Link(typeof(B), typeof(C))]
        [Link(typeof(C), typeof(A))]
        [Decoder(typeof(C))]
        public partial class Diamond;
        """);
}
