using System.Security.Cryptography;
using RecursiveMas.Models;
using RecursiveMas.Systems;
using RecursiveMas.Training;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Training;

public sealed class OuterTrainingTests(SecretRelay relay) : IClassFixture<SecretRelay>
{
    /// <summary>SHA-256 over every weight of the agents' models, in parameter order.</summary>
    internal static string ModelHash(RecursiveSystem system)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var model in system.Agents.Select(a => a.Model).Distinct())
            foreach (var (name, p) in model.named_parameters())
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
                hash.AppendData(p.contiguous().bytes);
            }
        return Convert.ToHexString(hash.GetCurrentHash());
    }

    [Fact]
    public void OuterTrainingRelaysInformationOnlyTheFirstAgentHas()
    {
        // The Learner never sees the question; each held-out name comes with all four codes, so a
        // Learner that learned nothing from the message is right at most 1/4 of the time.
        string output = Path.Combine(relay.Root, "run-" + Guid.NewGuid().ToString("N")[..8]);
        using var system = relay.Load(latentSteps: 8);
        string before = ModelHash(system);
        var evaluation = SecretRelay.Examples(16, 200);

        var report = LinkTrainer.TrainOuter(system, SecretRelay.Examples(64, 0), new TrainingOptions
        {
            MessageSource = MessageSource.Rollout,
            Steps = 150,
            BatchSize = 8,
            LearningRate = 1e-2,
            WarmupSteps = 5,
            Seed = 1,
            Evaluation = evaluation,
            DiagnoseEvery = 50,
            OutputDirectory = output,
        });

        var stage = Assert.Single(report.Stages);
        Assert.True(stage.InitialEvaluationAccuracy <= 0.25, $"untrained links already answer {stage.InitialEvaluationAccuracy:P0}");
        Assert.True(stage.EvaluationAccuracy >= 0.5, $"after training: {stage.EvaluationAccuracy:P0} (chance 25%)");
        Assert.True(stage.FinalLoss < stage.FirstLoss / 2, $"loss {stage.FirstLoss} → {stage.FinalLoss}");
        // The validation curve: the same objective on the held-out names falls too, and the log has it where accuracy was measured.
        Assert.True(stage.EvaluationLoss < stage.InitialEvaluationLoss, $"held-out loss {stage.InitialEvaluationLoss} → {stage.EvaluationLoss}");
        var logged = TrainingLogEntry.Read(report.LogPath!);
        Assert.Equal(logged.Where(e => e.EvaluationAccuracy is not null).Select(e => e.Step), logged.Where(e => e.EvaluationLoss is not null).Select(e => e.Step));
        Assert.Equal(stage.EvaluationLoss, logged[^1].EvaluationLoss);
        Assert.Equal(before, ModelHash(system));

        // The saved links reproduce the trained system's accuracy.
        using var reloaded = RecursiveSystem.Load(system.Description, new SystemLoadOptions { LinksDirectory = report.LinksDirectory });
        Assert.Equal(stage.EvaluationAccuracy, HeldOutEvaluation.Accuracy(reloaded, evaluation, new RunOptions()));
        Assert.Equal(150, File.ReadLines(report.LogPath!).Count());
    }

    [Theory]
    [InlineData(MessageSource.Teacher)]
    [InlineData(MessageSource.Rollout)]
    public void EveryRoundThatUsesALinkSendsItGradientAndFrozenWeightsGetNone(MessageSource source)
    {
        using var system = relay.Load(latentSteps: 2, rounds: 3);
        var options = new TrainingOptions { MessageSource = source, Rounds = 3, EarlierRoundWeight = 0.1 };
        var objective = new OuterObjective(system, options);
        var batch = SecretRelay.Examples(2, 0);
        var outer = system.Plan.Edges.Select(e => system.Link(e.From, e.To)).ToList();
        foreach (var link in outer)
            link.SetTrainable(true);
        try
        {
            using var gradients = new GradientBuffer();
            using var shares = new GradientBuffer();
            var (loss, roundLosses) = objective.Accumulate(batch, [0, 1], gradients, 1.0, shares);
            Assert.True(double.IsFinite(loss));
            Assert.All(roundLosses, l => Assert.True(double.IsFinite(l))); // the Learner decodes or thinks in every round

            // Expert → Learner is used in rounds 1–3, the loop-closing Learner → Expert in rounds 1–2.
            var expected = new[] { ("outer.Expert-Learner", new[] { 1, 2, 3 }), ("outer.Learner-Expert", new[] { 1, 2 }) };
            foreach (var (id, rounds) in expected)
            {
                var keys = shares.Sums.Keys.Where(k => k.StartsWith(id + "@", StringComparison.Ordinal)).Order().ToList();
                Assert.Equal(rounds.Select(r => OuterObjective.RoundKey(id, r)), keys);
                foreach (var key in keys)
                    Assert.True(shares.Norm([key]) > 0, $"{key} got no gradient");

                // The rounds' shares add up to the link's whole gradient.
                var link = outer.Single(l => l.Id == id);
                using var whole = cat([.. link.named_parameters().Select(p => gradients.Sums[$"{id}.{p.name}"].flatten())], 0);
                using var summed = keys.Select(k => shares.Sums[k]).Aggregate((a, b) => a + b);
                Assert.True(summed.allclose(whole, rtol: 1e-3, atol: 1e-7), $"{id}: shares sum to {summed.norm().item<float>()}, whole {whole.norm().item<float>()}");
            }

            // A plain backward through the same unrolled rounds fills .grad of the outer links only.
            using (var scope = NewDisposeScope())
            {
                var unrolled = objective.Unroll(batch, [0, 1], keepUses: false);
                unrolled.Loss.backward();
            }
            foreach (var link in outer)
                foreach (var (name, p) in link.named_parameters())
                    Assert.True(p.grad is { } g && g.abs().sum().item<float>() > 0, $"{link.Id}.{name} got no gradient from backward");
            foreach (var agent in system.Agents)
            {
                Assert.All(agent.InnerLink.parameters(), p => Assert.Null(p.grad));
                Assert.All(agent.Model.parameters(), p => Assert.False(p.requires_grad));
                Assert.All(agent.Model.parameters(), p => Assert.Null(p.grad));
            }
        }
        finally
        {
            foreach (var link in outer)
                link.SetTrainable(false);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TeacherMessagesOfDifferentLengthsInOneBatchAreEachSamplesOwn(int rounds)
    {
        // As released: each sample passes its own first K = 80 role-text states; a short plan in the
        // batch no longer cuts the other sample's message, and the loss averages per sample. So a batch's
        // loss is the mean of what each sample scores alone.
        using var system = relay.Load(latentSteps: 4, rounds: rounds);
        var shortText = new TrainingExample("Ann: 3 3 3", new Dictionary<string, string> { ["Expert"] = "3." }, "\\boxed{3}");
        var longText = new TrainingExample("Bob: 7 7 7", new Dictionary<string, string>
        {
            ["Expert"] = "The code is 7, the code is 7 again, and once more for the learner: the code is 7.",
        }, "\\boxed{7}");
        var objective = new OuterObjective(system, new TrainingOptions { MessageSource = MessageSource.Teacher });
        using var noGrad = no_grad();
        double Loss(params TrainingExample[] batch) => objective.Unroll(batch, [.. batch.Select((_, i) => i)], keepUses: false).Loss.item<float>();
        double alone = (Loss(shortText) + Loss(longText)) / 2;
        Assert.Equal(alone, Loss(shortText, longText), 4);
        Assert.Equal(alone, Loss(longText, shortText), 4);

        // Labels as released cover the template's turn end after the answer: another loss than the end-of-turn token alone.
        var eotOnly = new OuterObjective(system, new TrainingOptions { MessageSource = MessageSource.Teacher, AnswerEnd = AnswerEnd.EndOfTurnToken });
        Assert.NotEqual(Math.Round(Loss(shortText), 4), Math.Round(eotOnly.Unroll([shortText], [0], keepUses: false).Loss.item<float>(), 4));

        // The old way (K cut to the batch's shortest role text, tokens averaged) scores the pair otherwise.
        var old = new OuterObjective(system, new TrainingOptions { MessageSource = MessageSource.Teacher, TeacherMessageLength = 2, LossAveraging = LossAveraging.PerToken });
        double oldPair = old.Unroll([shortText, longText], [0, 1], keepUses: false).Loss.item<float>();
        Assert.NotEqual(Math.Round(alone, 4), Math.Round(oldPair, 4));
    }

    [Fact]
    public void LongRowsLoseTheStartOfTheirPromptAsReleased()
    {
        using var system = relay.Load(latentSteps: 4);
        var learner = system.Agent("Learner");
        var prompt = learner.PromptFor(1, decode: true);
        var messages = new Dictionary<string, Tensor> { [prompt.Slots[0]] = zeros(2, 4, learner.HiddenSize) };
        string[] answers = ["\\boxed{3}", "The code is 7 and the answer is \\boxed{7}."];
        using var noGrad = no_grad();
        TeacherForcedInput Build(int? max) => TeacherForcedInput.Build(learner, prompt, ["Ann: 3 3 3", "Bob: 7 7 7"], messages, answers, b => $"row {b}",
            learner.EndOfTurnTokenId, maxTokens: max);

        var whole = Build(null);
        var real = whole.Mask.sum(1).data<long>().ToArray();
        // A limit every row fits reads every position; a tighter one cuts each longer row to it, from the left.
        Assert.Equal(real, Build(4096).Mask.sum(1).data<long>().ToArray());
        int max = (int)real.Min() - 3;
        var cut = Build(max);
        Assert.All(cut.Mask.sum(1).data<long>().ToArray(), n => Assert.Equal(max, n));
        Assert.Equal(whole.TargetMask.data<bool>().ToArray(), cut.TargetMask.data<bool>().ToArray()); // targets are never cut
        long width = whole.Mask.shape[1];
        Assert.Equal(whole.Mask.narrow(1, width - 4, 4).data<bool>().ToArray(), cut.Mask.narrow(1, width - 4, 4).data<bool>().ToArray()); // the end stays
        Assert.NotEqual(whole.CrossEntropy(learner.Model, whole.Hidden(learner.Model)).item<float>(),
            cut.CrossEntropy(learner.Model, cut.Hidden(learner.Model)).item<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { MaxInputTokens = 1 }.Validate());

        // A target is never cut, so one longer than the limit is refused, naming the row and the agent: it was read
        // whole past the limit (a million-token role text was a mask libtorch could not allocate, exit 70).
        int longest = (int)whole.TargetMask.sum(1).max().item<long>();
        var e = Assert.Throws<ArgumentException>(() => Build(longest));
        Assert.Contains("row 1: the target text of agent Learner is", e.Message);
        Assert.Equal(longest, Build(longest + 1).TargetMask.sum(1).max().item<long>());
    }

    [Fact]
    public void TrainingReportsGradientPerLinkAndRound()
    {
        using var system = relay.Load(latentSteps: 2, rounds: 2);
        var steps = new List<TrainingProgress>();
        var report = LinkTrainer.TrainOuter(system, SecretRelay.Examples(8, 0), new TrainingOptions
        {
            Steps = 2,
            WarmupSteps = 0,
            Rounds = 2,
            MessageSource = MessageSource.Rollout,
            OnProgress = steps.Add,
        });
        Assert.Equal([1, 2], steps.Select(s => s.Step));
        Assert.All(steps, s => Assert.Equal(
            ["outer.Expert-Learner@1", "outer.Expert-Learner@2", "outer.Learner-Expert@1"],
            s.RoundGradients.Select(g => $"{g.Link}@{g.Round}")));
        var summary = report.Stages.Single().RoundGradients;
        Assert.Equal(3, summary.Count);
        Assert.All(summary, g => Assert.True(g.Samples == 2 && g.Min > 0 && g.Max >= g.Mean));
        Assert.Contains("\"round_gradients\"", report.ToJson());
    }

    /// <summary>
    /// Training reads every prompt whole: a prefix from the agents' store is computed in another forward and rounds
    /// differently, so links would depend on the store's history (a resumed run starts it empty). Afterwards the store
    /// serves inference again.
    /// </summary>
    [Fact]
    public void TrainingNeverReadsPromptPrefixesFromTheStoreAndLeavesItOnForInference()
    {
        using var system = relay.Load(latentSteps: 2, rounds: 2);
        Assert.All(system.Agents, a => Assert.NotNull(a.Prefixes));
        LinkTrainer.TrainOuter(system, SecretRelay.Examples(4, 0), new TrainingOptions
        {
            Steps = 2,
            BatchSize = 2,
            WarmupSteps = 0,
            Rounds = 2,
            MessageSource = MessageSource.Rollout,
            DetachSenders = true, // rollouts without a graph: the path that could read the store
            ReceiverRoleWeight = 1,
            Evaluation = SecretRelay.Examples(2, 100),
            EvaluateEvery = 1,
        });
        Assert.All(system.Agents, a => Assert.Equal((0L, 0L), (a.Prefixes!.Misses, a.Prefixes.Hits)));
        Assert.All(system.Agents, a => Assert.True(a.ReusePrefixes));
        RecursiveRunner.Solve(system, "Ann: 3 3 3", new RunOptions { Rounds = 2 });
        Assert.Contains(system.Agents, a => a.Prefixes!.Misses > 0);
    }

    /// <summary>The later rounds' receiver weight is a setting of the checkpoint (a resume with another is refused); left at 1 it is not written.</summary>
    [Fact]
    public void TheLaterRoundReceiverWeightIsPartOfTheCheckpointOnlyWhenSet()
    {
        string output = Path.Combine(relay.Root, "later-" + Guid.NewGuid().ToString("N")[..8]);
        using var system = relay.Load(latentSteps: 2, rounds: 2);
        var options = new TrainingOptions
        {
            Steps = 1,
            BatchSize = 2,
            WarmupSteps = 0,
            Rounds = 2,
            MessageSource = MessageSource.Rollout,
            DetachSenders = true,
            ReceiverRoleWeight = 1,
            LaterRoundReceiverWeight = 0.25,
            OutputDirectory = output,
        };
        LinkTrainer.TrainOuter(system, SecretRelay.Examples(2, 0), options);
        string checkpoint = TrainingCheckpoint.PathFor(output, TrainingStage.Outer);
        using (var file = RecursiveMas.Models.SafeTensors.SafeTensorsFile.Open(checkpoint))
            Assert.Equal("0.25", file.Metadata["later_round_receiver_weight"]);
        var error = Assert.ThrowsAny<Exception>(() => LinkTrainer.TrainOuter(system, SecretRelay.Examples(2, 0),
            options with { LaterRoundReceiverWeight = 1, Resume = true }));
        Assert.Contains("later_round_receiver_weight = 0.25", error.Message);

        LinkTrainer.TrainOuter(system, SecretRelay.Examples(2, 0), options with { LaterRoundReceiverWeight = 1, OutputDirectory = output + "-default" });
        using var defaults = RecursiveMas.Models.SafeTensors.SafeTensorsFile.Open(TrainingCheckpoint.PathFor(output + "-default", TrainingStage.Outer));
        Assert.False(defaults.Metadata.ContainsKey("later_round_receiver_weight"));
    }

    [Fact]
    public void InnerTrainingLowersTheInnerLossAndTouchesOnlyInnerLinks()
    {
        using var system = relay.Load(latentSteps: 2);
        string models = ModelHash(system);
        var outerBefore = system.Plan.Edges.Select(e => system.Link(e.From, e.To)).SelectMany(l => l.parameters()).Select(p => p.clone()).ToList();
        var report = LinkTrainer.TrainInner(system, SecretRelay.Examples(16, 0), new TrainingOptions
        {
            Steps = 30,
            BatchSize = 4,
            LearningRate = 1e-2,
            WarmupSteps = 0,
        });
        var stage = report.Stages.Single();
        Assert.Equal(["Expert", "Learner"], stage.FinalAgentLosses.Keys.Order());
        Assert.True(stage.FinalLoss < stage.FirstLoss, $"inner loss {stage.FirstLoss} → {stage.FinalLoss}");
        Assert.Equal(models, ModelHash(system));
        var outerAfter = system.Plan.Edges.Select(e => system.Link(e.From, e.To)).SelectMany(l => l.parameters()).ToList();
        Assert.All(outerBefore.Zip(outerAfter), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
    }

    [Fact]
    public void InnerTrainingWithRoleMessagesTokenAndConsistencyLossesLowersItAndTouchesOnlyInnerLinks()
    {
        using var system = relay.Load(latentSteps: 2);
        string models = ModelHash(system);
        var options = new TrainingOptions
        {
            Steps = 30,
            BatchSize = 4,
            LearningRate = 1e-2,
            WarmupSteps = 0,
            InnerReadsRoleMessages = true,
            InnerTokenWeight = 1,
            InnerConsistencyWeight = 1,
        };
        var report = LinkTrainer.TrainInner(system, SecretRelay.Examples(16, 0), options);
        var stage = report.Stages.Single();
        Assert.True(stage.FinalLoss < stage.FirstLoss, $"inner loss {stage.FirstLoss} → {stage.FinalLoss}");
        Assert.Equal(models, ModelHash(system));

        // The Learner reads the Expert's role text in its slot: its loss differs from the empty-slot one.
        var learner = system.Agent("Learner");
        var batch = SecretRelay.Examples(4, 0);
        using var scope = NewDisposeScope();
        double filled = new InnerObjective(system, options).Loss(learner, batch, [0, 1, 2, 3]).item<float>();
        double empty = new InnerObjective(system, options with { InnerReadsRoleMessages = false }).Loss(learner, batch, [0, 1, 2, 3]).item<float>();
        Assert.True(double.IsFinite(filled) && double.IsFinite(empty));
        Assert.NotEqual(empty, filled);
    }

    [Fact]
    public void DetachedSendersLetALinkLearnOnlyFromItsReceivers()
    {
        // Two rounds: Expert → Learner, Learner → Expert (feedback), Expert → Learner, Learner decodes.
        // With detached senders the feedback link reaches the answer only through the Expert's rollout,
        // so it gets gradient only when the Expert's own role text is scored on what it received.
        using var system = relay.Load(latentSteps: 2, rounds: 2);
        var batch = SecretRelay.Examples(2, 0);
        var outer = system.Plan.Edges.Select(e => system.Link(e.From, e.To)).ToList();
        double Norm(double receiverWeight, string linkId)
        {
            var options = new TrainingOptions
            {
                MessageSource = MessageSource.Rollout,
                Rounds = 2,
                DetachSenders = true,
                ReceiverRoleWeight = receiverWeight,
            };
            using var gradients = new GradientBuffer();
            new OuterObjective(system, options).Accumulate(batch, [0, 1], gradients, 1.0, null);
            var keys = gradients.Sums.Keys.Where(k => k.StartsWith(linkId + ".", StringComparison.Ordinal)).ToList();
            return keys.Count == 0 ? 0 : gradients.Norm(keys);
        }
        foreach (var link in outer)
            link.SetTrainable(true);
        try
        {
            Assert.True(Norm(0, "outer.Expert-Learner") > 0);
            Assert.Equal(0, Norm(0, "outer.Learner-Expert"));
            Assert.True(Norm(1, "outer.Learner-Expert") > 0);
        }
        finally
        {
            foreach (var link in outer)
                link.SetTrainable(false);
        }
    }

    /// <summary>
    /// Training only the feedback link leaves the forward link's weights as they were, and with detached senders the
    /// feedback link gets exactly the gradient it gets when every link trains: the losses skipped never reach it.
    /// </summary>
    [Fact]
    public void TrainingNamedOuterLinksChangesOnlyThemWithTheSameGradient()
    {
        using var system = relay.Load(latentSteps: 2, rounds: 2);
        var batch = SecretRelay.Examples(2, 0);
        var options = new TrainingOptions
        {
            Steps = 2,
            BatchSize = 2,
            WarmupSteps = 0,
            Rounds = 2,
            MessageSource = MessageSource.Rollout,
            DetachSenders = true,
            ReceiverRoleWeight = 1,
        };
        var outer = system.Plan.Edges.Select(e => system.Link(e.From, e.To)).ToList();
        Tensor Gradient(TrainingOptions o, string id)
        {
            using var gradients = new GradientBuffer();
            new OuterObjective(system, o).Accumulate(batch, [0, 1], gradients, 1.0, null);
            var link = outer.Single(l => l.Id == id);
            return cat([.. link.named_parameters().Select(p => gradients.Sums[$"{id}.{p.name}"].flatten())], 0).detach().clone();
        }
        foreach (var link in outer)
            link.SetTrainable(true);
        try
        {
            using var all = Gradient(options, "outer.Learner-Expert");
            using var alone = Gradient(options with { OuterLinks = ["outer.Learner-Expert"] }, "outer.Learner-Expert");
            Assert.True(all.norm().item<float>() > 0);
            Assert.True(alone.allclose(all, rtol: 1e-5, atol: 1e-8), $"alone {alone.norm().item<float>()}, with every link {all.norm().item<float>()}");
        }
        finally
        {
            foreach (var link in outer)
                link.SetTrainable(false);
        }

        string Weights(string id) => Convert.ToHexString(SHA256.HashData([.. outer.Single(l => l.Id == id).parameters().SelectMany(p => p.contiguous().bytes.ToArray())]));
        string forward = Weights("outer.Expert-Learner"), feedback = Weights("outer.Learner-Expert");
        var report = LinkTrainer.TrainOuter(system, SecretRelay.Examples(4, 0), options with { OuterLinks = ["outer.Learner-Expert"] });
        Assert.True(double.IsFinite(report.Stages.Single().FinalLoss));
        Assert.Equal(forward, Weights("outer.Expert-Learner"));
        Assert.NotEqual(feedback, Weights("outer.Learner-Expert"));
    }

    [Fact]
    public void OuterLinksThatCannotTrainAreNamed()
    {
        using var system = relay.Load(latentSteps: 2, rounds: 2);
        var options = new TrainingOptions { MessageSource = MessageSource.Rollout, Rounds = 2 };
        var unknown = Assert.Throws<ArgumentException>(() => new OuterObjective(system, options with { OuterLinks = ["outer.Expert-Nobody"] }));
        Assert.Contains("outer.Expert-Nobody", unknown.Message);
        Assert.Contains("outer.Learner-Expert", unknown.Message);
        var oneRound = Assert.Throws<ArgumentException>(() => new OuterObjective(system, options with { Rounds = 1, OuterLinks = ["outer.Learner-Expert"] }));
        Assert.Contains("feedback", oneRound.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => (options with { OuterLinks = [] }).Validate());
    }

    [Fact]
    public void ReplacingLinksSwapsTheWholeFolderAndLeavesNothingBeside()
    {
        using var system = relay.Load(latentSteps: 2);
        string parent = Path.Combine(relay.Root, "replace-" + Guid.NewGuid().ToString("N")[..8]);
        string links = Path.Combine(parent, "links");
        Directory.CreateDirectory(links);
        File.WriteAllText(Path.Combine(links, "outer.Gone-Away.json"), "{}");
        system.ReplaceLinks(links);
        Assert.Equal(system.AllLinks.SelectMany(l => new[] { l.Id + ".json", l.Id + ".safetensors" }).Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(links).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([links], Directory.EnumerateDirectories(parent));
        using var reloaded = RecursiveSystem.Load(system.Description, new SystemLoadOptions { LinksDirectory = links });
        Assert.All(system.AllLinks.Zip(reloaded.AllLinks), pair =>
            Assert.All(pair.First.parameters().Zip(pair.Second.parameters()), p => Assert.True(p.First.allclose(p.Second, rtol: 0, atol: 0))));
    }

    [Fact]
    public void AStepWithANonFiniteLossIsSkippedAndCounted()
    {
        using var system = relay.Load(latentSteps: 2);
        // The Learner's inner link outputs NaN: every inner step's loss is NaN.
        var learner = system.Agent("Learner").InnerLink;
        using (no_grad())
            learner.named_parameters().Single(p => p.name == "proj1.bias").parameter.fill_(double.NaN);
        var expert = system.Agent("Expert").InnerLink.parameters().Select(p => p.clone()).ToList();
        string log = Path.Combine(Path.GetTempPath(), "rmas-nan-" + Guid.NewGuid().ToString("N"));
        var report = LinkTrainer.TrainInner(system, SecretRelay.Examples(4, 0), new TrainingOptions
        {
            Steps = 3,
            BatchSize = 2,
            LearningRate = 1e-2,
            WarmupSteps = 0,
            OutputDirectory = log,
        });

        var stage = report.Stages.Single();
        Assert.Equal(3, stage.SkippedSteps);
        Assert.True(double.IsNaN(stage.FinalLoss));
        // No update reached any link, the healthy one included.
        Assert.All(expert.Zip(system.Agent("Expert").InnerLink.parameters()), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
        var lines = File.ReadAllLines(report.LogPath!);
        Assert.Equal(3, System.Text.Json.Nodes.JsonNode.Parse(lines[^1])!["skipped_steps"]!.GetValue<int>());
        Directory.Delete(log, recursive: true);
    }

    [Fact]
    public void DataThatDoesNotFitTheSystemIsNamed()
    {
        using var system = relay.Load(latentSteps: 2);
        var typo = new TrainingExample("Ann: 1 1 1", new Dictionary<string, string> { ["Expret"] = "The code is 1." }, "\\boxed{1}") { Source = "train.jsonl:7" };
        var e = Assert.Throws<ArgumentException>(() => LinkTrainer.TrainOuter(system, [typo], new TrainingOptions { Steps = 1 }));
        Assert.Contains("train.jsonl:7", e.Message);
        Assert.Contains("Expret", e.Message);

        // Teacher messages need the sender's role text; rollout messages do not.
        var bare = new TrainingExample("Ann: 1 1 1", new Dictionary<string, string>(), "\\boxed{1}");
        e = Assert.Throws<ArgumentException>(() => LinkTrainer.TrainOuter(system, [bare], new TrainingOptions { Steps = 1, BatchSize = 1 }));
        Assert.Contains("example 1", e.Message);
        Assert.Contains("Expert", e.Message);
        var report = LinkTrainer.TrainOuter(system, [bare], new TrainingOptions { Steps = 1, BatchSize = 1, MessageSource = MessageSource.Rollout });
        Assert.True(double.IsFinite(report.FinalLoss));
    }
}
