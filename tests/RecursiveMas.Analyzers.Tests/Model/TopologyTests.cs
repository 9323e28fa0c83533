using RecursiveMas.Analyzers.Tests.Infrastructure;
using RecursiveMas.Dsl;

namespace RecursiveMas.Analyzers.Tests.Model;

public class TopologyTests
{
    const string Agents = """
        [Agent("a", HiddenSize = 8)] [Prompt("{question}")] public partial class A;
        [Agent("b", HiddenSize = 8)] [Prompt("{question}")] public partial class B;
        [Agent("c", HiddenSize = 8)] [Prompt("{question}")] public partial class C;
        [Agent("d", HiddenSize = 8)] [Prompt("{question}")] public partial class D;

        """;

    static Topology Of(string attributes)
    {
        var system = Specs.System(Agents + attributes + "\npublic partial class S;", "S");
        return Topology.Build(system) ?? throw new InvalidOperationException("no topology");
    }

    static EdgeSpec Forward(string from, string to, int link = -1) => new(from, to, IsFeedback: false, link);

    static EdgeSpec Feedback(string from, string to, int link = -1) => new(from, to, IsFeedback: true, link);

    [Fact]
    public void Sequential_chains_forward_and_closes_from_last_to_first()
    {
        var topology = Of("[RecursiveSystem, Sequential(typeof(A), typeof(B), typeof(C))]");

        Assert.Equal([Forward("A", "B"), Forward("B", "C"), Feedback("C", "A")], topology.Edges);
        Assert.Equal(("A", "C"), (topology.First, topology.Decoder));
        Assert.Equal(["A", "B", "C"], topology.Order);
        Assert.Equal(["B"], topology.ForwardSources("C"));
        Assert.Equal([Feedback("C", "A")], topology.FeedbackInto("A"));
    }

    [Fact]
    public void Mixture_sends_experts_to_the_summarizer_and_back()
    {
        var topology = Of("[RecursiveSystem, Mixture(typeof(S0), typeof(A), typeof(B))]".Replace("S0", "C"));

        Assert.Equal([Forward("A", "C"), Forward("B", "C"), Feedback("C", "A"), Feedback("C", "B")], topology.Edges);
        Assert.Equal(("A", "C"), (topology.First, topology.Decoder));
        Assert.Equal(["A", "B", "C"], topology.Order);
    }

    [Theory]
    [InlineData("Distillation")]
    [InlineData("Deliberation")]
    public void Two_agent_patterns_close_from_the_second_which_decodes(string pattern)
    {
        var topology = Of($"[RecursiveSystem, {pattern}(typeof(B), typeof(A))]");

        Assert.Equal([Forward("B", "A"), Feedback("A", "B")], topology.Edges);
        Assert.Equal(("B", "A"), (topology.First, topology.Decoder));
        Assert.Equal(["B", "A"], topology.Order);
    }

    [Fact]
    public void Custom_edges_close_a_loop_when_they_point_back_onto_the_walk()
    {
        var topology = Of("""
            [RecursiveSystem]
            [Link(typeof(A), typeof(B))]
            [Link(typeof(A), typeof(C))]
            [Link(typeof(C), typeof(B))]
            [Link(typeof(B), typeof(D))]
            [Link(typeof(D), typeof(A))]
            [Decoder(typeof(D))]
            """);

        // Walk: A -> B -> D -> (A on stack: loop), back to A -> C -> (B done: forward).
        Assert.Equal(
            [Forward("A", "B", 0), Forward("A", "C", 1), Forward("C", "B", 2), Forward("B", "D", 3), Feedback("D", "A", 4)],
            topology.Edges);
        Assert.Equal(["A", "C", "B", "D"], topology.Order);
        Assert.Equal(("A", "D"), (topology.First, topology.Decoder));
        Assert.Empty(topology.Unreachable);
        Assert.True(topology.HasPath("D", "A"));
    }

    [Fact]
    public void Custom_declaration_order_decides_which_edge_closes_the_loop()
    {
        var forwardFirst = Of("[RecursiveSystem, Link(typeof(A), typeof(B)), Link(typeof(B), typeof(A)), Decoder(typeof(B))]");
        var backFirst = Of("[RecursiveSystem, Link(typeof(B), typeof(A)), Link(typeof(A), typeof(B)), Decoder(typeof(B))]");

        Assert.Equal([Forward("A", "B", 0), Feedback("B", "A", 1)], forwardFirst.Edges);
        Assert.Equal([Forward("B", "A", 0), Feedback("A", "B", 1)], backFirst.Edges);
        Assert.Equal("B", backFirst.First);
    }

    [Fact]
    public void Custom_graph_lists_unreachable_agents_and_repeated_links_once()
    {
        var topology = Of("""
            [RecursiveSystem]
            [Link(typeof(A), typeof(B))]
            [Link(typeof(C), typeof(B))]
            [Link(typeof(A), typeof(B))]
            [Decoder(typeof(B))]
            """);

        Assert.Equal(["C"], topology.Unreachable);
        Assert.Equal([Forward("A", "B", 0), Forward("C", "B", 1)], topology.Edges);
        Assert.False(topology.HasPath("B", "A"));
        Assert.True(topology.HasPath("A", "A"));
    }

    [Fact]
    public void A_self_link_closes_a_loop()
    {
        var topology = Of("[RecursiveSystem, Link(typeof(A), typeof(B)), Link(typeof(B), typeof(B)), Decoder(typeof(B))]");

        Assert.Equal([Forward("A", "B", 0), Feedback("B", "B", 1)], topology.Edges);
    }

    [Fact]
    public void No_topology_without_exactly_one_sound_pattern()
    {
        Assert.Null(Topology.Build(Specs.System(Agents + "[RecursiveSystem] public partial class S;", "S")));
        Assert.Null(Topology.Build(Specs.System(Agents + "[RecursiveSystem, Sequential(typeof(A))] public partial class S;", "S")));
        Assert.Null(Topology.Build(Specs.System(
            Agents + "[RecursiveSystem, Sequential(typeof(A), typeof(B)), Distillation(typeof(A), typeof(B))] public partial class S;", "S")));
    }
}
