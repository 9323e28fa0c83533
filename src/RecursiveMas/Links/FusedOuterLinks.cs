using RecursiveMas.Models;
using RecursiveMas.Models.Kernels;
using static TorchSharp.torch;

namespace RecursiveMas.Links;

/// <summary>
/// Several outer links that read the same input (a Mixture summarizer broadcasting feedback to k
/// experts) evaluated with one matmul for all their first projections and one for all their
/// residual projections, instead of 2k matmuls over the same input.
/// </summary>
/// <remarks>
/// The links' source LayerNorms have different affine parameters, so their inputs to proj1 differ;
/// but LN_i(x) = n ⊙ w_i + b_i with the same normalised n, hence
/// proj1_i(LN_i(x)) = (W1_i diag(w_i)) n + (W1_i b_i + c_i). Folding each affine into its proj1 makes
/// every first projection read n, so the folded matrices stack into one. The second projections
/// and target norms stay per link (their inputs differ). The folded weights are cached while the
/// links are frozen, keyed on every parameter's version counter (<see cref="TensorVersion"/>), so any
/// write to a link — an optimizer step, loading, a user's <c>copy_</c> — refolds on the next call;
/// while they train they are recomputed (differentiably) every call.
/// </remarks>
public sealed class FusedOuterLinks : IDisposable
{
    private readonly IReadOnlyList<OuterLink> _links;
    private readonly long[] _firstWidths;
    private readonly long[] _outWidths;
    private (Tensor Weight, Tensor Bias, Tensor? ResidualWeight, Tensor? ResidualBias)? _frozen;
    private (IntPtr Handle, long Version)[]? _frozenKey;

    public FusedOuterLinks(IReadOnlyList<OuterLink> links)
    {
        if (links.Count == 0)
            throw new ArgumentException("nothing to fuse", nameof(links));
        var first = links[0];
        foreach (var link in links)
        {
            if (link.InDim != first.InDim)
                throw new ArgumentException($"links {first.Id} and {link.Id} read inputs of different widths ({first.InDim}, {link.InDim})", nameof(links));
            if (link.Architecture != first.Architecture)
                throw new ArgumentException($"links {first.Id} and {link.Id} have different layouts", nameof(links));
        }
        _links = links;
        _firstWidths = links.Select(l => l.FirstProjection.weight!.size(0)).ToArray();
        _outWidths = links.Select(l => (long)l.OutDim).ToArray();
    }

    /// <summary>The fused links, in output order.</summary>
    public IReadOnlyList<OuterLink> Links => _links;

    /// <summary>x [..., in] → one tensor per link [..., out_i], equal to calling each link on x.</summary>
    public IReadOnlyList<Tensor> Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var architecture = _links[0].Architecture;
        var dtype = _links[0].FirstProjection.weight!.dtype;
        var input = x.dtype == dtype ? x : x.to(dtype);
        var (weight, bias, residualWeight, residualBias) = FoldedWeights();

        var normalized = architecture.HasLayerNorms()
            ? nn.functional.layer_norm(input, [input.size(-1)], eps: _links[0].SourceNorm!.eps)
            : input;
        var firsts = CpuLinear.Linear(normalized, weight, bias).split(_firstWidths, -1);
        var residuals = residualWeight is null ? null : CpuLinear.Linear(input, residualWeight, residualBias).split(_outWidths, -1);

        var outputs = new Tensor[_links.Count];
        for (int i = 0; i < _links.Count; i++)
        {
            var link = _links[i];
            var y = link.SecondProjection is null ? firsts[i] : RecursiveLink.Project(link.SecondProjection, nn.functional.gelu(firsts[i]));
            if (residuals is not null)
                y = y.Plus(residuals[i]);
            if (link.TargetNorm is { } target)
                y = target.forward(y);
            outputs[i] = (y.dtype == x.dtype ? y : y.to(x.dtype)).MoveToOuterDisposeScope();
        }
        return outputs;
    }

    (Tensor, Tensor, Tensor?, Tensor?) FoldedWeights()
    {
        bool training = is_grad_enabled() && _links.Any(l => l.parameters().Any(p => p.requires_grad));
        var key = training ? null : VersionKey();
        if (key is not null && _frozen is { } cached && _frozenKey is { } cachedKey && cachedKey.AsSpan().SequenceEqual(key))
            return cached;

        Tensor weight, bias;
        Tensor? residualWeight = null, residualBias = null;
        using (var scope = NewDisposeScope())
        {
            var weights = new List<Tensor>();
            var biases = new List<Tensor>();
            foreach (var link in _links)
            {
                var w1 = link.FirstProjection.weight!;
                var c1 = link.FirstProjection.bias!;
                if (link.SourceNorm is { } norm)
                {
                    weights.Add(w1 * norm.weight!.unsqueeze(0));
                    biases.Add(w1.matmul(norm.bias!).Plus(c1));
                }
                else
                {
                    weights.Add(w1);
                    biases.Add(c1);
                }
            }
            weight = cat(weights, 0).MoveToOuterDisposeScope();
            bias = cat(biases, 0).MoveToOuterDisposeScope();
            if (_links[0].ResidualProjection is not null)
            {
                residualWeight = cat(_links.Select(l => (Tensor)l.ResidualProjection!.weight!).ToList(), 0).MoveToOuterDisposeScope();
                residualBias = cat(_links.Select(l => (Tensor)l.ResidualProjection!.bias!).ToList(), 0).MoveToOuterDisposeScope();
            }
        }
        if (key is null)
            return (weight, bias, residualWeight, residualBias);

        // Frozen: keep the folded weights for later calls (outside any caller's dispose scope), with
        // the parameter versions they were folded from.
        Forget();
        var kept = (weight.detach().DetachFromDisposeScope(), bias.detach().DetachFromDisposeScope(),
            residualWeight?.detach().DetachFromDisposeScope(), residualBias?.detach().DetachFromDisposeScope());
        _frozen = kept;
        _frozenKey = key;
        return kept;
    }

    /// <summary>Each parameter's identity and version, in link order; null where versions cannot be read (then nothing is cached).</summary>
    (IntPtr, long)[]? VersionKey()
    {
        var key = new List<(IntPtr, long)>();
        foreach (var p in _links.SelectMany(l => l.parameters()))
        {
            if (TensorVersion.Of(p) is not long version)
                return null;
            key.Add((p.Handle, version));
        }
        return [.. key];
    }

    void Forget()
    {
        if (_frozen is { } f)
        {
            f.Weight.Dispose();
            f.Bias.Dispose();
            f.ResidualWeight?.Dispose();
            f.ResidualBias?.Dispose();
        }
        _frozen = null;
        _frozenKey = null;
    }

    public void Dispose() => Forget();
}
