using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Server.Queue;
using RecursiveMas.Systems;

namespace RecursiveMas.Server.OpenAi;

/// <summary>
/// <c>POST /v1/chat/completions</c>: reads and checks the request (size, JSON, fields, bounds) before it
/// queues anything, then answers as one <c>chat.completion</c> or as SSE chunks ending in
/// <c>data: [DONE]</c>. With <c>stream_events</c>, the stream also carries <c>event: rmas.step</c> after
/// every agent step and <c>event: rmas.result</c> at the end (what the page shows).
/// </summary>
/// <remarks>
/// Every refusal names its field (400) or limit; a failure inside a run answers a generic 500 with the
/// request id (also the <c>x-request-id</c> header), and only the server log holds its detail.
/// </remarks>
internal sealed class ChatCompletionsEndpoint(RecursiveMasChatClient client, ChatWorkQueue queue, RmasServerOptions options, ILogger logger)
{
    public async Task Handle(HttpContext http)
    {
        http.Response.Headers["x-request-id"] = http.TraceIdentifier;
        ChatJob job;
        ChatCompletionRequest request;
        try
        {
            request = ChatCompletionRequest.Parse(await ReadBody(http.Request));
            if (request.Model is { } model && model != client.ModelId)
                // Cut like every echo of input: a megabyte-long name must not come back as a megabyte-long error.
                throw new ApiError(404, $"The model {ChatCompletionRequest.Quoted(model)} does not exist; this server serves `{client.ModelId}`.", "model", "model_not_found");
            IAsyncEnumerable<ChatResponseUpdate> updates;
            try
            {
                updates = client.GetStreamingResponseAsync(request.Messages, request.Options, http.RequestAborted);
            }
            catch (ArgumentException e)
            {
                // The chat client's validation, before anything runs: the field (or limit) at fault.
                throw ApiError.From(e, request.BudgetParam);
            }
            catch (NotSupportedException e)
            {
                // The parser refuses what it knows of by field; anything the chat client refuses besides.
                throw new ApiError(400, e.Message, code: "unsupported_value");
            }
            job = new ChatJob(updates, http.RequestAborted);
            if (!queue.TryEnqueue(job))
                throw queue.IsStopping
                    ? new ApiError(503, "The server is shutting down. Retry later.", code: "server_shutting_down", type: "server_error")
                    : new ApiError(503, "The server is busy: too many requests are waiting. Retry later.", code: "server_busy", type: "server_error");
        }
        catch (Exception e) when (Failure(e, http) is { } error)
        {
            await WriteError(http.Response, error);
            return;
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            // Kestrel could not read the body (malformed chunks, or too slow: 408); say so while the client listens.
            await WriteError(http.Response, new ApiError(e.StatusCode, $"The request body could not be read: {e.Message}",
                code: e.StatusCode == StatusCodes.Status408RequestTimeout ? "request_timeout" : "invalid_request_body"));
            return;
        }
        catch (Exception e) when (e is OperationCanceledException or BadHttpRequestException or IOException)
        {
            return; // the client went away; there is no one to answer
        }

        if (request.Stream)
            await Stream(http, job, request);
        else
            await Complete(http, job);
    }

