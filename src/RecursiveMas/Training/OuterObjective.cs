using RecursiveMas.Links;
using RecursiveMas.Models;
using RecursiveMas.Systems;
using static TorchSharp.torch;

namespace RecursiveMas.Training;

/// <summary>One use of an outer link while unrolling: the round, what it read (detached) and what it sent.</summary>
internal sealed record LinkUse(OuterLink Link, int Round, Tensor Input, Tensor Output);

/// <summary>
/// A message while training: vectors [B, K, d] and, for teacher messages, each row's real length
/// (its own role text's first K states; the rest of the row is padding the receiver never reads).
/// </summary>
internal sealed record TrainingMessage(Tensor Vectors, IReadOnlyList<int>? Lengths)
{
    public static IReadOnlyDictionary<string, Tensor> VectorsOf(IReadOnlyDictionary<string, TrainingMessage> messages) =>
        messages.ToDictionary(kv => kv.Key, kv => kv.Value.Vectors);

    /// <summary>The per-row lengths of the slots whose rows differ in length; null when none does.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<int>>? LengthsOf(IReadOnlyDictionary<string, TrainingMessage> messages)
    {
        var ragged = messages.Where(kv => kv.Value.Lengths is not null).ToDictionary(kv => kv.Key, kv => kv.Value.Lengths!);
        return ragged.Count == 0 ? null : ragged;
    }
}

/// <summary>The unrolled rounds of one micro-batch.</summary>
/// <param name="Loss">Final-round decoder loss (+ the earlier-round weight × the mean of earlier rounds' losses, + the receiver weight × every receiving turn's role-text loss).</param>
/// <param name="RoundLosses">The decoder's loss per round, NaN where not computed.</param>
/// <param name="Uses">Every outer-link application in the graph (kept only on diagnostic steps).</param>
internal sealed record UnrolledRounds(Tensor Loss, double[] RoundLosses, IReadOnlyList<LinkUse> Uses);

/// <summary>
/// The outer loop (PAPER §4.1, §4.3): unrolls n rounds exactly as <see cref="RecursiveRunner"/> runs
/// them (the same <see cref="TurnLoop"/>), keeping the graph across
/// rounds, and scores the decoder's answer tokens in the final round by cross-entropy. Messages are
/// either teacher messages (states over the sender's role text, first K) or the m-step latent
/// rollouts inference uses. Gradients flow through the frozen models and frozen inner links into
/// every outer link; a link used in several rounds gets the sum.
/// </summary>
internal sealed class OuterObjective(RecursiveSystem system, TrainingOptions options)
{
    private int Rounds => options.Rounds ?? system.Description.Rounds;

    /// <summary>The edges whose links train (<see cref="TrainingOptions.OuterLinks"/>), in edge order.</summary>
    readonly IReadOnlyList<SystemEdge> trainedEdges = TrainedEdges(system, options);

    /// <summary>Parameters of the trained outer links by key, in edge order.</summary>
    public IReadOnlyList<(string Key, OuterLink Link, string Name, Tensor Parameter)> Parameters =>
        parameters ??= [.. trainedEdges.Select(e => system.Link(e.From, e.To))
            .SelectMany(l => l.named_parameters().Select(p => ($"{l.Id}.{p.name}", l, p.name, (Tensor)p.parameter)))];

    IReadOnlyList<(string Key, OuterLink Link, string Name, Tensor Parameter)>? parameters;

    static IReadOnlyList<SystemEdge> TrainedEdges(RecursiveSystem system, TrainingOptions options)
    {
        var edges = system.Plan.Edges;
        if (options.OuterLinks is not { } chosen)
            return edges;
        var ids = edges.Select(e => OuterLink.IdOf(e.From, e.To)).ToList();
        if (chosen.FirstOrDefault(id => !ids.Contains(id)) is string unknown)
            throw new ArgumentException($"system {system.Description.Name} has no outer link {unknown}; its links are {string.Join(", ", ids)}", nameof(options));
        int rounds = options.Rounds ?? system.Description.Rounds;
        var trained = edges.Where(e => chosen.Contains(OuterLink.IdOf(e.From, e.To))).ToList();
        if (rounds == 1 && trained.FirstOrDefault(e => e.IsFeedback) is { } feedback)
            throw new ArgumentException($"{OuterLink.IdOf(feedback.From, feedback.To)} is a feedback link, which carries a message only from round 2 on; train it with at least 2 rounds", nameof(options));
        return trained;
    }

    /// <summary>
    /// Whether a loss at <paramref name="turn"/> can reach a trained link. With detached senders a link's gradient comes
    /// only from the turns that read its message; without, every later turn may depend on it.
    /// </summary>
    bool Reaches(AgentTurn turn) => options.OuterLinks is null || !options.DetachSenders
        || trainedEdges.Any(e => e.To == turn.Agent && (turn.Round > 1 || !e.IsFeedback));

