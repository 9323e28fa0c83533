using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>How <see cref="CausalLM.FromPretrained"/> materialises a checkpoint.</summary>
public sealed record ModelLoadOptions
{
    /// <summary>
    /// Dtype of weights and computation. Float32 by default: CPU kernels are fastest and exact there,
    /// and F16/BF16 checkpoints widen to float32 without loss. BFloat16/Float16 halve memory.
    /// </summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>Where to put the weights (CPU unless a CUDA backend package is referenced).</summary>
    public Device? Device { get; init; }

    /// <summary>Parses "f32"/"float32", "bf16"/"bfloat16", "f16"/"float16" (as written on the command line).</summary>
    public static ScalarType ParseDType(string text) => text.Trim().ToLowerInvariant() switch
    {
        "f32" or "float32" or "fp32" => ScalarType.Float32,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        "f16" or "float16" or "fp16" or "half" => ScalarType.Float16,
        _ => throw new ArgumentException($"unknown dtype \"{text}\" (use f32, bf16 or f16)"),
    };
}
