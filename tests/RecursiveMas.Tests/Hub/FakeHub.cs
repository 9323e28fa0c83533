using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RecursiveMas.Tests.Hub;

/// <summary>
/// A real HTTP server (Kestrel on a free loopback port) speaking the part of the Hugging Face Hub's
/// protocol a pull uses, since tests cannot reach the Hub:
/// <list type="bullet">
/// <item><c>GET /api/models/{org}/{name}/revision/{revision}?blobs=true</c>: <c>sha</c> and <c>siblings</c> with size, blobId and lfs.sha256;</item>
/// <item><c>GET /{org}/{name}/resolve/{revision}/{path}</c>: regular files directly (ETag = git blob id, X-Repo-Commit);
/// LFS files as a 302 to <c>/cdn/{sha256}</c> (X-Linked-Etag = sha256, X-Linked-Size), like the Hub's CDN redirect;</item>
/// <item>Range requests (206 with Content-Range) on both.</item>
/// </list>
/// The CDN is addressed as <c>localhost</c> while the endpoint is <c>127.0.0.1</c>: another origin, as the
/// Hub's CDN is, so tests see whether the token leaks to it. Faults are switched on per test: a token
/// requirement, a connection cut mid-file, wrong bytes for a file.
/// </summary>
public sealed class FakeHub : IAsyncDisposable
{
    readonly WebApplication app;
    readonly Dictionary<string, FakeRepo> repos = new(StringComparer.Ordinal);

    FakeHub(WebApplication app) => this.app = app;

    /// <summary>The endpoint (<c>http://127.0.0.1:port</c>) to give as HF_ENDPOINT.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every request: path (as sent), Range header, Authorization header.</summary>
    public ConcurrentQueue<(string Path, string? Range, string? Authorization)> Requests { get; } = new();

    /// <summary>When set, the API and resolve routes answer 401 unless this bearer token is sent.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>The next response for this file (repository path) stops after this many bytes and the connection is reset; once.</summary>
    public ConcurrentDictionary<string, int> CutOnce { get; } = new();

    /// <summary>When set, Range headers are ignored: every answer is the whole file with 200, as some servers do.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Files (repository paths) served with every byte flipped: same length, wrong content.</summary>
    public ConcurrentDictionary<string, bool> Corrupt { get; } = new();

    /// <summary>
    /// A hostile or broken server: when set, it sees every request first (after it is recorded) and answers it
    /// itself by returning true, or leaves it to the normal routes by returning false.
    /// </summary>
    public Func<HttpContext, Task<bool>>? Intercept { get; set; }

    /// <summary>
    /// Answers every request whose path starts with <paramref name="pathPrefix"/> with a body that trickles: one byte every
    /// 50 ms, forever, under a Content-Length of <paramref name="claimedLength"/> — each byte well inside any idle timeout,
    /// so only a floor on the rate ends it.
    /// </summary>
    public void Trickle(string pathPrefix, long claimedLength) => Intercept = async context =>
    {
        if (!context.Request.Path.Value!.StartsWith(pathPrefix, StringComparison.Ordinal))
            return false;
        context.Response.ContentLength = claimedLength;
        while (!context.RequestAborted.IsCancellationRequested)
        {
            await context.Response.Body.WriteAsync(" "u8.ToArray());
            await context.Response.Body.FlushAsync();
            await Task.Delay(50, context.RequestAborted).ContinueWith(_ => { });
        }
        return true;
    };