    /// <summary>
    /// Adds <paramref name="scale"/> × ∂loss/∂θ of every outer link to <paramref name="gradients"/>;
    /// on diagnostic steps also each round's share of it, per link, into <paramref name="roundShares"/>.
    /// </summary>
    public (double Loss, double[] RoundLosses) Accumulate(IReadOnlyList<TrainingExample> batch, IReadOnlyList<int> indices,
        GradientBuffer gradients, double scale, GradientBuffer? roundShares)
    {
        using var scope = NewDisposeScope();
        bool diagnose = roundShares is not null;
        var unrolled = Unroll(batch, indices, diagnose);
        var targets = Parameters.Select(p => p.Parameter).Concat(unrolled.Uses.Select(u => u.Output)).ToList();
        var grads = autograd.grad([unrolled.Loss.Times(scale)], targets, allow_unused: true);
        for (int i = 0; i < Parameters.Count; i++)
            gradients.Add(Parameters[i].Key, grads[i]);
        if (roundShares is not null)
        {
            // The gradient a link gets from round r is the vector-Jacobian product of that round's
            // application alone (input held fixed) with ∂loss/∂(its output); summed over rounds it is
            // the link's whole gradient, because the link's parameters enter the graph only there.
            for (int u = 0; u < unrolled.Uses.Count; u++)
            {
                var use = unrolled.Uses[u];
                var upstream = grads[Parameters.Count + u];
                if (GradientBuffer.IsMissing(upstream))
                    continue;
                var linkParameters = use.Link.named_parameters().ToList();
                var output = use.Link.forward(use.Input);
                var shares = autograd.grad([output], [.. linkParameters.Select(p => (Tensor)p.parameter)], [upstream], allow_unused: true);
                var flat = cat([.. shares.Select((g, i) => GradientBuffer.IsMissing(g) ? zeros(linkParameters[i].parameter.numel(), device: linkParameters[i].parameter.device) : g.flatten())], 0);
                roundShares.Add(RoundKey(use.Link.Id, use.Round), flat);
            }
        }
        return (unrolled.Loss.item<float>(), unrolled.RoundLosses);
    }

    internal static string RoundKey(string linkId, int round) => $"{linkId}@{round}";

    /// <summary>
    /// The objective on held-out <paramref name="examples"/> without a graph, in batches of <paramref name="batchSize"/>,
    /// averaged over examples; null when teacher messages need a role text some example lacks.
    /// </summary>
    public double? HeldOutLoss(IReadOnlyList<TrainingExample> examples, int batchSize)
    {
        string decoder = system.Plan.Decoder;
        if (options.MessageSource == MessageSource.Teacher && !examples.All(e => system.Agents.All(a => e.TargetOf(a.Name, decoder) is not null)))
            return null;
        using var noGrad = no_grad();
        double sum = 0;
        for (int start = 0; start < examples.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = examples.Skip(start).Take(batchSize).ToList();
            sum += Unroll(batch, [.. Enumerable.Range(start, batch.Count)], keepUses: false).Loss.item<float>() * batch.Count;
        }
        return sum / examples.Count;
    }

    /// <summary>Runs the n rounds with the graph kept; see <see cref="UnrolledRounds"/>.</summary>
    internal UnrolledRounds Unroll(IReadOnlyList<TrainingExample> batch, IReadOnlyList<int> indices, bool keepUses)
    {
        int rounds = Rounds;
        string decoder = system.Plan.Decoder;
        var questions = batch.Select(e => e.Question).ToList();
        IReadOnlyList<string> Answers(int round) => [.. batch.Select(e => e.AnswerIn(round, decoder))];
        string Describe(int b) => batch[b].Describe(indices[b]);
        var roundLosses = Enumerable.Repeat(double.NaN, rounds).ToArray();
        var earlier = new List<Tensor>();
        var receivers = new List<Tensor>();
        var uses = new List<LinkUse>();

        var final = TurnLoop.Run<TrainingMessage, Tensor>(system, rounds,
            think: (turn, messages) =>
            {
                var agent = system.Agent(turn.Agent);
                if (turn.Agent == decoder && Reaches(turn))
                {
                    // The decoder also thinks in earlier rounds (to send feedback); its loss there is
                    // trained only with a weight, and otherwise measured without a graph on diagnostic steps.
                    if (options.EarlierRoundWeight > 0)
                    {
                        var loss = DecoderLoss(agent, turn.Round, questions, messages, Answers(turn.Round), Describe);
                        earlier.Add(loss);
                        roundLosses[turn.Round - 1] = loss.item<float>();
                    }
                    else if (keepUses)
                    {
                        using var noGrad = no_grad();
                        roundLosses[turn.Round - 1] = DecoderLoss(agent, turn.Round, questions, messages, Answers(turn.Round), Describe).item<float>();
                    }
                }

                var prompt = agent.PromptFor(turn.Round, decode: false);
                if (options.ReceiverRoleWeight > 0 && turn.Agent != decoder && messages.Count > 0 && Reaches(turn)
                    && batch.All(e => e.TargetOf(turn.Agent, decoder, turn.Round) is not null))
                {
                    var loss = TextLoss(agent, prompt, questions, messages, [.. batch.Select(e => e.TargetOf(turn.Agent, decoder, turn.Round)!)], Describe);
                    receivers.Add(turn.Round == 1 ? loss : loss.Times(options.LaterRoundReceiverWeight));
                }
                Tensor embeddings;
                IReadOnlyList<int>? lengths = null;
                if (options.MessageSource == MessageSource.Teacher)
                    (embeddings, lengths) = TeacherEmbeddings(agent, turn.Round, prompt, batch, questions, messages, Describe);
                else
                {
                    using IDisposable? graph = options.DetachSenders ? no_grad() : null;
                    embeddings = agent.Think(prompt, questions, TrainingMessage.VectorsOf(messages), options.LatentSteps ?? agent.LatentSteps,
                        options.RolloutMode).Thoughts.Embeddings;
                }
                var (edges, links) = system.Outgoing(turn.Agent, includeFeedback: turn.Outgoing.Any(e => e.IsFeedback));
                var sent = links.Forward(embeddings);
                if (keepUses)
                    uses.AddRange(edges.Select((edge, i) => (edge, i)).Where(x => trainedEdges.Contains(x.edge))
                        .Select(x => new LinkUse(links.Links[x.i], turn.Round, embeddings.detach(), sent[x.i])));
                return edges.Select((edge, i) => (edge, new TrainingMessage(sent[i], lengths)));
            },
            decode: (turn, messages) =>
            {
                if (!Reaches(turn))
                    return zeros(1);
                var loss = DecoderLoss(system.Agent(turn.Agent), turn.Round, questions, messages, Answers(turn.Round), Describe);
                roundLosses[turn.Round - 1] = loss.item<float>();
                return loss;
            });

        var total = earlier.Count > 0 ? final.Plus(stack(earlier).mean().Times(options.EarlierRoundWeight)) : final;
        if (receivers.Count > 0)
            total = total.Plus(stack(receivers).sum().Times(options.ReceiverRoleWeight));
        return new UnrolledRounds(total, roundLosses, uses);
    }

