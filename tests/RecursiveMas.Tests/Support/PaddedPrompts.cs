using static TorchSharp.torch;

namespace RecursiveMas.Tests.Support;

/// <summary>Batches of prompts of different lengths, padded into one tensor as the runtime pads them.</summary>
internal static class PaddedPrompts
{
    /// <summary>
    /// Three rows of 7 random token ids (from 5 up, past any special id of the tiny models), left-padded to real
    /// lengths 7, 3 and 5: the ids [3, 7] and the mask [3, 7] (true = a real token).
    /// </summary>
    public static (Tensor Ids, Tensor Mask) ThreeRows(int vocab, Generator generator)
    {
        var ids = randint(5, vocab, [3, 7], generator: generator);
        var mask = ones(3, 7, ScalarType.Bool);
        mask[1, TensorIndex.Slice(0, 4)] = tensor(false);
        mask[2, TensorIndex.Slice(0, 2)] = tensor(false);
        return (ids, mask);
    }
}
