using RecursiveMas.Models;
using RecursiveMas.Models.Lora;
using RecursiveMas.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Pretraining;

/// <summary>
/// Next-token training of a <see cref="CausalLM"/> on role conversations, loss on the assistant tokens
/// only: of every weight (pre-training the zoo's tiny agents from scratch; fine-tuning one agent alone,
/// the full-SFT baseline of PAPER §6.2) or of LoRA adapters on the frozen weights (<see cref="TrainAdapter"/>,
/// the LoRA baseline). AdamW over what trains — <see cref="CausalLM.WeightStorage"/> (the fused q/k/v and
/// gate/up matrices, not their views) or the adapters' A and B — linear warm-up then cosine decay,
/// global-norm clipping; the same data, optimizer and schedule either way.
/// </summary>
/// <remarks>
/// Deterministic on CPU: weights come from the caller, batches from a seeded <see cref="Random"/>, and
/// nothing depends on timing. Bit-identical results across runs additionally need a fixed intra-op
/// thread count (the zoo uses one thread), since reductions may split differently across threads.
/// </remarks>
public static class CausalLmTrainer
{
    const long IgnoreIndex = -100;

    /// <summary>Trains <paramref name="model"/> in place; its weights are frozen again afterwards.</summary>
    public static PretrainingReport Train(CausalLM model, ModelTokenizer tokenizer, IReadOnlyList<RoleConversation> conversations,
        PretrainingOptions options, CancellationToken cancellationToken = default) =>
        Run(model, adapter: null, tokenizer, conversations, options, cancellationToken);

    /// <summary>
    /// Trains only <paramref name="adapter"/>'s A and B (attached to <paramref name="model"/>); the model's own
    /// weights stay frozen and bit-identical. The report counts the adapter's parameters.
    /// </summary>
    public static PretrainingReport TrainAdapter(CausalLM model, LoraAdapter adapter, ModelTokenizer tokenizer, IReadOnlyList<RoleConversation> conversations,
        PretrainingOptions options, CancellationToken cancellationToken = default) =>
        Run(model, adapter ?? throw new ArgumentNullException(nameof(adapter)), tokenizer, conversations, options, cancellationToken);

    static PretrainingReport Run(CausalLM model, LoraAdapter? adapter, ModelTokenizer tokenizer, IReadOnlyList<RoleConversation> conversations,
        PretrainingOptions options, CancellationToken cancellationToken)
    {
        options.Validate();
        if (conversations.Count == 0)
            throw new ArgumentException("no conversations to train on", nameof(conversations));
        // A conversation whose prompt alone fills MaxLength has no target left to learn from (and a batch
        // of only such rows would average the loss over nothing): leave those out.
        var rows = conversations.Select(c => Tokenize(tokenizer, c, options.MaxLength)).Where(r => r.Labels.Any(l => l != IgnoreIndex)).ToList();
        if (rows.Count == 0)
            throw new ArgumentException($"every conversation's prompt is at least {options.MaxLength} tokens long: no target tokens remain; raise MaxLength", nameof(conversations));
        // A batch draws each row at most once (NextBatch refills its order only when it runs dry): a larger batch
        // only repeats rows, and one near int.MaxValue was an OutOfMemoryException before the first step.
        if (options.BatchSize > rows.Count)
            throw new ArgumentOutOfRangeException(nameof(options.BatchSize), options.BatchSize,
                $"a batch of {options.BatchSize} conversations is more than the {rows.Count} training conversations hold");
        long pad = tokenizer.PadTokenId ?? 0;
        var storage = adapter is null ? model.WeightStorage().Select(s => s.Tensor).ToList() : adapter.Parameters.Select(p => p.Tensor).ToList();
        var random = new Random(unchecked((int)(options.Seed ^ (options.Seed >> 32))) ^ 0x5eed);
        using var noiseGenerator = new Generator((ulong)(options.Seed ^ 0x6e015e));
        var order = new List<int>();
        var losses = new List<double>(Math.Min(options.Steps, 1 << 16));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long tokensSeen = 0;

        SetTrainable(model, adapter, true);
        model.train();
        try
        {
            using var optimizer = optim.AdamW(storage, options.LearningRate, weight_decay: options.WeightDecay);
            for (int step = 1; step <= options.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                double lr = LearningRateAt(step, options);
                foreach (var group in optimizer.ParamGroups)
                    group.LearningRate = lr;

                using var scope = NewDisposeScope();
                var batch = NextBatch(rows, order, random, options.BatchSize);
                var (ids, mask, labels) = Collate(batch, pad);
                tokensSeen += batch.Sum(r => r.Ids.Length);
                optimizer.zero_grad();
                var output = model.Forward(options.NoisyShare > 0
                    ? new ForwardInput { InputEmbeddings = NoisyEmbeddings(model, ids, options, random, noiseGenerator), AttentionMask = mask, LogitsToKeep = CausalLM.AllPositions }
                    : new ForwardInput { InputIds = ids, AttentionMask = mask, LogitsToKeep = CausalLM.AllPositions });
                var logits = output.Logits!;
                long t = logits.shape[1], v = logits.shape[2];
                var predicted = logits.narrow(1, 0, t - 1).reshape(-1, v);
                var expected = labels.narrow(1, 1, t - 1).reshape(-1);
                var loss = nn.functional.cross_entropy(predicted, expected, ignore_index: IgnoreIndex);
                loss.backward();
                nn.utils.clip_grad_norm_(storage, options.ClipNorm);
                optimizer.step();
                double value = loss.item<float>();
                if (!double.IsFinite(value))
                    throw new ArgumentException($"training diverged at step {step} (loss {value}); lower the learning rate", nameof(options.LearningRate));
                losses.Add(value);
                options.OnProgress?.Invoke(new PretrainingProgress(step, options.Steps, value, lr));
            }
        }
        finally
        {
            model.eval();
            SetTrainable(model, adapter, false);
            foreach (var tensor in storage)
                tensor.grad?.Dispose();
        }
        return new PretrainingReport(options.Steps, conversations.Count, tokensSeen, adapter?.ParameterCount ?? model.Config.ParameterCount,
            losses.Count > 0 ? losses.Take(10).Average() : double.NaN,
            losses.Count > 0 ? losses.TakeLast(10).Average() : double.NaN,
            watch.Elapsed.TotalSeconds);
    }

