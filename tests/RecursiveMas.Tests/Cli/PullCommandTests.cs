using System.Text.Json;
using RecursiveMas.Cli;
using RecursiveMas.Hub;
using RecursiveMas.Tests.Hub;
using RecursiveMas.Tests.Support;
using Spectre.Console;

namespace RecursiveMas.Tests.Cli;

/// <summary>
/// <c>rmas pull</c> end to end against a local server speaking the Hub's protocol (<see cref="FakeHub"/>),
/// given by <c>--endpoint</c> and <c>--cache-dir</c> so no process-wide environment changes.
/// </summary>
public sealed class PullCommandTests : IAsyncLifetime
{
    static readonly FakeFile Config = FakeFile.Text("config.json", """{"model_type": "qwen3"}""");
    static readonly FakeFile Weights = FakeFile.Large("model.safetensors", 50_000, seed: 2);

    FakeHub hub = null!;
    FakeRepo repo = null!;
    readonly string root = Directory.CreateTempSubdirectory("rmas-pull-").FullName;

    public async Task InitializeAsync()
    {
        hub = await FakeHub.StartAsync();
        repo = hub.AddRepo("test-org/tiny", Config, Weights);
    }

    public async Task DisposeAsync()
    {
        await hub.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    // Off the test's synchronization context: the command blocks on its own async work.
    Task<(int ExitCode, string Output)> Rmas(params string[] args) => Task.Run(() => CliRunner.Run(args));

    [Fact]
    public async Task PullWritesTheCacheAndThePlainFolderAndPrintsJson()
    {
        string cache = Path.Combine(root, "cache"), to = Path.Combine(root, "models", "tiny");

        var (code, output) = await Rmas("pull", "test-org/tiny", "--endpoint", hub.Endpoint.AbsoluteUri, "--cache-dir", cache, "--to", to, "--json");

        Assert.True(code == ExitCodes.Success, output);
        var summary = JsonDocument.Parse(output).RootElement.GetProperty("repos")[0];
        Assert.Equal("test-org/tiny", summary.GetProperty("repo").GetString());
        Assert.Equal(repo.Commit, summary.GetProperty("commit").GetString());
        Assert.Equal(2, summary.GetProperty("downloaded_files").GetInt32());
        Assert.Equal(Path.Combine(cache, "models--test-org--tiny", "snapshots", repo.Commit), summary.GetProperty("snapshot").GetString());
        Assert.Equal(Weights.Content, File.ReadAllBytes(Path.Combine(to, "model.safetensors")));
        Assert.Equal(Config.Content, File.ReadAllBytes(Path.Combine(summary.GetProperty("snapshot").GetString()!, "config.json")));

        var (again, text) = await Rmas("pull", "test-org/tiny", "--endpoint", hub.Endpoint.AbsoluteUri, "--cache-dir", cache);
        Assert.Equal(ExitCodes.Success, again);
        Assert.Contains("0 downloaded", text);
        Assert.Contains("2 already cached", text);
    }

    [Fact]
    public async Task APresetPullsEachOfItsRepositoriesIntoItsOwnFolder()
    {
        var repos = HubPresetRepos.Find("distillation")!;
        foreach (var preset in repos)
            hub.AddRepo(preset.RepoId, FakeFile.Text("config.json", $$"""{"role": "{{preset.Role}}"}"""));
        string to = Path.Combine(root, "models");

        var (code, output) = await Rmas("pull", "distillation", "--endpoint", hub.Endpoint.AbsoluteUri, "--cache-dir", Path.Combine(root, "cache"), "--to", to, "--json");

        Assert.True(code == ExitCodes.Success, output);
        var summary = JsonDocument.Parse(output).RootElement;
        Assert.Equal("distillation", summary.GetProperty("preset").GetString());
        Assert.Equal(repos.Select(r => r.RepoId), summary.GetProperty("repos").EnumerateArray().Select(r => r.GetProperty("repo").GetString()));
        foreach (var preset in repos)
        {
            string name = HubRepoId.Parse(preset.RepoId).Name;
            Assert.Contains($"\"{preset.Role}\"", File.ReadAllText(Path.Combine(to, name, "config.json")));
        }
    }

    [Fact]
    public async Task OnATerminalEachFileGetsAProgressBar()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, // the live display draws only with ANSI
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.Yes,
        });
        console.Profile.Width = 200;

        int code = await Task.Run(() => RmasApp.Run(["pull", "test-org/tiny", "--endpoint", hub.Endpoint.AbsoluteUri, "--cache-dir", Path.Combine(root, "cache")], console));

        string output = writer.ToString();
        Assert.True(code == ExitCodes.Success, output);
        Assert.Contains("tiny/model.safetensors", output);
        Assert.Contains("100%", output);
        Assert.Contains("2 downloaded", output);
    }

    [Fact]
    public async Task ErrorsFromTheHubAreInputErrorsThatSayWhatToDo()
    {
        hub.RequiredToken = "hf_secret";
        string cache = Path.Combine(root, "cache");

        var (code, output) = await Rmas("pull", "test-org/tiny", "--endpoint", hub.Endpoint.AbsoluteUri, "--cache-dir", cache);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("401", output);
        Assert.Contains("HF_TOKEN", output);
    }

    /// <summary>
    /// --speed-limit and --speed-time reach the low-speed rule: a CDN sending a byte every 50 ms is given up within a
    /// second of a one-second window, the message quoting the floor and the window given, not the defaults (1024, 60 s).
    /// </summary>
    [Fact]
    public async Task TheSpeedOptionsSetTheRateBelowWhichADownloadIsGivenUp()
    {
        hub.Trickle("/cdn/", Weights.Content.Length);

        var pull = Rmas("pull", "test-org/tiny", "--endpoint", hub.Endpoint.AbsoluteUri, "--cache-dir", Path.Combine(root, "cache"),
            "--speed-limit", "1000", "--speed-time", "1");
        var first = await Task.WhenAny(pull, Task.Delay(TimeSpan.FromSeconds(30)));

        Assert.Same(pull, first);
        var (code, output) = await pull;
        Assert.True(code == ExitCodes.InvalidInput, output);
        Assert.Contains("model.safetensors", output);
        Assert.Contains("below the 1000 bytes/s", output);
        Assert.Contains("over 1 s", output);
    }

    [Theory]
    [InlineData("../x", "neither a Hub repository id")]
    [InlineData("a/b/c", "neither a Hub repository id")]
    [InlineData("test-org/tiny --endpoint ftp://x", "--endpoint must be an http:// or https:// URL")]
    [InlineData("test-org/tiny --max-size 0", "--max-size must be more than 0")]
    [InlineData("test-org/tiny --speed-limit 0", "--speed-limit must be between 1 and 1073741824 bytes per second")]
    [InlineData("test-org/tiny --speed-limit 2000000000", "--speed-limit must be between 1 and 1073741824 bytes per second")]
    [InlineData("test-org/tiny --speed-time 0", "--speed-time must be between 1 and 3600 seconds")]
    [InlineData("test-org/tiny --speed-time 3601", "--speed-time must be between 1 and 3600 seconds")]
    public async Task ABadCommandLineIsAUsageErrorNamingTheOption(string args, string message)
    {
        var (code, output) = await Rmas(["pull", .. args.Split(' '), "--cache-dir", Path.Combine(root, "cache")]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, output);
    }
}
