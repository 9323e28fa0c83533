using System.Threading.Channels;
using Microsoft.Extensions.AI;

namespace RecursiveMas.Server.Queue;

/// <summary>
/// One request waiting for (or being served by) the worker: its already validated updates, which the
/// worker enumerates, and the channel the HTTP handler reads them back from.
/// </summary>
internal sealed class ChatJob(IAsyncEnumerable<ChatResponseUpdate> updates, CancellationToken aborted)
{
    public IAsyncEnumerable<ChatResponseUpdate> Updates { get; } = updates;

    /// <summary>The client went away: skip the job, or stop it.</summary>
    public CancellationToken Aborted { get; } = aborted;

    /// <summary>Completed by the worker, with the run's exception when it failed.</summary>
    public Channel<ChatResponseUpdate> Output { get; } = Channel.CreateUnbounded<ChatResponseUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
}
