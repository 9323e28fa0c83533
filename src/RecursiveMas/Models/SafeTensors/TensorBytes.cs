using TorchSharp;

namespace RecursiveMas.Models.SafeTensors;

/// <summary>
/// Walks the native memory of a contiguous CPU tensor as byte spans, so file data can move between
/// disk and tensor with no managed copy in between.
/// </summary>
internal static class TensorBytes
{
    /// <summary>Receives one piece of a tensor's memory and where it starts within the tensor, in bytes.</summary>
    internal delegate void ChunkAction(Span<byte> chunk, long byteOffset);

    /// <summary>
    /// Largest span handed out at once. <see cref="Span{T}"/> cannot exceed <see cref="int.MaxValue"/>
    /// bytes, so bigger tensors (a 7B model's embedding is ~2 GB in float32) are walked in pieces.
    /// Settable so tests can exercise the chunked path with small tensors; any positive value is correct.
    /// </summary>
    internal static int ChunkBytes { get; set; } = 1 << 30;

    /// <summary>Calls <paramref name="action"/> for consecutive pieces covering all of <paramref name="tensor"/>'s bytes.</summary>
    /// <param name="tensor">A contiguous CPU tensor.</param>
    /// <param name="action">Called once per piece, in order.</param>
    internal static void ForEachChunk(torch.Tensor tensor, ChunkAction action)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
        {
            throw new ArgumentException("Expected a contiguous CPU tensor.", nameof(tensor));
        }

        long elementSize = tensor.element_size();
        long elements = tensor.numel();
        long total = elements * elementSize;
        if (total == 0)
        {
            return;
        }

        int chunkBytes = Math.Max(1, ChunkBytes);
        if (total <= chunkBytes)
        {
            action(tensor.bytes, 0);
            return;
        }

        // view(-1) rather than flatten(): a view is guaranteed to alias the tensor's memory (it throws
        // instead of silently copying), and a narrow of a 1-D contiguous view is itself contiguous.
        long chunkElements = Math.Max(1, chunkBytes / elementSize);
        using var flat = tensor.view(-1);
        for (long start = 0; start < elements; start += chunkElements)
        {
            long length = Math.Min(chunkElements, elements - start);
            using var piece = flat.narrow(0, start, length);
            action(piece.bytes, start * elementSize);
        }
    }
}
