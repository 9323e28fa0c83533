using RecursiveMas.Models;
using RecursiveMas.Systems;
using static TorchSharp.torch;

namespace RecursiveMas.Training;

/// <summary>
/// The inner loop (PAPER §4.2): for each agent, the frozen model reads its prompt followed by the
/// agent's ground-truth role text (teacher forcing); the inner link maps the state at position i to a
/// prediction of the input embedding of token i+1, scored by 1 − cos (plus optional MSE) over the role
/// span. Only that agent's inner link receives gradient; the model runs without a graph.
/// </summary>
internal sealed class InnerObjective(RecursiveSystem system, TrainingOptions options)
{
    /// <summary>The agents with a role target in at least one example (the decoder always: its fallback is the answer).</summary>
    public static IReadOnlyList<SystemAgent> TrainedAgents(RecursiveSystem system, IReadOnlyList<TrainingExample> data) =>
        [.. system.Agents.Where(a => data.Any(e => e.TargetOf(a.Name, system.Plan.Decoder) is not null))];

    /// <summary>
    /// Adds <paramref name="scale"/> × ∂loss/∂θ of every trained agent's inner link to <paramref name="gradients"/>
    /// and returns each agent's loss on this micro-batch (agents without a target in it are absent).
    /// </summary>
    public Dictionary<string, double> Accumulate(IReadOnlyList<SystemAgent> agents, IReadOnlyList<TrainingExample> batch,
        IReadOnlyList<int> indices, GradientBuffer gradients, double scale)
    {
        var losses = new Dictionary<string, double>();
        foreach (var agent in agents)
        {
            var rows = Enumerable.Range(0, batch.Count).Where(b => batch[b].TargetOf(agent.Name, system.Plan.Decoder) is not null).ToList();
            if (rows.Count == 0)
                continue;
            using var scope = NewDisposeScope();
            var loss = Loss(agent, [.. rows.Select(b => batch[b])], [.. rows.Select(b => indices[b])]);
            var parameters = agent.InnerLink.named_parameters().ToList();
            var grads = autograd.grad([loss.Times(scale)], [.. parameters.Select(p => (Tensor)p.parameter)], allow_unused: true);
            for (int i = 0; i < parameters.Count; i++)
                gradients.Add($"{agent.InnerLink.Id}.{parameters[i].name}", grads[i]);
            losses[agent.Name] = loss.item<float>();
        }
        return losses;
    }

    /// <summary>
    /// The loss on held-out <paramref name="examples"/> without a graph: each agent's over the examples with its role
    /// target, in batches, then the mean over agents as a step's loss is; null when no agent has an example to score.
    /// </summary>
    public double? HeldOutLoss(IReadOnlyList<SystemAgent> agents, IReadOnlyList<TrainingExample> examples, int batchSize)
    {
        string decoder = system.Plan.Decoder;
        using var noGrad = no_grad();
        var losses = new List<double>();
        foreach (var agent in agents)
        {
            var rows = Enumerable.Range(0, examples.Count).Where(i => examples[i].TargetOf(agent.Name, decoder) is not null).ToList();
            if (rows.Count == 0)
                continue;
            double sum = 0;
            foreach (var chunk in rows.Chunk(batchSize))
            {
                using var scope = NewDisposeScope();
                sum += Loss(agent, [.. chunk.Select(i => examples[i])], chunk).item<float>() * chunk.Length;
            }
            losses.Add(sum / rows.Count);
        }
        return losses.Count == 0 ? null : losses.Average();
    }

