using RecursiveMas.Models;
using RecursiveMas.Models.Kernels;
using RecursiveMas.Systems;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Training;

/// <summary>Settings of <see cref="OuterLinkAlignment"/>.</summary>
public sealed record OuterAlignmentOptions
{
    /// <summary>Optimizer steps per outer link.</summary>
    public int Steps { get; init; } = 200;

    /// <summary>Examples per step.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Constant AdamW learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Weight of the mean squared error beside 1 − cos (it fixes the scale the cosine leaves free).</summary>
    public double MseWeight { get; init; } = 1.0;

    /// <summary>Seeds the example order.</summary>
    public long Seed { get; init; }

    /// <summary>Called after every step with the link's id, the step (1-based) and its loss.</summary>
    public Action<string, int, double>? OnStep { get; init; }
}

/// <summary>
/// A warm start for outer links before end-to-end training, beyond the released recipe: the cross-model
/// counterpart of the inner loop (PAPER §4.2). The sender reads its prompt and its role text
/// (teacher-forced); the state that predicts the sender's token j, through the sender's (frozen) inner
/// link and the outer link, is regressed onto the <em>receiver's</em> input embedding of the same token
/// (1 − cos + MSE), for tokens whose spelling is one token in both vocabularies. So a message starts as
/// the sender's role text in the receiver's own embeddings — what the receiver reads in Recursive-TextMAS —
/// instead of as noise the outer loss must first learn to shape, which its gradient, arriving through
/// frozen rollouts, does slowly at small scale.
/// </summary>
public static class OuterLinkAlignment
{
    /// <summary>Aligns every outer link of <paramref name="system"/> whose sender has a role text in <paramref name="data"/>; returns each link's first and last loss.</summary>
    public static IReadOnlyDictionary<string, (double First, double Last)> Align(RecursiveSystem system, IReadOnlyList<TrainingExample> data,
        OuterAlignmentOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (data.Count == 0)
            throw new ArgumentException("no examples to align on", nameof(data));
        if (options.Steps < 0 || options.BatchSize < 1 || !(options.LearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(options), "steps ≥ 0, batch size ≥ 1 and a positive learning rate");
        using var libtorch = CpuLinear.UseLibtorch(); // as LinkTrainer: training keeps libtorch's kernels
        var results = new Dictionary<string, (double, double)>();
        foreach (var ((from, to), link) in system.OuterLinks.OrderBy(l => l.Value.Id, StringComparer.Ordinal))
        {
            var sender = system.Agent(from);
            var receiver = system.Agent(to);
            var examples = data.Where(e => e.TargetOf(from, system.Plan.Decoder) is not null).ToList();
            if (examples.Count == 0)
                continue;
            var map = TokenMap(sender, receiver);
            var random = new Random(unchecked((int)(options.Seed ^ (options.Seed >> 32))) ^ link.Id.Length);
            var parameters = link.parameters().ToList();
            var trainable = parameters.Select(p => p.requires_grad).ToList();
            foreach (var p in parameters)
                p.requires_grad = true;
            double first = double.NaN, last = double.NaN;
            using (var optimizer = optim.AdamW(parameters, options.LearningRate, weight_decay: 0))
            {
                for (int step = 1; step <= options.Steps; step++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var batch = Enumerable.Range(0, options.BatchSize).Select(_ => examples[random.Next(examples.Count)]).ToList();
                    optimizer.zero_grad();
                    var loss = Loss(system, sender, receiver, link, map, batch, options.MseWeight);
                    loss.backward();
                    optimizer.step();
                    last = loss.item<float>();
                    if (step == 1)
                        first = last;
                    options.OnStep?.Invoke(link.Id, step, last);
                }
            }
            for (int i = 0; i < parameters.Count; i++)
            {
                parameters[i].grad?.Dispose();
                parameters[i].requires_grad = trainable[i];
            }
            results[link.Id] = (first, last);
        }
        return results;
    }

    /// <summary>
    /// Sender token id → receiver token id for every token spelled as exactly one token by both (−1 otherwise),
    /// and the sender's end-of-turn token → the receiver's, whatever each family spells it.
    /// </summary>
    static long[] TokenMap(SystemAgent sender, SystemAgent receiver)
    {
        var map = new long[sender.Tokenizer.VocabularySize];
        for (int id = 0; id < map.Length; id++)
        {
            string text = sender.Tokenizer.Decode([id]);
            var ids = text.Length == 0 ? [] : receiver.Tokenizer.Encode(text);
            map[id] = ids.Count == 1 && receiver.Tokenizer.Decode(ids) == text ? ids[0] : -1;
        }
        if (sender.EndOfTurnTokenId is int senderEnd && receiver.EndOfTurnTokenId is int receiverEnd && senderEnd < map.Length)
            map[senderEnd] = receiverEnd;
        return map;
    }

    static Tensor Loss(RecursiveSystem system, SystemAgent sender, SystemAgent receiver, Links.OuterLink link, long[] map,
        IReadOnlyList<TrainingExample> batch, double mseWeight)
    {
        // The sender's first-round prompt with its slots empty, as the inner loop reads it.
        var prompt = sender.PromptFor(1, decode: sender.Name == system.Plan.Decoder);
        var empty = prompt.Slots.ToDictionary(s => s, _ => zeros(batch.Count, 0, sender.HiddenSize, device: sender.Model.Device));
        Tensor inputs, targets, mask;
        using (no_grad())
        {
            var input = TeacherForcedInput.Build(sender, prompt, [.. batch.Select(e => e.Question)], empty,
                [.. batch.Select(e => e.TargetOf(sender.Name, system.Plan.Decoder)!)], b => $"alignment example {b + 1}", sender.EndOfTurnTokenId);
            var states = input.PredictorStates(input.Hidden(sender.Model));
            inputs = sender.InnerLink.forward(states.to(ScalarType.Float32));
            var senderIds = input.TargetIds.cpu().data<long>().ToArray();
            var receiverIds = senderIds.Select(i => Math.Max(0, map[i])).ToArray();
            var known = senderIds.Select(i => map[i] >= 0).ToArray();
            var shape = input.TargetIds.shape;
            var device = receiver.Model.Device;
            targets = receiver.Model.Embed(tensor(receiverIds, shape, device: device)).to(ScalarType.Float32);
            mask = (input.TargetMask.to(device) & tensor(known, shape, device: device)).to(ScalarType.Float32);
        }
        var predicted = link.forward(inputs.to(receiver.Model.Device));
        var count = mask.sum().AtLeast(1);
        var cosine = nn.functional.cosine_similarity(predicted, targets, dim: -1, eps: 1e-8);
        var loss = (cosine.From(1) * mask).sum() / count;
        if (mseWeight > 0)
            loss = loss.Plus(((predicted - targets).Power(2).mean([-1]) * mask).sum().Times(mseWeight) / count);
        return loss;
    }
}
