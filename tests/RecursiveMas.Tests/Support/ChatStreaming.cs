using Microsoft.Extensions.AI;

namespace RecursiveMas.Tests.Support;

/// <summary>What streaming tests over an <see cref="IChatClient"/> read: the text pieces, or how many arrive before a cancel stops them.</summary>
public static class ChatStreaming
{
    /// <summary>The non-empty text pieces of a streamed answer.</summary>
    public static async Task<List<string>> PiecesAsync(IChatClient client, string question)
    {
        var pieces = new List<string>();
        await foreach (var update in client.GetStreamingResponseAsync(question))
            if (update.Text.Length > 0)
                pieces.Add(update.Text);
        return pieces;
    }

    /// <summary>Cancels on the first text piece; asserts the stream ends by cancellation and returns the pieces seen.</summary>
    public static async Task<int> PiecesBeforeCancelAsync(IChatClient client, string question)
    {
        using var cancel = new CancellationTokenSource();
        int pieces = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(question, cancellationToken: cancel.Token))
            {
                if (update.Text.Length == 0)
                    continue;
                pieces++;
                await cancel.CancelAsync();
            }
        });
        return pieces;
    }
}
