namespace RecursiveMas.Hub;

/// <summary>
/// Bounds on what a pull accepts from a server, checked on the listing before anything is downloaded
/// and again on the bytes as they arrive (a file longer than listed is cut off and refused), so a broken
/// or hostile endpoint cannot fill the disk or the memory.
/// </summary>
public sealed record HubLimits
{
    /// <summary>Files in one repository (the largest model repositories hold a few thousand).</summary>
    public int MaxFiles { get; init; } = 20_000;

    /// <summary>Bytes of one file (the Hub's own limit per file is 50 GB; a margin above it).</summary>
    public long MaxFileBytes { get; init; } = 100L << 30;

    /// <summary>Bytes of one repository in all (a 200B-parameter model in bfloat16 is about 400 GB).</summary>
    public long MaxTotalBytes { get; init; } = 512L << 30;

    /// <summary>Bytes of a listing answer (a listing of 20,000 files is a few MB).</summary>
    public int MaxListingBytes { get; init; } = 32 << 20;

    /// <summary>Redirects followed for one file (the Hub sends one, to its CDN).</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>Tries after the first for a request answered 429 or 5xx (a Hub under load, a CDN hiccup).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>
    /// The longest wait before a retry: a <c>Retry-After</c> asking for more ends the pull at once (run it again
    /// later; downloads resume) rather than holding the command for as long as the server likes.
    /// </summary>
    public TimeSpan MaxRetryWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The slowest body accepted (curl's <c>--speed-limit</c>): one that brings fewer bytes than this per second, on
    /// average over <see cref="LowSpeedWindow"/>, is given up (downloads resume on the next pull). The idle timeout
    /// alone only catches a server that sends nothing: one byte every 59 s would hold a pull forever. 1 KiB/s is
    /// far below any link a model is pulled over; 0 turns the rule off.
    /// </summary>
    public long LowSpeedBytesPerSecond { get; init; } = 1024;

    /// <summary>The span the <see cref="LowSpeedBytesPerSecond"/> average is taken over (curl's <c>--speed-time</c>).</summary>
    public TimeSpan LowSpeedWindow { get; init; } = TimeSpan.FromSeconds(60);
}
