using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Decoding;

/// <summary>
/// Chooses next tokens from logits [B, vocab] according to <see cref="SamplingOptions"/>. Every row
/// draws from its own generator, seeded with its row seed (else the options' seed), so a row's tokens
/// do not depend on which rows share its batch: a batch of questions samples exactly what each
/// question samples alone with the same seed.
/// </summary>
public sealed class TokenSampler : IDisposable
{
    private readonly SamplingOptions _options;
    private readonly IReadOnlyList<long?>? _rowSeeds;
    private readonly Device _device;
    private Generator[]? _generators;

    /// <param name="rowSeeds">Each row's seed (null entries use the options' seed); null = the options' seed for every row.</param>
    public TokenSampler(SamplingOptions options, Device? device = null, IReadOnlyList<long?>? rowSeeds = null)
    {
        options.Validate();
        _options = options;
        _rowSeeds = rowSeeds;
        _device = device ?? CPU;
    }

    /// <summary>Next token id per row, [B] int64.</summary>
    public Tensor Next(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var scores = logits.to(ScalarType.Float32);
        if (!_options.IsSampling)
            return scores.argmax(-1).MoveToOuterDisposeScope();

        scores = scores.Over(_options.Temperature);
        long vocab = scores.size(-1);
        if (_options.TopK > 0 && _options.TopK < vocab)
        {
            var (top, _) = scores.topk(_options.TopK, dim: -1);
            var kth = top.narrow(-1, _options.TopK - 1, 1);
            scores = scores.Filled(scores.lt(kth), double.NegativeInfinity);
        }
        if (_options.TopP < 1)
        {
            var (sorted, order) = scores.sort(-1, descending: true);
            var probs = sorted.softmax(-1);
            // Drop a token when the tokens ranked above it already reach top-p; the best one always stays.
            var before = probs.cumsum(-1) - probs;
            var drop = before.AboveMask(_options.TopP);
            var dropInVocabOrder = zeros_like(drop).scatter(-1, order, drop);
            scores = scores.Filled(dropInVocabOrder, double.NegativeInfinity);
        }
        var probabilities = scores.softmax(-1);
        var generators = Generators((int)probabilities.size(0));
        var rows = new Tensor[generators.Length];
        for (int r = 0; r < rows.Length; r++)
            rows[r] = probabilities.narrow(0, r, 1).multinomial(1, replacement: false, generator: generators[r]);
        return cat(rows, 0).squeeze(-1).MoveToOuterDisposeScope();
    }

    Generator[] Generators(int rows)
    {
        if (_generators is null)
        {
            if (_rowSeeds is not null && _rowSeeds.Count != rows)
                throw new ArgumentException($"{_rowSeeds.Count} row seeds for a batch of {rows} rows");
            _generators = new Generator[rows];
            for (int r = 0; r < rows; r++)
            {
                long seed = _rowSeeds?[r] ?? _options.Seed ?? Random.Shared.NextInt64();
                _generators[r] = new Generator(unchecked((ulong)seed), _device);
            }
        }
        else if (_generators.Length != rows)
            throw new ArgumentException($"this sampler draws for {_generators.Length} rows, not {rows}");
        return _generators;
    }

    public void Dispose()
    {
        foreach (var generator in _generators ?? [])
            generator.Dispose();
    }
}
