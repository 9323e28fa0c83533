using Microsoft.Extensions.Logging;

namespace RecursiveMas.Server;

/// <summary>Where <c>rmas serve</c> listens, what it accepts and from whom (docs/security.md: the threat model and every default).</summary>
public sealed record RmasServerOptions
{
    /// <summary>Loopback by default: the server is reachable from other machines only when told so.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Addresses to listen on (port 0 picks a free port; read the bound ones from <c>app.Urls</c> after start).</summary>
    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>The largest request body accepted; larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1 << 20;

    /// <summary>Requests that may wait for the worker; more get 503 (the client should retry).</summary>
    public int MaxQueuedRequests { get; init; } = 64;

    /// <summary>
    /// Requests run at once: 1 for a chat client that runs one request at a time; the batcher's
    /// <see cref="RecursiveMas.Serving.BatcherOptions.MaxBatchSize"/> for a client over a continuous batcher.
    /// </summary>
    public int MaxConcurrentRequests { get; init; } = 1;

    /// <summary>
    /// How long one run may hold the worker (from when it starts, not while it waits in the queue); then it
    /// is cancelled and answered 504 <c>request_timeout</c>. Null = no limit.
    /// </summary>
    public TimeSpan? RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Host header values (host names, without port) accepted besides loopback names and the hosts the
    /// <see cref="Urls"/> name; "*" accepts any. Other Host headers get 400 (DNS rebinding).
    /// </summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>
    /// Origins ("https://app.example:8443") whose pages may call the API, answered with CORS headers; "*"
    /// allows any. A request with any other foreign Origin header gets 403; same-origin requests (the
    /// page) and requests without Origin (SDKs, curl) pass.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>When set, every <c>/v1</c> request needs <c>Authorization: Bearer</c> this key (compared in constant time); else 401.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The server certificate for <c>https://</c> addresses: a PKCS#12 file (.pfx/.p12) or a PEM certificate (with <see cref="CertificateKeyPath"/>).</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/>, when the certificate is PEM.</summary>
    public string? CertificateKeyPath { get; init; }

    /// <summary>The password of a PKCS#12 certificate or an encrypted PEM key.</summary>
    public string? CertificatePassword { get; init; }

    /// <summary>
    /// Open connections at most; a connection past it is closed as soon as it is accepted. Idle connections count
    /// until <see cref="IdleConnectionTimeout"/> closes them.
    /// </summary>
    public long MaxConnections { get; init; } = 256;

    /// <summary>
    /// How long a connection may stay idle — before its first request or between requests — before it is closed:
    /// short, so that sockets a client opens and leaves silent cannot hold <see cref="MaxConnections"/> for long.
    /// </summary>
    public TimeSpan IdleConnectionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time a client has to send its request headers; then the connection is closed.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A body that arrives slower than this (after <see cref="SlowBodyGracePeriod"/>) is cut off.</summary>
    public double MinRequestBodyBytesPerSecond { get; init; } = 240;

    /// <summary>How long a body may arrive slower than <see cref="MinRequestBodyBytesPerSecond"/> before it is cut off.</summary>
    public TimeSpan SlowBodyGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where the server logs (internal errors with their request id, in full); null logs nowhere. Error
    /// responses never carry more than the request id.
    /// </summary>
    public Action<ILoggingBuilder>? Logging { get; init; }
}
