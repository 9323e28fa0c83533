using RecursiveMas.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>
/// A Hugging Face decoder-only causal language model (Llama, Mistral, Qwen2, Qwen3) in TorchSharp,
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

    /// <summary>Allocates a model with uninitialized weights; load or initialize them next.</summary>
    public CausalLM(ModelConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base("causal_lm")
    {
        Config = config;
        DType = dtype;
        Device = device ?? CPU;
        model = new DecoderStack("model", config, dtype, Device);
        if (!config.TieWordEmbeddings)
            lm_head = new Projection("lm_head", config.HiddenSize, config.VocabSize, hasBias: false, dtype, Device);
        _rotary = new RotaryEmbedding(config, Device);
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

    /// <summary>The input embedding matrix [vocab, hidden].</summary>
    public Tensor EmbeddingMatrix => model.Embeddings.Weight;

    /// <summary>The output (LM head) matrix [vocab, hidden]; the embedding matrix when tied.</summary>
    public Tensor OutputMatrix => lm_head?.Weight ?? model.Embeddings.Weight;

    /// <summary>Input embeddings of token ids [B, T] → [B, T, hidden].</summary>
    public Tensor Embed(Tensor ids) => model.Embeddings.Forward(ids);

    /// <summary>Logits of hidden states [..., hidden] → [..., vocab].</summary>
    public Tensor Logits(Tensor hidden) => nn.functional.linear(hidden, OutputMatrix);

    /// <summary>A cache sized for this model.</summary>
    public KvCache NewCache(int batchSize, int initialCapacity = 64) =>
        new(Config.LayerCount, batchSize, Device, initialCapacity);

    /// <summary>Runs the model on new positions; see <see cref="ForwardInput"/>.</summary>
    public CausalLMOutput Forward(ForwardInput input)
    {
        using var scope = NewDisposeScope();
        var embeddings = InputEmbeddingsOf(input);
        long b = embeddings.shape[0], t = embeddings.shape[1];
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
        var attentionMask = BuildAttentionMask(mask, allReal, cache, t);
        var hidden = model.Forward(embeddings, new AttentionContext(cos, sin, attentionMask, cache));
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
        long t = (input.InputIds ?? input.InputEmbeddings ?? throw new ArgumentException("give exactly one of InputIds and InputEmbeddings", nameof(input))).shape[1];
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
                throw new ArgumentException($"InputIds must be [batch, length], got [{string.Join(", ", ids.shape)}]", nameof(input));
            if (ids.shape[1] == 0)
                throw new ArgumentException("InputIds has no positions", nameof(input));
            return Embed(ids.to(ScalarType.Int64));
        }
        var e = input.InputEmbeddings!;
        if (e.dim() != 3 || e.shape[2] != HiddenSize)
            throw new ArgumentException(
                $"InputEmbeddings must be [batch, length, {HiddenSize}] for this model, got [{string.Join(", ", e.shape)}]", nameof(input));
        if (e.shape[1] == 0)
            throw new ArgumentException("InputEmbeddings has no positions", nameof(input));
        return e.dtype == DType ? e : e.to(DType);
    }

    static Tensor MaskOf(Tensor? mask, long b, long t, Device device) =>
        mask is null
            ? ones(b, t, ScalarType.Bool, device)
            : CheckShape(mask, b, t, nameof(ForwardInput.AttentionMask)).to(ScalarType.Bool);

    static Tensor CheckShape(Tensor x, long b, long t, string what)
    {
        if (x.dim() != 2 || x.shape[0] != b || x.shape[1] != t)
            throw new ArgumentException($"{what} must be [{b}, {t}], got [{string.Join(", ", x.shape)}]");
        return x;
    }

    /// <summary>Row-wise: next cached position + (number of real tokens so far in this call) − 1.</summary>
    static Tensor DerivePositions(Tensor mask, KvCache? cache)
    {
        var counted = mask.to(ScalarType.Int64).cumsum(1) - 1;
        if (cache is not null)
            counted = counted + cache.NextPosition.unsqueeze(1);
        return counted.clamp(min: 0);
    }

    /// <summary>
    /// [B, 1, T, S] bool: query i (cache index past+i) sees key j when j is a real token, j ≤ past+i,
    /// and (sliding window) j &gt; past+i−window. Each query also sees itself, so a padding query never
    /// has an empty row (which would give NaN and leak into real rows through 0·NaN). Null when no
    /// key needs hiding: one new position, no padding, no window in reach.
    /// </summary>
    Tensor? BuildAttentionMask(Tensor mask, bool allReal, KvCache? cache, long t)
    {
        long past = cache?.Length ?? 0;
        long s = past + t;
        int? window = Config.SlidingWindow;
        bool windowBinds = window is int w && s > w;
        if (t == 1 && !windowBinds && !(cache?.HasPadding ?? false) && (allReal || HostReads.AllReal(mask)))
            return null;

        var queryIndex = arange(past, s, ScalarType.Int64, mask.device).unsqueeze(1); // [T, 1]
        var keyIndex = arange(0, s, ScalarType.Int64, mask.device).unsqueeze(0);      // [1, S]
        var visible = keyIndex.le(queryIndex);
        if (windowBinds)
            visible = visible.logical_and(keyIndex.gt(queryIndex - window!.Value));
        var keyMask = cache is null || past == 0 ? mask : cat([cache.KeyMask, mask], 1); // [B, S]
        var allowed = visible.unsqueeze(0).unsqueeze(0).logical_and(keyMask.unsqueeze(1).unsqueeze(1));
        return allowed.logical_or(keyIndex.eq(queryIndex).unsqueeze(0).unsqueeze(0));
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
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
                parameter.fill_(1);
            else
                parameter.normal_(0, std, generator);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _rotary.Dispose();
        base.Dispose(disposing);
    }
}
