namespace RecursiveMas.Tokenization;

/// <summary>
/// The token ids <c>config.json</c> or <c>generation_config.json</c> declares, and the model type. Llama 3.1
/// and Qwen2.5 list several end ids here (e.g. both &lt;|im_end|&gt; and &lt;|endoftext|&gt;), which
/// generation must all treat as stops.
/// </summary>
internal sealed class DeclaredTokenIds
{
    public string? ModelType { get; private init; }

    public IReadOnlyList<int> EosTokenIds { get; private init; } = [];

    public IReadOnlyList<int> BosTokenIds { get; private init; } = [];

    public IReadOnlyList<int> PadTokenIds { get; private init; } = [];

    /// <summary>Reads <paramref name="path"/>; an absent file yields an empty config.</summary>
    public static DeclaredTokenIds Read(string path)
    {
        if (!File.Exists(path))
            return new DeclaredTokenIds();
        using var document = JsonFile.Parse(path);
        var root = JsonFile.ExpectObject(path, document.RootElement, "(root)");
        return new DeclaredTokenIds
        {
            ModelType = JsonFile.OptionalString(path, root, "model_type", "model_type"),
            EosTokenIds = JsonFile.OptionalIds(path, root, "eos_token_id", "eos_token_id"),
            BosTokenIds = JsonFile.OptionalIds(path, root, "bos_token_id", "bos_token_id"),
            PadTokenIds = JsonFile.OptionalIds(path, root, "pad_token_id", "pad_token_id"),
        };
    }
}
