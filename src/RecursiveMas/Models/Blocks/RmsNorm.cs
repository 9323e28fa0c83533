using RecursiveMas.Models.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// Root-mean-square layer norm over the last dimension, computed in float32 (float64 models: float64). Two conventions:
/// Llama/Qwen2/Qwen3 scale by w after casting back to the input dtype (y = w · cast(x / rms));
/// zero-centred norms (Gemma3, Qwen3.5) scale by (1 + w) in float32 and cast last
/// (y = cast(x / rms · (1 + w))), their stored weights being centred on 0.
/// </summary>
public sealed class RmsNorm : nn.Module
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly Parameter weight;
#pragma warning restore IDE1006
    private readonly double _eps;
    private readonly bool _zeroCentered;

    public RmsNorm(string name, long size, double eps, ScalarType dtype, Device device, bool zeroCentered = false) : base(name)
    {
        weight = new Parameter(zeroCentered ? zeros(size, dtype, device) : ones(size, dtype, device), requires_grad: false);
        _eps = eps;
        _zeroCentered = zeroCentered;
        RegisterComponents();
    }

    /// <summary>The [size] scale.</summary>
    public Parameter Weight => weight;

    /// <summary>The stored weight value that makes this norm a plain normalisation (0 when zero-centred, else 1).</summary>
    public double IdentityWeight => _zeroCentered ? 0 : 1;

    /// <summary>
    /// The dtype norms and recurrent rules compute in: float32, as transformers does for half-precision
    /// models, except that float64 models (exactness tests) stay in float64.
    /// </summary>
    internal static ScalarType ComputeType(ScalarType dtype) => dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>Normalises over the last dimension (one kernel call where <see cref="RmsNormKernel"/> runs, with libtorch's bits).</summary>
    public Tensor Forward(Tensor x) =>
        RmsNormKernel.TryRun(x, weight, _eps, _zeroCentered) ?? ByLibtorch(x, weight, _eps, _zeroCentered);

    /// <summary>
    /// The kernel's norm of <paramref name="rows"/> contiguous rows of this norm's size from x into y (the step
    /// path, <see cref="DecoderStep"/>, which checks that the kernel runs).
    /// </summary>
    internal unsafe void NormalizeRows(float* x, int rows, float* y)
    {
        int size = (int)weight.size(0);
        RmsNormKernel.NormalizeRows(x, size, rows, TensorData.Floats(weight), _zeroCentered, size, (float)_eps, y, size);
    }

    /// <summary>The norm as libtorch's ops: what the kernel reproduces, and what runs where it does not.</summary>
    internal static Tensor ByLibtorch(Tensor x, Tensor weight, double eps, bool zeroCentered)
    {
        using var scope = NewDisposeScope();
        var normalized = Normalize(x, eps);
        Tensor y = zeroCentered
            ? (normalized * weight.to(normalized.dtype).Plus(1)).to(x.dtype)
            : weight * (x.dtype == normalized.dtype ? normalized : normalized.to(x.dtype));
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>x / sqrt(mean(x²) + ε) over the last dimension, in float32 (float64 for float64 inputs).</summary>
    internal static Tensor Normalize(Tensor x, double eps)
    {
        var compute = ComputeType(x.dtype);
        var input = x.dtype == compute ? x : x.to(compute);
        var variance = input.Power(2).mean([-1], keepdim: true);
        return input * variance.Plus(eps).rsqrt();
    }
}
