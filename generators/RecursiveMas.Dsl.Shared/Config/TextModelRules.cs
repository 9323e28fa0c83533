using System.Collections.Generic;
using System.Linq;

namespace RecursiveMas.Dsl;

/// <summary>
/// Which <c>config.json</c> files the runtime loads (a top-level <c>model_type</c> naming an architecture it supports), where
/// such a file keeps the language model's sizes, and the hidden size it has when the file leaves it out: the one rule of
/// the runtime's <c>RecursiveMas.Models.ModelConfig</c> and the compile-time <see cref="ConfigJsonReader"/>, so the
/// analyzers check links against the size the loaded model will have, and refuse (RMAS1003) what loading refuses.
/// </summary>
internal static class TextModelRules
{
    /// <summary>
    /// The language models' <c>model_type</c>s the runtime loads, in the order its refusal lists them: a file's top-level
    /// one, or a multimodal wrapper's <see cref="TextModelType"/>. The runtime requires a top-level <c>model_type</c> (it
    /// reads the architecture from nothing else) and refuses a file without one before it reads any size.
    /// </summary>
    public static IReadOnlyList<string> SupportedModelTypes { get; } =
        ["llama", "mistral", "qwen2", "qwen3", "gemma3_text", "gemma3", "qwen3_5", "qwen3_5_text"];

    /// <summary>Why the runtime refuses a language model's <paramref name="modelType"/>; null when it loads it.</summary>
    public static string? WhyUnsupported(string modelType) => SupportedModelTypes.Contains(modelType)
        ? null
        : "unknown model_type \"" + modelType + "\"; supported: " + string.Join(", ", SupportedModelTypes);

    /// <summary>The largest hidden size the runtime accepts (checked before anything is allocated from it).</summary>
    public const int MaxHiddenSize = 1 << 16;

    /// <summary>
    /// Whether a top-level <c>model_type</c> names a multimodal wrapper (Gemma3, Qwen3.5) whose language model's fields
    /// are all under <c>text_config</c>; top-level sizes beside it are not read.
    /// </summary>
    public static bool IsMultimodalWrapper(string? modelType) => modelType is "gemma3" or "qwen3_5";

    /// <summary>The language model's <c>model_type</c>: a wrapper's <c>text_config.model_type</c>, else the wrapper's own with <c>_text</c>.</summary>
    public static string TextModelType(string wrapperType, string? nestedType) => nestedType ?? wrapperType + "_text";

    /// <summary>
    /// The hidden size of a model whose config.json has no <c>hidden_size</c> (or a null one): the transformers config
    /// class's default for Gemma3 and Qwen3.5, whose Hub files leave it out; null where the field is required.
    /// </summary>
    public static int? DefaultHiddenSize(string? textModelType) => textModelType switch
    {
        "gemma3_text" or "gemma3" => 2304,
        "qwen3_5_text" or "qwen3_5" => 4096,
        _ => null,
    };
}
