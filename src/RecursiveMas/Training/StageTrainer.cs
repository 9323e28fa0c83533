using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RecursiveMas.Links;
using RecursiveMas.Systems;
using static TorchSharp.torch;

namespace RecursiveMas.Training;

/// <summary>
/// The optimization loop one stage shares with the other: micro-batches from the seeded sampler,
/// gradients summed over accumulation, clipping per trained group (each inner link on its own, as
/// the released per-agent runs do; all outer links together), AdamW on the cosine schedule, the step
/// log, progress, evaluation and checkpoints. The objective (inner or outer) supplies the gradients.
/// </summary>
internal static class StageTrainer
{
    public static StageReport Run(RecursiveSystem system, IReadOnlyList<TrainingExample> data, TrainingOptions o, TrainingStage stage,
        TrainingLog? log, bool resume, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        InnerObjective? inner = stage == TrainingStage.Inner ? new InnerObjective(system, o) : null;
        OuterObjective? outer = stage == TrainingStage.Outer ? new OuterObjective(system, o) : null;
        var agents = inner is null ? [] : InnerObjective.TrainedAgents(system, data);
        var groups = new List<(string Name, IReadOnlyList<string> Keys)>();
        var parameters = new List<(string Key, Tensor Parameter)>();
        var trained = new List<RecursiveLink>();
        if (inner is not null)
        {
            foreach (var agent in agents)
            {
                var own = agent.InnerLink.named_parameters().Select(p => ($"{agent.InnerLink.Id}.{p.name}", (Tensor)p.parameter)).ToList();
                parameters.AddRange(own);
                groups.Add((agent.InnerLink.Id, [.. own.Select(p => p.Item1)]));
                trained.Add(agent.InnerLink);
            }
        }
        else
        {
            if (outer!.Parameters.Count == 0)
                throw new ArgumentException($"system {system.Description.Name} has no outer links to train");
            parameters.AddRange(outer.Parameters.Select(p => (p.Key, p.Parameter)));
            groups.Add(("outer", [.. outer.Parameters.Select(p => p.Key)]));
            trained.AddRange(outer.Parameters.Select(p => (RecursiveLink)p.Link).Distinct());
        }

        // Only the links of this stage train; everything else (models, the other links) stays frozen.
        foreach (var link in system.AllLinks)
            link.SetTrainable(false);
        foreach (var link in trained)
            link.SetTrainable(true);
        // Every forward of a stage reads its whole prompt, so steps do not depend on a prefix store's history.
        foreach (var agent in system.Agents)
            agent.ReusePrefixes = false;
        try
        {
            using var optimizer = new LinkAdamW(parameters, o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay);
            var schedule = new CosineSchedule(o.LearningRate, o.WarmupSteps, o.Steps);
            var identity = Identity(system, data, o, stage);
            string? checkpointPath = o.OutputDirectory is null ? null : TrainingCheckpoint.PathFor(o.OutputDirectory, stage);
            int start = 0;
            if (resume && checkpointPath is not null)
            {
                start = TrainingCheckpoint.Load(checkpointPath, identity, system, optimizer);
                if (start > o.Steps)
                    throw new ModelFileException(checkpointPath, "step", $"the checkpoint is at step {start}, past this run's {o.Steps} steps");
                log?.TruncateAfter(stage, start);
            }

            int rounds = o.Rounds ?? system.Description.Rounds;
            var runOptions = new RunOptions { Rounds = rounds, LatentSteps = o.LatentSteps, RolloutMode = o.RolloutMode, Decoding = o.EvaluationDecoding };
            bool evaluate = o.Evaluation is { Count: > 0 };
            double? Evaluate() => evaluate ? HeldOutEvaluation.Accuracy(system, o.Evaluation!, runOptions, o.EvaluationBatchSize) : null;
            // The validation curve: this stage's own loss on the held-out examples, without a graph.
            double? HeldOutLoss() => !evaluate ? null
                : inner is not null ? inner.HeldOutLoss(agents, o.Evaluation!, o.BatchSize)
                : outer!.HeldOutLoss(o.Evaluation!, o.BatchSize);

            double? initialAccuracy = null, accuracy = null, initialLoss = null, heldOutLoss = null;
            if (evaluate && start == 0)
            {
                accuracy = initialAccuracy = Evaluate();
                heldOutLoss = initialLoss = HeldOutLoss();
                o.OnProgress?.Invoke(new TrainingProgress(stage, 0, o.Steps, double.NaN, 0, double.NaN, [], [], new Dictionary<string, double>(),
                    initialAccuracy, watch.Elapsed, null)
                { EvaluationLoss = initialLoss });
            }

            var sampler = new ExampleSampler(data.Count, o.BatchSize, o.Seed);
            var linkOrder = system.AllLinks.Select((l, i) => (l.Id, i)).ToDictionary(x => x.Id, x => x.i);
            var roundNorms = new Dictionary<(string Link, int Round), List<double>>();
            double firstLoss = double.NaN;
            TrainingProgress? last = null;
            int skipped = 0;
            // The last update made from a finite loss: what its examples gave before it, to tell whether it broke the links.
            LastUpdate? lastUpdate = null;
            double? LossNow(IReadOnlyList<TrainingExample> examples) => inner is not null
                ? inner.HeldOutLoss(agents, examples, o.BatchSize)
                : outer!.HeldOutLoss(examples, o.BatchSize);
            for (int step = start; step < o.Steps; step++)
            {
                ct.ThrowIfCancellationRequested();
                double lr = schedule.RateAt(step);
                bool diagnose = outer is not null && o.DiagnoseEvery > 0 && (step % o.DiagnoseEvery == 0 || step == o.Steps - 1);
                using var gradients = new GradientBuffer();
                using var shares = diagnose ? new GradientBuffer() : null;
                double lossSum = 0;
                var roundSums = new double[rounds];
                var roundCounts = new int[rounds];
                var agentSums = new Dictionary<string, (double Sum, int Count)>();
                var stepExamples = new List<TrainingExample>();
                for (int a = 0; a < o.GradientAccumulation; a++)
                {
                    var indices = sampler.Batch((long)step * o.GradientAccumulation + a);
                    var batch = indices.Select(i => data[i]).ToList();
                    stepExamples.AddRange(batch);
                    double scale = 1.0 / o.GradientAccumulation;
                    if (inner is not null)
                    {
                        var losses = inner.Accumulate(agents, batch, indices, gradients, scale);
                        foreach (var (agent, loss) in losses)
                            agentSums[agent] = (agentSums.GetValueOrDefault(agent).Sum + loss, agentSums.GetValueOrDefault(agent).Count + 1);
                        lossSum += losses.Count == 0 ? 0 : losses.Values.Average();
                    }
                    else
                    {
                        var (loss, perRound) = outer!.Accumulate(batch, indices, gradients, scale, shares);
                        lossSum += loss;
                        for (int r = 0; r < rounds; r++)
                        {
                            if (double.IsFinite(perRound[r]))
                            {
                                roundSums[r] += perRound[r];
                                roundCounts[r]++;
                            }
                        }
                    }
                }

                double gradientNorm = gradients.Norm();
                double stepLoss = lossSum / o.GradientAccumulation;
                // A step whose loss or gradient is NaN/inf is skipped, as released: no update, counted.
                bool finite = double.IsFinite(stepLoss) && double.IsFinite(gradientNorm);
                if (!finite)
                {
                    skipped++;
                    // Unless the links are the cause: then every later step would be skipped and the broken links saved.
                    CheckLastUpdate(lastUpdate, LossNow, parameters, stage, step + 1, $"the loss is {Number(stepLoss)}, and ");
                }
                if (finite && o.ClipNorm > 0)
                {
                    foreach (var (_, keys) in groups)
                    {
                        double norm = gradients.Norm(keys);
                        if (norm > o.ClipNorm)
                            gradients.Scale(keys, o.ClipNorm / (norm + 1e-6));
                    }
                }
                if (finite)
                {
                    optimizer.Step(gradients.Sums, lr);
                    if (NonFinite(parameters) is { } broken)
                        throw new TrainingDivergedException(stage, step + 1,
                            $"the update (learning rate {Number(lr)}) made {broken} NaN or infinite; {NothingWritten}");
                    lastUpdate = new LastUpdate(step + 1, stepLoss, lr, stepExamples);
                }

                var roundGradients = shares is null ? [] : shares.Sums.Keys
                    .Select(key => (Key: key, Parts: key.Split('@')))
                    .Select(x => new RoundGradient(x.Parts[0], int.Parse(x.Parts[1], CultureInfo.InvariantCulture), shares.Norm([x.Key])))
                    .OrderBy(g => linkOrder[g.Link]).ThenBy(g => g.Round).ToList();
                foreach (var g in roundGradients)
                {
                    if (!roundNorms.TryGetValue((g.Link, g.Round), out var list))
                        roundNorms[(g.Link, g.Round)] = list = [];
                    list.Add(g.Norm);
                }

                int done = step + 1;
                if (double.IsNaN(firstLoss) && finite)
                    firstLoss = stepLoss;
                bool evaluateNow = evaluate && ((o.EvaluateEvery > 0 && done % o.EvaluateEvery == 0) || done == o.Steps);
                double? stepAccuracy = evaluateNow ? Evaluate() : null;
                double? stepHeldOutLoss = evaluateNow ? HeldOutLoss() : null;
                if (stepAccuracy is not null)
                    accuracy = stepAccuracy;
                if (stepHeldOutLoss is not null)
                    heldOutLoss = stepHeldOutLoss;
                var elapsed = watch.Elapsed;
                last = new TrainingProgress(stage, done, o.Steps, stepLoss, lr, gradientNorm,
                    [.. Enumerable.Range(0, rounds).Select(r => roundCounts[r] == 0 ? double.NaN : roundSums[r] / roundCounts[r])],
                    roundGradients,
                    agentSums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / kv.Value.Count),
                    stepAccuracy, elapsed, elapsed / (done - start) * (o.Steps - done))
                {
                    SkippedSteps = skipped,
                    EvaluationLoss = stepHeldOutLoss,
                };
                log?.Append(last);
                o.OnProgress?.Invoke(last);

                bool checkpoint = checkpointPath is not null && ((o.CheckpointEvery > 0 && done % o.CheckpointEvery == 0) || done == o.Steps);
                // Before weights are kept (a checkpoint, the stage's end): they must still give its examples a finite loss.
                if (finite && (checkpoint || done == o.Steps))
                    CheckLastUpdate(lastUpdate, LossNow, parameters, stage, done, "");
                if (checkpoint)
                    TrainingCheckpoint.Save(checkpointPath!, done, identity, system, optimizer);
            }

            return new StageReport
            {
                Stage = stage,
                Steps = o.Steps,
                ResumedFromStep = start,
                SkippedSteps = skipped,
                FirstLoss = firstLoss,
                FinalLoss = last?.Loss ?? double.NaN,
                FinalRoundLosses = last?.RoundLosses ?? [],
                FinalAgentLosses = last?.AgentLosses ?? new Dictionary<string, double>(),
                RoundGradients = [.. roundNorms.OrderBy(kv => linkOrder[kv.Key.Link]).ThenBy(kv => kv.Key.Round)
                    .Select(kv => new RoundGradientSummary(kv.Key.Link, kv.Key.Round, kv.Value.Average(), kv.Value.Min(), kv.Value.Max(), kv.Value[^1], kv.Value.Count))],
                InitialEvaluationAccuracy = initialAccuracy,
                EvaluationAccuracy = accuracy,
                InitialEvaluationLoss = initialLoss,
                EvaluationLoss = heldOutLoss,
                Seconds = watch.Elapsed.TotalSeconds,
                CheckpointPath = checkpointPath is not null && File.Exists(checkpointPath) ? checkpointPath : null,
            };
        }
        finally
        {
            foreach (var link in trained)
                link.SetTrainable(false);
            foreach (var agent in system.Agents)
                agent.ReusePrefixes = true;
        }
    }

    /// <summary>An optimizer step made from a finite loss: its 1-based step, that loss, its learning rate and its examples.</summary>
    sealed record LastUpdate(int Step, double Loss, double LearningRate, IReadOnlyList<TrainingExample> Examples);

    const string NothingWritten = "nothing from that update on was saved (the last checkpoint and the links folder keep what they held); " +
        "lower the learning rate";

    /// <summary>
    /// Throws when the links, since <paramref name="update"/>, give its own examples — whose loss was finite before
    /// it — a NaN or infinite loss: the update broke them (a learning rate far too large moves weights by about itself).
    /// A non-finite loss of other examples with finite losses there is that batch's own, and is skipped as released.
    /// </summary>
    static void CheckLastUpdate(LastUpdate? update, Func<IReadOnlyList<TrainingExample>, double?> lossNow,
        IReadOnlyList<(string Key, Tensor Parameter)> parameters, TrainingStage stage, int step, string found)
    {
        if (update is null || lossNow(update.Examples) is not double now || double.IsFinite(now))
            return;
        var (key, largest) = LargestWeight(parameters);
        throw new TrainingDivergedException(stage, step,
            $"{found}the examples of step {update.Step}, whose loss was {Number(update.Loss)} before that step's update, give {Number(now)} after it: " +
            $"the update (learning rate {Number(update.LearningRate)}) broke the links (largest weight {Number(largest)}, in {key}); {NothingWritten}");
    }

    /// <summary>The first trained parameter holding a NaN or an infinity, or null.</summary>
    static string? NonFinite(IReadOnlyList<(string Key, Tensor Parameter)> parameters)
    {
        using var scope = NewDisposeScope();
        foreach (var (key, p) in parameters)
        {
            if (!p.detach().isfinite().all().item<bool>())
                return key;
        }
        return null;
    }

    static (string Key, double Largest) LargestWeight(IReadOnlyList<(string Key, Tensor Parameter)> parameters)
    {
        using var scope = NewDisposeScope();
        (string Key, double Largest) best = ("", 0);
        foreach (var (key, p) in parameters)
        {
            double value = p.detach().abs().max().to_type(ScalarType.Float64).item<double>();
            if (!(value <= best.Largest))
                best = (key, value);
        }
        return best;
    }

    static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>
    /// What a checkpoint must agree on with the run resuming from it: the system and its links, the
    /// data, and every setting that changes the trajectory (a different schedule or seed would not
    /// continue the same run).
    /// </summary>
    internal static Dictionary<string, string> Identity(RecursiveSystem system, IReadOnlyList<TrainingExample> data, TrainingOptions o, TrainingStage stage)
    {
        static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var identity = new Dictionary<string, string>
        {
            ["stage"] = TrainingLog.StageName(stage),
            ["system"] = system.Description.Name,
            ["links"] = string.Join(";", system.AllLinks.Select(l => $"{l.Id}:{l.Architecture.ConfigName()}:{l.InDim}->{l.OutDim}")),
            ["data"] = DataFingerprint(data),
            ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture),
            ["total_steps"] = o.Steps.ToString(CultureInfo.InvariantCulture),
            ["batch_size"] = o.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["gradient_accumulation"] = o.GradientAccumulation.ToString(CultureInfo.InvariantCulture),
            ["learning_rate"] = N(o.LearningRate),
            ["warmup_steps"] = o.WarmupSteps.ToString(CultureInfo.InvariantCulture),
            ["clip_norm"] = N(o.ClipNorm),
            ["betas"] = $"{N(o.Beta1)},{N(o.Beta2)}",
            ["epsilon"] = N(o.Epsilon),
            ["weight_decay"] = N(o.WeightDecay),
        };
        // Added with the released per-sample averaging: runs from before averaged per token and carry no key.
        if (o.LossAveraging != LossAveraging.PerToken)
            identity["loss_averaging"] = "per_sample";
        if (o.MaxInputTokens != TrainingOptions.ReleasedMaxInputTokens)
            identity["max_input_tokens"] = o.MaxInputTokens?.ToString(CultureInfo.InvariantCulture) ?? "none";
        if (o.LinkDType != ScalarType.Float32)
            identity["link_dtype"] = o.LinkDType.ToString().ToLowerInvariant();
        if (o.AnswerEnd == AnswerEnd.TemplateTurnEnd && stage != TrainingStage.Inner)
            identity["answer_end"] = "template";
        if (stage == TrainingStage.Inner)
        {
            identity["cosine_weight"] = N(o.CosineWeight);
            identity["mse_weight"] = N(o.MseWeight);
            // Added after the first checkpoints were written: present only when used, so those still resume.
            if (o.InnerReadsRoleMessages)
                identity["inner_reads_role_messages"] = "true";
            if (o.InnerTokenWeight > 0)
                identity["inner_token_weight"] = N(o.InnerTokenWeight);
            if (o.InnerConsistencyWeight > 0)
                identity["inner_consistency_weight"] = N(o.InnerConsistencyWeight);
        }
        else
        {
            identity["message_source"] = o.MessageSource.ToString().ToLowerInvariant();
            identity["rounds"] = (o.Rounds ?? system.Description.Rounds).ToString(CultureInfo.InvariantCulture);
            identity["earlier_round_weight"] = N(o.EarlierRoundWeight);
            identity["teacher_message_length"] = o.TeacherMessageLength?.ToString(CultureInfo.InvariantCulture) ?? "m";
            identity["latent_steps"] = o.LatentSteps?.ToString(CultureInfo.InvariantCulture) ?? "m";
            if (o.ReceiverRoleWeight > 0)
                identity["receiver_role_weight"] = N(o.ReceiverRoleWeight);
            // Only when set, so checkpoints written before the option existed still resume.
            if (o.ReceiverRoleWeight > 0 && o.LaterRoundReceiverWeight != 1)
                identity["later_round_receiver_weight"] = N(o.LaterRoundReceiverWeight);
            if (o.DetachSenders)
                identity["detach_senders"] = "true";
            if (o.OuterLinks is not null)
                identity["outer_links"] = string.Join(",", o.OuterLinks.Order(StringComparer.Ordinal));
        }
        return identity;
    }

    static string DataFingerprint(IReadOnlyList<TrainingExample> data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var e in data)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(e.Question + "\u0000" + e.Answer + "\u0000"));
            foreach (var (agent, target) in e.RoleTargets.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                hash.AppendData(Encoding.UTF8.GetBytes(agent + "\u0001" + target + "\u0000"));
            // Later rounds' targets only when there are any, so data without them keeps its fingerprint.
            for (int r = 0; r < e.LaterRoundTargets.Count; r++)
            {
                foreach (var (agent, target) in e.LaterRoundTargets[r].OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    hash.AppendData(Encoding.UTF8.GetBytes($"{r + 2}\u0002{agent}\u0001{target}\u0000"));
            }
        }
        return $"{data.Count} examples, sha256 {Convert.ToHexStringLower(hash.GetCurrentHash())[..16]}";
    }
}
