namespace RecursiveMas.Training;

/// <summary>
/// The order examples are visited in: each epoch a fresh permutation seeded by (seed, epoch), and
/// micro-batch k takes the next <c>batchSize</c> positions of that endless sequence. The order is a
/// pure function of the seed and the micro-batch number, so a resumed run visits exactly what the
/// uninterrupted run would have — the checkpoint needs only the step.
/// </summary>
internal sealed class ExampleSampler(int count, int batchSize, long seed)
{
    private readonly Dictionary<long, int[]> _epochs = [];

    /// <summary>Dataset indices of micro-batch <paramref name="microBatch"/> (0-based, counted over the whole stage).</summary>
    public IReadOnlyList<int> Batch(long microBatch)
    {
        var indices = new int[batchSize];
        for (int i = 0; i < batchSize; i++)
        {
            long position = microBatch * batchSize + i;
            indices[i] = Permutation(position / count)[(int)(position % count)];
        }
        return indices;
    }

    int[] Permutation(long epoch)
    {
        if (_epochs.TryGetValue(epoch, out var order))
            return order;
        if (_epochs.Count > 4)
            _epochs.Clear();
        order = Enumerable.Range(0, count).ToArray();
        var random = new Random(unchecked((int)(seed * 1_000_003 ^ epoch * 7_919 ^ (seed >> 32))));
        random.Shuffle(order);
        return _epochs[epoch] = order;
    }
}
