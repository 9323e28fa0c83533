using System.Net;
using System.Net.Sockets;
using System.Text;
using RecursiveMas.Server;

namespace RecursiveMas.Tests.Server;

/// <summary>HTTP/1.0 without Host, and URLs only shaped like known ones: statuses that say what is wrong.</summary>
public sealed class HttpEdgeTests
{
    static Task<CrossSiteTests.Server> Start() => CrossSiteTests.Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"] });

    static async Task<System.Text.Json.JsonElement> Error(HttpResponseMessage response, HttpStatusCode status)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        return System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("error").Clone();
    }

    [Fact]
    public async Task AnHttp10RequestWithoutHostIsToldItHasNoHostNotThatAnEmptyHostIsForeign()
    {
        await using var server = await Start();
        var http = server.Http;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Url.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /v1/models HTTP/1.0\r\n\r\n"));
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var received = new MemoryStream();
        await stream.CopyToAsync(received, bound.Token); // HTTP/1.0: the server closes after answering
        string answer = Encoding.ASCII.GetString(received.ToArray());
        Assert.StartsWith("HTTP/1.1 400", answer);
        Assert.Contains("has no Host header", answer);
        Assert.Contains("\"param\":\"Host\"", answer);
    }

    [Fact]
    public async Task AUrlOnlyShapedLikeAKnownOneIsA404NotA405ThatNamesTheMethodItWasAskedWith()
    {
        await using var server = await Start();
        var http = server.Http;
        foreach (string url in new[] { "/v1/models/a/b", "/v1/models//", "/v1/models/solo/x", "/v1/rmas/system/x" })
        {
            var get = await Error(await http.GetAsync(url), HttpStatusCode.NotFound);
            Assert.Equal("unknown_url", get.GetProperty("code").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url))).StatusCode);
        }
        // The known URLs as routing matches them (any case, a trailing slash) still answer, and still name their methods.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/models/solo/")).StatusCode);
        var delete = await http.DeleteAsync("/V1/Models/solo/");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Equal(["GET", "HEAD"], delete.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.GetAsync("/V1/Chat/Completions/")).StatusCode);
    }
}
