using RecursiveMas.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Training;

/// <summary>
/// Gradients summed over the micro-batches of one optimizer step, by parameter key
/// (<c>linkId.paramName</c>). The trainer owns them instead of the parameters' <c>.grad</c>, so a
/// parameter that got no gradient in a step is visibly absent (AdamW then leaves it alone, as torch does).
/// </summary>
internal sealed class GradientBuffer : IDisposable
{
    private readonly Dictionary<string, Tensor> _sums = [];

    public IReadOnlyDictionary<string, Tensor> Sums => _sums;

    /// <summary>Adds <paramref name="gradient"/> (null or empty = the parameter was not used) under <paramref name="key"/>.</summary>
    public void Add(string key, Tensor? gradient)
    {
        if (IsMissing(gradient))
            return;
        using var noGrad = no_grad();
        if (_sums.TryGetValue(key, out var sum))
            sum.PlusInPlace(gradient);
        else
            _sums[key] = gradient.detach().clone().DetachFromDisposeScope();
    }

    /// <summary>L2 norm over the given keys (all when null).</summary>
    public double Norm(IEnumerable<string>? keys = null)
    {
        using var scope = NewDisposeScope();
        double total = 0;
        foreach (var key in keys ?? _sums.Keys)
            if (_sums.TryGetValue(key, out var g))
                total += g.to(ScalarType.Float64).Power(2).sum().item<double>();
        return Math.Sqrt(total);
    }

    /// <summary>Scales the given keys by <paramref name="factor"/> (gradient clipping).</summary>
    public void Scale(IEnumerable<string> keys, double factor)
    {
        foreach (var key in keys)
            if (_sums.TryGetValue(key, out var g))
            {
                using var scalar = factor.ToScalar();
                g.mul_(scalar);
            }
    }

    /// <summary>autograd.grad with allow_unused answers an unused input with null or a tensor without a handle.</summary>
    internal static bool IsMissing([System.Diagnostics.CodeAnalysis.NotNullWhen(false)] Tensor? gradient) => gradient is null || gradient.IsInvalid;

    public void Dispose()
    {
        foreach (var g in _sums.Values)
            g.Dispose();
        _sums.Clear();
    }
}
