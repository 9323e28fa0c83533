using System.Runtime.Intrinsics;
using RecursiveMas.Models.Kernels;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// The decoder stack's path for one new position per row — a latent step or a decoding step — on raw
/// buffers. The tensor path runs the same kernels through about fifty TorchSharp calls per layer (each a
/// native call and a tensor handle: views, splits, reshapes, transposes, temporaries and their dispose
/// scopes); here a layer calls the kernels on scratch rows allocated once per step, and only the cache
/// write and the attention go through tensors. <c>rmas bench --suite rollout</c> times a step both ways
/// in one run (the roofline's <c>TensorPathStepMs</c>). Every value is computed by the same kernel routine from the same inputs
/// in the same order as on the tensor path, so the step gives that path's bits (tested), alone or batched.
/// </summary>
/// <remarks>
/// Runs where the tensor path would run a kernel for every piece: float32 on the CPU outside autograd with
/// the kernels on (<see cref="CpuLinear.Runs"/>, the norm and SwiGLU probes agreeing), attention layers with
/// SwiGLU MLPs and full rotary over heads a multiple of 32 wide, no LoRA attached, the default attention scale,
/// no output gate, soft-capping or sandwich norms. Elsewhere (Gemma3, Qwen3.5, training) the tensor path runs.
/// </remarks>
public sealed unsafe class DecoderStep
{
    static readonly FlowSwitch s_tensorPath = new();
    static readonly FlowCount s_steps = new();

    readonly List<Tensor> _owned = [];

    DecoderStep(ModelConfig config, int rows, Tensor input)
    {
        Rows = rows;
        Hidden = Own(input.contiguous().clone());
        var device = input.device; // never the default device: tests set that to meta to catch tensors made without one
        long d = config.HiddenSize, heads = config.HeadCount, kvHeads = config.KeyValueHeadCount, hd = config.HeadDim;
        Normed = TensorData.Floats(Own(empty(rows, d, ScalarType.Float32, device)));
        QueryKeyValue = TensorData.Floats(Own(empty(rows, (heads + 2 * kvHeads) * hd, ScalarType.Float32, device)));
        Queries = Own(empty(rows, heads, 1, hd, ScalarType.Float32, device));
        Keys = Own(empty(rows, kvHeads, 1, hd, ScalarType.Float32, device));
        Values = Own(empty(rows, kvHeads, 1, hd, ScalarType.Float32, device));
        Attended = TensorData.Floats(Own(empty(rows, heads * hd, ScalarType.Float32, device)));
        Output = TensorData.Floats(Own(empty(rows, d, ScalarType.Float32, device)));
        GateUp = TensorData.Floats(Own(empty(rows, 2L * config.IntermediateSize, ScalarType.Float32, device)));
        Activated = TensorData.Floats(Own(empty(rows, (long)config.IntermediateSize, ScalarType.Float32, device)));
    }

    /// <summary>Rows in the batch (one new position each).</summary>
    internal int Rows { get; }

    /// <summary>The residual stream [B, 1, hidden], updated in place layer by layer.</summary>
    internal Tensor Hidden { get; }

    /// <summary>A norm's output [B, hidden]: the attention's and the MLP's input.</summary>
    internal float* Normed { get; }

    /// <summary>The fused q/k/v projection's output [B, (H + 2·KV)·hd].</summary>
    internal float* QueryKeyValue { get; }

    /// <summary>Normed, rotated queries [B, H, 1, hd].</summary>
    internal Tensor Queries { get; }

    /// <summary>Normed, rotated keys [B, KV, 1, hd].</summary>
    internal Tensor Keys { get; }

    /// <summary>Values [B, KV, 1, hd].</summary>
    internal Tensor Values { get; }

    /// <summary>The attention's output [B, H·hd] (query heads grouped by their KV head, as o_proj reads them).</summary>
    internal float* Attended { get; }

    /// <summary>A block's output [B, hidden] before its residual add (o_proj's, then down_proj's).</summary>
    internal float* Output { get; }

