using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>
/// Rows of different lengths stacked into one batch by padding on the left, so every row's last
/// real position is the batch's last position (where generation continues). The mask says which
/// positions are real; <see cref="CausalLM"/> derives positions from it, so padding changes nothing
/// about a row's result.
/// </summary>
/// <param name="Values">[B, T] ids or [B, T, d] embeddings.</param>
/// <param name="Mask">[B, T] bool, true at real positions.</param>
public sealed record LeftPaddedBatch(Tensor Values, Tensor Mask) : IDisposable
{
    /// <summary>Token id rows → ids [B, T] (int64) padded with <paramref name="padId"/>, on <paramref name="device"/> (the CPU by default).</summary>
    public static LeftPaddedBatch FromIds(IReadOnlyList<IReadOnlyList<int>> rows, int padId = 0, Device? device = null)
    {
        Require(rows.Count, rows.Select(r => r.Count));
        int width = rows.Max(r => r.Count);
        var ids = new long[rows.Count * width];
        var mask = new bool[rows.Count * width];
        for (int r = 0; r < rows.Count; r++)
        {
            int pad = width - rows[r].Count;
            for (int i = 0; i < width; i++)
            {
                bool real = i >= pad;
                ids[r * width + i] = real ? rows[r][i - pad] : padId;
                mask[r * width + i] = real;
            }
        }
        return new LeftPaddedBatch(tensor(ids, [rows.Count, width], device: device), tensor(mask, [rows.Count, width], device: device));
    }

    /// <summary>Embedding rows [T_i, d] → embeddings [B, T, d] padded with zeros.</summary>
    public static LeftPaddedBatch FromEmbeddings(IReadOnlyList<Tensor> rows)
    {
        Require(rows.Count, rows.Select(r => (int)r.size(0)));
        long d = rows[0].size(1);
        if (rows.Any(r => r.dim() != 2 || r.size(1) != d))
            throw new ArgumentException("every row must be [length, d] with the same d", nameof(rows));
        long width = rows.Max(r => r.size(0));
        using var scope = NewDisposeScope();
        var padded = rows.Select(r => r.size(0) == width
            ? r.unsqueeze(0)
            : cat([zeros([width - r.size(0), d], r.dtype, r.device), r], 0).unsqueeze(0)).ToList();
        var mask = stack(rows.Select(r => KeptScalars.Range(0, width, r.device).AtLeastMask(width - r.size(0))).ToList(), 0);
        return new LeftPaddedBatch(cat(padded, 0).MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    static void Require(int count, IEnumerable<int> lengths)
    {
        if (count == 0)
            throw new ArgumentException("a batch needs at least one row");
        if (lengths.Any(n => n == 0))
            throw new ArgumentException("every row needs at least one position");
    }

    public void Dispose()
    {
        Values.Dispose();
        Mask.Dispose();
    }
}
