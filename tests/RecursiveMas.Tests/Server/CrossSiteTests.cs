using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Server;
using RecursiveMas.Systems;

namespace RecursiveMas.Tests.Server;

/// <summary>
/// What a page on another site, a rebinding DNS name or a slow client can do to a server on loopback:
/// real Kestrel on a free port, with a runner that answers at once (the HTTP layer is under test).
/// </summary>
public sealed class CrossSiteTests
{
    static RunResult Answer(string question, RunOptions options)
    {
        options.OnAnswerText?.Invoke(0, "ok");
        return new RunResult
        {
            Method = RunMethod.Recursive,
            Rounds = 1,
            Answers = [new QuestionAnswer(question, "ok", null, 1) { FinishReason = RecursiveMas.Decoding.FinishReason.EndOfSequence }],
            Steps = [new AgentStep("Solo", 1, StepKind.Decode, 0, 1, 3, 1)],
            TotalMilliseconds = 1,
        };
    }

    /// <summary>A server on a free loopback port over a runner that answers "ok" at once; the other HTTP-layer tests start theirs here too.</summary>
    internal sealed class Server : IAsyncDisposable
    {
        readonly RecursiveMasChatClient _client = new(Answer, new RecursiveMasChatClientOptions { ModelId = "solo" });

        public WebApplication App { get; private set; } = null!;
        public HttpClient Http { get; private set; } = null!;
        public Uri Url { get; private set; } = null!;

        public static async Task<Server> Start(RmasServerOptions options, HttpMessageHandler? handler = null)
        {
            var server = new Server();
            server.App = RmasServer.Create(server._client, new SystemOverview("solo", "custom", 1, "Solo", [], []), options);
            await server.App.StartAsync();
            server.Url = new Uri(server.App.Urls.Single());
            server.Http = new HttpClient(handler ?? new HttpClientHandler()) { BaseAddress = server.Url };
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.DisposeAsync();
            _client.Dispose();
        }
    }

    const string Question = """{"messages":[{"role":"user","content":"hi"}]}""";

