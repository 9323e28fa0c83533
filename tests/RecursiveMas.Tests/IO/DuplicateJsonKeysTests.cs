using System.Text.Json;
using RecursiveMas.IO;

namespace RecursiveMas.Tests.IO;

/// <summary><see cref="DuplicateJsonKeys.Find"/>, the one rule of the file readers and the server's request bodies.</summary>
public sealed class DuplicateJsonKeysTests
{
    [Theory]
    [InlineData("""{"a": 1, "b": [{"c": 1}, {"c": 1, "c": 2}]}""", "b[1].c")]
    [InlineData("""{"a": 1, "b": {"c": 2}}""", null)]
    // A key holding a lone surrogate is no text: JsonProperty.Name threw, so a config.json with one crashed its reader.
    [InlineData("""{"\udc00": 1, "\udc00": 2}""", "\\udc00")]
    [InlineData("""{"x": {"\udc00": 1, "\udc01": 2}}""", null)]
    public void FindsTheFirstKeyTwiceInOneObjectByItsPath(string json, string? path)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(path, DuplicateJsonKeys.Find(document.RootElement));
    }
}
