using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Server.OpenAi;
using RecursiveMas.Server.Page;
using RecursiveMas.Server.Queue;
using RecursiveMas.Server.Security;
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
        if (options.MaxConcurrentRequests < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxConcurrentRequests, "at least one request must be able to run");
        if (options.MaxRequestBodyBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRequestBodyBytes, "the body limit must be positive");
        if (options.IdleConnectionTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), options.IdleConnectionTimeout, "the idle connection timeout must be positive");
        if (options.RequestTimeout is { } timeout && timeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), timeout, "the request time budget must be positive");

        var certificate = Certificate(options);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        options.Logging?.Invoke(builder.Logging);
        builder.WebHost.UseUrls([.. options.Urls]);
        if (certificate is not null)
            builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder leaves HTTPS out unless asked
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // The endpoint enforces the body limit itself (it stops reading one byte past it) so the client
            // gets an OpenAI-style 413; Kestrel's own limit would reset the connection mid-request instead.
            k.Limits.MaxRequestBodySize = null;
            // Every other limit explicitly, so a slow or greedy client is cut off by what docs/security.md says.
            k.Limits.MaxConcurrentConnections = options.MaxConnections;
            k.Limits.MaxConcurrentUpgradedConnections = 0;
            k.Limits.MaxRequestHeaderCount = 64;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            k.Limits.MaxRequestLineSize = 8 * 1024;
            k.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
            // Also how long a new connection may stay silent before its first request: Kestrel times that wait as
            // keep-alive, not as RequestHeadersTimeout, so idle sockets hold connection slots for this long.
            k.Limits.KeepAliveTimeout = options.IdleConnectionTimeout;
            k.Limits.MinRequestBodyDataRate = new MinDataRate(options.MinRequestBodyBytesPerSecond, options.SlowBodyGracePeriod);
            k.Limits.MinResponseDataRate = new MinDataRate(240, TimeSpan.FromSeconds(5));
            if (certificate is not null)
                k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
        });
        var queue = new ChatWorkQueue(options.MaxQueuedRequests, options.RequestTimeout, options.MaxConcurrentRequests);
        builder.Services.AddHostedService(_ => queue);
        var app = builder.Build();
        app.Lifetime.ApplicationStopping.Register(queue.BeginStop);
        var guard = new RequestGuard(options);
        app.Use(guard.InvokeAsync);

        var completions = new ChatCompletionsEndpoint(client, queue, options, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RecursiveMas.Server"));
        string page = PageHtml.Render(system, client.ModelId);
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        JsonObject Model() => new() { ["id"] = client.ModelId, ["object"] = "model", ["created"] = created, ["owned_by"] = "recursivemas" };

        app.MapPost("/v1/chat/completions", completions.Handle);
        // What a client reads also answers HEAD (health checks and proxies probe with it); Kestrel sends no body then.
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/v1/models", read, () => Results.Text(new JsonObject { ["object"] = "list", ["data"] = new JsonArray(Model()) }.ToJsonString(), "application/json"));
        app.MapMethods("/v1/models/{id}", read, (string id) => id == client.ModelId
            ? Results.Text(Model().ToJsonString(), "application/json")
            : Results.Text(new ApiError(404, $"The model {ChatCompletionRequest.Quoted(id)} does not exist.", "model", "model_not_found").ToJson().ToJsonString(), "application/json", statusCode: 404));
        app.MapMethods("/v1/rmas/system", read, () => Results.Text(JsonSerializer.Serialize(system, Json), "application/json"));
        app.MapMethods("/", read, () => Results.Content(page, "text/html; charset=utf-8"));
        // Anything else under /v1 answers like OpenAI's API does, in JSON: 405 naming the methods a known URL takes, else 404.
        // A URL only routing can tell apart from a known one (/v1/models/a/b, /v1/models//) is unknown: when the method is
        // one the URL's shape takes, the route did not match, so the answer is 404, never "takes GET, not GET".
        app.MapFallback("/v1/{**rest}", (HttpContext http) =>
        {
            string path = http.Request.Path.Value ?? "";
            string? allowed = KnownUrl(path, "/v1/chat/completions") ? "POST"
                : KnownUrl(path, "/v1/models") || KnownUrl(path, "/v1/rmas/system") || ModelUrl(path) ? string.Join(", ", read) : null;
            if (allowed is null || allowed.Split(", ").Contains(http.Request.Method, StringComparer.OrdinalIgnoreCase))
                return ChatCompletionsEndpoint.WriteError(http.Response,
                    new ApiError(404, $"Unknown request URL: {http.Request.Method} {http.Request.Path}.", code: "unknown_url"));
            http.Response.Headers.Allow = allowed;
            return ChatCompletionsEndpoint.WriteError(http.Response,
                new ApiError(405, $"{http.Request.Path} takes {allowed}, not {http.Request.Method}.", code: "method_not_allowed"));
        });
        return app;
    }

    /// <summary>The URL as routing matches it: any case, one trailing slash or none.</summary>
    static bool KnownUrl(string path, string url) =>
        path.Equals(url, StringComparison.OrdinalIgnoreCase) || path.Equals(url + "/", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>/v1/models/{id}</c>: one non-empty segment after <c>/v1/models/</c> (and one trailing slash or none).</summary>
    static bool ModelUrl(string path)
    {
        const string Prefix = "/v1/models/";
        if (!path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            return false;
        string id = path[Prefix.Length..];
        if (id.EndsWith('/'))
            id = id[..^1];
        return id.Length > 0 && !id.Contains('/');
    }

    /// <summary>
    /// The certificate for https:// addresses; an https address without one is refused here, clearly,
    /// rather than left to Kestrel's search for a development certificate.
    /// </summary>
    static X509Certificate2? Certificate(RmasServerOptions options)
    {
        bool https = options.Urls.Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        if (options.CertificatePath is not { } path)
            return https
                ? throw new ArgumentException($"{string.Join(';', options.Urls)} has an https:// address but no certificate was given (--certificate)", nameof(options))
                : null;
        if (!File.Exists(path))
            throw new ArgumentException($"the certificate file {path} does not exist", nameof(options));
        try
        {
            string extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is ".pfx" or ".p12")
                return X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
            if (options.CertificateKeyPath is null)
                throw new ArgumentException($"the certificate {path} is PEM: give its private key too (--certificate-key)", nameof(options));
            var pem = options.CertificatePassword is null
                ? X509Certificate2.CreateFromPemFile(path, options.CertificateKeyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, options.CertificatePassword, options.CertificateKeyPath);
            // An ephemeral PEM key cannot serve TLS on every platform; a PKCS#12 round trip makes it usable.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"the certificate {path} could not be read: {e.Message}", nameof(options), e);
        }
    }
}
