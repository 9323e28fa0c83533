using RecursiveMas.Latent;
using RecursiveMas.Links;
using RecursiveMas.Models;
using RecursiveMas.Models.Blocks;
using RecursiveMas.Models.Kernels;
using static TorchSharp.torch;

namespace RecursiveMas.Cli.Benchmarks;

/// <summary>
/// KV-cached latent rollout vs the official re-run-everything rollout on a ~110M-parameter
/// random-weight model (Qwen3-shaped: d=768, 12 layers), prompt of 64 tokens, m = 16, 32, 64; and the
/// roofline: each latent step against the memory-bandwidth floor (the bytes a step must read — every
/// weight but the embedding table and head, the inner link, the KV cache — over the measured copy
/// bandwidth), at batch 1 and per question at batch 8, and the prefill's FLOP/s against a measured
/// float32 matmul.
/// </summary>
static class RolloutBench
{
    public sealed record Row(int LatentSteps, double CachedMs, double ReferenceMs, double Speedup);

    /// <param name="StreamGBPerSecond">Measured copy bandwidth (bytes read + written per second).</param>
    /// <param name="MatmulGflopPerSecond">Measured float32 matrix-product rate (square matrices, every thread; the faster of libtorch's and the runtime's kernel).</param>
    /// <param name="StepBytes">Bytes one latent step reads at batch 1 (weights, inner link, KV cache at mid-rollout).</param>
    /// <param name="FloorMs">StepBytes / StreamGBPerSecond: no step can be faster.</param>
    /// <param name="StepMs">Marginal time of a latent step at batch 1 (difference of two rollout lengths over their step difference).</param>
    /// <param name="StepMsPerQuestionBatch8">The same at batch 8, divided by 8.</param>
    /// <param name="PrefillGflopPerSecond">FLOP/s of a 64-token prefill at batch 1.</param>
    /// <param name="SingleRowMatmulGBPerSecond">Weight bytes per second libtorch reads in a one-row <c>linear</c> (what a batch-1 step does per weight).</param>
    /// <param name="SingleRowFloorMs">StepBytes at that rate: the floor with libtorch's one-row matmul kernel.</param>
    /// <param name="StepVsSingleRowFloor">StepMs / SingleRowFloorMs.</param>
    /// <param name="KernelRowGBPerSecond">The same read rate through the runtime's one-position kernel (<see cref="CpuLinear"/>); 0 where the CPU lacks it.</param>
    /// <param name="LibtorchStepMs">StepMs with libtorch's kernels for every projection (<see cref="CpuLinear.UseLibtorch"/>), measured in the same run.</param>
    /// <param name="LibtorchStepMsPerQuestionBatch8">The same at batch 8, per question.</param>
    /// <param name="StepSpeedup">LibtorchStepMs / StepMs: what the kernel gives a batch-1 step.</param>
    /// <param name="TensorPathStepMs">StepMs with the same kernels called through the decoder's tensor path (<see cref="DecoderStep.UseTensorPath"/>), measured in the same run.</param>
    /// <param name="TensorPathStepMsPerQuestionBatch8">The same at batch 8, per question.</param>
    /// <param name="BatchedPrefillMs">A prefill of 16 questions of 16–128 tokens, left-padded to 128, as the runtime runs it (the real positions only, <see cref="PackedPositions"/>).</param>
    /// <param name="BatchedPrefillGflopPerSecond">The real positions' FLOPs over <paramref name="BatchedPrefillMs"/>.</param>
    /// <param name="BatchedPrefillPaddedMs">The same prefill over every padded position (<see cref="PackedPositions.KeepPadding"/>), measured in the same run.</param>
    /// <param name="GlibcTunables">The process's <c>GLIBC_TUNABLES</c> (how malloc backs large tensors; see the README), or null.</param>
    /// <param name="ReadGBPerSecond">Measured read-only bandwidth (bytes summed per second over the copy's buffer, best of 9): a step only reads its weights, and on some machines a read stream outruns a copy's read + write.</param>
    /// <param name="ReadFloorMs">StepBytes / ReadGBPerSecond.</param>
    /// <param name="StepVsReadFloor">StepMs / ReadFloorMs.</param>
    public sealed record Roofline(double StreamGBPerSecond, double MatmulGflopPerSecond, long StepBytes, double FloorMs, double StepMs, double StepVsFloor,
        double StepMsPerQuestionBatch8, double Batch8PerQuestionVsFloor, double PrefillGflopPerSecond, double PrefillVsMatmul,
        double SingleRowMatmulGBPerSecond, double SingleRowFloorMs, double StepVsSingleRowFloor,
        double KernelRowGBPerSecond, double LibtorchStepMs, double LibtorchStepMsPerQuestionBatch8, double StepSpeedup,
        double TensorPathStepMs, double TensorPathStepMsPerQuestionBatch8,
        double BatchedPrefillMs, double BatchedPrefillGflopPerSecond, double BatchedPrefillPaddedMs, string? GlibcTunables,
        double ReadGBPerSecond, double ReadFloorMs, double StepVsReadFloor);

