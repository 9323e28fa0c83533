using RecursiveMas.Hub;

namespace RecursiveMas.Tests.Hub;

/// <summary>The environment variables huggingface_hub reads, passed as a dictionary (the process's own stay untouched).</summary>
public sealed class HubEnvironmentTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rmas-hubenv-").FullName;
    static readonly string Home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public void Dispose() => Directory.Delete(root, recursive: true);

    static HubEnvironment From(Dictionary<string, string> variables) => HubEnvironment.From(name => variables.GetValueOrDefault(name));

    [Fact]
    public void DefaultsAreThePublicHubAndTheUsersCache()
    {
        var environment = From(new() { ["HF_TOKEN_PATH"] = "/nonexistent/token" });

        Assert.Equal("https://huggingface.co/", environment.Endpoint.AbsoluteUri);
        Assert.Null(environment.Token);
        Assert.Equal(Path.Combine(Home, ".cache", "huggingface", "hub"), environment.CacheDirectory);
    }

    [Fact]
    public void VariablesOverrideTheDefaultsInHuggingfaceHubsOrder()
    {
        var environment = From(new() { ["HF_ENDPOINT"] = "http://mirror.local:8080/", ["HF_TOKEN"] = "hf_abc", ["HF_HOME"] = "/data/hf" });
        Assert.Equal("http://mirror.local:8080/", environment.Endpoint.AbsoluteUri);
        Assert.Equal("hf_abc", environment.Token);
        Assert.Equal(Path.Combine("/data/hf", "hub"), environment.CacheDirectory);

        // HF_HUB_CACHE wins over HF_HOME; XDG_CACHE_HOME is HF_HOME's default's parent.
        Assert.Equal("/fast/hub", From(new() { ["HF_HOME"] = "/data/hf", ["HF_HUB_CACHE"] = "/fast/hub" }).CacheDirectory);
        Assert.Equal(Path.Combine("/xdg", "huggingface", "hub"), From(new() { ["XDG_CACHE_HOME"] = "/xdg" }).CacheDirectory);
        Assert.Equal(Path.Combine(Home, "hf", "hub"), From(new() { ["HF_HOME"] = "~/hf" }).CacheDirectory);
    }

    [Fact]
    public void TheTokenFileOfHuggingfaceCliLoginIsReadWhenHfTokenIsUnset()
    {
        File.WriteAllText(Path.Combine(root, "token"), "hf_from_file\n");

        Assert.Equal("hf_from_file", From(new() { ["HF_HOME"] = root }).Token);
        Assert.Equal("hf_env", From(new() { ["HF_HOME"] = root, ["HF_TOKEN"] = "hf_env" }).Token);
    }

    [Fact]
    public void TheTokenIsNeverPrinted() =>
        Assert.DoesNotContain("hf_secret", new HubEnvironment(HubEnvironment.DefaultEndpoint, "hf_secret", "/c").ToString());

    [Theory]
    [InlineData("ftp://example.com")]
    [InlineData("not a url")]
    public void ABadEndpointIsNamed(string endpoint)
    {
        var error = Assert.Throws<ArgumentException>(() => From(new() { ["HF_ENDPOINT"] = endpoint }));
        Assert.Contains("HF_ENDPOINT", error.Message);
    }

    [Theory]
    [InlineData("Qwen/Qwen3-0.6B", "models--Qwen--Qwen3-0.6B")]
    [InlineData("RecursiveMAS/Sequential-Light-Solver-Qwen2.5-Math-1.5B", "models--RecursiveMAS--Sequential-Light-Solver-Qwen2.5-Math-1.5B")]
    [InlineData("gpt2", "models--gpt2")]
    public void RepositoryIdsMapToCacheFolders(string id, string folder) =>
        Assert.Equal(folder, HubRepoId.Parse(id).CacheFolderName);

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b/c")]
    [InlineData("org/..")]
    [InlineData("org/na--me")]
    [InlineData("org/")]
    [InlineData("org/name with space")]
    public void MalformedRepositoryIdsAreRefused(string id) =>
        Assert.Contains(id, Assert.Throws<ArgumentException>(() => HubRepoId.Parse(id)).Message);
}
