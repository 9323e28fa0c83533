using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using RecursiveMas.Server.OpenAi;

namespace RecursiveMas.Server.Queue;

/// <summary>
/// The server's workers: requests wait in a bounded queue and <paramref name="workers"/> of them run at
/// once — one for a client that runs a request at a time, the batch size for a client over a
/// <see cref="RecursiveMas.Serving.ContinuousBatcher"/>, which runs the admitted requests as one batch on its
/// own thread (the models, caches and dispose scopes are never shared between threads either way). A full
/// queue refuses new work (the handler answers 503) instead of letting waiting requests pile up without
/// bound. A run that outlasts the time budget is cancelled (504); on shutdown the running ones are
/// cancelled and the waiting ones are answered 503, and the workers' task ends only after the runs have.
/// </summary>
internal sealed class ChatWorkQueue(int capacity, TimeSpan? requestTimeout, int workers = 1) : BackgroundService
{
    private readonly Channel<ChatJob> _jobs = Channel.CreateBounded<ChatJob>(new BoundedChannelOptions(capacity)
    {
        SingleReader = workers == 1,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly CancellationTokenSource _stop = new();
    private volatile bool _stopping;

    /// <summary>True once shutdown began: nothing more is accepted.</summary>
    public bool IsStopping => _stopping;

    /// <summary>Requests waiting for a worker (not counting the ones running).</summary>
    public int Waiting => _jobs.Reader.Count;

    /// <summary>Queues <paramref name="job"/>; false when the queue is full or the server is stopping.</summary>
    public bool TryEnqueue(ChatJob job) => _jobs.Writer.TryWrite(job);

    /// <summary>
    /// Stops taking work and cancels the running request. Called when the application starts stopping
    /// (before Kestrel waits for open requests, which would otherwise wait for the run) and from <see cref="StopAsync"/>.
    /// </summary>
    public void BeginStop()
    {
        if (_stopping)
            return;
        _stopping = true;
        _jobs.Writer.TryComplete();
        _stop.Cancel();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _stop.Token);
        async Task Work()
        {
            try
            {
                await foreach (var job in _jobs.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                    await Run(job, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, workers)).Select(_ => Task.Run(Work, CancellationToken.None))).ConfigureAwait(false);
        // Shutting down: whoever still waits is told so instead of waiting for a worker that is gone.
        while (_jobs.Reader.TryRead(out var waiting))
            waiting.Output.Writer.TryComplete(ShuttingDown());
    }

    async Task Run(ChatJob job, CancellationToken stoppingToken)
    {
        var output = job.Output.Writer;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(job.Aborted, stoppingToken);
        if (requestTimeout is { } timeout)
            budget.CancelAfter(timeout);
        try
        {
            budget.Token.ThrowIfCancellationRequested();
            // The enumeration ends only after the run's thread has stopped (the chat client awaits it).
            await foreach (var update in job.Updates.WithCancellation(budget.Token).ConfigureAwait(false))
                output.TryWrite(update);
            output.TryComplete();
        }
        catch (OperationCanceledException e) when (!job.Aborted.IsCancellationRequested)
        {
            output.TryComplete(stoppingToken.IsCancellationRequested ? ShuttingDown()
                : budget.IsCancellationRequested ? TimedOut()
                : e);
        }
        catch (Exception e)
        {
            output.TryComplete(e);
        }
    }

    ApiError TimedOut() => new(504,
        $"The request ran longer than the server's time budget of {requestTimeout?.TotalSeconds:0.###} s (--request-timeout) and was cancelled.",
        code: "request_timeout", type: "server_error");

    static ApiError ShuttingDown() =>
        new(503, "The server is shutting down; the request was not completed. Retry later.", code: "server_shutting_down", type: "server_error");

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        BeginStop();
        return base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _stop.Dispose();
        base.Dispose();
    }
}
