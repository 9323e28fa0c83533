using RecursiveMas.Server;
using RecursiveMas.Systems;

namespace RecursiveMas.Cli.Benchmarks;

/// <summary>The server <c>rmas serve</c> runs (<see cref="BatchedServer"/>), started on a free loopback port, and a client of it, for the HTTP suites.</summary>
sealed class BenchServer : IAsyncDisposable
{
    private readonly BatchedServer _server;

    private BenchServer(BatchedServer server)
    {
        _server = server;
        Http = new HttpClient { BaseAddress = new Uri(server.App.Urls.First()), Timeout = TimeSpan.FromHours(1) };
    }

    public Serving.ContinuousBatcher Batcher => _server.Batcher;

    public HttpClient Http { get; }

    public static async Task<BenchServer> Start(RecursiveSystem system, int maxBatch, int maxQueue)
    {
        var server = BatchedServer.Create(system, maxBatch, server: new RmasServerOptions
        {
            Urls = ["http://127.0.0.1:0"],
            MaxQueuedRequests = maxQueue,
            RequestTimeout = null,
        });
        await server.App.StartAsync();
        return new BenchServer(server);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _server.App.StopAsync();
        await _server.DisposeAsync();
    }
}
