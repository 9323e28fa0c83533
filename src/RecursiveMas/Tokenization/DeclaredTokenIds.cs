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

    /// <summary>The file read (null when it was absent).</summary>
    public string? SourcePath { get; private init; }

    /// <summary>Reads <paramref name="path"/>; an absent file yields an empty config.</summary>
    public static DeclaredTokenIds Read(string path)
    {
        if (!File.Exists(path))
            return new DeclaredTokenIds();
        using var document = JsonFile.Parse(path);
        var root = JsonFile.ExpectObject(path, document.RootElement, "(root)");
        return new DeclaredTokenIds
        {
            SourcePath = path,
            ModelType = JsonFile.OptionalString(path, root, "model_type", "model_type"),
            EosTokenIds = JsonFile.OptionalIds(path, root, "eos_token_id", "eos_token_id"),
            BosTokenIds = JsonFile.OptionalIds(path, root, "bos_token_id", "bos_token_id"),
            PadTokenIds = JsonFile.OptionalIds(path, root, "pad_token_id", "pad_token_id"),
        };
    }

    /// <summary>
    /// Throws a <see cref="ModelFileException"/> naming the file and field when an id is past a model's embedding matrix
    /// of <paramref name="modelVocabSize"/> rows: a stop id there could never be sampled, so a decode would run to its
    /// budget without a word, and a BOS or pad id there would index outside the matrix.
    /// </summary>
    public void CheckFits(int modelVocabSize)
    {
        foreach (var (field, ids) in new[] { ("eos_token_id", EosTokenIds), ("bos_token_id", BosTokenIds), ("pad_token_id", PadTokenIds) })
            foreach (int id in ids)
                if (id >= modelVocabSize)
                    throw new ModelFileException(SourcePath!, field, $"{id} is not a token of the model's vocabulary (vocab_size {modelVocabSize})");
    }
}
