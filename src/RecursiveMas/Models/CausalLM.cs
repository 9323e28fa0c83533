using RecursiveMas.Models.Blocks;
using RecursiveMas.Models.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>
/// A Hugging Face decoder-only causal language model (Llama, Mistral, Qwen2, Qwen3, Gemma3, Qwen3.5) in TorchSharp,
/// with the hooks RecursiveMAS needs: forward from ids or from input embeddings, explicit positions
/// under left padding, final-norm hidden states as the main output, logits only for the positions
/// asked for, and an appendable <see cref="KvCache"/>. Parameters never require gradients (the
/// models are frozen); gradients still flow through the model to inputs that require them.
/// </summary>
public sealed partial class CausalLM : nn.Module
{
    /// <summary>Pass as <see cref="ForwardInput.LogitsToKeep"/> for logits at every position.</summary>
    public const int AllPositions = -1;

#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly DecoderStack model;
    private readonly Projection? lm_head;
#pragma warning restore IDE1006
    private readonly RotaryEmbedding _rotary;
    private readonly RotaryEmbedding? _slidingRotary;

    /// <summary>
    /// Allocates a model with zero weights; load or initialize them next. Zero, not uninitialized: memory the process
    /// kept from freed tensors can hold NaN, and a model saved before it was initialized would then be refused at load.
    /// </summary>
    public CausalLM(ModelConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base("causal_lm")
    {
        Config = config;
        DType = dtype;
        Device = device ?? CPU;
        model = new DecoderStack("model", config, dtype, Device);
        if (!config.TieWordEmbeddings)
            lm_head = new Projection("lm_head", config.HiddenSize, config.VocabSize, hasBias: false, dtype, Device);
        _rotary = new RotaryEmbedding(config, Device);
        if (config.SlidingRopeTheta is double localTheta && Enumerable.Range(0, config.LayerCount).Any(i => config.KindOf(i) == LayerKind.SlidingAttention))
            _slidingRotary = new RotaryEmbedding(localTheta, RopeScaling.None, config.RotaryDim, Device);
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public ModelConfig Config { get; }

    /// <summary>Dtype of the weights and of the computation.</summary>
    public ScalarType DType { get; }

    /// <summary>Where the weights live.</summary>
    public Device Device { get; }

    /// <summary>Hidden size d of embeddings and hidden states.</summary>
    public int HiddenSize => Config.HiddenSize;

    /// <summary>The input embedding matrix [vocab, hidden] as stored (Gemma3's √d scale is applied by <see cref="Embed"/>, not here).</summary>
    public Tensor EmbeddingMatrix => model.Embeddings.Weight;

    /// <summary>The output (LM head) matrix [vocab, hidden]; the embedding matrix when tied.</summary>
    public Tensor OutputMatrix => lm_head?.Weight ?? model.Embeddings.Weight;

    /// <summary>Input embeddings of token ids [B, T] → [B, T, hidden] (scaled for Gemma3, as the model reads them).</summary>
    public Tensor Embed(Tensor ids) => model.Embeddings.Forward(ids);

    /// <summary>Logits of hidden states [..., hidden] → [..., vocab] (soft-capped when the config says so).</summary>
    public Tensor Logits(Tensor hidden)
    {
        var logits = CpuLinear.Linear(hidden, OutputMatrix, null);
        if (Config.FinalLogitSoftcap is not double cap)
            return logits;
        using var scope = NewDisposeScope();
        var capped = logits.Over(cap).tanh().Times(cap);
        logits.Dispose();
        return capped.MoveToOuterDisposeScope();
    }

    /// <summary>A cache for this model's layers: keys/values (sliding layers: their window), DeltaNet states.</summary>
    public KvCache NewCache(int batchSize, int initialCapacity = 64) =>
        new(Enumerable.Range(0, Config.LayerCount).Select(Config.KindOf).ToArray(), Config.SlidingWindow, batchSize, Device, initialCapacity);

    /// <summary>Runs the model on new positions; see <see cref="ForwardInput"/>.</summary>
    public CausalLMOutput Forward(ForwardInput input)
    {
        using var scope = NewDisposeScope();
        var embeddings = InputEmbeddingsOf(input);
        long[] shape = embeddings.Sizes();
        long b = shape[0], t = shape[1];
        var cache = input.Cache;
        if (cache is not null && cache.BatchSize != b)
            throw new ArgumentException($"the cache holds {cache.BatchSize} rows but the input has {b}", nameof(input));

        // Without a mask every new position is real, known here without reading a value.
        bool allReal = input.AttentionMask is null;
        var mask = MaskOf(input.AttentionMask, b, t, embeddings.device);
        var positions = input.PositionIds is { } explicitPositions
            ? CheckShape(explicitPositions, b, t, nameof(ForwardInput.PositionIds)).to(ScalarType.Int64)
            : DerivePositions(mask, cache);

        var (cos, sin) = _rotary.Tables(positions, DType);
        RopeTables? slidingRope = null;
        if (_slidingRotary is not null)
        {
            var (localCos, localSin) = _slidingRotary.Tables(positions, DType);
            slidingRope = new RopeTables(localCos, localSin);
        }
        bool padding = !allReal && !HostReads.AllReal(mask);
        var (fullMask, slidingMask) = BuildAttentionMasks(mask, padding, cache, t);
        var context = new AttentionContext(new RopeTables(cos, sin), slidingRope, fullMask, slidingMask, mask, padding, cache);
        var hidden = model.Forward(embeddings, context);
        cache?.Commit(mask, positions, allReal);

        Tensor? logits = null;
        if (input.LogitsToKeep == AllPositions)
            logits = Logits(hidden);
        else if (input.LogitsToKeep > 0)
            logits = Logits(hidden.narrow(1, Math.Max(0, t - input.LogitsToKeep), Math.Min(t, input.LogitsToKeep)));
        else if (input.LogitsToKeep < 0)
            throw new ArgumentOutOfRangeException(nameof(input), "LogitsToKeep must be 0, positive, or CausalLM.AllPositions");

        return new CausalLMOutput(hidden.MoveToOuterDisposeScope(), logits?.MoveToOuterDisposeScope());
    }

    /// <summary>The longest piece of a prompt <see cref="Prefill"/> runs in one forward call.</summary>
    public const int DefaultPrefillChunk = 512;

    /// <summary>
    /// Reads a prompt into <see cref="ForwardInput.Cache"/> (required) in pieces of at most
    /// <paramref name="chunkLength"/> positions, checking <paramref name="cancellationToken"/> before each,
    /// so a long prompt can be stopped between pieces and attention never builds a T×T score matrix
    /// larger than chunk × T. Returns the last piece's output: hidden states of its positions and the
    /// logits of its last <see cref="ForwardInput.LogitsToKeep"/> positions (at most the piece's length).
    /// A prompt no longer than one piece is exactly one <see cref="Forward"/>.
    /// </summary>
    public CausalLMOutput Prefill(ForwardInput input, int chunkLength = DefaultPrefillChunk, CancellationToken cancellationToken = default)
    {
        if (input.Cache is null)
            throw new ArgumentException("a chunked prefill needs a cache to carry the prompt between pieces", nameof(input));
        if (chunkLength < 1)
            throw new ArgumentOutOfRangeException(nameof(chunkLength), chunkLength, "a prefill piece needs at least one position");
        cancellationToken.ThrowIfCancellationRequested();
        long t = (input.InputIds ?? input.InputEmbeddings ?? throw new ArgumentException("give exactly one of InputIds and InputEmbeddings", nameof(input))).size(1);
        if (t <= chunkLength)
            return Forward(input);
        for (long start = 0; ; start += chunkLength)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long length = Math.Min(chunkLength, t - start);
            bool last = start + length == t;
            using var scope = NewDisposeScope();
            var output = Forward(input with
            {
                InputIds = input.InputIds?.narrow(1, start, length),
                InputEmbeddings = input.InputEmbeddings?.narrow(1, start, length),
                AttentionMask = input.AttentionMask?.narrow(1, start, length),
                PositionIds = input.PositionIds?.narrow(1, start, length),
                LogitsToKeep = last ? input.LogitsToKeep == AllPositions ? AllPositions : (int)Math.Min(input.LogitsToKeep, length) : 0,
            });
            if (last)
                return new CausalLMOutput(output.Hidden.MoveToOuterDisposeScope(), output.Logits?.MoveToOuterDisposeScope());
        }
    }

    Tensor InputEmbeddingsOf(ForwardInput input)
    {
        if ((input.InputIds is null) == (input.InputEmbeddings is null))
            throw new ArgumentException("give exactly one of InputIds and InputEmbeddings", nameof(input));
        if (input.InputIds is { } ids)
        {
            if (ids.dim() != 2)
                throw new ArgumentException($"InputIds must be [batch, length], got [{string.Join(", ", ids.Sizes())}]", nameof(input));
            if (ids.size(1) == 0)
                throw new ArgumentException("InputIds has no positions", nameof(input));
            return Embed(ids.to(ScalarType.Int64));
        }
        var e = input.InputEmbeddings!;
        long[] shape = e.Sizes();
        if (shape.Length != 3 || shape[2] != HiddenSize)
            throw new ArgumentException(
                $"InputEmbeddings must be [batch, length, {HiddenSize}] for this model, got [{string.Join(", ", shape)}]", nameof(input));
        if (shape[1] == 0)
            throw new ArgumentException("InputEmbeddings has no positions", nameof(input));
        return e.dtype == DType ? e : e.to(DType);
    }

    static Tensor MaskOf(Tensor? mask, long b, long t, Device device) =>
        mask is null
            ? ones(b, t, ScalarType.Bool, device)
            : CheckShape(mask, b, t, nameof(ForwardInput.AttentionMask)).to(ScalarType.Bool);

    static Tensor CheckShape(Tensor x, long b, long t, string what)
    {
        if (x.dim() != 2 || x.size(0) != b || x.size(1) != t)
            throw new ArgumentException($"{what} must be [{b}, {t}], got [{string.Join(", ", x.Sizes())}]");
        return x;
    }

    /// <summary>Row-wise: next cached position + (number of real tokens so far in this call) − 1.</summary>
    static Tensor DerivePositions(Tensor mask, KvCache? cache)
    {
        var counted = mask.to(ScalarType.Int64).cumsum(1).Minus(1);
        if (cache is not null)
            counted = counted.Plus(cache.NextPosition.unsqueeze(1));
        return counted.AtLeast(0);
    }

    /// <summary>
    /// [B, 1, T, S] bool masks for the full-attention and the sliding-window layers: query i (cache index
    /// past+i) sees key j when j is a real token, j ≤ past+i, and (sliding) j &gt; past+i−window. Each query
    /// also sees itself, so a padding query never has an empty row (which would give NaN and leak into real
    /// rows through 0·NaN). A mask is null when it would hide nothing: one new position without padding (a
    /// sliding layer's cache then holds only keys inside its window), and sliding is null without sliding layers.
    /// </summary>
    (Tensor? Full, Tensor? Sliding) BuildAttentionMasks(Tensor mask, bool newPadding, KvCache? cache, long t)
    {
        long past = cache?.Length ?? 0;
        long s = past + t;
        bool anySliding = Enumerable.Range(0, Config.LayerCount).Any(i => Config.KindOf(i) == LayerKind.SlidingAttention);
        bool padding = (cache?.HasPadding ?? false) || newPadding;
        if (t == 1 && !padding)
            return (null, null);

        var queryIndex = KeptScalars.Range(past, s, mask.device).unsqueeze(1); // [T, 1]
        var keyIndex = KeptScalars.Range(0, s, mask.device).unsqueeze(0);      // [1, S]
        var causal = keyIndex.le(queryIndex);
        var keyMask = cache is null || past == 0 ? mask : cat([cache.KeyMask, mask], 1); // [B, S]
        var self = keyIndex.eq(queryIndex).unsqueeze(0).unsqueeze(0);
        Tensor Allowed(Tensor visible) =>
            visible.unsqueeze(0).unsqueeze(0).logical_and(keyMask.unsqueeze(1).unsqueeze(1)).logical_or(self);
        var full = Allowed(causal);
        Tensor? sliding = null;
        if (anySliding)
            sliding = Allowed(causal.logical_and(keyIndex.gt(queryIndex.Minus(Config.SlidingWindow!.Value))));
        return (full, sliding);
    }

    /// <summary>
    /// Fills every weight with a seeded random draw, normal with std <paramref name="std"/> as
    /// transformers' <c>_init_weights</c> does, norms 1 — for tests and benchmarks that need a real
    /// model but no downloaded weights. Biases are drawn too (transformers zeroes them) so that a
    /// test notices a bias the forward pass forgets.
    /// </summary>
    public void InitializeRandom(long seed, double std = 0.02)
    {
        var generator = new Generator((ulong)seed, Device);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var identity = new Dictionary<IntPtr, double>();
        foreach (var (_, module) in named_modules())
        {
            if (module is RmsNorm norm)
                identity[norm.Weight.Handle] = norm.IdentityWeight;
            else if (module is GatedRmsNorm gated)
                identity[gated.Weight.Handle] = 1;
        }
        foreach (var (_, parameter) in named_parameters())
        {
            if (identity.TryGetValue(parameter.Handle, out double value))
            {
                using var scalar = value.ToScalar();
                parameter.fill_(scalar);
            }
            else
                parameter.normal_(0, std, generator);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rotary.Dispose();
            _slidingRotary?.Dispose();
        }
        base.Dispose(disposing);
    }
}