    /// <summary>The fused gate/up projection's output [B, 2·intermediate].</summary>
    internal float* GateUp { get; }

    /// <summary>silu(gate) · up [B, intermediate].</summary>
    internal float* Activated { get; }

    /// <summary>
    /// Runs every step of the calling code (this thread and what it starts) on the tensor path until disposed:
    /// tests compare the two paths bit for bit, and <c>rmas bench --suite rollout</c> measures what the step path saves.
    /// </summary>
    public static IDisposable UseTensorPath() => s_tensorPath.TurnOn();

    /// <summary>Counts the forward calls the calling code (this thread and what it starts) runs on the step path, until disposed: tests show the path ran.</summary>
    internal static FlowCount.Scope CountSteps() => s_steps.Start();

    /// <summary>
    /// Input embeddings [B, 1, hidden] through every layer on the step path: the last layer's output
    /// [B, 1, hidden] (before the final norm), or null where the path does not run (the tensor path then does).
    /// </summary>
    internal static Tensor? TryRun(ModelConfig config, IList<DecoderLayer> layers, Tensor input, AttentionContext context)
    {
        if (s_tensorPath.IsOn || !CpuLinear.Runs || !CpuLinear.Handles(input) || input.dim() != 3 || input.size(1) != 1 || input.size(0) == 0
            || !RmsNormKernel.Agrees || !SwiGluKernel.Agrees || !Supports(config)
            || !RotatesWhole(context.Rope, config) || (context.SlidingRope is { } sliding && !RotatesWhole(sliding, config)))
            return null;
        foreach (var layer in layers)
            if (!layer.CanStep)
                return null;
        var step = new DecoderStep(config, (int)input.size(0), input);
        try
        {
            foreach (var layer in layers)
                layer.Step(step, context);
            s_steps.Add(1);
            return step.Hidden.clone();
        }
        finally
        {
            step.Release();
        }
    }

    /// <summary>What a configuration must be for the step path (the parts every layer shares).</summary>
    internal static bool Supports(ModelConfig config) =>
        config.HiddenActivation == HiddenActivation.Silu && !config.SandwichNorms && config.AttentionLogitSoftcap is null
        && !config.AttentionOutputGate && config.RotaryDim == config.HeadDim && config.HeadDim % 32 == 0
        && Math.Abs(config.AttentionScale * Math.Sqrt(config.HeadDim) - 1) <= 1e-12;

    /// <summary>Rotary tables the rotary kernel takes for one position per row: contiguous [B, 1, 1, hd].</summary>
    static bool RotatesWhole(RopeTables rope, ModelConfig config) =>
        CpuLinear.Handles(rope.Cos) && CpuLinear.Handles(rope.Sin) && rope.Cos.is_contiguous() && rope.Sin.is_contiguous()
        && rope.Cos.dim() == 4 && rope.Cos.size(2) == 1 && rope.Cos.size(3) == config.HeadDim
        && rope.Sin.dim() == 4 && rope.Sin.size(2) == 1 && rope.Sin.size(3) == config.HeadDim;

    /// <summary>a[i] += b[i] for n values: libtorch's add with alpha 1, one rounding per element.</summary>
    internal static void AddInto(float* a, float* b, long n)
    {
        long i = 0;
        for (; i + 16 <= n; i += 16)
            (Vector512.Load(a + i) + Vector512.Load(b + i)).Store(a + i);
        for (; i < n; i++)
            a[i] += b[i];
    }

    /// <summary>A weight the kernels read as the tensor path would: float32 on the CPU, no gradient, contiguous.</summary>
    internal static bool Readable(Tensor? t) => t is null || (CpuLinear.Handles(t) && t.is_contiguous());


    Tensor Own(Tensor t)
    {
        _owned.Add(t);
        return t;
    }

    void Release()
    {
        foreach (var t in _owned)
            t.Dispose();
    }
}
