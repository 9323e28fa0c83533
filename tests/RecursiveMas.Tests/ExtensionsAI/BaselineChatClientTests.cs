using Microsoft.Extensions.AI;
using RecursiveMas.Baselines;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.ExtensionsAI;

/// <summary>
/// The baselines behind <see cref="RecursiveMasChatClient"/>: they run their turns through the same
/// <see cref="RunContext"/> as the runner, so they stream the final answer and stop when cancelled.
/// </summary>
public sealed class BaselineChatClientTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    const string Question = "What is 12 plus 30?";

    /// <summary>
    /// The method's system: LatentMAS needs agents sharing one model, so it gets the Deliberation agents
    /// (both on qwen3-96) in a Sequential pattern — no tools, whose rows would arrive in one piece.
    /// </summary>
    RecursiveSystem Load(string method, int rounds)
    {
        var options = new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 5 };
        if (method != "latentmas")
            return zoo.Load("sequential", rounds, maxNewTokens: 16);
        var d = zoo.Describe("deliberation", rounds, maxNewTokens: 16);
        return RecursiveSystem.Load(d with { Pattern = d.Pattern with { Kind = CollaborationPattern.Sequential }, ToolCorpus = null }, options);
    }

    static SystemRunner Runner(RecursiveSystem system, string method) => method switch
    {
        "text" => (q, o) => TextMasBaseline.SolveBatch(system, [q], o),
        "latentmas" => (q, o) => LatentMasBaseline.SolveBatch(system, [q], o),
        "single" => (q, o) => SingleAgentBaseline.SolveBatch(system, [q], o),
        _ => throw new ArgumentException(method),
    };

    static RecursiveMasChatClient Client(RecursiveSystem system, string method, Func<RunOptions, RunOptions>? adjust = null)
    {
        var runner = Runner(system, method);
        return new RecursiveMasChatClient((q, o) => runner(q, adjust?.Invoke(o) ?? o),
            new RecursiveMasChatClientOptions { Decoding = system.Description.Decoding with { MaxNewTokens = 16, RetryWithoutBoxedAnswer = false } });
    }

    [Theory]
    [InlineData("text")]
    [InlineData("latentmas")]
    [InlineData("single")]
    public async Task ABaselineStreamsItsAnswer(string method)
    {
        using var system = Load(method, 2);
        using var client = Client(system, method);
        var whole = await client.GetResponseAsync(Question);

        var pieces = await ChatStreaming.PiecesAsync(client, Question);

        Assert.True(pieces.Count > 1, "the answer arrives in several pieces");
        Assert.Equal(whole.Text, string.Concat(pieces));
        Assert.Equal(method, ((RunResult)whole.RawRepresentation!).Method.Name());
    }

    [Theory]
    [InlineData("text")]
    [InlineData("latentmas")]
    public async Task CancellingABaselineBetweenAgentsStopsBeforeTheNextAgentRuns(string method)
    {
        using var system = Load(method, 2);
        using var cancel = new CancellationTokenSource();
        var steps = new List<AgentStep>();
        using var client = Client(system, method, o => o with { OnStep = s => { steps.Add(s); cancel.Cancel(); } });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(Question, cancellationToken: cancel.Token));
        Assert.Single(steps);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("latentmas")]
    [InlineData("single")]
    public async Task CancellingABaselineMidDecodeStops(string method)
    {
        using var system = Load(method, 1);
        using var client = Client(system, method);
        Assert.Equal(1, await ChatStreaming.PiecesBeforeCancelAsync(client, Question));
    }
}
