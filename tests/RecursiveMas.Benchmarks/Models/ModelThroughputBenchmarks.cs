using BenchmarkDotNet.Attributes;
using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Benchmarks.Models;

/// <summary>
/// Prefill throughput and decode-step latency of a ~110M-parameter random-weight model on CPU,
/// next to, in the same run, a plain matmul with the same FLOPs as the prefill and a memory copy
/// as large as the weights. Reading them together gives the roofline fraction: prefill is
/// compute-bound (compare with the matmul), a decode step is bandwidth-bound (compare with the
/// time to stream the weights once).
/// </summary>
[MemoryDiagnoser(displayGenColumns: false)]
public class ModelThroughputBenchmarks
{
    const int PromptLength = 128;
    CausalLM _model = null!;
    Tensor _prompt = null!;
    KvCache _decodeCache = null!;
    Tensor _nextToken = null!;
    Tensor _matmulLeft = null!, _matmulRight = null!;
    Tensor _weightsSizedSource = null!, _weightsSizedTarget = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = BenchmarkModels.Create(BenchmarkModels.Small100M());
        _prompt = randint(5, 30000, [1, PromptLength]);
        _decodeCache = _model.NewCache(1, PromptLength + 4096);
        _model.Forward(new ForwardInput { InputIds = _prompt, Cache = _decodeCache }).Dispose();
        _nextToken = tensor(new long[] { 17 }).unsqueeze(0);

        // Same FLOPs as the prefill's matmuls: 2 · T · (non-embedding params + LM head for one row).
        long parameters = _model.Config.ParameterCount - (long)_model.Config.VocabSize * _model.HiddenSize;
        long columns = parameters / _model.HiddenSize;
        _matmulLeft = randn(PromptLength, _model.HiddenSize);
        _matmulRight = randn(_model.HiddenSize, columns);

        long bytes = _model.Config.ParameterCount * 4;
        _weightsSizedSource = randn(bytes / 4);
        _weightsSizedTarget = empty(bytes / 4);
        Console.WriteLine($"// model parameters: {_model.Config.ParameterCount:N0} ({bytes / 1e6:F0} MB float32); matmul [{PromptLength}x{_model.HiddenSize}]·[{_model.HiddenSize}x{columns}] = {2.0 * PromptLength * _model.HiddenSize * columns / 1e9:F2} GFLOP; threads {get_num_threads()}");
    }

    [Benchmark(Description = "prefill 128 tokens (hidden states + last logits)")]
    public void Prefill()
    {
        using var scope = NewDisposeScope();
        _model.Forward(new ForwardInput { InputIds = _prompt, LogitsToKeep = 1 });
    }

    [Benchmark(Description = "decode step at context 128 (KV cache)")]
    public void DecodeStep()
    {
        using var scope = NewDisposeScope();
        _model.Forward(new ForwardInput { InputIds = _nextToken, Cache = _decodeCache, LogitsToKeep = 1 });
        _decodeCache.Truncate(PromptLength);
    }

    [Benchmark(Description = "matmul with the prefill's FLOPs")]
    public void MatmulSameFlops()
    {
        using var scope = NewDisposeScope();
        _matmulLeft.matmul(_matmulRight);
    }

    [Benchmark(Description = "copy as many bytes as the weights (bandwidth probe)")]
    public void CopyWeightsSizedBuffer() => _weightsSizedTarget.copy_(_weightsSizedSource);

    [GlobalCleanup]
    public void Cleanup()
    {
        _decodeCache.Dispose();
        _model.Dispose();
    }
}
