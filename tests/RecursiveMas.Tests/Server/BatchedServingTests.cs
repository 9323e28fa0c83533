using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Server;
using RecursiveMas.Server.OpenAi;
using RecursiveMas.Serving;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Server;

/// <summary>
/// <c>rmas serve</c>'s arrangement over real HTTP: a chat client over a continuous batcher, with as many
/// workers as batch rows. Concurrent requests share batched turns and each gets its answer alone.
/// </summary>
public sealed class BatchedServingTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    const int Rows = 4;

    sealed class Server(RecursiveSystem system, BatchedServer served) : IAsyncDisposable
    {
        public RecursiveSystem System { get; } = system;
        public ContinuousBatcher Batcher => served.Batcher;
        public HttpClient Http { get; } = new() { BaseAddress = new Uri(served.App.Urls.Single()), Timeout = TimeSpan.FromMinutes(3) };

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await served.App.StopAsync();
            await served.DisposeAsync();
            System.Dispose();
        }
    }

    async Task<Server> Start(int maxNewTokens)
    {
        var system = zoo.Load("sequential", 2, maxNewTokens);
        var served = BatchedServer.Create(system, Rows, new RecursiveMasChatClientOptions { MaxOutputTokens = 64 },
            new RmasServerOptions { Urls = ["http://127.0.0.1:0"] });
        await served.App.StartAsync();
        return new Server(system, served);
    }

    static StringContent Body(string question, bool stream, float? temperature = null, long? seed = null) => new(
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["messages"] = new[] { new { role = "user", content = question } },
            ["stream"] = stream,
            ["temperature"] = temperature,
            ["seed"] = seed,
        }.Where(kv => kv.Value is not null).ToDictionary()), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    /// <summary>The answer text of a plain response, or the concatenated deltas of a stream.</summary>
    static async Task<string> AnswerOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ChatCompletionText.Of(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ConcurrentRequestsShareBatchesAndEachGetsItsAnswerAlone()
    {
        await using var server = await Start(maxNewTokens: 10);
        string[] questions = ["What is 12 plus 30?", "Paris?", "Plan the steps to compute 5 plus 6 carefully.", "Berlin?", "Seven.", "Name a river.", "2+2?", "Why?"];
        var requests = questions.Select((q, i) =>
        {
            bool stream = i % 2 == 1;
            bool sample = i % 3 == 0;
            return (Question: q, Stream: stream, Temperature: sample ? 0.8f : (float?)null, Seed: sample ? 50 + i : (long?)null);
        }).ToList();
        var responses = await Task.WhenAll(requests.Select(async r =>
            await AnswerOf(await server.Http.PostAsync("/v1/chat/completions", Body(r.Question, r.Stream, r.Temperature, r.Seed)))));

        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            var decoding = r.Temperature is float t ? server.System.Description.Decoding with { Temperature = t, Seed = r.Seed } : null;
            var alone = RecursiveRunner.Solve(server.System, r.Question, new RunOptions { Decoding = decoding });
            Assert.Equal(alone.Answers[0].Text, responses[i]);
        }
        Assert.True(server.Batcher.RowsRun > server.Batcher.TurnsRun, $"{server.Batcher.RowsRun} rows in {server.Batcher.TurnsRun} turns: nothing was batched");
    }

    [Fact]
    public async Task AClientThatLeavesMidStreamFreesItsRowAndTheOthersFinishUnchanged()
    {
        await using var server = await Start(maxNewTokens: 48);
        using var leave = new CancellationTokenSource();
        var leaving = Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Body("Tell me a long story.", stream: true) };
            using var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, leave.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(leave.Token));
            while (await reader.ReadLineAsync(leave.Token) is { } line)
                if (line.Contains("\"content\"", StringComparison.Ordinal))
                    await leave.CancelAsync();
        });
        string[] others = ["What is 12 plus 30?", "Paris?", "Berlin?"];
        var answers = others.Select(async q => await AnswerOf(await server.Http.PostAsync("/v1/chat/completions", Body(q, stream: false)))).ToList();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        var texts = await Task.WhenAll(answers);
        for (int i = 0; i < others.Length; i++)
            Assert.Equal(RecursiveRunner.Solve(server.System, others[i]).Answers[0].Text, texts[i]);
        // The row of the client that left is free again: the batcher ends with nothing in progress.
        Assert.True(SpinWait.SpinUntil(() => server.Batcher.Active == 0 && server.Batcher.Waiting == 0, TimeSpan.FromMinutes(1)));
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsync("/v1/chat/completions", Body("Again?", stream: false))).StatusCode);
    }
}
