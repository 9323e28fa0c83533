using static TorchSharp.torch;

namespace RecursiveMas.Decoding;

/// <summary>Chooses next tokens from logits [B, vocab] according to <see cref="SamplingOptions"/>.</summary>
public sealed class TokenSampler : IDisposable
{
    private readonly SamplingOptions _options;
    private readonly Generator? _generator;

    public TokenSampler(SamplingOptions options, Device? device = null)
    {
        options.Validate();
        _options = options;
        if (options.IsSampling)
        {
            long seed = options.Seed ?? Random.Shared.NextInt64();
            _generator = new Generator(unchecked((ulong)seed), device ?? CPU);
        }
    }

    /// <summary>Next token id per row, [B] int64.</summary>
    public Tensor Next(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var scores = logits.to(ScalarType.Float32);
        if (!_options.IsSampling)
            return scores.argmax(-1).MoveToOuterDisposeScope();

        scores = scores / _options.Temperature;
        long vocab = scores.shape[^1];
        if (_options.TopK > 0 && _options.TopK < vocab)
        {
            var (top, _) = scores.topk(_options.TopK, dim: -1);
            var kth = top.narrow(-1, _options.TopK - 1, 1);
            scores = scores.masked_fill(scores.lt(kth), float.NegativeInfinity);
        }
        if (_options.TopP < 1)
        {
            var (sorted, order) = scores.sort(-1, descending: true);
            var probs = sorted.softmax(-1);
            // Drop a token when the tokens ranked above it already reach top-p; the best one always stays.
            var before = probs.cumsum(-1) - probs;
            var drop = before.gt(_options.TopP);
            var dropInVocabOrder = zeros_like(drop).scatter(-1, order, drop);
            scores = scores.masked_fill(dropInVocabOrder, float.NegativeInfinity);
        }
        var chosen = scores.softmax(-1).multinomial(1, replacement: false, generator: _generator).squeeze(-1);
        return chosen.MoveToOuterDisposeScope();
    }

    public void Dispose() => _generator?.Dispose();
}