    public static ModelConfig Model(bool quick) => new()
    {
        Family = ModelFamily.Qwen3,
        HiddenSize = quick ? 128 : 768,
        IntermediateSize = quick ? 256 : 2048,
        LayerCount = quick ? 2 : 12,
        HeadCount = quick ? 4 : 12,
        KeyValueHeadCount = quick ? 2 : 4,
        HeadDim = quick ? 32 : 64,
        VocabSize = quick ? 512 : 32000,
        TieWordEmbeddings = true,
        QueryKeyNorm = true,
        RopeTheta = 1_000_000,
    };

    public static IReadOnlyList<Row> Run(bool quick, Action<string> log)
    {
        var config = Model(quick);
        using var model = CreateModel(config);
        using var inner = CreateInner(config);
        using var noGrad = no_grad();
        var prompt = model.Embed(randint(5, config.VocabSize, [1, 64])).DetachFromDisposeScope();
        log($"model: {config.ParameterCount:N0} parameters (d={config.HiddenSize}, {config.LayerCount} layers), prompt 64 tokens, threads {get_num_threads()}");

        int[] steps = quick ? [4, 8] : [16, 32, 64];
        // Both modes once first: otherwise the first row also timed the JIT's tier-up of everything a rollout
        // calls (m = 16 measured as slow as m = 32).
        using (var warmUp = NewDisposeScope())
        {
            LatentRollout.Run(model, inner, prompt, null, steps[^1], RolloutMode.Cached);
            LatentRollout.Run(model, inner, prompt, null, steps[0], RolloutMode.Reference);
        }
        var rows = new List<Row>();
        foreach (int m in steps)
        {
            double cached = BenchTiming.MedianMilliseconds(() =>
            {
                using var scope = NewDisposeScope();
                LatentRollout.Run(model, inner, prompt, null, m, RolloutMode.Cached);
            }, repetitions: 3);
            double reference = BenchTiming.MedianMilliseconds(() =>
            {
                using var scope = NewDisposeScope();
                LatentRollout.Run(model, inner, prompt, null, m, RolloutMode.Reference);
            }, repetitions: 1);
            rows.Add(new Row(m, cached, reference, reference / cached));
            log($"m={m}: cached {cached:F0} ms, reference {reference:F0} ms, speedup {reference / cached:F1}x");
        }
        return rows;
    }

    /// <summary>The bench's random-weight model (seed 7).</summary>
    static CausalLM CreateModel(ModelConfig config)
    {
        var model = new CausalLM(config);
        model.InitializeRandom(7);
        return model;
    }

    /// <summary>A frozen inner link of the model's width (seed 7).</summary>
    static InnerLink CreateInner(ModelConfig config)
    {
        using var seeded = new Generator(7);
        var inner = new InnerLink("bench", config.HiddenSize, generator: seeded);
        inner.SetTrainable(false);
        return inner;
    }

