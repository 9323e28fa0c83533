using System.Net;
using System.Net.Http.Headers;
using RecursiveMas.IO;

namespace RecursiveMas.Hub;

/// <summary>
/// The Hub's HTTP protocol, the routes huggingface_hub uses:
/// <list type="bullet">
/// <item><c>GET {endpoint}/api/models/{repo}/revision/{revision}?blobs=true</c>: the commit and every file with size and hashes.</item>
/// <item><c>GET {endpoint}/{repo}/resolve/{commit}/{path}</c>: a file's bytes; LFS files answer with a redirect to a CDN
/// (the answer carries <c>X-Linked-Etag</c>, the SHA-256, and <c>X-Repo-Commit</c>).</item>
/// </list>
/// Redirects are followed here rather than by the handler, so that the <c>Range</c> header of a resumed
/// download survives them and the token (<c>Authorization: Bearer</c>) is sent only to the endpoint's own
/// origin, never to the CDN a redirect points at. Non-2xx answers become <see cref="HubException"/>s
/// that say what to do.
/// </summary>
public sealed class HubClient : IDisposable
{
    readonly HttpClient http;
    readonly HubEnvironment environment;

    public HubClient(HubEnvironment environment, HubLimits? limits = null, HttpMessageHandler? handler = null)
    {
        this.environment = environment;
        Limits = limits ?? new HubLimits();
        http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None, // bytes on disk must be the file's bytes, and Range counts them
            ConnectTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // a 5 GB file takes long; stalls are caught by IdleTimeout instead
        };
        // Said outright, not left to the handler's default: a server (or a proxy) that compresses unasked is refused.
        http.DefaultRequestHeaders.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("rmas", typeof(HubClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    public HubLimits Limits { get; }

    /// <summary>The longest wait for an answer or for the next bytes of one before the request is given up.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The wait before the first retry of a 429/5xx answer without <c>Retry-After</c>; it doubles with each next one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public Uri Endpoint => environment.Endpoint;

    /// <summary>Lists <paramref name="repo"/> at <paramref name="revision"/> (a branch, tag or commit hash).</summary>
    public async Task<HubRepoListing> ListAsync(HubRepoId repo, string revision, CancellationToken cancellationToken = default)
    {
        CheckRevision(revision);
        var url = Url($"api/models/{repo}/revision/{Uri.EscapeDataString(revision)}?blobs=true");
        // Followed: the Hub answers a renamed repository's listing with a redirect to its new name.
        using var response = await SendFollowingAsync(url, range: null, $"{repo} at revision {revision}", check: null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw StatusError(response, $"{repo} at revision {revision}", what: "repository or revision");
        byte[] body = await ReadBoundedAsync(response, Limits.MaxListingBytes, $"the Hub's listing of {repo}", cancellationToken).ConfigureAwait(false);
        return HubRepoListing.Parse(repo, revision, body, Limits);
    }

    /// <summary>
    /// Downloads <paramref name="file"/> of <paramref name="repo"/> at <paramref name="commit"/> into
    /// <paramref name="incompletePath"/>, continuing from the bytes already there (HTTP Range), and checks
    /// the whole content against the listed hash. On success the file is complete, verified and flushed to
    /// disk (the caller renames it into place); on a hash mismatch it is deleted and a
    /// <see cref="HubIntegrityException"/> thrown; on a broken connection it is kept for the next pull to resume.
    /// <paramref name="onBytes"/> gets the count of bytes on disk as it grows.
    /// </summary>
    public async Task DownloadAsync(HubRepoId repo, string commit, HubFile file, string incompletePath, Action<long>? onBytes = null,
        CancellationToken cancellationToken = default)
    {
        string name = $"{repo}/{file.Path}";
        Directory.CreateDirectory(Path.GetDirectoryName(incompletePath)!);
        using var hash = HubContentHash.For(file);
        long have = ResumePoint(incompletePath, file, hash);
        onBytes?.Invoke(have);
        if (have < file.Size)
        {
            string path = string.Join('/', file.Path.Split('/').Select(Uri.EscapeDataString));
            using var response = await OpenFileAsync(Url($"{repo}/resolve/{commit}/{path}"), name, file, have, cancellationToken).ConfigureAwait(false);
            if (have > 0 && response.StatusCode != HttpStatusCode.PartialContent)
            {
                have = 0; // the server ignored the range (or could not serve it): start over
                hash.Restart();
            }
            await WriteBodyAsync(response, incompletePath, file, name, have, hash, onBytes, cancellationToken).ConfigureAwait(false);
        }
        else if (file.Size == 0)
        {
            File.Create(incompletePath).Dispose(); // an empty file needs no request, but still a blob
        }
        Verify(hash, incompletePath, name);
    }

    /// <summary>How many bytes of an earlier attempt can be kept; feeds them to <paramref name="hash"/>.</summary>
    static long ResumePoint(string incompletePath, HubFile file, HubContentHash hash)
    {
        var info = new FileInfo(incompletePath);
        if (!info.Exists)
            return 0;
        if (info.Length > file.Size)
        {
            File.Delete(incompletePath); // longer than the file can be: not a prefix of it
            return 0;
        }
        using (var stream = info.OpenRead())
            hash.Append(stream);
        return info.Length;
    }

    async Task<HttpResponseMessage> OpenFileAsync(Uri url, string name, HubFile file, long from, CancellationToken cancellationToken)
    {
        while (true)
        {
            var response = await SendFollowingAsync(url, from > 0 ? from : null, name, hop => CheckLinkedEtag(hop, name, file), cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && from > 0)
            {
                response.Dispose();
                from = 0; // what we have does not fit the file the server has: fetch it whole
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                using (response)
                    throw StatusError(response, name, what: "file");
            }
            if (response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From != from)
            {
                response.Dispose();
                throw new HubException($"{name}: asked for the bytes from {from} on, the server answered with {response.Content.Headers.ContentRange}");
            }
            return response;
        }
    }

    /// <summary>The Hub's redirect to the CDN says the LFS file's sha256: one that is not the listed file's means the repository changed.</summary>
    static void CheckLinkedEtag(HttpResponseMessage response, string name, HubFile file)
    {
        if (response.Headers.TryGetValues("X-Linked-Etag", out var linked) && file.IsLfs
            && NormalizeEtag(linked.First()) is { } etag && etag != file.Sha256)
            throw new HubException($"{name}: the Hub serves a file with sha256 {etag}, but listed {file.Sha256}; the repository changed while pulling, run the pull again");
    }

    /// <summary>
    /// The answer at <paramref name="url"/> after its redirects — at most <see cref="HubLimits.MaxRedirects"/>, to http(s)
    /// only, never from https down to http — with every answer on the way shown to <paramref name="check"/> first
    /// (which may throw). Redirects are followed here, not by the handler, so that every hop keeps the Range header and
    /// the rule that the token goes only to the endpoint's origin (<see cref="SendAsync"/>).
    /// </summary>
    async Task<HttpResponseMessage> SendFollowingAsync(Uri url, long? range, string name, Action<HttpResponseMessage>? check,
        CancellationToken cancellationToken)
    {
        for (int hop = 0; ; hop++)
        {
            var response = await SendAsync(url, range, cancellationToken).ConfigureAwait(false);
            try
            {
                check?.Invoke(response);
            }
            catch
            {
                response.Dispose();
                throw;
            }
            if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is not { } location)
            {
                if (response.IsSuccessStatusCode && EncodedBody(response) is { } encoding)
                {
                    response.Dispose();
                    throw new HubException($"{name}: the server sends the body with Content-Encoding {encoding}, though the request asked for identity; " +
                        "refused (what lands on disk must be the file's own bytes, which Range and the hash count)");
                }
                return response;
            }
            response.Dispose();
            if (hop >= Limits.MaxRedirects)
                throw new HubException($"{name}: more than {Limits.MaxRedirects} redirects");
            var from = url;
            url = location.IsAbsoluteUri ? location : new Uri(url, location);
            // HttpClient throws NotSupportedException for file://, ftp://, …: no message for a user.
            if (url.Scheme is not ("http" or "https"))
                throw new HubException($"{name}: the server redirects to {url}, which is not an http:// or https:// URL; refused");
            // HttpClientHandler refuses this hop too: whoever sits on the network could read the request and change
            // the bytes (the hash check comes only after a whole file). The token never goes there either way
            // (SendOnceAsync sends it only to the endpoint's scheme, host and port). Query strings are left out of
            // the message: a CDN's are signatures.
            if (from.Scheme == Uri.UriSchemeHttps && url.Scheme == Uri.UriSchemeHttp)
                throw new HubException($"{name}: {from.GetLeftPart(UriPartial.Path)} redirects to {url.GetLeftPart(UriPartial.Path)}, from https to plain http; refused");
        }
    }

    /// <summary>
    /// The answer's Content-Encoding when it is anything but identity: such bytes are not the file's (and decoding them
    /// would break Range, which counts the file's bytes), so without this they would fail only at the hash check,
    /// after the whole download.
    /// </summary>
    static string? EncodedBody(HttpResponseMessage response)
    {
        var encodings = response.Content.Headers.ContentEncoding;
        return encodings.All(e => string.Equals(e, "identity", StringComparison.OrdinalIgnoreCase)) ? null : string.Join(", ", encodings);
    }

    async Task WriteBodyAsync(HttpResponseMessage response, string incompletePath, HubFile file, string name, long have,
        HubContentHash hash, Action<long>? onBytes, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var output = new FileStream(incompletePath, have > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        try
        {
            using var input = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            byte[] buffer = new byte[1 << 16];
            var lowSpeed = new HubLowSpeedRule(Limits, have);
            while (true)
            {
                int read = await ReadOrGiveUpAsync(input, buffer, idle).ConfigureAwait(false);
                if (read == 0)
                    break;
                if (have + read > file.Size)
                    throw new HubException($"{name}: the server sends more than the {file.Size} bytes the listing gives; refused");
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                hash.Append(buffer.AsSpan(0, read));
                have += read;
                onBytes?.Invoke(have);
                if (lowSpeed.Check(have) is { } slow)
                    throw new HubException($"{name}: too slow, {slow}; given up after {have} of {file.Size} bytes, run the pull again to resume");
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HubException($"{name}: no data for {IdleTimeout.TotalSeconds:0} s after {have} of {file.Size} bytes; run the pull again to resume", inner: e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException && e is not HubException)
        {
            throw new HubException($"{name}: the download broke off after {have} of {file.Size} bytes ({e.Message}); run the pull again to resume from {incompletePath}", inner: e);
        }
        finally
        {
            AtomicFile.FlushAndClose(output); // what did arrive is kept, on disk, for the resume
        }
        if (have != file.Size)
            throw new HubException($"{name}: the server sent {have} of {file.Size} bytes; run the pull again to resume");
    }

    static void Verify(HubContentHash hash, string incompletePath, string name)
    {
        string actual = hash.Finish();
        if (actual == hash.Expected)
            return;
        File.Delete(incompletePath);
        throw new HubIntegrityException(name, hash.Algorithm, hash.Expected, actual);
    }

    /// <summary>
    /// <see cref="SendOnceAsync"/>, tried again (at most <see cref="HubLimits.MaxRetries"/> times) while the answer is 429
    /// or a 5xx a server gives under load, after its <c>Retry-After</c> or a doubling <see cref="RetryDelay"/>. Every
    /// request is a GET, so a retry repeats nothing. The last answer is returned, for the caller to turn into an error.
    /// </summary>
    async Task<HttpResponseMessage> SendAsync(Uri url, long? range, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            var response = await SendOnceAsync(url, range, cancellationToken).ConfigureAwait(false);
            if (attempt >= Limits.MaxRetries || response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
                or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                return response;
            var asked = response.Headers.RetryAfter is { } retryAfter ? retryAfter.Delta ?? retryAfter.Date - DateTimeOffset.UtcNow : null;
            if (asked > Limits.MaxRetryWait)
                return response; // not held for as long as the server likes: the error says to run the pull again
            var wait = asked ?? RetryDelay * (1 << attempt);
            response.Dispose();
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
    }

    async Task<HttpResponseMessage> SendOnceAsync(Uri url, long? range, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (environment.Token is { } token && SameOrigin(url, environment.Endpoint))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (range is { } from)
            request.Headers.Range = new RangeHeaderValue(from, null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(IdleTimeout);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HubException($"{url.GetLeftPart(UriPartial.Path)}: no answer in {IdleTimeout.TotalSeconds:0} s", inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new HubException($"{url.GetLeftPart(UriPartial.Path)}: the request failed ({Innermost(e).Message}); check the network and the endpoint " +
                "(HF_ENDPOINT or --endpoint), then run the pull again: downloads resume where they stopped", inner: e);
        }
    }

    async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int limit, string what, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > limit)
            throw new HubException($"{what} is {response.Content.Headers.ContentLength} bytes, more than the limit of {limit}");
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var input = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[1 << 16];
        var lowSpeed = new HubLowSpeedRule(Limits, 0);
        try
        {
            int read;
            while ((read = await ReadOrGiveUpAsync(input, chunk, idle).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                    throw new HubException($"{what} is longer than the limit of {limit} bytes");
                buffer.Write(chunk, 0, read);
                if (lowSpeed.Check(buffer.Length) is { } slow)
                    throw new HubException($"{what}: too slow, {slow}; given up after {buffer.Length} bytes, run the pull again");
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HubException($"{what}: no data for {IdleTimeout.TotalSeconds:0} s after {buffer.Length} bytes; run the pull again", inner: e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException && e is not HubException)
        {
            // The socket's own message ("Connection reset by peer") says neither which request nor what to do.
            throw new HubException($"{what}: the answer broke off after {buffer.Length} bytes ({e.Message}); run the pull again", inner: e);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// The next bytes of an answer's body, waiting at most <see cref="IdleTimeout"/> for them: a server that sends
    /// its headers and then nothing must not hold the pull forever. <paramref name="idle"/> is cancelled when the
    /// wait runs out (the caller turns that into a <see cref="HubException"/>).
    /// </summary>
    async Task<int> ReadOrGiveUpAsync(Stream input, Memory<byte> buffer, CancellationTokenSource idle)
    {
        idle.CancelAfter(IdleTimeout);
        return await input.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
    }

    HubException StatusError(HttpResponseMessage response, string subject, string what)
    {
        int status = (int)response.StatusCode;
        string code = response.Headers.TryGetValues("X-Error-Code", out var codes) ? codes.First() : "";
        string tokenState = environment.Token is null ? "no token is set" : "the token in HF_TOKEN was sent";
        string message = status switch
        {
            401 => $"{subject}: the Hub refused access (401 Unauthorized; {tokenState}). Set HF_TOKEN to a token with read access " +
                   "(private and gated repositories, and ones that do not exist, answer 401 to a request without one)",
            403 when code == "GatedRepo" => $"{subject}: the repository is gated (403); accept its terms on its Hub page with the account whose token is in HF_TOKEN",
            403 => $"{subject}: the Hub forbids access (403 Forbidden; {tokenState}); set HF_TOKEN to a token allowed to read this repository",
            404 when code == "RevisionNotFound" => $"{subject}: no such revision (404); check --revision",
            404 when code == "EntryNotFound" => $"{subject}: no such file at this revision (404)",
            404 => $"{subject}: not found on {environment.Endpoint} (404); check the {what}",
            429 => $"{subject}: the Hub is rate-limiting requests (429); wait and run the pull again",
            _ => $"{subject}: the Hub answered {status} {response.ReasonPhrase}",
        };
        return new HubException(message, status);
    }

    Uri Url(string relative) => new(environment.Endpoint.AbsoluteUri.TrimEnd('/') + "/" + relative);

    static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    /// <summary>An ETag without its weak marker and quotes, as huggingface_hub stores it.</summary>
    static string? NormalizeEtag(string? etag) => etag is null ? null : (etag.StartsWith("W/", StringComparison.Ordinal) ? etag[2..] : etag).Trim('"');

    static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    static void CheckRevision(string revision)
    {
        if (HubFilePath.Problem(revision) is { } problem)
            throw new ArgumentException($"--revision \"{revision}\" {problem}");
    }

    public void Dispose() => http.Dispose();
}
