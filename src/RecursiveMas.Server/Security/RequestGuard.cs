using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using RecursiveMas.Server.OpenAi;

namespace RecursiveMas.Server.Security;

/// <summary>
/// What every request passes before an endpoint sees it, so that a web page on another site cannot
/// drive the server through a visitor's browser (docs/security.md):
/// <list type="bullet">
/// <item>Host must be a loopback name, a host the listen addresses name, or an allowed host (DNS rebinding) — else 400.</item>
/// <item>A foreign Origin must be allowed — else 403; allowed ones get CORS headers (exposing the request id and Retry-After) and their preflights an answer.</item>
/// <item>With an API key, <c>/v1</c> requests need <c>Authorization: Bearer</c> it, compared in constant time — else 401.</item>
/// <item>A POST must say <c>Content-Type: application/json</c> (a form cannot) — else 415; so must one with a <c>Content-Encoding</c> (the body is not decompressed).</item>
/// </list>
/// </summary>
internal sealed class RequestGuard
{
    static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]", "::1"];

    private readonly HashSet<string> _hosts;
    private readonly bool _anyHost;
    private readonly HashSet<string> _origins;
    private readonly bool _anyOrigin;
    private readonly byte[]? _keyHash;

    public RequestGuard(RmasServerOptions options)
    {
        _hosts = new HashSet<string>(LoopbackHosts, StringComparer.OrdinalIgnoreCase);
        foreach (var url in options.Urls)
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && !IsWildcard(uri.Host))
                _hosts.Add(uri.Host);
        foreach (var host in options.AllowedHosts)
            _hosts.Add(host.Trim());
        _anyHost = _hosts.Contains("*");
        _origins = new HashSet<string>(options.AllowedOrigins.Select(o => o.Trim().TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
        _anyOrigin = _origins.Contains("*");
        _keyHash = options.ApiKey is { Length: > 0 } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;
    }

    static bool IsWildcard(string host) => host is "0.0.0.0" or "[::]" or "::" or "*" or "+";

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var request = http.Request;
        if (!_anyHost && !_hosts.Contains(request.Host.Host))
        {
            // HTTP/1.0 may leave Host out; "the Host header \"\"" would name a header the request does not have.
            await ChatCompletionsEndpoint.WriteError(http.Response, new ApiError(400, request.Host.HasValue
                ? $"The Host header \"{request.Host}\" is not one this server answers to; start it with --allowed-hosts to add one."
                : "The request has no Host header: send one that names this server (HTTP/1.0 clients too).", "Host", "host_not_allowed"));
            return;
        }

        string? origin = request.Headers.Origin;
        bool foreign = origin is not null && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
        if (foreign)
        {
            if (!_anyOrigin && !_origins.Contains(origin!))
            {
                await ChatCompletionsEndpoint.WriteError(http.Response, new ApiError(403,
                    $"Requests from pages at {origin} are not allowed; start the server with --allowed-origins to allow them.", "Origin", "origin_not_allowed"));
                return;
            }
            http.Response.Headers.AccessControlAllowOrigin = origin;
            http.Response.Headers.Vary = HeaderNames.Origin;
            if (HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod))
            {
                http.Response.Headers.AccessControlAllowMethods = "GET, POST";
                // The headers the page asks to send, as it names them: OpenAI's JavaScript SDK sends its own (x-stainless-os,
                // x-stainless-retry-count, …) beside Authorization and Content-Type, and a browser refuses the POST unless each is
                // allowed. The origin is one the operator allowed; what headers it sends changes nothing this server checks.
                string? asked = request.Headers[HeaderNames.AccessControlRequestHeaders];
                // Echoed only when it is a list of header names (token characters, commas, spaces): nothing else goes back out.
                bool names = !string.IsNullOrWhiteSpace(asked) && asked.Length <= 1024 && asked.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ',' or ' ');
                http.Response.Headers.AccessControlAllowHeaders = names ? $"Authorization, Content-Type, {asked}" : "Authorization, Content-Type";
                http.Response.Headers.AccessControlMaxAge = "600";
                http.Response.StatusCode = (int)HttpStatusCode.NoContent;
                return;
            }
            // A page reads only the safelisted response headers (Content-Type, Cache-Control, …) unless told otherwise: these are
            // the ones it needs that this server sends, the request id a 500 points to and how long a 503 asks it to wait.
            // (Allow on a 405 and WWW-Authenticate on a 401 say what the JSON error already says.)
            http.Response.Headers.AccessControlExposeHeaders = "x-request-id, Retry-After";
        }

        if (_keyHash is not null && request.Path.StartsWithSegments("/v1") && !Authorized(request))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            await ChatCompletionsEndpoint.WriteError(http.Response, new ApiError(401,
                "Missing or wrong API key: send the header Authorization: Bearer <key>.", code: "invalid_api_key"));
            return;
        }

        if (HttpMethods.IsPost(request.Method) && !IsJson(request.ContentType))
        {
            await ChatCompletionsEndpoint.WriteError(http.Response, new ApiError(415,
                $"Content-Type must be application/json, not \"{request.ContentType}\".", "Content-Type", "unsupported_media_type"));
            return;
        }

        // The body is read as it comes: a compressed one would be "not valid JSON" at its first byte, which says nothing of why.
        if (HttpMethods.IsPost(request.Method) && request.Headers.ContentEncoding is { Count: > 0 } encoding
            && !encoding.All(e => string.Equals(e?.Trim(), "identity", StringComparison.OrdinalIgnoreCase)))
        {
            await ChatCompletionsEndpoint.WriteError(http.Response, new ApiError(415,
                $"Content-Encoding \"{Cut(encoding.ToString())}\" is not supported: send the JSON body uncompressed.", "Content-Encoding", "unsupported_media_type"));
            return;
        }

        await next(http);
    }

    static string Cut(string text) => text.Length <= 40 ? text : text[..40] + "…";

    bool Authorized(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        const string Bearer = "Bearer ";
        if (header is null || !header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
            return false;
        // Hashes first, so the comparison takes the same time whatever the given key's length and content.
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header[Bearer.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, _keyHash);
    }

    static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
}
