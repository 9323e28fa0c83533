using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Server.OpenAi;
using RecursiveMas.Server.Page;
using RecursiveMas.Server.Queue;
using RecursiveMas.Systems;

namespace RecursiveMas.Server;

/// <summary>
/// The HTTP face of a system (ASP.NET Core minimal APIs on Kestrel):
/// <list type="bullet">
/// <item><c>POST /v1/chat/completions</c> — OpenAI-compatible, plain or SSE (<see cref="ChatCompletionsEndpoint"/>).</item>
/// <item><c>GET /v1/models</c>, <c>GET /v1/models/{id}</c> — the one model this server serves.</item>
/// <item><c>GET /v1/rmas/system</c> — the <see cref="SystemOverview"/> as JSON.</item>
/// <item><c>GET /</c> — the page: the graph, each round as it runs, and the answer.</item>
/// </list>
/// Requests run one at a time through one worker queue. The caller owns the client and the system.
/// </summary>
public static class RmasServer
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Builds the application; start it with <c>StartAsync</c>/<c>RunAsync</c>, read bound addresses from <c>Urls</c>.</summary>
    public static WebApplication Create(RecursiveMasChatClient client, SystemOverview system, RmasServerOptions? options = null)
    {
        options ??= new RmasServerOptions();
        if (options.MaxQueuedRequests < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxQueuedRequests, "the queue must hold at least one request");
        if (options.MaxRequestBodyBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRequestBodyBytes, "the body limit must be positive");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls([.. options.Urls]);
        // The endpoint enforces the body limit itself (it stops reading one byte past it) so the client
        // gets an OpenAI-style 413; Kestrel's own limit would reset the connection mid-request instead.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        var queue = new ChatWorkQueue(options.MaxQueuedRequests);
        builder.Services.AddHostedService(_ => queue);
        var app = builder.Build();

        var completions = new ChatCompletionsEndpoint(client, queue, options);
        string page = PageHtml.Render(system, client.ModelId);
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        JsonObject Model() => new() { ["id"] = client.ModelId, ["object"] = "model", ["created"] = created, ["owned_by"] = "recursivemas" };

        app.MapPost("/v1/chat/completions", completions.Handle);
        app.MapGet("/v1/models", () => Results.Text(new JsonObject { ["object"] = "list", ["data"] = new JsonArray(Model()) }.ToJsonString(), "application/json"));
        app.MapGet("/v1/models/{id}", (string id) => id == client.ModelId
            ? Results.Text(Model().ToJsonString(), "application/json")
            : Results.Text(new ApiError(404, $"The model `{id}` does not exist.", "model", "model_not_found").ToJson().ToJsonString(), "application/json", statusCode: 404));
        app.MapGet("/v1/rmas/system", () => Results.Text(JsonSerializer.Serialize(system, Json), "application/json"));
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        // Anything else under /v1 answers like OpenAI's API does, in JSON.
        app.MapFallback("/v1/{**rest}", (HttpContext http) => ChatCompletionsEndpoint.WriteError(http.Response,
            new ApiError(404, $"Unknown request URL: {http.Request.Method} {http.Request.Path}.", code: "unknown_url")));
        return app;
    }
}