    /// <summary>The inner loss of <paramref name="agent"/> on examples that all have its role target.</summary>
    internal Tensor Loss(SystemAgent agent, IReadOnlyList<TrainingExample> examples, IReadOnlyList<int> indices)
    {
        // The prompt the agent reads when it first thinks (the decoder: its decode prompt). Its message
        // slots stay empty as released — the inner link learns the agent's own language, not the
        // messages — unless the options ask for the senders' role texts there.
        var prompt = agent.PromptFor(1, decode: agent.Name == system.Plan.Decoder);
        var messages = options.InnerReadsRoleMessages
            ? RoleMessages(agent, prompt, examples)
            : prompt.Slots.ToDictionary(s => s, _ => zeros(examples.Count, 0, agent.HiddenSize, device: agent.Model.Device));
        int? stop = options.InnerReadsRoleMessages ? agent.EndOfTurnTokenId : null;
        TeacherForcedInput input;
        Tensor states, targets, mask;
        using (no_grad())
        {
            input = TeacherForcedInput.Build(agent, prompt, [.. examples.Select(e => e.Question)], messages,
                [.. examples.Select(e => e.TargetOf(agent.Name, system.Plan.Decoder)!)], b => examples[b].Describe(indices[b]), stop,
                maxTokens: options.MaxInputTokens);
            var hidden = input.Hidden(agent.Model);
            states = input.PredictorStates(hidden).to(ScalarType.Float32);
            targets = input.TargetEmbeddings.to(ScalarType.Float32);
            mask = input.TargetMask.to(ScalarType.Float32);
        }
        var predicted = agent.InnerLink.forward(states);
        var count = mask.sum();
        var loss = zeros(1, device: predicted.device).squeeze();
        if (options.CosineWeight > 0)
        {
            var cosine = nn.functional.cosine_similarity(predicted, targets, dim: -1, eps: 1e-8);
            loss = loss.Plus((cosine.From(1) * mask).sum().Times(options.CosineWeight) / count);
        }
        if (options.MseWeight > 0)
        {
            var squared = (predicted - targets).Power(2).mean([-1]);
            loss = loss.Plus((squared * mask).sum().Times(options.MseWeight) / count);
        }
        if (options.InnerTokenWeight > 0)
        {
            var vocabulary = nn.functional.normalize(agent.Model.EmbeddingMatrix.detach().to(ScalarType.Float32), dim: -1);
            var similarity = matmul(nn.functional.normalize(predicted, dim: -1), vocabulary.t()).Over(TokenTemperature);
            var perToken = nn.functional.cross_entropy(similarity.reshape(-1, similarity.shape[^1]), input.TargetIds.reshape(-1), reduction: nn.Reduction.None);
            loss = loss.Plus((perToken * mask.reshape(-1)).sum().Times(options.InnerTokenWeight) / count);
        }
        if (options.InnerConsistencyWeight > 0)
        {
            // The role text as latent steps: R_in(h_i) stands where token i+1's embedding stood.
            var latent = cat([input.Embeddings.narrow(1, 0, input.PromptLength), predicted.to(input.Embeddings.dtype)], 1);
            var hidden = agent.Model.Forward(new ForwardInput { InputEmbeddings = latent, AttentionMask = input.Mask }).Hidden;
            loss = loss.Plus(input.CrossEntropy(agent.Model, hidden, options.LossAveraging).Times(options.InnerConsistencyWeight));
        }
        return loss;
    }

    /// <summary>Cosine similarities to the vocabulary are sharpened by this before the token cross-entropy.</summary>
    const double TokenTemperature = 0.1;

    /// <summary>
    /// Each slot of <paramref name="prompt"/> filled with its sender's role text, in this agent's
    /// tokenizer and embeddings, right-padded with its end-of-turn token (how the zoo's agents learned to
    /// read a message that ends early); a slot whose sender has no role text in every example stays empty.
    /// </summary>
    Dictionary<string, Tensor> RoleMessages(SystemAgent agent, Latent.AgentPrompt prompt, IReadOnlyList<TrainingExample> examples)
    {
        var device = agent.Model.Device;
        var messages = new Dictionary<string, Tensor>();
        foreach (var slot in prompt.Slots)
        {
            string? sender = system.Plan.SenderOf(agent.Name, slot);
            var texts = sender is null ? null : examples.Select(e => e.TargetOf(sender, system.Plan.Decoder)).ToList();
            if (texts is null || texts.Any(t => t is null) || agent.EndOfTurnTokenId is not int pad)
            {
                messages[slot] = zeros(examples.Count, 0, agent.HiddenSize, device: device);
                continue;
            }
            var rows = texts.Select(t => agent.Tokenizer.Encode(t!)).ToList();
            int longest = rows.Max(r => r.Count);
            var ids = rows.SelectMany(r => r.Select(i => (long)i).Concat(Enumerable.Repeat((long)pad, longest - r.Count))).ToArray();
            using (no_grad())
                messages[slot] = agent.Model.Embed(tensor(ids, [rows.Count, longest], device: device));
        }
        return messages;
    }
}