    /// <summary>The roofline figures of the same model (see the class summary).</summary>
    public static Roofline MeasureRoofline(bool quick, Action<string> log)
    {
        var config = Model(quick);
        using var model = CreateModel(config);
        using var inner = CreateInner(config);
        using var noGrad = no_grad();
        const int PromptLength = 64;
        int shortM = quick ? 4 : 16, longM = quick ? 12 : 48;

        double gbps = StreamBandwidth(quick);
        double readGbps = ReadBandwidth(quick);
        double matmul = MatmulRate(quick);
        double rowGbps = SingleRowMatmulBandwidth(config, quick);
        long elementSize = model.Embed(tensor(new long[] { 0 })).ElementSize;
        long kvPositions = PromptLength + (shortM + longM) / 2;
        long kvBytes = 2L * config.LayerCount * config.KeyValueHeadCount * config.HeadDim * kvPositions * elementSize;
        long linkBytes = inner.parameters().Sum(p => p.NumberOfElements * p.ElementSize);
        long stepBytes = config.ProjectedParameterCount * elementSize + linkBytes + kvBytes;
        double floorMs = stepBytes / (gbps * 1e9) * 1e3;

        double StepMs(int batch)
        {
            using var scope = NewDisposeScope();
            var prompt = model.Embed(randint(5, config.VocabSize, [batch, PromptLength]));
            double Time(int m) => BenchTiming.MedianMilliseconds(() =>
            {
                using var inner2 = NewDisposeScope();
                LatentRollout.Run(model, inner, prompt, null, m, RolloutMode.Cached);
            }, repetitions: 3);
            // A difference of two timings: on a busy machine it can come out at or below zero (seen in CI
            // with --quick's 4 and 12 steps); measure again rather than report a step that took no time.
            double step = 0;
            for (int attempt = 0; attempt < 3 && step <= 0; attempt++)
                step = (Time(longM) - Time(shortM)) / (longM - shortM);
            return step;
        }
        double step1 = StepMs(1);
        double step8 = StepMs(8) / 8;
        double tensorPathStep1, tensorPathStep8;
        using (DecoderStep.UseTensorPath())
        {
            tensorPathStep1 = StepMs(1);
            tensorPathStep8 = StepMs(8) / 8;
        }
        double libtorchStep1, libtorchStep8;
        using (CpuLinear.UseLibtorch())
        {
            libtorchStep1 = StepMs(1);
            libtorchStep8 = StepMs(8) / 8;
        }

        var ids = randint(5, config.VocabSize, [1, PromptLength]);
        double prefillMs = BenchTiming.MedianMilliseconds(() => model.Forward(new ForwardInput { InputIds = ids }).Dispose(), repetitions: 3);
        // Weights: 2 FLOP per parameter per token (no head); attention: QKᵀ and AV over the causal half.
        double flops = 2.0 * config.ProjectedParameterCount * PromptLength
            + 2.0 * 2 * config.LayerCount * config.HeadCount * config.HeadDim * PromptLength * (PromptLength + 1) / 2.0;
        double prefillGFlops = flops / (prefillMs / 1e3) / 1e9;

        var batched = BatchedPrefill(model, config, quick);

        double rowFloorMs = stepBytes / (rowGbps * 1e9) * 1e3;
        double kernelGbps = CpuLinear.Available ? SingleRowMatmulBandwidth(config, quick, kernel: true) : 0;
        var roofline = new Roofline(gbps, matmul, stepBytes, floorMs, step1, step1 / floorMs, step8, step8 / floorMs, prefillGFlops, prefillGFlops / matmul,
            rowGbps, rowFloorMs, step1 / rowFloorMs, kernelGbps, libtorchStep1, libtorchStep8, libtorchStep1 / step1, tensorPathStep1, tensorPathStep8,
            batched.Ms, batched.GflopPerSecond, batched.PaddedMs, Environment.GetEnvironmentVariable("GLIBC_TUNABLES"),
            readGbps, stepBytes / (readGbps * 1e9) * 1e3, step1 / (stepBytes / (readGbps * 1e9) * 1e3));
        log($"roofline: copy {gbps:F1} GB/s, read {readGbps:F1} GB/s, matmul {matmul:F1} GFLOP/s; a latent step reads {stepBytes / 1e6:F1} MB → floor {floorMs:F2} ms " +
            $"(at the read rate {roofline.ReadFloorMs:F2} ms: the step {roofline.StepVsReadFloor:F2}x it); " +
            $"step {step1:F2} ms at batch 1 ({roofline.StepVsFloor:F2}x floor), {step8:F2} ms per question at batch 8 ({roofline.Batch8PerQuestionVsFloor:F2}x); " +
            $"prefill of {PromptLength} tokens {prefillGFlops:F1} GFLOP/s ({roofline.PrefillVsMatmul:P0} of matmul); " +
            $"one-row linear reads weights at {rowGbps:F1} GB/s (libtorch), {kernelGbps:F1} GB/s (one-position kernel); " +
            $"the same kernels through the tensor path: {tensorPathStep1:F2} ms at batch 1, {tensorPathStep8:F2} ms per question at batch 8; " +
            $"with libtorch's kernels a step takes {libtorchStep1:F2} ms at batch 1 ({roofline.StepSpeedup:F2}x the kernel's time), {libtorchStep8:F2} ms per question at batch 8; " +
            $"a prefill of {batched.Rows} questions of {batched.Shortest}–{batched.Longest} tokens {batched.Ms:F0} ms ({batched.GflopPerSecond:F1} GFLOP/s, {batched.GflopPerSecond / matmul:P0} of matmul), " +
            $"{batched.PaddedMs:F0} ms over every padded position (GLIBC_TUNABLES {roofline.GlibcTunables ?? "unset"})");
        return roofline;
    }

    sealed record BatchedPrefillTimes(int Rows, int Shortest, int Longest, double Ms, double GflopPerSecond, double PaddedMs);

