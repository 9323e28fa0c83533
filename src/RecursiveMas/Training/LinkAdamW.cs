using RecursiveMas.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Training;

/// <summary>
/// AdamW over the trained links' parameters, with torch.optim.AdamW's update (decoupled weight decay,
/// bias-corrected moments, eps added after the square root, a step count per parameter that advances
/// only when the parameter has a gradient). Written out rather than taken from TorchSharp so that its
/// whole state — both moments and every step count — goes into our checkpoints by name and a resumed
/// run continues bit for bit.
/// </summary>
internal sealed class LinkAdamW(IReadOnlyList<(string Key, Tensor Parameter)> parameters, double beta1, double beta2, double epsilon, double weightDecay)
    : IDisposable
{
    private readonly Dictionary<string, (Tensor M, Tensor V)> _moments = [];
    private readonly Dictionary<string, long> _steps = [];

    public IReadOnlyList<(string Key, Tensor Parameter)> Parameters { get; } = parameters;

    /// <summary>Applies one update with learning rate <paramref name="lr"/> to every parameter that has a gradient.</summary>
    public void Step(IReadOnlyDictionary<string, Tensor> gradients, double lr)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (key, p) in Parameters)
        {
            if (!gradients.TryGetValue(key, out var g))
                continue;
            if (!_moments.TryGetValue(key, out var state))
                _moments[key] = state = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
            long t = _steps[key] = _steps.GetValueOrDefault(key) + 1;
            // Every number as a Scalar held until the op returns (KeptScalars says why).
            if (weightDecay != 0)
            {
                using var decay = (1 - lr * weightDecay).ToScalar();
                p.mul_(decay);
            }
            double correction1 = 1 - Math.Pow(beta1, t);
            double correction2 = 1 - Math.Pow(beta2, t);
            using var b1 = beta1.ToScalar();
            using var b2 = beta2.ToScalar();
            using var rest1 = (1 - beta1).ToScalar();
            using var rest2 = (1 - beta2).ToScalar();
            using var eps = epsilon.ToScalar();
            using var stepSize = (-lr / correction1).ToScalar();
            state.M.mul_(b1).add_(g, alpha: rest1);
            state.V.mul_(b2).addcmul_(g, g, value: rest2);
            var denominator = state.V.sqrt().Over(Math.Sqrt(correction2)).add_(eps, KeptScalars.One);
            p.addcdiv_(state.M, denominator, value: stepSize);
        }
    }

    /// <summary>The state as named tensors (for checkpoints): <c>adam.m.KEY</c>, <c>adam.v.KEY</c>, <c>adam.step.KEY</c>.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> State()
    {
        foreach (var (key, (m, v)) in _moments)
        {
            yield return KeyValuePair.Create($"adam.m.{key}", m);
            yield return KeyValuePair.Create($"adam.v.{key}", v);
            yield return KeyValuePair.Create($"adam.step.{key}", tensor(new[] { _steps[key] }));
        }
    }

    /// <summary>Restores the state written by <see cref="State"/> (moments copied into fresh tensors).</summary>
    public void Restore(string key, Tensor m, Tensor v, long step)
    {
        var p = Parameters.First(x => x.Key == key).Parameter;
        if (_moments.Remove(key, out var old))
        {
            old.M.Dispose();
            old.V.Dispose();
        }
        _moments[key] = (m.to(p.dtype).clone().DetachFromDisposeScope(), v.to(p.dtype).clone().DetachFromDisposeScope());
        _steps[key] = step;
    }

    public void Dispose()
    {
        foreach (var (m, v) in _moments.Values)
        {
            m.Dispose();
            v.Dispose();
        }
        _moments.Clear();
    }
}
