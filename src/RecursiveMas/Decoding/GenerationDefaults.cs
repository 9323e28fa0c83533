using System.Text.Json;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Decoding;

/// <summary>
/// The sampling a model's authors chose, from its <c>generation_config.json</c>: whether it samples, and
/// with which temperature, top-p and top-k. Read as transformers reads it: without <c>do_sample: true</c>
/// a model decodes greedily whatever the other fields say; a sampling model without a field gets
/// transformers' default for it (temperature 1, top-p 1, top-k 50).
/// </summary>
public sealed record GenerationDefaults(bool DoSample, double Temperature, double TopP, int TopK)
{
    /// <summary>What a model folder without generation_config.json gets: greedy decoding.</summary>
    public static GenerationDefaults Greedy { get; } = new(false, 1, 1, 50);

    /// <summary>The defaults of the model in <paramref name="modelDirectory"/>; <see cref="Greedy"/> without the file. A malformed field is a <see cref="ModelFileException"/> naming it.</summary>
    public static GenerationDefaults Read(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, "generation_config.json");
        if (!File.Exists(path))
            return Greedy;
        using var document = JsonFile.Parse(path);
        var root = JsonFile.ExpectObject(path, document.RootElement, "(root)");
        double Number(string name, double fallback, double low, double high)
        {
            if (JsonFile.Optional(root, name) is not { } value)
                return fallback;
            return value.ValueKind == JsonValueKind.Number && value.GetDouble() is var d && d >= low && d <= high
                ? d
                : throw new ModelFileException(path, name, $"must be a number in [{low}, {high}], not {value.GetRawText()}");
        }
        return new GenerationDefaults(
            JsonFile.OptionalBool(path, root, "do_sample", "do_sample") ?? false,
            Number("temperature", 1, 0, 100),
            Number("top_p", 1, double.Epsilon, 1),
            (int)Number("top_k", 50, 0, int.MaxValue));
    }

    /// <summary>
    /// Sampling options with the given values where the caller chose them and these defaults elsewhere
    /// (greedy when the model does not sample and the caller gave no temperature).
    /// </summary>
    public SamplingOptions Apply(SamplingOptions options, double? temperature, double? topP, int? topK) => options with
    {
        Temperature = temperature ?? (DoSample ? Temperature : 0),
        TopP = topP ?? (DoSample ? TopP : 1),
        TopK = topK ?? (DoSample ? TopK : 0),
    };
}
