using System.Collections.Concurrent;
using System.Net;
using System.Text;
using RecursiveMas.Hub;

namespace RecursiveMas.Tests.Hub;

/// <summary>
/// An https endpoint whose answer redirects to plain http: the pull must stop there, before a request goes out
/// unencrypted (an eavesdropper could read it and change the bytes). <see cref="FakeHub"/> speaks only http, so an
/// https endpoint is played here by a handler given to <see cref="HubClient"/>, which sees every request it sends.
/// </summary>
public sealed class HubSchemeDowngradeTests : IDisposable
{
    const string RepoId = "test-org/tiny-model";
    const string Commit = "0123456789abcdef0123456789abcdef01234567";
    static readonly FakeFile Config = FakeFile.Text("config.json", "{}");

    readonly string cacheDir = Directory.CreateTempSubdirectory("rmas-hub-downgrade-").FullName;

    public void Dispose() => Directory.Delete(cacheDir, recursive: true);

    /// <summary>Answers each request with <c>answer</c>, keeping every request it was sent.</summary>
    sealed class ScriptedServer(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public ConcurrentQueue<HttpRequestMessage> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(request);
            return Task.FromResult(answer(request));
        }
    }

    /// <summary>The repository (one file) at https://hub.test, whose answers to paths holding <paramref name="redirected"/> point to http://.</summary>
    static HttpResponseMessage HttpsHub(HttpRequestMessage request, string redirected)
    {
        var url = request.RequestUri!;
        if (url.AbsolutePath.Contains(redirected, StringComparison.Ordinal) && url.Scheme == "https")
        {
            var redirect = new HttpResponseMessage(HttpStatusCode.Found);
            redirect.Headers.Location = new Uri("http://" + url.Authority + url.PathAndQuery);
            return redirect;
        }
        if (url.AbsolutePath.StartsWith("/api/", StringComparison.Ordinal))
        {
            string listing = $$"""{"sha": "{{Commit}}", "siblings": [{"rfilename": "config.json", "size": {{Config.Content.Length}}, "blobId": "{{Config.BlobId}}"}]}""";
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(listing, Encoding.UTF8, "application/json") };
        }
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Config.Content) };
    }

    [Theory]
    [InlineData("/api/", "https://hub.test/api/models/test-org/tiny-model/revision/main")]
    [InlineData("/resolve/", "https://hub.test/test-org/tiny-model/resolve/" + Commit + "/config.json")]
    public async Task AnHttpsToHttpRedirectIsRefusedNamingBothUrlsAndNothingGoesOverHttp(string redirected, string from)
    {
        var server = new ScriptedServer(request => HttpsHub(request, redirected));
        using var client = new HubClient(new HubEnvironment(new Uri("https://hub.test"), "hf_secret", cacheDir), handler: server);

        var error = await Assert.ThrowsAsync<HubException>(() => new HubPull(client, new HubCache(cacheDir)).PullAsync(HubRepoId.Parse(RepoId), "main"));

        Assert.Contains(from, error.Message);
        Assert.Contains("http://hub.test/", error.Message);
        Assert.DoesNotContain(server.Requests, r => r.RequestUri!.Scheme == "http");
        Assert.All(server.Requests, r => Assert.Equal("https", r.RequestUri!.Scheme));
    }

    [Fact]
    public async Task AnHttpsEndpointWithoutRedirectsIsPulled()
    {
        var server = new ScriptedServer(request => HttpsHub(request, redirected: "/nowhere/"));
        using var client = new HubClient(new HubEnvironment(new Uri("https://hub.test"), "hf_secret", cacheDir), handler: server);

        var result = await new HubPull(client, new HubCache(cacheDir)).PullAsync(HubRepoId.Parse(RepoId), "main");

        Assert.Equal(Config.Content, File.ReadAllBytes(Path.Combine(result.SnapshotFolder, "config.json")));
    }
}
