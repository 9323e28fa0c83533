using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using RecursiveMas.Hub;

namespace RecursiveMas.Tests.Hub;

/// <summary>
/// A pull against a broken or hostile server (<see cref="FakeHub.Intercept"/>): every bad answer must end in a
/// <see cref="HubException"/> naming what was wrong, in bounded time, with nothing half-written in the cache.
/// </summary>
public sealed class HubHostileServerTests : IAsyncLifetime
{
    const string RepoId = "test-org/tiny-model";
    static readonly FakeFile Config = FakeFile.Text("config.json", """{"model_type": "llama", "hidden_size": 8}""");
    static readonly FakeFile Weights = FakeFile.Large("model.safetensors", 300_000, seed: 1);

    FakeHub hub = null!;
    FakeRepo repo = null!;
    readonly string root = Directory.CreateTempSubdirectory("rmas-hub-hostile-").FullName;
    string CacheDir => Path.Combine(root, "cache");

    public async Task InitializeAsync()
    {
        hub = await FakeHub.StartAsync();
        repo = hub.AddRepo(RepoId, Config, Weights);
    }

    public async Task DisposeAsync()
    {
        await hub.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    async Task<HubPullResult> Pull(TimeSpan? idle = null, HubLimits? limits = null)
    {
        // Retries of a busy server's answers wait milliseconds here, not seconds.
        using var client = new HubClient(new HubEnvironment(hub.Endpoint, null, CacheDir), limits)
        {
            IdleTimeout = idle ?? TimeSpan.FromSeconds(30),
            RetryDelay = TimeSpan.FromMilliseconds(10),
        };
        return await new HubPull(client, new HubCache(CacheDir)).PullAsync(HubRepoId.Parse(RepoId), "main");
    }

    /// <summary>Answers the listing with <paramref name="json"/> instead of the repository's.</summary>
    void ListingIs(string json) => hub.Intercept = async context =>
    {
        if (!context.Request.Path.Value!.StartsWith("/api/", StringComparison.Ordinal))
            return false;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
        return true;
    };

    const string Sha = "0123456789abcdef0123456789abcdef01234567";

    // Each was an InvalidOperationException from System.Text.Json (rmas: exit 70, "internal error").
    [Theory]
    [InlineData("""{"sha": "SHA", "siblings": [{"rfilename": "a.json", "size": "12", "blobId": "SHA"}]}""", "size")]
    [InlineData("""{"sha": "SHA", "siblings": [{"rfilename": "a.json", "size": 12, "blobId": "SHA", "lfs": {"sha256": "0000000000000000000000000000000000000000000000000000000000000000", "size": "12"}}]}""", "lfs.size")]
    [InlineData("""{"sha": "SHA", "siblings": [{"rfilename": "a.json", "size": 12, "blobId": "SHA", "lfs": "yes"}]}""", "lfs")]
    [InlineData("""{"sha": "SHA", "siblings": [7]}""", "siblings[0]")]
    [InlineData("""{"sha": "SHA", "siblings": [null]}""", "siblings[0]")]
    public async Task AListingWithValuesOfTheWrongTypeIsRefusedNamingTheField(string json, string field)
    {
        ListingIs(json.Replace("SHA", Sha, StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<HubException>(() => Pull());

        Assert.Contains(field, error.Message);
        Assert.Empty(hub.RequestsTo("/resolve/"));
    }

    [Fact]
    public async Task AListingThatStallsMidBodyTimesOut()
    {
        hub.Intercept = async context =>
        {
            if (!context.Request.Path.Value!.StartsWith("/api/", StringComparison.Ordinal))
                return false;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"sha\": ");
            await context.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
            return true;
        };

        var pull = Pull(idle: TimeSpan.FromSeconds(1));
        var first = await Task.WhenAny(pull, Task.Delay(TimeSpan.FromSeconds(20)));

        Assert.Same(pull, first);
        var error = await Assert.ThrowsAsync<HubException>(() => pull);
        Assert.Contains(RepoId, error.Message);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://127.0.0.1/x")]
    public async Task ARedirectToAnotherSchemeIsRefused(string location)
    {
        hub.Intercept = context =>
        {
            if (!context.Request.Path.Value!.Contains("/resolve/", StringComparison.Ordinal))
                return Task.FromResult(false);
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = location;
            return Task.FromResult(true);
        };

        var error = await Assert.ThrowsAsync<HubException>(() => Pull());

        Assert.Contains(location, error.Message);
    }

    /// <summary>Answers the first <paramref name="times"/> requests whose path holds <paramref name="part"/> with <paramref name="status"/>.</summary>
    void FailFirst(string part, int times, int status, string? retryAfter = null)
    {
        int failed = 0;
        hub.Intercept = async context =>
        {
            if (!context.Request.Path.Value!.Contains(part, StringComparison.Ordinal) || Interlocked.Increment(ref failed) > times)
                return false;
            context.Response.StatusCode = status;
            if (retryAfter is not null)
                context.Response.Headers.RetryAfter = retryAfter;
            await context.Response.WriteAsync("busy");
            return true;
        };
    }

    [Theory]
    [InlineData("/api/", 503, null)]
    [InlineData("/resolve/", 502, null)]
    [InlineData("/api/", 429, "0")]
    public async Task AnAnswerOfAServerUnderLoadIsTriedAgain(string part, int status, string? retryAfter)
    {
        FailFirst(part, 2, status, retryAfter);

        var result = await Pull();

        Assert.Equal(2, result.DownloadedFiles);
        Assert.Equal(Config.Content, File.ReadAllBytes(Path.Combine(result.SnapshotFolder, "config.json")));
    }

    [Fact]
    public async Task RetriesAreBoundedAndALongRetryAfterEndsThePullAtOnce()
    {
        FailFirst("/api/", int.MaxValue, 503);
        var error = await Assert.ThrowsAsync<HubException>(() => Pull());
        Assert.Contains("503", error.Message);
        Assert.Equal(1 + new HubLimits().MaxRetries, hub.RequestsTo("/api/").Count);

        FailFirst("/resolve/", int.MaxValue, 429, retryAfter: "3600");
        int before = hub.RequestsTo("/resolve/").Count;
        error = await Assert.ThrowsAsync<HubException>(() => Pull());
        Assert.Contains("rate-limiting", error.Message);
        Assert.Equal(before + 1, hub.RequestsTo("/resolve/").Count);
    }

    /// <summary>The Hub answers a renamed repository's listing and files with redirects to its new name.</summary>
    [Fact]
    public async Task ARenamedRepositorysRedirectsAreFollowedForTheListingAndTheFiles()
    {
        const string OldName = "test-org/old-name";
        hub.Intercept = context =>
        {
            string path = context.Request.Path.Value!;
            if (!path.StartsWith($"/api/models/{OldName}/", StringComparison.Ordinal) && !path.StartsWith($"/{OldName}/resolve/", StringComparison.Ordinal))
                return Task.FromResult(false);
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = path.Replace(OldName, RepoId, StringComparison.Ordinal) + context.Request.QueryString;
            return Task.FromResult(true);
        };
        using var client = new HubClient(new HubEnvironment(hub.Endpoint, null, CacheDir));

        var result = await new HubPull(client, new HubCache(CacheDir)).PullAsync(HubRepoId.Parse(OldName), "main");

        Assert.Equal(repo.Commit, result.Listing.Commit);
        Assert.Equal(2, result.DownloadedFiles);
        Assert.Equal(Config.Content, File.ReadAllBytes(Path.Combine(result.SnapshotFolder, "config.json")));
    }

    [Fact]
    public async Task AFileAndAFolderOfTheSameNameAreRefusedBeforeDownloading()
    {
        hub.AddRepo(RepoId, FakeFile.Text("a", "file"), FakeFile.Text("a/b", "inside"));

        var error = await Assert.ThrowsAsync<HubException>(() => Pull());

        Assert.Contains("\"a\"", error.Message);
        Assert.Empty(hub.RequestsTo("/resolve/"));
    }

    /// <summary>On macOS, Windows and many mounts each pair is one file: the second download would replace the first unseen.</summary>
    [Theory]
    [InlineData("Model.safetensors", "model.safetensors")]
    [InlineData("Sub/config.json", "sub/config.json")]
    [InlineData("caf\u00e9.json", "cafe\u0301.json")] // NFC and NFD: APFS takes them for one name
    [InlineData("A", "a/b")] // a file and, where case is ignored, the folder of another
    public async Task NamesThatOneCaseInsensitiveFileSystemTakesForOneAreRefusedBeforeDownloading(string first, string second)
    {
        hub.AddRepo(RepoId, FakeFile.Text(first, "1"), FakeFile.Text(second, "2"));

        var error = await Assert.ThrowsAsync<HubException>(() => Pull());

        Assert.Contains($"\"{first}\"", error.Message);
        Assert.Contains($"\"{second}\"", error.Message);
        Assert.Empty(hub.RequestsTo("/resolve/"));
    }

    /// <summary>
    /// Names Windows cannot hold are refused wherever the pull runs, as case collisions are: the snapshot and the --to
    /// folder are shared and moved between machines. A device name opens the device, a trailing dot or space is dropped.
    /// </summary>
    [Theory]
    [InlineData("con.txt", "reserved for a device on Windows (CON")]
    [InlineData("sub/NUL", "reserved for a device on Windows (NUL")]
    [InlineData("Aux/config.json", "reserved for a device on Windows (AUX")]
    [InlineData("lpt9.tar.gz", "reserved for a device on Windows (LPT9")]
    [InlineData("com1 .json", "reserved for a device on Windows (COM1")]
    [InlineData("weights./model.bin", "ends in a dot")]
    [InlineData("notes ", "ends in a space")]
    [InlineData("a:b.json", "(':')")]
    [InlineData("what?.json", "('?')")]
    [InlineData("sub/<x>", "('<')")]
    [InlineData("quote\"d", "('\"')")]
    [InlineData("pipe|d", "('|')")]
    [InlineData("star*", "('*')")]
    public async Task ANameWindowsCannotHoldIsRefusedOnEveryOSBeforeDownloading(string name, string why)
    {
        hub.AddRepo(RepoId, Config, FakeFile.Text(name, "{}"));

        var error = await Assert.ThrowsAsync<HubException>(() => Pull());

        Assert.Contains($"\"{name}\"", error.Message);
        Assert.Contains(why, error.Message);
        Assert.Empty(hub.RequestsTo("/resolve/"));
    }

    /// <summary>Only the device names themselves are reserved, not names that begin like them.</summary>
    [Fact]
    public async Task NamesThatOnlyResembleWindowsDevicesArePulled()
    {
        string[] names = [".gitattributes", "console.json", "CONFIG.json", "com10.bin", "lpt.txt", "nul_weights/a.json", "aux-data.json", "a.b.c", " leading.json"];
        hub.AddRepo(RepoId, names.Select(n => FakeFile.Text(n, "{}")).ToArray());

        var result = await Pull();

        foreach (var name in names)
            Assert.Equal("{}", File.ReadAllText(Path.Combine(result.SnapshotFolder, name)));
    }

    [Fact]
    public async Task ANameTooLongForTheFileSystemIsRefusedBeforeDownloading()
    {
        string name = new string('x', 240) + ".json";
        hub.AddRepo(RepoId, Config, FakeFile.Text(name, "{}"));

        var error = await Assert.ThrowsAsync<HubException>(() => Pull());

        Assert.Contains(name, error.Message);
        Assert.Empty(hub.RequestsTo("/resolve/"));
    }

    [Fact]
    public async Task ANameAtTheLengthLimitIsPulled()
    {
        var file = FakeFile.Text(new string('x', HubFilePath.MaxSegmentBytes - ".json".Length) + ".json", "{}");
        hub.AddRepo(RepoId, file);

        var result = await Pull();

        Assert.Equal("{}", File.ReadAllText(Path.Combine(result.SnapshotFolder, file.Path)));
    }

    /// <summary>The client never asks for a compressed body; one sent anyway must not fail only at the hash check, after the whole file.</summary>
    [Theory]
    [InlineData("/api/", RepoId, "gzip")]
    [InlineData("/config.json", "config.json", "br")]
    public async Task ABodyWithAContentEncodingIsRefusedAtOnceNamingWhatAndTheEncoding(string part, string named, string encoding)
    {
        var acceptEncodings = new System.Collections.Concurrent.ConcurrentQueue<string>();
        hub.Intercept = async context =>
        {
            acceptEncodings.Enqueue(context.Request.Headers.AcceptEncoding.ToString());
            if (!context.Request.Path.Value!.Contains(part, StringComparison.Ordinal))
                return false;
            using var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                gzip.Write(Config.Content);
            context.Response.Headers.ContentEncoding = encoding;
            context.Response.ContentLength = compressed.Length;
            await context.Response.Body.WriteAsync(compressed.ToArray());
            return true;
        };

        var error = await Assert.ThrowsAsync<HubException>(() => Pull());

        Assert.IsNotType<HubIntegrityException>(error);
        Assert.Contains(named, error.Message);
        Assert.Contains(encoding, error.Message);
        Assert.All(acceptEncodings, asked => Assert.Equal("identity", asked));
    }

    /// <summary>
    /// A byte now and then, each well inside the idle timeout: without a floor on the rate such a body never ends.
    /// The window is shortened to a fraction of a second so the rule fires in this test's time.
    /// </summary>
    [Theory]
    [InlineData("/cdn/", "model.safetensors")]
    [InlineData("/api/", RepoId)]
    public async Task ABodyThatTricklesBelowTheLowSpeedLimitIsGivenUpNamingWhatTheBytesAndTheRate(string part, string named)
    {
        hub.Trickle(part, Weights.Content.Length);
        var limits = new HubLimits { LowSpeedBytesPerSecond = 1000, LowSpeedWindow = TimeSpan.FromMilliseconds(300) };

        var pull = Pull(limits: limits);
        var first = await Task.WhenAny(pull, Task.Delay(TimeSpan.FromSeconds(20)));

        Assert.Same(pull, first);
        var error = await Assert.ThrowsAsync<HubException>(() => pull);
        Assert.Contains(named, error.Message);
        Assert.Contains("bytes/s", error.Message);
    }

    [Fact]
    public async Task AListingCutMidBodyNamesTheRepository()
    {
        hub.Intercept = async context =>
        {
            if (!context.Request.Path.Value!.StartsWith("/api/", StringComparison.Ordinal))
                return false;
            context.Response.ContentLength = 1000;
            await context.Response.WriteAsync("{\"sha\": ");
            await context.Response.Body.FlushAsync();
            await Task.Delay(200);
            context.Abort();
            return true;
        };

        var error = await Assert.ThrowsAsync<HubException>(() => Pull());

        Assert.Contains(RepoId, error.Message);
        Assert.Contains("broke off", error.Message);
    }
}
