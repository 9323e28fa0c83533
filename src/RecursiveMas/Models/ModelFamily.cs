namespace RecursiveMas.Models;

/// <summary>
/// The decoder-only architectures RecursiveMas runs. They share one block layout (pre-norm RMSNorm,
/// rotary attention with grouped KV heads, gated MLP) and differ in the details that
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

    /// <summary>
    /// <c>model_type: "gemma3_text"</c>, or the language model of a multimodal <c>"gemma3"</c> checkpoint:
    /// √d-scaled embeddings, (1 + w) norms, four norms per layer, GELU-tanh MLP, q/k norms,
    /// <c>query_pre_attn_scalar</c>, sliding-window and global layers with their own rope bases.
    /// </summary>
    Gemma3,

    /// <summary>
    /// Qwen3.5 (<c>model_type: "qwen3_5"</c> with the text model under <c>text_config</c>, or
    /// <c>"qwen3_5_text"</c>): a hybrid stack of Gated DeltaNet linear-attention layers and gated
    /// full-attention layers with partial rotary, (1 + w) norms.
    /// </summary>
    Qwen35,
}

/// <summary>What mixes tokens in one decoder layer (<c>layer_types</c> in config.json).</summary>
public enum LayerKind
{
    /// <summary><c>"full_attention"</c>: attention over every earlier position.</summary>
    FullAttention,

    /// <summary><c>"sliding_attention"</c>: attention over the last <see cref="ModelConfig.SlidingWindow"/> positions only.</summary>
    SlidingAttention,

    /// <summary><c>"linear_attention"</c>: a Gated DeltaNet layer with a causal convolution and a recurrent state.</summary>
    LinearAttention,
}

/// <summary>The MLP's activation (<c>hidden_act</c> / <c>hidden_activation</c>).</summary>
public enum HiddenActivation
{
    /// <summary><c>"silu"</c> (SwiGLU).</summary>
    Silu,

    /// <summary><c>"gelu_pytorch_tanh"</c>: GELU with the tanh approximation (GeGLU, Gemma).</summary>
    GeluTanh,
}

/// <summary>The shape of a Gated DeltaNet layer (Qwen3.5's <c>linear_*</c> config keys).</summary>
/// <param name="ConvKernel"><c>linear_conv_kernel_dim</c>: width of the causal depthwise convolution.</param>
/// <param name="KeyHeads"><c>linear_num_key_heads</c>.</param>
/// <param name="ValueHeads"><c>linear_num_value_heads</c> (a multiple of the key heads).</param>
/// <param name="KeyHeadDim"><c>linear_key_head_dim</c>.</param>
/// <param name="ValueHeadDim"><c>linear_value_head_dim</c>.</param>
public sealed record LinearAttentionShape(int ConvKernel, int KeyHeads, int ValueHeads, int KeyHeadDim, int ValueHeadDim)
{
    /// <summary>Width of the query and of the key projection.</summary>
    public int KeyDim => KeyHeads * KeyHeadDim;

    /// <summary>Width of the value projection and of the output before <c>out_proj</c>.</summary>
    public int ValueDim => ValueHeads * ValueHeadDim;

    /// <summary>Channels of the convolution (q, k and v together).</summary>
    public int ConvDim => 2 * KeyDim + ValueDim;
}
