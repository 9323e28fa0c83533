using Microsoft.Extensions.AI;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Generated;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.ExtensionsAI;

/// <summary>
/// A system declared in C# behind <see cref="RecursiveMasChatClient"/>: its generated Solve passes the
/// run options' answer-text callback and cancellation token down to the decode, as the runner does.
/// </summary>
public sealed class GeneratedSystemChatClientTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    const string Question = "What is 12 plus 30?";

    SequentialTeam Load()
    {
        using var runtime = zoo.Load("sequential", 3, maxNewTokens: 16);
        string links = Path.Combine(zoo.Root, "links-" + Guid.NewGuid().ToString("N"));
        runtime.SaveLinks(links);
        return SequentialTeam.Load(zoo.Root, links);
    }

    static RecursiveMasChatClient Client(SequentialTeam team) =>
        new((question, options) => team.Solve(question, options),
            new RecursiveMasChatClientOptions { Decoding = new DecodingDescription { MaxNewTokens = 16, RetryWithoutBoxedAnswer = false } });

    [Fact]
    public async Task StreamingAGeneratedSystemConcatenatesToItsAnswer()
    {
        using var team = Load();
        using var client = Client(team);
        var whole = await client.GetResponseAsync(Question);

        var pieces = await ChatStreaming.PiecesAsync(client, Question);

        Assert.True(pieces.Count > 1, "the answer arrives in several pieces");
        Assert.Equal(whole.Text, string.Concat(pieces));
    }

    [Fact]
    public async Task CancellingAGeneratedSystemMidDecodeStops()
    {
        using var team = Load();
        using var client = Client(team);
        Assert.Equal(1, await ChatStreaming.PiecesBeforeCancelAsync(client, Question));
    }
}
