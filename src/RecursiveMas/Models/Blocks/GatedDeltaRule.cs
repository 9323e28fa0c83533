using RecursiveMas.Models.Kernels;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Blocks;

/// <summary>
/// The gated delta rule of Gated DeltaNet (computed in the inputs' dtype; the model passes float32): per head, with state S [key_dim, value_dim],
/// each position t decays S by exp(g_t), writes the correction β_t·(v_t − Sᵀk_t) along k_t, and reads
/// o_t = Sᵀq_t. Queries and keys arrive L2-normalised, queries scaled by key_dim^−½.
/// Two equal forms: <see cref="Recurrent"/> (one position at a time: decode and latent steps) and
/// <see cref="Chunked"/> (blocks of positions through a unit-triangular solve: prefill).
/// </summary>
/// <remarks>Tensors are [B, H, T, d] (q, k: d = key dim; v: value dim); g and β are [B, H, T]; S is [B, H, dk, dv].</remarks>
public static class GatedDeltaRule
{
    /// <summary>The chunk length of <see cref="Chunked"/> (transformers and the fla kernels use 64).</summary>
    public const int ChunkSize = 64;

    /// <summary>Position by position. Returns the outputs [B, H, T, dv] and the final state.</summary>
    public static (Tensor Output, Tensor State) Recurrent(Tensor q, Tensor k, Tensor v, Tensor g, Tensor beta, Tensor? state)
    {
        using var scope = NewDisposeScope();
        long b = q.size(0), h = q.size(1), t = q.size(2), dk = q.size(3), dv = v.size(3);
        var s = state ?? zeros(b, h, dk, dv, q.dtype, q.device);
        var outputs = new List<Tensor>((int)t);
        for (long i = 0; i < t; i++)
        {
            var qi = q.select(2, i).unsqueeze(-2);                   // [B, H, 1, dk]
            var ki = k.select(2, i).unsqueeze(-2);
            var vi = v.select(2, i).unsqueeze(-2);                   // [B, H, 1, dv]
            s = s * g.select(2, i).exp().unsqueeze(-1).unsqueeze(-1);
            var predicted = ki.matmul(s);                            // [B, H, 1, dv]
            var delta = (vi - predicted) * beta.select(2, i).unsqueeze(-1).unsqueeze(-1);
            s = s.Plus(ki.transpose(-2, -1).matmul(delta));             // rank-1 write along k
            outputs.Add(qi.matmul(s));
        }
        var output = cat(outputs, 2);
        return (output.MoveToOuterDisposeScope(), s.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Blocks of <paramref name="chunkSize"/> positions: inside a block the writes are resolved at once
    /// (the WY/UT form: a unit lower-triangular system over the block's keys), between blocks the state
    /// carries over. Equal to <see cref="Recurrent"/> up to float rounding.
    /// </summary>
    public static (Tensor Output, Tensor State) Chunked(Tensor q, Tensor k, Tensor v, Tensor g, Tensor beta, Tensor? state, int chunkSize = ChunkSize)
    {
        using var scope = NewDisposeScope();
        long b = q.size(0), h = q.size(1), t = q.size(2), dk = q.size(3), dv = v.size(3);
        long pad = (chunkSize - t % chunkSize) % chunkSize;
        if (pad > 0)
        {
            // Padding at the end: zero keys, values and β, no decay — the state passes through unchanged.
            q = nn.functional.pad(q, [0, 0, 0, pad]);
            k = nn.functional.pad(k, [0, 0, 0, pad]);
            v = nn.functional.pad(v, [0, 0, 0, pad]);
            g = nn.functional.pad(g, [0, pad]);
            beta = nn.functional.pad(beta, [0, pad]);
        }
        long n = (t + pad) / chunkSize;
        var qc = q.reshape(b, h, n, chunkSize, dk);
        var kc = k.reshape(b, h, n, chunkSize, dk);
        var vc = v.reshape(b, h, n, chunkSize, dv);
        var betaC = beta.reshape(b, h, n, chunkSize).unsqueeze(-1);
        var logDecay = g.reshape(b, h, n, chunkSize).cumsum(-1);      // log of the decay from the block start to each position

        // decayBetween[i, j] = exp(logDecay_i − logDecay_j) for j ≤ i, 0 above the diagonal.
        var above = ones(chunkSize, chunkSize, ScalarType.Bool, q.device).triu(1);
        var decayBetween = (logDecay.unsqueeze(-1) - logDecay.unsqueeze(-2)).Filled(above, double.NegativeInfinity).exp();

        var kBeta = kc * betaC;
        var vBeta = vc * betaC;
        // Strictly-lower system A[i, j] = β_i k_i·k_j decay(j→i); (I + A) W = [vβ | kβ·decay-from-start].
        var below = ones(chunkSize, chunkSize, ScalarType.Bool, q.device).tril(-1);
        var system = (kBeta.matmul(kc.transpose(-2, -1)) * decayBetween).Filled(below.logical_not(), 0L)
            .Plus(eye(chunkSize, dtype: q.dtype, device: q.device));
        var newValues = linalg.solve_triangular(system, vBeta, upper: false, unitriangular: true);                      // [.., C, dv]
        var keysReadingState = linalg.solve_triangular(system, kBeta * logDecay.exp().unsqueeze(-1), upper: false, unitriangular: true); // [.., C, dk]
        var withinBlock = (qc.matmul(kc.transpose(-2, -1)) * decayBetween);   // causal, diagonal included

        var queriesDecayed = qc * logDecay.exp().unsqueeze(-1);
        var blockDecay = logDecay.narrow(-1, chunkSize - 1, 1);                // [.., 1]
        var keysToEnd = kc * (blockDecay - logDecay).exp().unsqueeze(-1);
        var s = state ?? zeros(b, h, dk, dv, q.dtype, q.device);
        var outputs = new List<Tensor>((int)n);
        for (long i = 0; i < n; i++)
        {
            var correction = newValues.select(2, i) - keysReadingState.select(2, i).matmul(s);   // [B, H, C, dv]
            outputs.Add(queriesDecayed.select(2, i).matmul(s).Plus(withinBlock.select(2, i).matmul(correction)));
            s = (s * blockDecay.select(2, i).exp().unsqueeze(-1)).Plus(keysToEnd.select(2, i).transpose(-2, -1).matmul(correction));
        }
        var output = cat(outputs, 2).narrow(2, 0, t);
        return (output.MoveToOuterDisposeScope(), s.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// x / sqrt(Σx² + 10⁻⁶) over the last dimension (the fla kernels' L2 norm); each row alone where the CPU
    /// kernel runs (libtorch's sum over a head's few channels sums several rows at once, so a row's bits
    /// followed the batch).
    /// </summary>
    public static Tensor L2Normalize(Tensor x) =>
        RmsNormKernel.TryL2Normalize(x, 1e-6) ?? x * x.Power(2).sum([-1], keepdim: true).Plus(1e-6).rsqrt();

    /// <summary>
    /// <see cref="Chunked"/> for a left-padded batch, each row over its own <paramref name="lengths"/>[r] real
    /// positions (its last ones) alone: its blocks then start where the row does, as they do for the row
    /// alone. Over the whole batch a padded row's positions fall into other blocks than alone, and its sums
    /// come out in other last bits. Padding positions get zero output; a row with none real keeps its state.
    /// </summary>
    public static (Tensor Output, Tensor State) ChunkedByRow(Tensor q, Tensor k, Tensor v, Tensor g, Tensor beta, Tensor? state, int[] lengths, int chunkSize = ChunkSize)
    {
        using var scope = NewDisposeScope();
        long b = q.size(0), h = q.size(1), t = q.size(2), dk = q.size(3), dv = v.size(3);
        var output = zeros(b, h, t, dv, q.dtype, q.device);
        var states = new Tensor[b];
        for (int r = 0; r < b; r++)
        {
            var rowState = state?.narrow(0, r, 1) ?? zeros(1, h, dk, dv, q.dtype, q.device);
            if (lengths[r] == 0)
            {
                states[r] = rowState;
                continue;
            }
            Tensor Real(Tensor x) => x.narrow(0, r, 1).narrow(2, t - lengths[r], lengths[r]);
            var (rowOutput, next) = Chunked(Real(q), Real(k), Real(v), Real(g), Real(beta), rowState, chunkSize);
            output.narrow(0, r, 1).narrow(2, t - lengths[r], lengths[r]).copy_(rowOutput);
            states[r] = next;
        }
        return (output.MoveToOuterDisposeScope(), cat(states, 0).MoveToOuterDisposeScope());
    }
}
