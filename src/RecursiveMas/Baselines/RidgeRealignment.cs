using RecursiveMas.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Baselines;

/// <summary>
/// LatentMAS's training-free map from a last hidden state to an input embedding (PAPER §8.1):
/// W_a = (W_outᵀ W_out + λI)⁻¹ W_outᵀ W_in solved in closed form from the LM head W_out and the
/// embedding matrix W_in (ridge regression, λ = 1e-5), then each result rescaled to the mean norm of
/// the input embeddings.
/// </summary>
public sealed class RidgeRealignment : nn.Module<Tensor, Tensor>
{
    private readonly Tensor _map;       // [d, d], float64 → stored float32
    private readonly double _targetNorm;

    public RidgeRealignment(Tensor outputMatrix, Tensor inputMatrix, double lambda = 1e-5) : base("ridge_realignment")
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var wOut = outputMatrix.to(ScalarType.Float64);
        var wIn = inputMatrix.to(ScalarType.Float64);
        long d = wOut.shape[1];
        var gram = wOut.t().matmul(wOut).Plus(eye(d, dtype: ScalarType.Float64).Times(lambda));
        var map = linalg.solve(gram, wOut.t().matmul(wIn));
        _map = map.to(ScalarType.Float32).DetachFromDisposeScope();
        _targetNorm = inputMatrix.to(ScalarType.Float32).norm(1).mean().item<float>();
    }

    /// <summary>The mean input-embedding norm every output is scaled to.</summary>
    public double TargetNorm => _targetNorm;

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var aligned = hidden.to(ScalarType.Float32).matmul(_map);
        using var floor = 1e-12.ToScalar();
        var scaled = aligned * aligned.norm(-1, keepdim: true).clamp_min(floor).reciprocal().Times(_targetNorm);
        return scaled.to(hidden.dtype).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _map.Dispose();
        base.Dispose(disposing);
    }
}