    public static async Task<FakeHub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var hub = new FakeHub(app);
        app.Run(hub.HandleAsync);
        await app.StartAsync();
        hub.Endpoint = new Uri(app.Urls.Single());
        return hub;
    }

    /// <summary>Adds (or replaces) a repository with <paramref name="files"/> at branch main; returns its commit hash.</summary>
    public FakeRepo AddRepo(string id, params FakeFile[] files)
    {
        var repo = new FakeRepo(id, Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(id + files.Length))), files);
        lock (repos)
            repos[id] = repo;
        return repo;
    }

    /// <summary>Requests whose path contains <paramref name="part"/>.</summary>
    public List<(string Path, string? Range, string? Authorization)> RequestsTo(string part) =>
        [.. Requests.Where(r => r.Path.Contains(part, StringComparison.Ordinal))];

    async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string path = request.Path.Value ?? "";
        Requests.Enqueue((path, request.Headers.Range.ToString() is { Length: > 0 } r ? r : null,
            request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null));
        if (Intercept is { } intercept && await intercept(context))
            return;
        if (path.StartsWith("/cdn/", StringComparison.Ordinal))
        {
            var lfs = FindLfs(path["/cdn/".Length..]);
            if (lfs is null)
            {
                context.Response.StatusCode = 404;
                return;
            }
            await ServeAsync(context, lfs.Value.File);
            return;
        }
        if (RequiredToken is not null && request.Headers.Authorization.ToString() != $"Bearer {RequiredToken}")
        {
            context.Response.StatusCode = 401;
            context.Response.Headers["X-Error-Code"] = "RepoNotFound";
            return;
        }
        string[] parts = path.TrimStart('/').Split('/');
        if (parts is ["api", "models", var org, var name, "revision", .. var revision] && revision.Length > 0)
        {
            await ListAsync(context, $"{org}/{name}", Uri.UnescapeDataString(string.Join('/', revision)));
            return;
        }
        if (parts is [var owner, var repoName, "resolve", var rev, .. var file] && file.Length > 0)
        {
            await ResolveAsync(context, $"{owner}/{repoName}", rev, Uri.UnescapeDataString(string.Join('/', file)));
            return;
        }
        context.Response.StatusCode = 404;
    }

    FakeRepo? Repo(string id)
    {
        lock (repos)
            return repos.GetValueOrDefault(id);
    }

    async Task ListAsync(HttpContext context, string id, string revision)
    {
        var repo = Repo(id);
        if (repo is null || (revision != "main" && revision != repo.Commit))
        {
            context.Response.StatusCode = 404;
            context.Response.Headers["X-Error-Code"] = repo is null ? "RepoNotFound" : "RevisionNotFound";
            return;
        }
        var siblings = repo.Files.Select(f => f.Lfs
            ? (object)new { rfilename = f.Path, size = f.Content.Length, blobId = f.PointerBlobId, lfs = new { sha256 = f.Sha256, size = f.Content.Length, pointerSize = 134 } }
            : new { rfilename = f.Path, size = f.Content.Length, blobId = f.BlobId });
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { id, sha = repo.Commit, siblings }));
    }

    async Task ResolveAsync(HttpContext context, string id, string revision, string path)
    {
        var repo = Repo(id);
        var file = repo?.Files.FirstOrDefault(f => f.Path == path);
        if (repo is null || file is null || (revision != "main" && revision != repo.Commit))
        {
            context.Response.StatusCode = 404;
            context.Response.Headers["X-Error-Code"] = "EntryNotFound";
            return;
        }
        context.Response.Headers["X-Repo-Commit"] = repo.Commit;
        if (file.Lfs)
        {
            context.Response.StatusCode = 302;
            context.Response.Headers["X-Linked-Etag"] = $"\"{file.Sha256}\"";
            context.Response.Headers["X-Linked-Size"] = file.Content.Length.ToString();
            context.Response.Headers.Location = $"http://localhost:{Endpoint.Port}/cdn/{file.Sha256}";
            return;
        }
        context.Response.Headers.ETag = $"\"{file.BlobId}\"";
        await ServeAsync(context, file);
    }

    (FakeRepo Repo, FakeFile File)? FindLfs(string sha256)
    {
        lock (repos)
        {
            foreach (var repo in repos.Values)
            {
                if (repo.Files.FirstOrDefault(f => f.Lfs && f.Sha256 == sha256) is { } file)
                    return (repo, file);
            }
        }
        return null;
    }

    /// <summary>The file's bytes, honouring <c>Range: bytes=N-</c>, with the faults switched on for it.</summary>
    async Task ServeAsync(HttpContext context, FakeFile file)
    {
        byte[] content = Corrupt.ContainsKey(file.Path) ? [.. file.Content.Select(b => (byte)~b)] : file.Content;
        long from = 0;
        string range = context.Request.Headers.Range.ToString();
        if (!IgnoreRange && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-') && long.TryParse(range[6..^1], out long start))
        {
            if (start >= content.Length)
            {
                context.Response.StatusCode = 416;
                return;
            }
            from = start;
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {from}-{content.Length - 1}/{content.Length}";
        }
        context.Response.Headers.AcceptRanges = "bytes";
        context.Response.ContentLength = content.Length - from;
        if (CutOnce.TryRemove(file.Path, out int cut))
        {
            await context.Response.Body.WriteAsync(content.AsMemory((int)from, cut));
            await context.Response.Body.FlushAsync();
            // The connection drops mid-file. A reset discards what the client has not read yet, so give it a
            // moment to take the bytes sent; tests read how much arrived from the file rather than assume it.
            await Task.Delay(300);
            context.Abort();
            return;
        }
        await context.Response.Body.WriteAsync(content.AsMemory((int)from));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>A repository of the fake Hub at one commit.</summary>
public sealed record FakeRepo(string Id, string Commit, IReadOnlyList<FakeFile> Files);

/// <summary>A file of the fake Hub; <paramref name="Lfs"/> files are served through the CDN redirect.</summary>
public sealed record FakeFile(string Path, byte[] Content, bool Lfs = false)
{
    public static FakeFile Text(string path, string text) => new(path, Encoding.UTF8.GetBytes(text));

    /// <summary>An LFS file of <paramref name="size"/> deterministic pseudo-random bytes.</summary>
    public static FakeFile Large(string path, int size, int seed)
    {
        byte[] bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return new FakeFile(path, bytes, Lfs: true);
    }

    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Content));

    /// <summary>The git blob id of the content: SHA-1 of "blob {size}\0" + content.</summary>
    public string BlobId => GitBlobId(Content);

    /// <summary>The git blob id of the LFS pointer git stores in place of an LFS file.</summary>
    public string PointerBlobId => GitBlobId(Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid sha256:{Sha256}\nsize {Content.Length}\n"));

    static string GitBlobId(byte[] content) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));
}
