using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RecursiveMas.Tests.Support;

/// <summary>
/// A minimal Chrome DevTools Protocol client over <see cref="ClientWebSocket"/>: commands with ids and
/// their replies, sent to the browser or (flattened) to one page's session. Events are not needed here.
/// </summary>
public sealed class DevToolsSession : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private int _nextId;

    public static async Task<DevToolsSession> Connect(Uri browser)
    {
        var session = new DevToolsSession();
        session._socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await session._socket.ConnectAsync(browser, CancellationToken.None);
        session._reader = Task.Run(session.ReadLoop);
        return session;
    }

    /// <summary>Opens <paramref name="url"/> in a new tab and returns the session id to send page commands to.</summary>
    public async Task<string> OpenPage(string url)
    {
        var target = await Send("Target.createTarget", new JsonObject { ["url"] = url });
        string targetId = target.GetProperty("targetId").GetString()!;
        var attached = await Send("Target.attachToTarget", new JsonObject { ["targetId"] = targetId, ["flatten"] = true });
        return attached.GetProperty("sessionId").GetString()!;
    }

    /// <summary>Runs a command and returns its <c>result</c>; a protocol error throws.</summary>
    public async Task<JsonElement> Send(string method, JsonObject? parameters = null, string? sessionId = null)
    {
        int id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (sessionId is not null)
            message["sessionId"] = sessionId;
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, _stop.Token);
        var done = await Task.WhenAny(reply.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        if (done != reply.Task)
            throw new TimeoutException($"DevTools did not answer {method}");
        return await reply.Task;
    }

    /// <summary>Evaluates JavaScript in the page and returns its value (awaiting promises).</summary>
    public async Task<JsonElement> Evaluate(string sessionId, string expression)
    {
        var result = await Send("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["returnByValue"] = true,
            ["awaitPromise"] = true,
        }, sessionId);
        if (result.TryGetProperty("exceptionDetails", out var error))
            throw new InvalidOperationException($"page script failed: {error}");
        var value = result.GetProperty("result");
        return value.TryGetProperty("value", out var v) ? v : default;
    }

    async Task ReadLoop()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                    break;
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                    continue;
                using var json = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                var root = json.RootElement;
                if (!root.TryGetProperty("id", out var idElement) || !_pending.TryRemove(idElement.GetInt32(), out var reply))
                    continue; // an event
                if (root.TryGetProperty("error", out var error))
                    reply.TrySetException(new InvalidOperationException($"DevTools error: {error}"));
                else
                    reply.TrySetResult(root.GetProperty("result").Clone());
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        foreach (var pending in _pending.Values)
            pending.TrySetException(new InvalidOperationException("the DevTools connection closed"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader;
        }
        catch (OperationCanceledException)
        {
        }
        _socket.Dispose();
        _stop.Dispose();
    }
}