    /// <summary>Cross-entropy of the decoder's answer tokens (and its end-of-turn token) after its decode prompt with the messages.</summary>
    Tensor DecoderLoss(SystemAgent agent, int round, IReadOnlyList<string> questions, IReadOnlyDictionary<string, TrainingMessage> messages,
        IReadOnlyList<string> answers, Func<int, string> describe) =>
        TextLoss(agent, agent.PromptFor(round, decode: true), questions, messages, answers, describe);

    /// <summary>Cross-entropy of <paramref name="texts"/> (and the agent's end-of-turn token) after <paramref name="prompt"/> with the messages.</summary>
    Tensor TextLoss(SystemAgent agent, Latent.AgentPrompt prompt, IReadOnlyList<string> questions, IReadOnlyDictionary<string, TrainingMessage> messages,
        IReadOnlyList<string> texts, Func<int, string> describe)
    {
        var end = options.AnswerEnd == AnswerEnd.TemplateTurnEnd ? agent.Tokenizer.Encode(agent.Tokenizer.ChatTemplate.AssistantTurnEnd) : null;
        var input = TeacherForcedInput.Build(agent, prompt, questions, TrainingMessage.VectorsOf(messages), texts, describe, agent.EndOfTurnTokenId,
            TrainingMessage.LengthsOf(messages), end, options.MaxInputTokens);
        return input.CrossEntropy(agent.Model, input.Hidden(agent.Model), options.LossAveraging);
    }

    /// <summary>
    /// Teacher messages (the released recipe): the sender reads its prompt (with the messages it
    /// received) followed by its ground-truth role text; the states over the first K role tokens go
    /// through its inner link. Each sample keeps its own first K = min(the option — 80 as released, or the
    /// sender's m when null —, its role text's length) states; shorter rows are padded, and the receivers
    /// read only each row's own length (as released: one short plan never truncates another sample's message).
    /// </summary>
    (Tensor Embeddings, IReadOnlyList<int> Lengths) TeacherEmbeddings(SystemAgent agent, int round, Latent.AgentPrompt prompt, IReadOnlyList<TrainingExample> batch,
        IReadOnlyList<string> questions, IReadOnlyDictionary<string, TrainingMessage> messages, Func<int, string> describe)
    {
        var targets = batch.Select((e, b) => e.TargetOf(agent.Name, system.Plan.Decoder, round)
            ?? throw new ArgumentException($"{describe(b)}: teacher messages need a role target for agent {agent.Name} (\"roles\": {{\"{agent.Name}\": ...}})")).ToList();
        var input = TeacherForcedInput.Build(agent, prompt, questions, TrainingMessage.VectorsOf(messages), targets, describe,
            messageLengths: TrainingMessage.LengthsOf(messages), maxTokens: options.MaxInputTokens);
        int k = options.TeacherMessageLength ?? agent.LatentSteps;
        int[] lengths = [.. input.TargetLengths.Select(n => Math.Min(k, n))];
        var states = input.TargetStates(input.Hidden(agent.Model), lengths.Max()).to(ScalarType.Float32);
        return (agent.InnerLink.forward(states), lengths);
    }
}