    /// <summary>
    /// A prefill of questions of different lengths (16 of 16–128 tokens; --quick 4 of 4–16), left-padded to the
    /// longest as a batch of them is, as the runtime runs it and over every padded position (the same run).
    /// FLOP/s counts the real positions' work.
    /// </summary>
    static BatchedPrefillTimes BatchedPrefill(CausalLM model, ModelConfig config, bool quick)
    {
        using var scope = NewDisposeScope();
        int rows = quick ? 4 : 16, shortest = quick ? 4 : 16, longest = quick ? 16 : 128;
        var lengths = Enumerable.Range(0, rows).Select(r => shortest + (longest - shortest) * r / (rows - 1)).ToArray();
        var ids = randint(5, config.VocabSize, [rows, longest]);
        var mask = ones(rows, longest, ScalarType.Bool);
        for (int r = 0; r < rows; r++)
            mask[r, TensorIndex.Slice(0, longest - lengths[r])] = tensor(false);
        double Time() => BenchTiming.MedianMilliseconds(() =>
            model.Forward(new ForwardInput { InputIds = ids, AttentionMask = mask, LogitsToKeep = 1 }).Dispose(), repetitions: 3);
        double ms = Time();
        double paddedMs;
        using (PackedPositions.KeepPadding())
            paddedMs = Time();
        double flops = lengths.Sum(n => 2.0 * config.ProjectedParameterCount * n
            + 2.0 * 2 * config.LayerCount * config.HeadCount * config.HeadDim * n * (n + 1) / 2.0);
        return new BatchedPrefillTimes(rows, shortest, longest, ms, flops / (ms / 1e3) / 1e9, paddedMs);
    }

    /// <summary>
    /// Bytes read and written per second copying a buffer far larger than the caches: the best of 9, as
    /// STREAM reports. On this virtual machine single copies range over 2× (40–83 GB/s in one minute); the
    /// best is what the memory can do, so the floor it gives is the strictest one.
    /// </summary>
    static double StreamBandwidth(bool quick)
    {
        using var scope = NewDisposeScope();
        long elements = quick ? 8L << 20 : 64L << 20; // 32 MB / 256 MB of float32
        var source = rand(elements);
        var target = empty_like(source);
        target.copy_(source);
        double best = double.MaxValue;
        for (int i = 0; i < 9; i++)
            best = Math.Min(best, BenchTiming.MedianMilliseconds(() => target.copy_(source), repetitions: 1, warmups: 0));
        return 2.0 * elements * sizeof(float) / (best / 1e3) / 1e9;
    }

    /// <summary>
    /// Bytes per second summing a buffer far larger than the caches (the copy's size, best of 9): a read-only
    /// stream, as a step's weights are.
    /// </summary>
    static double ReadBandwidth(bool quick)
    {
        using var scope = NewDisposeScope();
        long elements = quick ? 8L << 20 : 64L << 20;
        var source = rand(elements);
        source.sum().Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < 9; i++)
            best = Math.Min(best, BenchTiming.MedianMilliseconds(() => source.sum().Dispose(), repetitions: 1, warmups: 0));
        return elements * sizeof(float) / (best / 1e3) / 1e9;
    }

    /// <summary>
    /// Weight bytes per second of one-row products over the model's MLP-sized matrices, more of them than
    /// the caches hold (median of 5): the rate a batch-1 step can read its weights at with libtorch's
    /// <c>linear</c>, or with the runtime's one-position kernel (<paramref name="kernel"/>).
    /// </summary>
    static double SingleRowMatmulBandwidth(ModelConfig config, bool quick, bool kernel = false)
    {
        using var scope = NewDisposeScope();
        int count = quick ? 4 : 3 * config.LayerCount;
        var weights = Enumerable.Range(0, count).Select(_ => rand(config.IntermediateSize, config.HiddenSize)).ToArray();
        var row = rand(1, 1, config.HiddenSize);
        var projections = weights.Select(w => new Projection("bench", w, null)).ToArray();
        using var libtorch = kernel ? null : CpuLinear.UseLibtorch();
        double ms = BenchTiming.MedianMilliseconds(() =>
        {
            foreach (var projection in projections)
                projection.Forward(row).Dispose();
        }, repetitions: 5);
        return (double)count * config.IntermediateSize * config.HiddenSize * sizeof(float) / (ms / 1e3) / 1e9;
    }

    /// <summary>
    /// Float32 FLOP/s of a square matrix product (median of 5): the faster of libtorch's <c>matmul</c> and
    /// the runtime's prefill kernel (a projection over n positions), so the prefill is held to the best
    /// this machine does.
    /// </summary>
    internal static double MatmulRate(bool quick)
    {
        using var scope = NewDisposeScope();
        int n = quick ? 512 : 1536;
        var a = rand(n, n);
        var b = rand(n, n);
        double ms = BenchTiming.MedianMilliseconds(() => matmul(a, b).Dispose(), repetitions: 5);
        if (CpuLinear.Available)
        {
            var projection = new Projection("bench", b, null);
            var positions = a.unsqueeze(0);
            ms = Math.Min(ms, BenchTiming.MedianMilliseconds(() => projection.Forward(positions).Dispose(), repetitions: 5));
        }
        return 2.0 * n * n * n / (ms / 1e3) / 1e9;
    }
}
