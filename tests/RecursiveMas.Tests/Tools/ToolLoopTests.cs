using RecursiveMas.Decoding;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tools;

namespace RecursiveMas.Tests.Tools;

public sealed class ToolLoopTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    /// <summary>
    /// A scripted continuation: it plays the part of the model, one segment per call, so the test can
    /// check exactly what the loop feeds back. Each segment's "tokens" are its characters.
    /// </summary>
    sealed class Script(params string[] segments)
    {
        int _next;
        public List<(string Assistant, int Budget)> Calls { get; } = [];

        public GeneratedSequence Continue(string assistant, int budget, IReadOnlyList<string> stops)
        {
            Calls.Add((assistant, budget));
            string full = segments[_next++];
            int cut = stops.Select(s => full.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
            if (cut >= 0)
                return new GeneratedSequence(full[..(cut + stops.First(s => full.IndexOf(s, StringComparison.Ordinal) == cut).Length)].Select(c => (int)c).ToList(), full[..cut], FinishReason.StopString);
            return new GeneratedSequence(full.Select(c => (int)c).ToList(), full, FinishReason.EndOfSequence);
        }
    }

    static string Decode(IReadOnlyList<int> ids) => new(ids.Select(i => (char)i).ToArray());

    [Fact]
    public void ToolResultsAreAppendedAndDecodingResumes()
    {
        var script = new Script("Let me compute. <calculator>12 + 30</calculator>", " So the answer is \\boxed{42}.");
        var result = ToolLoop.Run(script.Continue, [new CalculatorTool()], 200, Decode);
        Assert.Equal("Let me compute. <calculator>12 + 30</calculator> <result>\n42\n</result>\n So the answer is \\boxed{42}.", result.Text);
        Assert.Equal(2, script.Calls.Count);
        Assert.Equal("Let me compute. <calculator>12 + 30</calculator> <result>\n42\n</result>\n", script.Calls[1].Assistant);
        Assert.Equal(200 - "Let me compute. <calculator>12 + 30</calculator>".Length, script.Calls[1].Budget);
    }

    [Fact]
    public void SearchAndCalculatorCanBothBeCalled()
    {
        var search = new CorpusSearchTool([new CorpusDocument("Paris", "Paris is the capital of France.")]);
        var script = new Script("<search>capital of France</search>", "<calculator>2*3</calculator>", "done");
        var result = ToolLoop.Run(script.Continue, [new CalculatorTool(), search], 500, Decode);
        Assert.Contains("<result>\n[1] Paris: Paris is the capital of France.\n</result>", result.Text);
        Assert.Contains("<result>\n6\n</result>", result.Text);
        Assert.EndsWith("done", result.Text);
    }

    [Fact]
    public void AtMostFiveCallsRunAndLaterCallsAreAnsweredNotCut()
    {
        var script = new Script(Enumerable.Repeat("<calculator>1+1</calculator>", 7).Append(" \\boxed{2}").ToArray());
        var result = ToolLoop.Run(script.Continue, [new CalculatorTool()], 10_000, Decode);
        // Seven calls, each answered; decoding resumes after every one and ends with the answer.
        Assert.Equal(8, script.Calls.Count);
        var results = result.Text!.Split("<result>\n").Skip(1).Select(r => r[..r.IndexOf("\n</result>", StringComparison.Ordinal)]).ToList();
        Assert.Equal([.. Enumerable.Repeat("2", ToolLoop.MaxToolCalls), ToolLoop.BudgetSpentResult, ToolLoop.BudgetSpentResult], results);
        Assert.Contains("<calculator>1+1</calculator> <result>\n" + ToolLoop.BudgetSpentResult, result.Text);
        Assert.EndsWith(" \\boxed{2}", result.Text);
    }

    [Fact]
    public void ADeliberationSystemDecodesThroughTheToolLoop()
    {
        // Random weights never write a tool tag; this runs the real wiring end to end.
        using var system = zoo.Load("deliberation", 2, maxNewTokens: 5);
        Assert.Equal(["calculator", "python", "search"], system.Tools.Select(t => t.Name));
        var result = RecursiveRunner.Solve(system, "What is 12 plus 30?");
        Assert.Equal("ToolCaller", result.Steps[^1].Agent);
        Assert.InRange(result.Answers[0].GeneratedTokens, 1, 5);
    }
}
