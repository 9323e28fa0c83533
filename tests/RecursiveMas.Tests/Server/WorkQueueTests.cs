using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Server;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Server;

/// <summary>The worker queue with a runner that the test holds: order, a full queue, a failing run.</summary>
public sealed class WorkQueueTests
{
    static RunResult Answer(string question, string text) => new()
    {
        Method = RunMethod.Recursive,
        Rounds = 1,
        Answers = [new QuestionAnswer(question, text, null, 1) { FinishReason = RecursiveMas.Decoding.FinishReason.EndOfSequence }],
        Steps = [new AgentStep("Solo", 1, StepKind.Decode, 0, 1, 3, 1)],
        TotalMilliseconds = 1,
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
            lock (order)
                order.Add(question);
            running.Release();
            release.Wait(TimeSpan.FromMinutes(1));
            if (question == "fail")
                throw new InvalidOperationException("the system broke");
            if (question == "argue")
                throw new ArgumentException("rounds went wrong inside the run", "rounds");
            options.OnAnswerText?.Invoke(0, "answer to " + question);
            return Answer(question, "answer to " + question);
        }, new RecursiveMasChatClientOptions { ModelId = "held" });
        var log = new CapturedLog();
        await using var app = RmasServer.Create(client, Overview, new RmasServerOptions
        {
            Urls = ["http://127.0.0.1:0"],
            MaxQueuedRequests = 1,
            Logging = l => l.AddProvider(log),
        });
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

        // A run that throws is a generic 500 in OpenAI's shape with the request id; the detail is only in
        // the log. An ArgumentException from inside a run is the server's fault too, not a 400. The worker goes on.
        release.Release(3);
        foreach (var (question, stream) in new[] { ("fail", false), ("fail", true), ("argue", false) })
        {
            var failed = await http.PostAsync("/v1/chat/completions", Body(question, stream));
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            string id = failed.Headers.GetValues("x-request-id").Single();
            var error = System.Text.Json.JsonDocument.Parse(await failed.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal("internal_error", error.GetProperty("code").GetString());
            Assert.Contains($"request id {id}", error.GetProperty("message").GetString());
            Assert.DoesNotContain("broke", error.GetProperty("message").GetString());
            Assert.DoesNotContain("Exception", error.GetProperty("message").GetString());
            Assert.Contains(log.Lines, l => l.Contains(id, StringComparison.Ordinal)
                && l.Contains(question == "fail" ? "the system broke" : "rounds went wrong", StringComparison.Ordinal));
        }
        release.Release(1);
        Assert.Equal("answer to again", JsonAnswer(await (await http.PostAsync("/v1/chat/completions", Body("again"))).Content.ReadAsStringAsync()));
    }

    static readonly SystemOverview Overview = new("held", "custom", 1, "Solo", [], []);

    /// <summary>A server over <paramref name="runner"/> on a free loopback port.</summary>
    static async Task<(WebApplication App, HttpClient Http, RecursiveMasChatClient Client)> Start(SystemRunner runner, RmasServerOptions? options = null)
    {
        var client = new RecursiveMasChatClient(runner, new RecursiveMasChatClientOptions { ModelId = "held" });
        var app = RmasServer.Create(client, Overview, (options ?? new RmasServerOptions()) with { Urls = ["http://127.0.0.1:0"] });
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = new Uri(app.Urls.Single()) }, client);
    }

    /// <summary>A runner that streams text until its run is cancelled, and says when it started and how it ended.</summary>
    sealed class RunsUntilCancelled
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<bool> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RunResult Run(string question, RunOptions options)
        {
            if (question != "hold")
            {
                options.OnAnswerText?.Invoke(0, "answer to " + question);
                return Answer(question, "answer to " + question);
            }
            Started.TrySetResult();
            try
            {
                // One "step" at a time, as a real run checks its token between steps.
                while (true)
                {
                    options.CancellationToken.ThrowIfCancellationRequested();
                    options.OnAnswerText?.Invoke(0, "x");
                    options.CancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(20));
                }
            }
            catch (OperationCanceledException)
            {
                Ended.TrySetResult(true);
                throw;
            }
        }
    }

    [Fact]
    public async Task ARunPastTheTimeBudgetIsCancelledWith504AndTheWorkerGoesOn()
    {
        var runner = new RunsUntilCancelled();
        var (app, http, client) = await Start(runner.Run, new RmasServerOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        await using var _ = app;
        using var __ = http;
        using var ___ = client;

        var timedOut = await http.PostAsync("/v1/chat/completions", Body("hold"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Contains("request_timeout", await timedOut.Content.ReadAsStringAsync());
        Assert.True(await runner.Ended.Task, "the run should have been cancelled");
        Assert.Equal("answer to next", JsonAnswer(await (await http.PostAsync("/v1/chat/completions", Body("next"))).Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task AClientThatDisconnectsMidStreamFreesTheWorker()
    {
        var runner = new RunsUntilCancelled();
        var (app, http, client) = await Start(runner.Run);
        await using var _ = app;
        using var __ = http;
        using var ___ = client;

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Body("hold", stream: true) })
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var stream = await response.Content.ReadAsStreamAsync();
            Assert.True(await stream.ReadAsync(new byte[64]) > 0, "the stream should have started");
            response.Dispose(); // the client goes away mid-stream
        }

        Assert.True(await runner.Ended.Task, "the run should have been cancelled");
        Assert.Equal("answer to next", JsonAnswer(await (await http.PostAsync("/v1/chat/completions", Body("next"))).Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task ShutdownCancelsTheRunningRequestAnswersWaitingOnes503AndEndsAfterTheRun()
    {
        var runner = new RunsUntilCancelled();
        var (app, http, client) = await Start(runner.Run);
        using var __ = http;

        var running = http.PostAsync("/v1/chat/completions", Body("hold"));
        await runner.Started.Task;
        var queue = app.Services.GetServices<IHostedService>().OfType<RecursiveMas.Server.Queue.ChatWorkQueue>().Single();
        var waiting = http.PostAsync("/v1/chat/completions", Body("waiting", stream: true));
        while (queue.Waiting == 0)
            await Task.Delay(10);

        await app.StopAsync();

        // The worker stopped only after the run did, so the system could be disposed now.
        Assert.True(runner.Ended.Task.IsCompletedSuccessfully, "the run should have ended before the worker stopped");
        foreach (var answered in new[] { await running, await waiting })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answered.StatusCode);
            Assert.Contains("server_shutting_down", await answered.Content.ReadAsStringAsync());
        }
        client.Dispose(); // returns at once: no run holds the client
        await app.DisposeAsync();
    }

    static string JsonAnswer(string json) =>
        System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
}
