namespace RecursiveMas.Hub;

/// <summary>
/// The Hub refused or failed a request, or served something that cannot be right (a file whose hash
/// differs, a listing naming a path outside the repository). The message says what to do where there is
/// something to do (set HF_TOKEN, check the repository id or revision). An <see cref="IOException"/>,
/// because that is what it is to a caller: the bytes could not be fetched; <c>rmas</c> reports it as
/// bad input (exit code 1) rather than an internal error.
/// </summary>
public class HubException : IOException
{
    public HubException(string message, int? statusCode = null, Exception? inner = null)
        : base(message, inner) => StatusCode = statusCode;

    /// <summary>The HTTP status the Hub answered with, when the failure was an HTTP answer.</summary>
    public int? StatusCode { get; }
}

/// <summary>
/// A downloaded file's content does not hash to what the Hub's listing says (SHA-256 for LFS files,
/// the git blob id otherwise). The partial download is deleted, so nothing corrupt stays in the cache.
/// </summary>
public sealed class HubIntegrityException(string repoFile, string algorithm, string expected, string actual)
    : HubException($"{repoFile}: the downloaded content's {algorithm} is {actual}, but the Hub lists {expected}; the file was discarded (run the pull again; if it persists, the mirror or a proxy is corrupting it)")
{
    public string Expected { get; } = expected;
    public string Actual { get; } = actual;
}