    static void SetTrainable(CausalLM model, LoraAdapter? adapter, bool trainable)
    {
        if (adapter is null)
        {
            model.SetWeightsTrainable(trainable);
            return;
        }
        adapter.SetTrainable(trainable);
        adapter.Training = trainable;
    }

    /// <summary>
    /// The batch's input embeddings, with Gaussian noise on a <see cref="PretrainingOptions.NoisyShare"/> of
    /// its rows, each at a scale drawn below <see cref="PretrainingOptions.NoiseScale"/> times the
    /// root-mean-square of each position's embedding. The gradient reaches the embedding table as usual.
    /// </summary>
    static Tensor NoisyEmbeddings(CausalLM model, Tensor ids, PretrainingOptions options, Random random, Generator generator)
    {
        var embeddings = model.Embed(ids);
        long rows = ids.shape[0];
        var scales = new float[rows];
        for (int b = 0; b < rows; b++)
            scales[b] = random.NextDouble() < options.NoisyShare ? (float)(random.NextDouble() * options.NoiseScale) : 0f;
        var rms = embeddings.detach().Power(2).mean([-1], keepdim: true).sqrt();
        var noise = randn(embeddings.shape, dtype: embeddings.dtype, device: embeddings.device, generator: generator);
        var scale = tensor(scales, [rows, 1, 1], device: embeddings.device).to(embeddings.dtype);
        return embeddings.Plus(noise * rms * scale);
    }

    /// <summary>Linear warm-up to the peak, then cosine decay to a tenth of it at the last step.</summary>
    public static double LearningRateAt(int step, PretrainingOptions options)
    {
        if (step <= options.WarmupSteps)
            return options.LearningRate * step / Math.Max(1, options.WarmupSteps);
        double progress = (double)(step - options.WarmupSteps) / Math.Max(1, options.Steps - options.WarmupSteps);
        return options.LearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, progress))));
    }

    /// <summary>Token ids and labels of one conversation: prompt positions carry the ignore label.</summary>
    public static (long[] Ids, long[] Labels) Tokenize(ModelTokenizer tokenizer, RoleConversation conversation, int maxLength)
    {
        var prompt = tokenizer.Encode(conversation.Prompt);
        var target = tokenizer.Encode(conversation.Target);
        var ids = prompt.Concat(target).Select(i => (long)i).Take(maxLength).ToArray();
        var labels = Enumerable.Repeat(IgnoreIndex, prompt.Count).Concat(target.Select(i => (long)i)).Take(maxLength).ToArray();
        return (ids, labels);
    }

    /// <summary>The next batch: conversations in a fresh seeded shuffle each epoch.</summary>
    static List<(long[] Ids, long[] Labels)> NextBatch(List<(long[] Ids, long[] Labels)> rows, List<int> order, Random random, int size)
    {
        var batch = new List<(long[] Ids, long[] Labels)>(size);
        while (batch.Count < size)
        {
            if (order.Count == 0)
            {
                order.AddRange(Enumerable.Range(0, rows.Count));
                for (int i = order.Count - 1; i > 0; i--)
                {
                    int j = random.Next(i + 1);
                    (order[i], order[j]) = (order[j], order[i]);
                }
            }
            batch.Add(rows[order[^1]]);
            order.RemoveAt(order.Count - 1);
        }
        return batch;
    }

    /// <summary>Right-padded ids, mask and labels [B, T]; padding is masked out and ignored by the loss.</summary>
    static (Tensor Ids, Tensor Mask, Tensor Labels) Collate(List<(long[] Ids, long[] Labels)> batch, long pad)
    {
        int length = batch.Max(r => r.Ids.Length);
        var ids = new long[batch.Count * length];
        var mask = new bool[batch.Count * length];
        var labels = new long[batch.Count * length];
        for (int b = 0; b < batch.Count; b++)
            for (int i = 0; i < length; i++)
            {
                bool real = i < batch[b].Ids.Length;
                ids[b * length + i] = real ? batch[b].Ids[i] : pad;
                mask[b * length + i] = real;
                labels[b * length + i] = real ? batch[b].Labels[i] : IgnoreIndex;
            }
        long[] shape = [batch.Count, length];
        return (tensor(ids, shape), tensor(mask, shape), tensor(labels, shape));
    }
}
