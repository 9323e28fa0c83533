namespace RecursiveMas.Models;

/// <summary>
/// The decoder-only architectures RecursiveMas runs. They share one block layout (pre-norm RMSNorm,
/// rotary attention with grouped KV heads, SwiGLU MLP) and differ in the details that
/// <see cref="ModelConfig"/> records as flags.
/// </summary>
public enum ModelFamily
{
    /// <summary><c>model_type: "llama"</c> (Llama 2/3.x); optional <c>attention_bias</c>, <c>mlp_bias</c>, llama3 rope scaling.</summary>
    Llama,

    /// <summary><c>model_type: "mistral"</c>; optional sliding-window attention.</summary>
    Mistral,

    /// <summary><c>model_type: "qwen2"</c> (Qwen2, Qwen2.5); biases on the q, k and v projections.</summary>
    Qwen2,

    /// <summary><c>model_type: "qwen3"</c>; per-head RMSNorm on q and k, explicit <c>head_dim</c>.</summary>
    Qwen3,
}
