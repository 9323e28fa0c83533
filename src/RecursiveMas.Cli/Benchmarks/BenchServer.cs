using Microsoft.AspNetCore.Builder;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Server;
using RecursiveMas.Serving;
using RecursiveMas.Systems;

namespace RecursiveMas.Cli.Benchmarks;

/// <summary>
/// The server <c>rmas serve</c> runs, started in this process on a free loopback port for the HTTP
/// suites: a chat client over a <see cref="ContinuousBatcher"/>, one queue worker per batch row.
/// </summary>
sealed class BenchServer : IAsyncDisposable
{
    private BenchServer(ContinuousBatcher batcher, RecursiveMasChatClient client, WebApplication app)
    {
        Batcher = batcher;
        Client = client;
        App = app;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromHours(1) };
    }

    public ContinuousBatcher Batcher { get; }

    public RecursiveMasChatClient Client { get; }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public static async Task<BenchServer> Start(RecursiveSystem system, int maxBatch, int maxQueue, int maxPromptTokens = int.MaxValue)
    {
        var batcher = new ContinuousBatcher(system, new BatcherOptions { MaxBatchSize = maxBatch });
        var client = new RecursiveMasChatClient(batcher, new RecursiveMasChatClientOptions
        {
            MaxPromptTokens = maxPromptTokens == int.MaxValue ? null : maxPromptTokens,
        });
        var app = RmasServer.Create(client, SystemOverview.Of(system), new RmasServerOptions
        {
            Urls = ["http://127.0.0.1:0"],
            MaxConcurrentRequests = maxBatch,
            MaxQueuedRequests = maxQueue,
            RequestTimeout = null,
        });
        await app.StartAsync();
        return new BenchServer(batcher, client, app);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Client.Dispose();
        Batcher.Dispose();
    }
}
