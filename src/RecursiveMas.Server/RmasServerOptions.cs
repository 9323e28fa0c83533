namespace RecursiveMas.Server;

/// <summary>Where <c>rmas serve</c> listens and what it accepts.</summary>
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
}
