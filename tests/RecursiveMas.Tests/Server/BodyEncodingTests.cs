using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RecursiveMas.Server;

namespace RecursiveMas.Tests.Server;

/// <summary>A request body in another encoding than UTF-8 JSON is refused naming what to send.</summary>
public sealed class BodyEncodingTests
{
    const string Question = """{"messages":[{"role":"user","content":"hi"}]}""";

    /// <summary>POSTs <paramref name="body"/> to the chat endpoint: the status and, for a refusal, its error object.</summary>
    internal static async Task<(HttpStatusCode Status, System.Text.Json.JsonElement Error)> Send(HttpClient http, byte[] body, string contentType, string? encoding = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
            content.Headers.ContentEncoding.Add(encoding);
        var response = await http.PostAsync("/v1/chat/completions", content);
        var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (response.StatusCode, json.TryGetProperty("error", out var error) ? error.Clone() : default);
    }

    [Fact]
    public async Task ACompressedBodyIs415NamingContentEncodingNotJsonThatFailsAtItsFirstByte()
    {
        await using var server = await CrossSiteTests.Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"] });
        var http = server.Http;

        using var gzipped = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(gzipped, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(Question));
        var (status, error) = await Send(http, gzipped.ToArray(), "application/json", "gzip");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("Content-Encoding", error.GetProperty("param").GetString());
        Assert.Contains("gzip", error.GetProperty("message").GetString());

        Assert.Equal(HttpStatusCode.OK, (await Send(http, Encoding.UTF8.GetBytes(Question), "application/json", "identity")).Status);
    }

    [Fact]
    public async Task AUtf16OrUtf32BodyIsA400ThatSaysToSendUtf8()
    {
        await using var server = await CrossSiteTests.Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"] });
        var http = server.Http;

        foreach (var utf16 in new[] { Encoding.Unicode.GetBytes(Question), [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Question)],
                     Encoding.BigEndianUnicode.GetBytes(Question), Encoding.UTF32.GetBytes(Question) })
        {
            var (status, error) = await Send(http, utf16, "application/json; charset=utf-16");
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("invalid_json", error.GetProperty("code").GetString());
            Assert.Contains("send it as UTF-8", error.GetProperty("message").GetString());
        }

        // A UTF-8 body under any charset label is read as ever (RFC 8259: the label changes nothing).
        Assert.Equal(HttpStatusCode.OK, (await Send(http, Encoding.UTF8.GetBytes(Question), "application/json; charset=latin1")).Status);
    }
}
