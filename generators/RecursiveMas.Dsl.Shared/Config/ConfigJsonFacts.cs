namespace RecursiveMas.Dsl;

/// <summary>Whether a model's <c>config.json</c> was found and read.</summary>
internal enum ConfigJsonStatus
{
    /// <summary>No <c>AdditionalFiles</c> item ends with <c>&lt;model&gt;/config.json</c>.</summary>
    NotFound,

    /// <summary>Found, and it gives a positive integer hidden size.</summary>
    Valid,

    /// <summary>Found, but it is not a JSON object or has no positive integer hidden size; see <see cref="ConfigJsonFacts.Error"/>.</summary>
    Invalid,
}

/// <summary>
/// The facts compile-time checks read from a model's Hugging Face <c>config.json</c> (not the runtime's
/// <c>RecursiveMas.Models.ModelConfig</c>, which is the whole configuration).
/// </summary>
/// <param name="Status">Whether the file was found and read.</param>
/// <param name="Path">The file's path as the project gives it; empty when not found.</param>
/// <param name="HiddenSize">The hidden size d; 0 unless <see cref="Status"/> is <see cref="ConfigJsonStatus.Valid"/>.</param>
/// <param name="ModelType">The <c>model_type</c> field, when present.</param>
/// <param name="VocabSize">The <c>vocab_size</c> field; 0 when absent.</param>
/// <param name="Error">Why an <see cref="ConfigJsonStatus.Invalid"/> file was rejected.</param>
internal sealed record ConfigJsonFacts(ConfigJsonStatus Status, string Path, int HiddenSize, string? ModelType, int VocabSize, string? Error)
{
    /// <summary>No config.json for the model.</summary>
    public static ConfigJsonFacts NotFound { get; } = new(ConfigJsonStatus.NotFound, "", 0, null, 0, null);

    /// <summary>A file that was found but cannot be used.</summary>
    public static ConfigJsonFacts Invalid(string path, string error) => new(ConfigJsonStatus.Invalid, path, 0, null, 0, error);
}