    /// <summary>The body, refused with 413 past the limit (by Content-Length, or while reading a chunked body).</summary>
    async Task<ReadOnlyMemory<byte>> ReadBody(HttpRequest request)
    {
        long limit = options.MaxRequestBodyBytes;
        var tooLarge = new ApiError(413, $"The request body is larger than {limit} bytes.", code: "request_too_large");
        if (request.ContentLength > limit)
            throw tooLarge;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
                throw tooLarge;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    async Task Complete(HttpContext http, ChatJob job)
    {
        var text = new StringBuilder();
        ChatResponseUpdate? last = null;
        try
        {
            await foreach (var update in job.Output.Reader.ReadAllAsync(http.RequestAborted))
            {
                text.Append(update.Text);
                last = update;
            }
        }
        catch (Exception e) when (Failure(e, http) is { } error)
        {
            await WriteError(http.Response, error);
            return;
        }
        catch (Exception e) when (e is OperationCanceledException or BadHttpRequestException or IOException)
        {
            return; // the client went away; the run was cancelled with it
        }
        var usage = last?.Contents.OfType<UsageContent>().FirstOrDefault()?.Details;
        var json = ChatCompletionJson.Completion(last?.ResponseId ?? "", client.ModelId, Created(last), text.ToString(), last?.FinishReason, usage,
            last?.RawRepresentation as RunResult);
        await WriteJson(http.Response, 200, json);
    }

    async Task Stream(HttpContext http, ChatJob job, ChatCompletionRequest request)
    {
        var response = http.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        bool sentRole = false;
        try
        {
            await foreach (var update in job.Output.Reader.ReadAllAsync(http.RequestAborted))
            {
                string id = update.ResponseId ?? "";
                long created = Created(update);
                if (!sentRole)
                {
                    // OpenAI's first chunk names the role with empty content.
                    await Data(response, ChatCompletionJson.Chunk(id, client.ModelId, created, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
                    sentRole = true;
                }
                foreach (var step in update.Contents.OfType<AgentStepContent>())
                    if (request.StreamEvents)
                        await Event(response, "rmas.step", ChatCompletionJson.Step(step.Step));
                if (update.Text.Length > 0)
                    await Data(response, ChatCompletionJson.Chunk(id, client.ModelId, created, new JsonObject { ["content"] = update.Text }, null));
                if (update.FinishReason is not null)
                {
                    var usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details;
                    await Data(response, ChatCompletionJson.Chunk(id, client.ModelId, created, [], update.FinishReason));
                    if (request.IncludeUsage)
                        await Data(response, ChatCompletionJson.UsageChunk(id, client.ModelId, created, usage));
                    if (request.StreamEvents && update.RawRepresentation is RunResult run)
                        await Event(response, "rmas.result", ChatCompletionJson.Run(run));
                }
            }
        }
        catch (Exception e) when (Failure(e, http) is { } error)
        {
            if (!response.HasStarted)
            {
                // Nothing sent yet: a plain JSON error with its status.
                await WriteError(response, error);
                return;
            }
            // Headers are gone: the error travels as a data line, as OpenAI's API does mid-stream.
            await Data(response, error.ToJson());
        }
        catch (Exception e) when (e is OperationCanceledException or BadHttpRequestException or IOException)
        {
            return; // the client went away; the run was cancelled with it
        }
        await WriteLine(response, "data: [DONE]\n\n");
    }

    /// <summary>
    /// The error to report for a request that failed; null when the client went away or Kestrel cut it
    /// off (nothing to write). A refusal (<see cref="ApiError"/>) passes as it is (its cause, if any, to the
    /// log); anything else — an <see cref="ArgumentException"/> from inside a run included — is this server's
    /// fault: a generic 500 with the request id, the exception in the log.
    /// </summary>
    ApiError? Failure(Exception e, HttpContext http)
    {
        if (e is ChannelClosedException { InnerException: { } inner })
            e = inner;
        if (e is ApiError refusal)
        {
            if (refusal.InnerException is { } cause)
                logger.LogError(cause, "request {RequestId} failed: {Error}", http.TraceIdentifier, refusal.Message);
            return refusal;
        }
        if (http.RequestAborted.IsCancellationRequested && e is OperationCanceledException || e is BadHttpRequestException or IOException)
            return null;
        logger.LogError(e, "request {RequestId} failed", http.TraceIdentifier);
        return new ApiError(500, $"The server failed to answer this request (request id {http.TraceIdentifier}); the details are in the server's log.",
            code: "internal_error", type: "server_error");
    }

    static long Created(ChatResponseUpdate? update) => (update?.CreatedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();

    static Task Data(HttpResponse response, JsonNode json) => WriteLine(response, "data: " + json.ToJsonString() + "\n\n");

    static Task Event(HttpResponse response, string name, JsonNode json) => WriteLine(response, $"event: {name}\ndata: {json.ToJsonString()}\n\n");

    static async Task WriteLine(HttpResponse response, string text)
    {
        await response.WriteAsync(text, response.HttpContext.RequestAborted);
        await response.Body.FlushAsync(response.HttpContext.RequestAborted);
    }

    public static Task WriteError(HttpResponse response, ApiError error)
    {
        // A busy or stopping server: a well-behaved client waits before it tries again.
        if (error.Status == StatusCodes.Status503ServiceUnavailable)
            response.Headers.RetryAfter = "1";
        return WriteJson(response, error.Status, error.ToJson());
    }

    static async Task WriteJson(HttpResponse response, int status, JsonNode json)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(json.ToJsonString(), response.HttpContext.RequestAborted);
    }
}
