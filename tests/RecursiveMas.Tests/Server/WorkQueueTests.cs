using System.Net;
using System.Text;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Server;
using RecursiveMas.Systems;

namespace RecursiveMas.Tests.Server;

/// <summary>The worker queue with a runner that the test holds: order, a full queue, a failing run.</summary>
public sealed class WorkQueueTests
{
    static RunResult Answer(string question, string text) => new()
    {
        Method = "test", Rounds = 1, Answers = [new QuestionAnswer(question, text, null, 1) { FinishReason = RecursiveMas.Decoding.FinishReason.EndOfSequence }],
        Steps = [new AgentStep("Solo", 1, "decode", 0, 1, 3, 1)], TotalMilliseconds = 1,
    };

    static StringContent Body(string question, bool stream = false) => new(
        $$"""{"messages":[{"role":"user","content":"{{question}}"}],"stream":{{(stream ? "true" : "false")}}}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task RequestsBeyondTheQueueGet503AndTheQueuedOnesRunInTurn()
    {
        using var running = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var order = new List<string>();
        using var client = new RecursiveMasChatClient((question, options) =>
        {
            lock (order) order.Add(question);
            running.Release();
            release.Wait(TimeSpan.FromMinutes(1));
            if (question == "fail")
                throw new InvalidOperationException("the system broke");
            options.OnAnswerText?.Invoke(0, "answer to " + question);
            return Answer(question, "answer to " + question);
        }, new RecursiveMasChatClientOptions { ModelId = "held" });
        var overview = new SystemOverview("held", "custom", 1, "Solo", [], []);
        await using var app = RmasServer.Create(client, overview, new RmasServerOptions { Urls = ["http://127.0.0.1:0"], MaxQueuedRequests = 1 });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        var first = http.PostAsync("/v1/chat/completions", Body("first"));
        Assert.True(await running.WaitAsync(TimeSpan.FromMinutes(1)), "the first request should be running");
        // The worker holds "first"; the queue holds one more; one of the next two finds it full.
        var second = http.PostAsync("/v1/chat/completions", Body("second", stream: true));
        var third = http.PostAsync("/v1/chat/completions", Body("third"));
        var refused = await Task.WhenAny(second, third);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await refused).StatusCode);
        Assert.Contains("server_busy", await (await refused).Content.ReadAsStringAsync());
        var waiting = refused == second ? third : second;

        release.Release(2);
        Assert.Equal("answer to first", JsonAnswer(await (await first).Content.ReadAsStringAsync()));
        var queued = await waiting;
        Assert.Equal(HttpStatusCode.OK, queued.StatusCode);
        Assert.Contains("answer to " + (waiting == second ? "second" : "third"), await queued.Content.ReadAsStringAsync());
        Assert.Equal(["first", waiting == second ? "second" : "third"], order);

        // A run that throws is a 500 in OpenAI's shape, and the worker goes on.
        release.Release(2);
        var failed = await http.PostAsync("/v1/chat/completions", Body("fail"));
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Contains("the system broke", await failed.Content.ReadAsStringAsync());
        var failedStream = await http.PostAsync("/v1/chat/completions", Body("fail", stream: true));
        Assert.Equal(HttpStatusCode.InternalServerError, failedStream.StatusCode);
        release.Release(1);
        Assert.Equal("answer to again", JsonAnswer(await (await http.PostAsync("/v1/chat/completions", Body("again"))).Content.ReadAsStringAsync()));
    }

    static string JsonAnswer(string json) =>
        System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
}