    static HttpRequestMessage Post(string contentType = "application/json") => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Content = new StringContent(Question, Encoding.UTF8, new MediaTypeHeaderValue(contentType)),
    };

    static async Task<string> Code(HttpResponseMessage response, HttpStatusCode status)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        return System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString()!;
    }

    [Fact]
    public async Task APostMustBeJsonSoThatAFormOnAnotherSiteCannotSendOne()
    {
        await using var server = await Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"] });

        foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data" })
            Assert.Equal("unsupported_media_type", await Code(await server.Http.SendAsync(Post(type)), HttpStatusCode.UnsupportedMediaType));
        var none = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Question)) };
        Assert.Equal("unsupported_media_type", await Code(await server.Http.SendAsync(none), HttpStatusCode.UnsupportedMediaType));

        Assert.Equal(HttpStatusCode.OK, (await server.Http.SendAsync(Post("application/json"))).StatusCode);
    }

    [Fact]
    public async Task AForeignHostHeaderIsRefusedUnlessAllowed()
    {
        await using var server = await Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"] });
        await using var allowing = await Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"], AllowedHosts = ["rmas.example"] });

        // A DNS name rebound to 127.0.0.1 arrives with its own name as Host.
        var rebound = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        rebound.Headers.Host = "attacker.example:" + server.Url.Port;
        Assert.Equal("host_not_allowed", await Code(await server.Http.SendAsync(rebound), HttpStatusCode.BadRequest));

        var localhost = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        localhost.Headers.Host = "localhost:" + server.Url.Port;
        Assert.Equal(HttpStatusCode.OK, (await server.Http.SendAsync(localhost)).StatusCode);

        var named = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        named.Headers.Host = "rmas.example";
        Assert.Equal(HttpStatusCode.OK, (await allowing.Http.SendAsync(named)).StatusCode);
        var other = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        other.Headers.Host = "attacker.example";
        Assert.Equal("host_not_allowed", await Code(await allowing.Http.SendAsync(other), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task AForeignOriginIsRefusedUnlessAllowedAndAllowedOnesGetCors()
    {
        await using var server = await Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"], AllowedOrigins = ["https://app.example"] });

        var foreign = Post();
        foreign.Headers.Add("Origin", "https://attacker.example");
        Assert.Equal("origin_not_allowed", await Code(await server.Http.SendAsync(foreign), HttpStatusCode.Forbidden));

        // The page itself: same origin.
        var page = Post();
        page.Headers.Add("Origin", server.Url.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HttpStatusCode.OK, (await server.Http.SendAsync(page)).StatusCode);

        // A preflight from an allowed origin asking for the headers a page sends.
        async Task<(HttpResponseMessage Answer, string AllowedHeaders)> Preflight(string headers)
        {
            var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
            preflight.Headers.Add("Origin", "https://app.example");
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", headers);
            var answer = await server.Http.SendAsync(preflight);
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
            return (answer, answer.Headers.GetValues("Access-Control-Allow-Headers").Single());
        }
        var (answer, allowedHeaders) = await Preflight("content-type");
        Assert.Equal("https://app.example", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Content-Type", allowedHeaders);
        // OpenAI's JavaScript SDK in a browser (dangerouslyAllowBrowser) sends headers of its own; each must be allowed or the
        // browser never sends the POST.
        (_, allowedHeaders) = await Preflight("authorization,content-type,x-stainless-arch,x-stainless-lang,x-stainless-os,x-stainless-retry-count");
        foreach (string header in new[] { "authorization", "content-type", "x-stainless-os", "x-stainless-retry-count" })
            Assert.Contains(header, allowedHeaders, StringComparison.OrdinalIgnoreCase);
        // What is not a list of header names is not echoed back.
        Assert.Equal("Authorization, Content-Type", (await Preflight("x-a; <script>")).AllowedHeaders);

        var allowed = Post();
        allowed.Headers.Add("Origin", "https://app.example");
        var response = await server.Http.SendAsync(allowed);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://app.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());

        var foreignPreflight = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
        foreignPreflight.Headers.Add("Origin", "https://attacker.example");
        foreignPreflight.Headers.Add("Access-Control-Request-Method", "POST");
        var refused = await server.Http.SendAsync(foreignPreflight);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AnAllowedOriginsPageMayReadTheRequestIdAndRetryAfter()
    {
        await using var server = await Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"], AllowedOrigins = ["https://app.example"] });
        static string[] Exposed(HttpResponseMessage response) => response.Headers.TryGetValues("Access-Control-Expose-Headers", out var values)
            ? [.. values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries))]
            : [];

        // A browser hides every response header but the safelisted ones from the page unless the response exposes it:
        // the request id a 500 names and the Retry-After of a 503 must be, on answers and refusals alike.
        var allowed = Post();
        allowed.Headers.Add("Origin", "https://app.example");
        var answer = await server.Http.SendAsync(allowed);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.True(answer.Headers.Contains("x-request-id"));
        var unknown = new HttpRequestMessage(HttpMethod.Get, "/v1/nothing");
        unknown.Headers.Add("Origin", "https://app.example");
        var refusal = await server.Http.SendAsync(unknown);
        Assert.Equal(HttpStatusCode.NotFound, refusal.StatusCode);
        foreach (var response in new[] { answer, refusal })
        {
            Assert.Contains("x-request-id", Exposed(response), StringComparer.OrdinalIgnoreCase);
            Assert.Contains("Retry-After", Exposed(response), StringComparer.OrdinalIgnoreCase);
        }

        // Only for allowed origins, as every CORS header: not for a foreign one, nor for a request without Origin.
        var foreign = Post();
        foreign.Headers.Add("Origin", "https://attacker.example");
        Assert.Empty(Exposed(await server.Http.SendAsync(foreign)));
        Assert.Empty(Exposed(await server.Http.SendAsync(Post())));
    }

    [Fact]
    public async Task WithAnApiKeyTheApiNeedsTheBearerKey()
    {
        await using var server = await Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"], ApiKey = "s3cret-key" });

        Assert.Equal("invalid_api_key", await Code(await server.Http.SendAsync(Post()), HttpStatusCode.Unauthorized));
        foreach (var wrong in new[] { "Bearer s3cret-kex", "Bearer s3cret-key-and-more", "Basic s3cret-key", "Bearer " })
        {
            var request = Post();
            request.Headers.TryAddWithoutValidation("Authorization", wrong);
            var refused = await server.Http.SendAsync(request);
            Assert.Equal("invalid_api_key", await Code(refused, HttpStatusCode.Unauthorized));
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        }
        var models = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.SendAsync(models)).StatusCode);

        var right = Post();
        right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-key");
        Assert.Equal(HttpStatusCode.OK, (await server.Http.SendAsync(right)).StatusCode);
        // The page (which sends the key it is given in its #key= fragment) loads without one.
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task HttpsServesWithTheGivenCertificateAndIsRefusedWithoutOne()
    {
        var error = Assert.Throws<ArgumentException>(() => RmasServer.Create(
            new RecursiveMasChatClient(Answer), new SystemOverview("solo", "custom", 1, "Solo", [], []),
            new RmasServerOptions { Urls = ["https://127.0.0.1:0"] }));
        Assert.Contains("no certificate", error.Message);

        string pfx = Path.Combine(Path.GetTempPath(), $"rmas-{Guid.NewGuid():N}.pfx");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pkcs12, "pw"));
        try
        {
            string? seen = null;
            var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, served, _, _) => (seen = served?.Thumbprint) == certificate.Thumbprint,
            };
            await using var server = await Server.Start(new RmasServerOptions
            {
                Urls = ["https://127.0.0.1:0"],
                CertificatePath = pfx,
                CertificatePassword = "pw",
            }, handler);

            Assert.Equal("https", server.Url.Scheme);
            Assert.Equal(HttpStatusCode.OK, (await server.Http.SendAsync(Post())).StatusCode);
            Assert.Equal(certificate.Thumbprint, seen);
        }
        finally
        {
            File.Delete(pfx);
        }
    }

    [Fact]
    public async Task KestrelLimitsAreSetAndAClientThatNeverFinishesItsHeadersIsCutOff()
    {
        await using var server = await Server.Start(new RmasServerOptions
        {
            Urls = ["http://127.0.0.1:0"],
            RequestHeadersTimeout = TimeSpan.FromSeconds(1),
            MaxConnections = 17,
        });
        var limits = server.App.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.Equal(17, limits.MaxConcurrentConnections);
        Assert.Equal(TimeSpan.FromSeconds(1), limits.RequestHeadersTimeout);
        Assert.Equal(240, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Null(limits.MaxRequestBodySize); // the endpoint's own 413 instead

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Url.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
        // ...and nothing more: the server closes the connection (a 408 first, at most).
        var received = new MemoryStream();
        var buffer = new byte[1024];
        int read;
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a regression must not hang the suite
        while ((read = await stream.ReadAsync(buffer, bound.Token)) > 0)
            received.Write(buffer, 0, read);
        string answer = Encoding.ASCII.GetString(received.ToArray());
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer);
    }

    [Fact]
    public async Task SilentConnectionsCannotHoldEveryConnectionSlot()
    {
        await using var server = await Server.Start(new RmasServerOptions
        {
            Urls = ["http://127.0.0.1:0"],
            MaxConnections = 4,
            IdleConnectionTimeout = TimeSpan.FromSeconds(1),
        });
        var silent = new List<TcpClient>();
        try
        {
            // Every slot taken by a socket that never sends a byte.
            for (int i = 0; i < 4; i++)
            {
                var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, server.Url.Port);
                silent.Add(tcp);
            }
            // The server closes each after the idle timeout (Kestrel's heartbeat checks once a second)...
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1)); // a regression must not hang the suite
            foreach (var tcp in silent)
                Assert.Equal(0, await tcp.GetStream().ReadAsync(new byte[16], bound.Token));
            // ...and a client that does talk is answered.
            Assert.Equal(HttpStatusCode.OK, (await server.Http.SendAsync(Post())).StatusCode);
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task ABodyKestrelCannotReadIsA400NotAnEmpty200()
    {
        await using var server = await Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"] });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Url.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"));
        var received = new MemoryStream();
        var buffer = new byte[1024];
        int read;
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while ((read = await stream.ReadAsync(buffer, bound.Token)) > 0)
            received.Write(buffer, 0, read);
        string answer = Encoding.ASCII.GetString(received.ToArray());
        Assert.StartsWith("HTTP/1.1 400", answer);
        Assert.Contains("invalid_request_body", answer);
    }

    [Fact]
    public async Task AKnownUrlAskedWithTheWrongMethodIsA405ThatNamesTheRightOne()
    {
        await using var server = await Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"] });
        var get = await server.Http.GetAsync("/v1/chat/completions");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal("POST", get.Content.Headers.Allow.Single());
        Assert.Contains("method_not_allowed", await get.Content.ReadAsStringAsync());
        var delete = await server.Http.DeleteAsync("/v1/models");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Equal(["GET", "HEAD"], delete.Content.Headers.Allow);
        // What a client reads answers HEAD as GET does, without the body.
        foreach (string url in new[] { "/v1/models", "/v1/rmas/system", "/" })
        {
            var head = await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/v1/embeddings")).StatusCode);
    }
}
