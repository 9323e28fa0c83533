using RecursiveMas.Hub;

namespace RecursiveMas.Tests.Hub;

/// <summary>
/// Pulls from a real local HTTP server speaking the Hub's protocol (<see cref="FakeHub"/>) into a
/// temporary cache, and checks the files, the layout huggingface_hub shares, and every failure path.
/// </summary>
public sealed class HubPullTests : IAsyncLifetime
{
    const string RepoId = "test-org/tiny-model";
    static readonly FakeFile Config = FakeFile.Text("config.json", """{"model_type": "llama", "hidden_size": 8}""");
    static readonly FakeFile Weights = FakeFile.Large("model.safetensors", 300_000, seed: 1);
    static readonly FakeFile Tokenizer = FakeFile.Text("tokenizer/tokenizer.json", """{"version": "1.0"}""");

    FakeHub hub = null!;
    FakeRepo repo = null!;
    readonly string root = Directory.CreateTempSubdirectory("rmas-hub-").FullName;
    string CacheDir => Path.Combine(root, "cache");

    public async Task InitializeAsync()
    {
        hub = await FakeHub.StartAsync();
        repo = hub.AddRepo(RepoId, Config, Weights, Tokenizer);
    }

    public async Task DisposeAsync()
    {
        await hub.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    HubClient Client(string? token = null) =>
        new(new HubEnvironment(hub.Endpoint, token, CacheDir)) { IdleTimeout = TimeSpan.FromSeconds(30) };

    async Task<HubPullResult> Pull(string? token = null, string? to = null, string id = RepoId, string revision = "main")
    {
        using var client = Client(token);
        return await new HubPull(client, new HubCache(CacheDir)).PullAsync(HubRepoId.Parse(id), revision, to);
    }

    string RepoFolder => Path.Combine(CacheDir, "models--test-org--tiny-model");
    string Snapshot(FakeFile file) => Path.Combine(RepoFolder, "snapshots", repo.Commit, file.Path);
    string Blob(string name) => Path.Combine(RepoFolder, "blobs", name);

    [Fact]
    public async Task PullWritesTheHubCacheLayoutAndASecondPullDownloadsNothing()
    {
        var result = await Pull();

        Assert.Equal(repo.Commit, result.Listing.Commit);
        Assert.Equal(3, result.DownloadedFiles);
        Assert.Equal(repo.Commit, File.ReadAllText(Path.Combine(RepoFolder, "refs", "main")));
        Assert.Equal(Path.Combine(RepoFolder, "snapshots", repo.Commit), result.SnapshotFolder);
        // Relative symlinks into blobs/, named by git blob id (regular files) or sha256 (LFS), as huggingface_hub makes them.
        Assert.Equal($"../../blobs/{Config.BlobId}", new FileInfo(Snapshot(Config)).LinkTarget);
        Assert.Equal($"../../blobs/{Weights.Sha256}", new FileInfo(Snapshot(Weights)).LinkTarget);
        Assert.Equal($"../../../blobs/{Tokenizer.BlobId}", new FileInfo(Snapshot(Tokenizer)).LinkTarget);
        foreach (var file in repo.Files)
            Assert.Equal(file.Content, File.ReadAllBytes(Snapshot(file)));
        Assert.Empty(Directory.GetFiles(Path.Combine(RepoFolder, "blobs"), "*.incomplete"));
        // The LFS file came through the redirect to the CDN.
        Assert.Single(hub.RequestsTo($"/cdn/{Weights.Sha256}"));

        int before = hub.Requests.Count;
        var again = await Pull();
        Assert.Equal(0, again.DownloadedFiles);
        Assert.Equal(3, again.CachedFiles);
        var later = hub.Requests.Skip(before).ToList();
        Assert.Single(later); // the listing only
        Assert.Contains("/api/models/", later[0].Path);
    }

    [Fact]
    public async Task AnEmptyFileIsPulledToo()
    {
        var empty = FakeFile.Text("__init__.py", "");
        repo = hub.AddRepo(RepoId, Config, empty);

        await Pull();

        Assert.Equal($"../../blobs/{empty.BlobId}", new FileInfo(Snapshot(empty)).LinkTarget);
        Assert.Empty(File.ReadAllBytes(Snapshot(empty)));
    }

    [Fact]
    public async Task APipeInTheToFolderWhereAFileGoesIsRefusedNotWaitedOn()
    {
        var empty = FakeFile.Text("__init__.py", "");
        repo = hub.AddRepo(RepoId, Config, empty);
        string to = Directory.CreateDirectory(Path.Combine(root, "plain")).FullName;
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Path.Combine(to, "__init__.py")]))
            await mkfifo!.WaitForExitAsync();

        var error = await Assert.ThrowsAsync<HubException>(() => Pull(to: to));

        Assert.Contains("__init__.py is a device, pipe or socket there", error.Message);
    }

    [Fact]
    public async Task PullToAFolderCopiesPlainFiles()
    {
        string to = Path.Combine(root, "plain");
        var result = await Pull(to: to);

        Assert.Equal(Path.GetFullPath(to), result.ExportFolder);
        foreach (var file in repo.Files)
        {
            var info = new FileInfo(Path.Combine(to, file.Path));
            Assert.Null(info.LinkTarget);
            Assert.Equal(file.Content, File.ReadAllBytes(info.FullName));
        }
    }

    [Fact]
    public async Task ACutConnectionIsResumedWithRange()
    {
        hub.CutOnce[Weights.Path] = 100_000;

        var error = await Assert.ThrowsAsync<HubException>(() => Pull());
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("resume", error.Message);
        string incomplete = Blob(Weights.Sha256) + ".incomplete";
        long arrived = new FileInfo(incomplete).Length;
        Assert.InRange(arrived, 1, 100_000);
        Assert.False(File.Exists(Blob(Weights.Sha256)));
        Assert.False(File.Exists(Snapshot(Weights)));
        Assert.False(File.Exists(Path.Combine(RepoFolder, "refs", "main")));

        var result = await Pull();

        Assert.Equal(Weights.Content, File.ReadAllBytes(Snapshot(Weights)));
        Assert.False(File.Exists(incomplete));
        var cdn = hub.RequestsTo($"/cdn/{Weights.Sha256}");
        Assert.Equal(2, cdn.Count);
        Assert.Null(cdn[0].Range);
        Assert.Equal($"bytes={arrived}-", cdn[1].Range);
        Assert.Equal(repo.Commit, File.ReadAllText(Path.Combine(RepoFolder, "refs", "main")));
    }

    [Fact]
    public async Task AServerThatIgnoresRangeGetsTheFileFromTheStart()
    {
        hub.CutOnce[Weights.Path] = 100_000;
        await Assert.ThrowsAsync<HubException>(() => Pull());
        hub.IgnoreRange = true;

        await Pull();

        Assert.Equal(Weights.Content, File.ReadAllBytes(Snapshot(Weights)));
        Assert.NotNull(hub.RequestsTo("/cdn/")[^1].Range); // asked to resume, was answered with the whole file
    }

    [Fact]
    public async Task ABlobAnotherProcessIsDownloadingIsNotWrittenTwice()
    {
        string lockPath = new HubCache(CacheDir).LockPath(HubRepoId.Parse(RepoId), new HubFile(Config.Path, Config.Content.Length, Config.BlobId, null));
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        using var held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        using var client = Client();

        var error = await Assert.ThrowsAsync<HubException>(() =>
            new HubPull(client, new HubCache(CacheDir)) { LockWait = TimeSpan.FromMilliseconds(300) }.PullAsync(HubRepoId.Parse(RepoId), "main"));

        Assert.Contains("another process", error.Message);
        Assert.Empty(hub.RequestsTo("/resolve/"));
    }

    [Fact]
    public async Task AnInterruptedDownloadLeavesNoPartialFileInPlace()
    {
        var vocab = new FakeFile("vocab.txt", [.. Enumerable.Range(0, 200_000).Select(i => (byte)('a' + i % 26))]);
        repo = hub.AddRepo(RepoId, Config, vocab);
        hub.CutOnce[vocab.Path] = 100_000;
        string to = Path.Combine(root, "plain");

        await Assert.ThrowsAsync<HubException>(() => Pull(to: to));

        Assert.False(File.Exists(Snapshot(vocab)));
        Assert.False(File.Exists(Blob(vocab.BlobId)));
        Assert.False(File.Exists(Path.Combine(to, vocab.Path)));
        Assert.InRange(new FileInfo(Blob(vocab.BlobId) + ".incomplete").Length, 0, 100_000); // kept for the resume, outside the snapshot
        Assert.Empty(Directory.GetFiles(root, "*.tmp", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(RepoFolder, "refs", "main")));
    }

    [Fact]
    public async Task ACorruptedLfsFileIsRejectedByItsHash()
    {
        hub.Corrupt[Weights.Path] = true;

        var error = await Assert.ThrowsAsync<HubIntegrityException>(() => Pull());

        Assert.Contains($"{RepoId}/model.safetensors", error.Message);
        Assert.Contains(Weights.Sha256, error.Message);
        Assert.Equal(Weights.Sha256, error.Expected);
        Assert.NotEqual(Weights.Sha256, error.Actual);
        Assert.Contains(error.Actual, error.Message);
        Assert.False(File.Exists(Blob(Weights.Sha256)));
        Assert.False(File.Exists(Blob(Weights.Sha256) + ".incomplete"));
        Assert.False(File.Exists(Snapshot(Weights)));
    }

    [Fact]
    public async Task ACorruptedRegularFileIsRejectedByItsGitBlobId()
    {
        hub.Corrupt[Config.Path] = true;

        var error = await Assert.ThrowsAsync<HubIntegrityException>(() => Pull());

        Assert.Contains("config.json", error.Message);
        Assert.Contains("git blob id", error.Message);
        Assert.False(File.Exists(Snapshot(Config)));
    }

    [Fact]
    public async Task TheTokenIsSentAsABearerToTheHubButNotToTheCdn()
    {
        hub.RequiredToken = "hf_secret";

        await Pull(token: "hf_secret");

        Assert.All(hub.RequestsTo("/api/models/"), r => Assert.Equal("Bearer hf_secret", r.Authorization));
        Assert.All(hub.RequestsTo("/resolve/"), r => Assert.Equal("Bearer hf_secret", r.Authorization));
        Assert.All(hub.RequestsTo("/cdn/"), r => Assert.Null(r.Authorization));
        Assert.NotEmpty(hub.RequestsTo("/cdn/"));
    }

    [Fact]
    public async Task Unauthorized401SaysToSetTheToken()
    {
        hub.RequiredToken = "hf_secret";

        var error = await Assert.ThrowsAsync<HubException>(() => Pull());

        Assert.Equal(401, error.StatusCode);
        Assert.Contains(RepoId, error.Message);
        Assert.Contains("HF_TOKEN", error.Message);
        Assert.False(Directory.Exists(RepoFolder));
    }

    [Fact]
    public async Task NotFound404NamesTheRepositoryOrRevision()
    {
        var missingRepo = await Assert.ThrowsAsync<HubException>(() => Pull(id: "test-org/missing"));
        Assert.Equal(404, missingRepo.StatusCode);
        Assert.Contains("test-org/missing", missingRepo.Message);

        var missingRevision = await Assert.ThrowsAsync<HubException>(() => Pull(revision: "v9"));
        Assert.Contains("revision v9", missingRevision.Message);
        Assert.Contains("--revision", missingRevision.Message);
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("weights/../../../x")]
    [InlineData("a\\..\\b")]
    public async Task FileNamesThatLeaveTheRepositoryAreRefused(string name)
    {
        hub.AddRepo("test-org/hostile", Config, FakeFile.Text(name, "pwned"));

        var error = await Assert.ThrowsAsync<HubException>(() => Pull(id: "test-org/hostile"));

        Assert.Contains($"\"{name}\"", error.Message);
        Assert.Empty(hub.RequestsTo("/resolve/"));
        Assert.False(File.Exists(Path.Combine(root, "x")));
        Assert.False(Directory.Exists(Path.Combine(CacheDir, "models--test-org--hostile")));
    }

    [Fact]
    public async Task ARepositoryLargerThanTheLimitIsRefusedBeforeDownloading()
    {
        using var client = new HubClient(new HubEnvironment(hub.Endpoint, null, CacheDir), new HubLimits { MaxTotalBytes = 1000 });

        var error = await Assert.ThrowsAsync<HubException>(() => new HubPull(client, new HubCache(CacheDir)).PullAsync(HubRepoId.Parse(RepoId), "main"));

        Assert.Contains("limit of 1000 bytes", error.Message);
        Assert.Empty(hub.RequestsTo("/resolve/"));
    }
}
