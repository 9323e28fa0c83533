using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Serving;
using RecursiveMas.Systems;

namespace RecursiveMas.Server;

/// <summary>
/// The server <c>rmas serve</c> runs: a <see cref="ContinuousBatcher"/> over the system, a chat client over
/// the batcher, and the HTTP application with one queue worker per batch row (so requests in progress are
/// exactly the batch's rows). Disposing stops and releases the application, the client and the batcher's
/// thread, in that order; the system stays the caller's, to dispose afterwards.
/// </summary>
public sealed class BatchedServer : IAsyncDisposable
{
    private BatchedServer(ContinuousBatcher batcher, RecursiveMasChatClient client, WebApplication app)
    {
        Batcher = batcher;
        Client = client;
        App = app;
    }

    public ContinuousBatcher Batcher { get; }

    public RecursiveMasChatClient Client { get; }

    /// <summary>The application; start it with <c>StartAsync</c>, read bound addresses from <c>Urls</c>.</summary>
    public WebApplication App { get; }

    /// <summary>Builds the server of <paramref name="system"/> with <paramref name="maxBatch"/> rows (the application is not started).</summary>
    public static BatchedServer Create(RecursiveSystem system, int maxBatch, RecursiveMasChatClientOptions? chat = null, RmasServerOptions? server = null)
    {
        server ??= new RmasServerOptions();
        ILogger? log = null; // the application's, once it is built
        var batcher = new ContinuousBatcher(system, new BatcherOptions
        {
            MaxBatchSize = maxBatch,
            MaxWaiting = server.MaxQueuedRequests + maxBatch,
            OnBatchRunAlone = (e, rows) => log?.LogWarning(e, "a batch of {Rows} rows failed its turn and runs again row by row (only a question at fault will fail): {Message}", rows, e.Message),
        });
        var client = new RecursiveMasChatClient(batcher, chat);
        try
        {
            var app = RmasServer.Create(client, SystemOverview.Of(system), server with { MaxConcurrentRequests = maxBatch });
            log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RecursiveMas.Server");
            return new BatchedServer(batcher, client, app);
        }
        catch
        {
            client.Dispose();
            batcher.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Client.Dispose();
        Batcher.Dispose();
    }
}
