using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Support;

/// <summary>Batches of prompts of different lengths, padded into one tensor as the runtime pads them.</summary>
internal static class PaddedPrompts
{
    /// <summary>
    /// Three rows of random token ids (from 5 up, past any special id of the tiny models) of lengths 7, 3 and 5,
    /// left-padded (<see cref="LeftPaddedBatch"/>): the ids [3, 7] and the mask [3, 7] (true = a real token).
    /// </summary>
    public static (Tensor Ids, Tensor Mask) ThreeRows(int vocab, Generator generator)
    {
        var rows = new[] { 7, 3, 5 }
            .Select(length => (IReadOnlyList<int>)[.. randint(5, vocab, [length], generator: generator).data<long>().Select(id => (int)id)])
            .ToList();
        var batch = LeftPaddedBatch.FromIds(rows);
        return (batch.Values, batch.Mask);
    }
}
