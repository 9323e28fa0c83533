using System.Net;
using System.Text;
using RecursiveMas.IO;
using RecursiveMas.Server;

namespace RecursiveMas.Tests.Server;

/// <summary>
/// A request body with a key twice in one object is refused naming its path, as the file readers refuse such a file
/// (<see cref="DuplicateJsonKeys"/>): the server read the last one, while another reader of the same body reads the first.
/// </summary>
public sealed class DuplicateKeyTests
{
    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"hi","content":"bye"}]}""", "messages[0].content")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"temperature":0,"temperature":1.5}""", "temperature")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","type":"text","text":"b"}]}]}""", "messages[0].content[1].type")]
    // A key that is no text (a lone surrogate) is named as written.
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"metadata":{"\udc00":"x","\udc00":"y"}}""", "metadata.\\udc00")]
    public async Task ABodyWithAKeyTwiceInOneObjectIsA400NamingItsPath(string body, string path)
    {
        await using var server = await CrossSiteTests.Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"] });

        var (status, error) = await BodyEncodingTests.Send(server.Http, Encoding.UTF8.GetBytes(body), "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(path, error.GetProperty("param").GetString());
        Assert.Equal("invalid_json", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal($"{path}: {DuplicateJsonKeys.Reason}", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task TheBodyLimitStillComesFirstAndAKeyOfAMegabyteIsNotEchoed()
    {
        // The check walks the parsed body: the body is read once, and past the limit it is not read on at all.
        await using var server = await CrossSiteTests.Server.Start(new RmasServerOptions { Urls = ["http://127.0.0.1:0"], MaxRequestBodyBytes = 4096 });
        string key = new('k', 3000);
        string body = $$"""{"messages":[{"role":"user","content":"hi"}],"{{key}}":1,"{{key}}":2}""";

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await BodyEncodingTests.Send(server.Http, Encoding.UTF8.GetBytes(body), "application/json")).Status);

        string fits = $$"""{"messages":[{"role":"user","content":"hi"}],"{{key[..1000]}}":1,"{{key[..1000]}}":2}""";
        var (status, error) = await BodyEncodingTests.Send(server.Http, Encoding.UTF8.GetBytes(fits), "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.InRange(error.GetProperty("param").GetString()!.Length, 1, 41);
        Assert.InRange(error.GetProperty("message").GetString()!.Length, 1, 41 + 2 + DuplicateJsonKeys.Reason.Length);
    }
}
