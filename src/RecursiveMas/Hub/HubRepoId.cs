using System.Text.RegularExpressions;

namespace RecursiveMas.Hub;

/// <summary>
/// A model repository on the Hugging Face Hub: <c>org/name</c> (or a bare <c>name</c>, as old
/// repositories like <c>gpt2</c> are). Checked here once, because the id becomes part of URLs and of
/// a folder name in the cache; anything that could climb out of either is refused.
/// </summary>
public sealed partial record HubRepoId
{
    HubRepoId(string? owner, string name)
    {
        Owner = owner;
        Name = name;
    }

    /// <summary>The user or organization; null for a repository without one.</summary>
    public string? Owner { get; }

    /// <summary>The repository's own name (also the folder name <c>rmas pull --to</c> uses for a preset).</summary>
    public string Name { get; }

    /// <summary><c>org/name</c>, as the Hub spells it in URLs.</summary>
    public override string ToString() => Owner is null ? Name : $"{Owner}/{Name}";

    /// <summary>
    /// The cache folder of the repository: <c>models--{org}--{name}</c>, slashes becoming <c>--</c>
    /// (the Hub's cache layout, shared with huggingface_hub).
    /// </summary>
    public string CacheFolderName => "models--" + ToString().Replace("/", "--", StringComparison.Ordinal);

    /// <summary>True when <paramref name="text"/> is a well-formed repository id.</summary>
    public static bool TryParse(string text, out HubRepoId? id)
    {
        id = null;
        string[] parts = text.Split('/');
        if (parts.Length > 2 || !parts.All(IsValidPart))
            return false;
        id = parts.Length == 2 ? new HubRepoId(parts[0], parts[1]) : new HubRepoId(null, parts[0]);
        return true;
    }

    /// <summary>Parses <paramref name="text"/>; an <see cref="ArgumentException"/> saying what a repository id looks like otherwise.</summary>
    public static HubRepoId Parse(string text) =>
        TryParse(text, out var id)
            ? id!
            : throw new ArgumentException($"\"{text}\" is not a Hub repository id (org/name: letters, digits, '-', '_' and '.', at most 96 characters each, no \"--\" or \"..\")");

    // The Hub's own rule (huggingface_hub validates the same way): letters, digits, '-', '_', '.';
    // not starting or ending with '-' or '.', no "--" or ".." anywhere, at most 96 characters.
    static bool IsValidPart(string part) =>
        part.Length is > 0 and <= 96 && PartPattern().IsMatch(part) && !part.Contains("--", StringComparison.Ordinal)
        && !part.Contains("..", StringComparison.Ordinal);

    [GeneratedRegex(@"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?$")]
    private static partial Regex PartPattern();
}
