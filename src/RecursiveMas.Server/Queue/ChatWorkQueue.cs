using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace RecursiveMas.Server.Queue;

/// <summary>
/// The server's single worker: requests wait in a bounded queue and run one at a time, so concurrent
/// requests never share a system's models, caches or dispose scopes. A full queue refuses new work
/// (the handler answers 503) instead of letting waiting requests pile up without bound.
/// </summary>
internal sealed class ChatWorkQueue(int capacity) : BackgroundService
{
    private readonly Channel<ChatJob> _jobs = Channel.CreateBounded<ChatJob>(new BoundedChannelOptions(capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Queues <paramref name="job"/>; false when the queue is full.</summary>
    public bool TryEnqueue(ChatJob job) => _jobs.Writer.TryWrite(job);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var job in _jobs.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            var output = job.Output.Writer;
            try
            {
                job.Aborted.ThrowIfCancellationRequested();
                await foreach (var update in job.Updates.WithCancellation(job.Aborted).ConfigureAwait(false))
                    output.TryWrite(update);
                output.TryComplete();
            }
            catch (Exception e)
            {
                output.TryComplete(e);
            }
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _jobs.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }
}
