namespace RecursiveMas.Hub;

/// <summary>
/// Where the Hub is, who we are to it and where its files are cached, read from the same environment
/// variables the Python <c>huggingface_hub</c> client reads, so a machine set up for Python users
/// works unchanged and both share one cache:
/// <list type="bullet">
/// <item><c>HF_ENDPOINT</c>: the Hub's base URL (a mirror, or a local server in tests); default https://huggingface.co.</item>
/// <item><c>HF_TOKEN</c>: the access token sent as <c>Authorization: Bearer</c>; else the token file
/// <c>huggingface-cli login</c> writes (<c>HF_TOKEN_PATH</c>, default <c>$HF_HOME/token</c>).</item>
/// <item><c>HF_HUB_CACHE</c>: the cache folder; else <c>$HF_HOME/hub</c>, <c>HF_HOME</c> defaulting to
/// <c>$XDG_CACHE_HOME/huggingface</c>, that to <c>~/.cache/huggingface</c>.</item>
/// </list>
/// The variables are read through a function, so tests pass their own instead of changing the
/// process's environment under tests running in parallel.
/// </summary>
public sealed record HubEnvironment(Uri Endpoint, string? Token, string CacheDirectory)
{
    /// <summary>The public Hub.</summary>
    public static readonly Uri DefaultEndpoint = new("https://huggingface.co");

    /// <summary>Reads this process's environment.</summary>
    public static HubEnvironment FromProcess() => From(Environment.GetEnvironmentVariable);

    /// <summary>Reads the variables through <paramref name="variable"/> (null or empty: unset).</summary>
    public static HubEnvironment From(Func<string, string?> variable)
    {
        string? Get(string name) => variable(name) is { Length: > 0 } value ? value : null;

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string hfHome = ExpandHome(Get("HF_HOME") ?? Path.Combine(Get("XDG_CACHE_HOME") ?? Path.Combine(home, ".cache"), "huggingface"), home);
        string cache = ExpandHome(Get("HF_HUB_CACHE") ?? Path.Combine(hfHome, "hub"), home);
        string? token = Get("HF_TOKEN")?.Trim() ?? ReadTokenFile(ExpandHome(Get("HF_TOKEN_PATH") ?? Path.Combine(hfHome, "token"), home));
        return new HubEnvironment(ParseEndpoint(Get("HF_ENDPOINT") ?? DefaultEndpoint.ToString(), "HF_ENDPOINT"), token, cache);
    }

    /// <summary>
    /// An endpoint URL without a trailing slash (huggingface_hub strips it too, and the routes are
    /// appended to it); <paramref name="source"/> names the option or variable in the error.
    /// </summary>
    public static Uri ParseEndpoint(string text, string source)
    {
        if (!Uri.TryCreate(text.TrimEnd('/'), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"{source} must be an http:// or https:// URL, not \"{text}\"");
        return uri;
    }

    /// <summary>Never prints the token (logs and exception messages may hold this record).</summary>
    public override string ToString() => $"{Endpoint} (token {(Token is null ? "none" : "set")}), cache {CacheDirectory}";

    static string? ReadTokenFile(string path) =>
        File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;

    static string ExpandHome(string path, string home) =>
        path == "~" ? home : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..]) : path;
}
